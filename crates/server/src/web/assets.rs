//! The stylesheet and script, embedded in the binary and served under a name carrying a hash of
//! their bytes (`/assets/style.<hash>.css`), so browsers may cache them for ever and a new
//! build is fetched at once.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest as _, Sha256};

use crate::web::page::PageError;

/// An embedded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asset {
    /// `assets/style.css`.
    Style,
    /// `assets/app.js` (copy buttons only; every page works without it).
    Script,
}

const ALL: [Asset; 2] = [Asset::Style, Asset::Script];

/// Hashed names, in the order of [`ALL`].
static NAMES: LazyLock<Vec<String>> =
    LazyLock::new(|| ALL.iter().map(|asset| asset.hashed_name()).collect());

impl Asset {
    fn bytes(self) -> &'static [u8] {
        match self {
            Asset::Style => include_bytes!("../../assets/style.css"),
            Asset::Script => include_bytes!("../../assets/app.js"),
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Asset::Style => "text/css; charset=utf-8",
            Asset::Script => "text/javascript; charset=utf-8",
        }
    }

    /// `stem.<first 16 hex digits of the SHA-256>.extension`.
    fn hashed_name(self) -> String {
        let (stem, extension) = match self {
            Asset::Style => ("style", "css"),
            Asset::Script => ("app", "js"),
        };
        let digest = Sha256::digest(self.bytes());
        let hex = crate::db::hex(&digest[..8]);
        format!("{stem}.{hex}.{extension}")
    }

    fn name(self) -> &'static str {
        let index = ALL.iter().position(|asset| *asset == self).unwrap_or(0);
        NAMES.get(index).map_or("", String::as_str)
    }

    /// The URL the pages link to.
    pub(crate) fn url(self) -> String {
        format!("/assets/{}", self.name())
    }
}

/// `GET /assets/{file}`: an embedded file by its hashed name, cacheable for a year.
pub(crate) async fn asset(Path(file): Path<String>) -> Result<Response, PageError> {
    let asset = ALL
        .into_iter()
        .find(|asset| asset.name() == file)
        .ok_or_else(|| PageError::NotFound(format!("no asset `{}`", crate::routes::clip(&file))))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type()),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        asset.bytes(),
    )
        .into_response())
}

#[cfg(test)]
#[path = "assets_tests.rs"]
mod tests;
