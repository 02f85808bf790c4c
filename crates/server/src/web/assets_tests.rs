use pretty_assertions::assert_eq;

use super::*;

#[test]
fn asset_urls_carry_a_hash_of_their_bytes() {
    let url = Asset::Style.url();
    let hex = url
        .strip_prefix("/assets/style.")
        .and_then(|rest| rest.strip_suffix(".css"))
        .unwrap();
    assert_eq!(hex.len(), 16);
    let digest = Sha256::digest(Asset::Style.bytes());
    assert_eq!(
        hex,
        format!("{:02x}{:02x}", digest[0], digest[1]) + &hex[4..]
    );
    assert!(Asset::Script.url().starts_with("/assets/app."));
    assert_ne!(Asset::Style.url(), Asset::Script.url());
}
