use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;
use crate::test_support::unsigned_jwt;

#[test]
fn claims_of_an_unsigned_jwt_round_trip() {
    let claims = json!({"email": "a@example.com", "exp": 4_000_000_000_u64});
    let decoded = decode_jwt_claims(&unsigned_jwt(&claims)).unwrap();
    assert_eq!(serde_json::Value::Object(decoded), claims);
}

#[test]
fn padded_payload_segments_are_accepted() {
    let payload = base64::engine::general_purpose::URL_SAFE.encode(br#"{"a":1}"#);
    let decoded = decode_jwt_claims(&format!("h.{payload}.s")).unwrap();
    assert_eq!(serde_json::Value::Object(decoded), json!({"a": 1}));
}

#[test]
fn a_token_without_three_segments_is_not_a_jwt() {
    let err = decode_jwt_claims("abc.def").unwrap_err();
    assert_eq!(
        err.to_string(),
        "token is not a JWT: expected three dot-separated segments"
    );
}

#[test]
fn a_payload_that_is_not_base64_is_reported() {
    let err = decode_jwt_claims("h.***.s").unwrap_err();
    assert!(matches!(err, JwtClaimsError::Base64(_)), "{err:?}");
}
