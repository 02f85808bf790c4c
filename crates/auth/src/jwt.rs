//! Decodes the claims of a JWT without verifying it: Codex keeps the tokens it was given
//! and only reads a few claims (account id, email) from them.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// The claim object that carries `ChatGPT` account details.
pub const OPENAI_AUTH_CLAIM: &str = "https://api.openai.com/auth";

/// URL-safe base64 that accepts segments with or without padding.
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a token's claims could not be read.
#[derive(Debug, thiserror::Error)]
pub enum JwtClaimsError {
    /// The token is not three dot-separated segments.
    #[error("token is not a JWT: expected three dot-separated segments")]
    NotAJwt,
    /// The header or payload segment is not URL-safe base64.
    #[error("JWT header or payload is not URL-safe base64")]
    Base64(#[source] base64::DecodeError),
    /// The header or payload is not a JSON object.
    #[error("JWT header or payload is not a JSON object")]
    Json(#[source] serde_json::Error),
}

/// A JSON object, as JWT headers and claims are.
pub type JsonObject = serde_json::Map<String, serde_json::Value>;

/// Returns the payload (claims) of `token` as a JSON object. Neither the header nor the
/// signature is checked, as Codex reads only the claims of the tokens it keeps.
pub fn decode_jwt_claims(token: &str) -> Result<JsonObject, JwtClaimsError> {
    let (_, payload) = segments(token)?;
    decode_segment(payload)
}

/// Returns the header and the payload (claims) of `token`. The signature is not checked.
pub fn decode_jwt_parts(token: &str) -> Result<(JsonObject, JsonObject), JwtClaimsError> {
    let (header, payload) = segments(token)?;
    Ok((decode_segment(header)?, decode_segment(payload)?))
}

/// The header and payload segments of a three-segment token.
fn segments(token: &str) -> Result<(&str, &str), JwtClaimsError> {
    let mut segments = token.split('.');
    let (Some(header), Some(payload), Some(_signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(JwtClaimsError::NotAJwt);
    };
    Ok((header, payload))
}

fn decode_segment(segment: &str) -> Result<JsonObject, JwtClaimsError> {
    let bytes = URL_SAFE_LENIENT
        .decode(segment)
        .map_err(JwtClaimsError::Base64)?;
    serde_json::from_slice(&bytes).map_err(JwtClaimsError::Json)
}

/// Encodes `bytes` as an unpadded URL-safe base64 JWT segment.
#[cfg(any(test, feature = "test-support"))]
pub(crate) fn encode_segment(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
#[path = "jwt_tests.rs"]
mod tests;
