use berth_auth::test_support::unsigned_jwt;
use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;

fn message(result: Result<String, ApiError>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn the_bearer_scheme_is_case_insensitive() {
    assert_eq!(bearer_token("Bearer abc"), Some("abc"));
    assert_eq!(bearer_token("bearer abc"), Some("abc"));
    assert_eq!(bearer_token("BEARER  abc "), Some("abc"));
    assert_eq!(bearer_token("Basic abc"), None);
    assert_eq!(bearer_token("Bearer "), None);
    assert_eq!(bearer_token("Bearerabc"), None);
}

#[test]
fn development_tokens_are_unsigned_with_a_numeric_unexpired_exp() {
    let auth = json!({"chatgpt_account_id": "acct-dev"});
    let valid =
        unsigned_jwt(&json!({"exp": 4_000_000_000_i64, "https://api.openai.com/auth": auth}));
    assert_eq!(dev_token_account(&valid).unwrap(), "acct-dev");
    let no_exp = unsigned_jwt(&json!({"https://api.openai.com/auth": auth}));
    assert_eq!(dev_token_account(&no_exp).unwrap(), "acct-dev");
    let float_exp = unsigned_jwt(&json!({"exp": 4.0e9, "https://api.openai.com/auth": auth}));
    assert_eq!(dev_token_account(&float_exp).unwrap(), "acct-dev");

    let expired = unsigned_jwt(&json!({"exp": 1, "https://api.openai.com/auth": auth}));
    assert!(message(dev_token_account(&expired)).contains("it has expired"));
    let string_exp =
        unsigned_jwt(&json!({"exp": "4000000000", "https://api.openai.com/auth": auth}));
    assert!(message(dev_token_account(&string_exp)).contains("`exp` must be a number"));
    let no_account = unsigned_jwt(&json!({"exp": 4_000_000_000_i64}));
    assert!(message(dev_token_account(&no_account)).contains("no `chatgpt_account_id`"));

    // Same claims, but a header that claims a signature algorithm.
    let (_, rest) = valid.split_once('.').unwrap();
    let hs256 = format!("{}.{rest}", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
    assert!(message(dev_token_account(&hs256)).contains("`alg: none`"));
}
