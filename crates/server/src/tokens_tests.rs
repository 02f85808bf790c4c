use pretty_assertions::assert_eq;

use super::*;

#[test]
fn scopes_round_trip_through_their_stored_text() {
    let scopes: BTreeSet<TokenScope> = [TokenScope::Publish, TokenScope::Read].into();
    assert_eq!(scopes_text(&scopes), "read publish");
    assert_eq!(parse_scopes("read publish"), scopes);
    assert_eq!(parse_scopes("admin bogus"), [TokenScope::Admin].into());
}

#[test]
fn admin_allows_every_scope_and_plugin() {
    let grant = |scopes: &[TokenScope], plugin_ids: Option<Vec<String>>| Grant {
        account_id: "a".to_owned(),
        token_id: None,
        scopes: scopes.iter().copied().collect(),
        plugin_ids,
        expires_at: None,
    };
    let publisher = grant(&[TokenScope::Publish], Some(vec!["p1".to_owned()]));
    assert!(publisher.allows(TokenScope::Publish));
    assert!(!publisher.allows(TokenScope::Read));
    assert!(publisher.allows_plugin("p1"));
    assert!(!publisher.allows_plugin("p2"));
    let admin = grant(&[TokenScope::Admin], Some(vec!["p1".to_owned()]));
    assert!(admin.allows(TokenScope::Read));
    assert!(admin.allows_plugin("p2"));
    assert!(grant(&[TokenScope::Publish], None).allows_plugin("anything"));
}

#[test]
fn a_signed_token_verifies_only_with_its_key() {
    let key = SigningKey {
        kid: "primary".to_owned(),
        secret: vec![7; 32],
    };
    let claims = Claims {
        iss: ISSUER.to_owned(),
        sub: "acct".to_owned(),
        jti: "id".to_owned(),
        iat: now_unix(),
        exp: now_unix() + 60,
        email: "a@example.com".to_owned(),
        scope: "read".to_owned(),
        auth: OpenAiAuth {
            chatgpt_account_id: "acct".to_owned(),
            chatgpt_user_id: "user-acct".to_owned(),
            chatgpt_plan_type: PLAN_TYPE.to_owned(),
        },
    };
    let token = key.sign(&claims).unwrap();
    assert!(key.verifies(&token));
    let other = SigningKey {
        kid: "primary".to_owned(),
        secret: vec![8; 32],
    };
    assert!(!other.verifies(&token));
    let expired = key
        .sign(&Claims {
            exp: now_unix() - 1,
            ..claims
        })
        .unwrap();
    assert!(!key.verifies(&expired));
}
