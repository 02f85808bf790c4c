//! `GET /backend-api/bundles/{sha256}.tar.gz`: a bundle streamed from its store in bounded
//! chunks, immutable and cacheable for a year, with its SHA-256 as a strong `ETag`
//! (`If-None-Match` answers 304) and single byte ranges (`Range`, `If-Range`; 206, or 416 with
//! the size), so an interrupted download resumes where it stopped.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt as _;
use http_range_header::RangeUnsatisfiableError;

use super::is_sha256_hex;
use crate::error::ApiError;
use crate::routes::{AppState, clip};

/// `Cache-Control` of a bundle: its URL names its bytes, so they never change.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// What a request asks for, given the bundle's size and tag.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// 304: the client's copy is current.
    NotModified,
    /// 200 with every byte.
    Whole,
    /// 206 with the bytes `start..=end`.
    Partial { start: u64, end: u64 },
    /// 416: no byte of the range exists.
    Unsatisfiable,
}

/// Whether an `If-None-Match` or `If-Range` list names `etag` (weak comparison, as RFC 9110
/// asks for `If-None-Match`).
fn matches_etag(value: &str, etag: &str) -> bool {
    value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

fn answer(headers: &HeaderMap, etag: &str, size: u64) -> Answer {
    let header = |name| headers.get(name).and_then(|value| value.to_str().ok());
    if header(header::IF_NONE_MATCH).is_some_and(|value| matches_etag(value, etag)) {
        return Answer::NotModified;
    }
    let Some(range) = header(header::RANGE) else {
        return Answer::Whole;
    };
    // `If-Range` holds a strong tag, or a date this server never sends: anything else than
    // this bundle's tag means the client's partial copy is of other bytes.
    if let Some(if_range) = headers.get(header::IF_RANGE)
        && if_range.to_str().map(str::trim).ok() != Some(etag)
    {
        return Answer::Whole;
    }
    match http_range_header::parse_range_header(range).map(|parsed| parsed.validate(size)) {
        Ok(Ok(ranges)) => match ranges.as_slice() {
            [one] => Answer::Partial {
                start: *one.start(),
                end: *one.end(),
            },
            // Several ranges (or an empty bundle): the whole bundle is a valid answer.
            _ => Answer::Whole,
        },
        Ok(Err(RangeUnsatisfiableError::Unsatisfiable)) => Answer::Unsatisfiable,
        // A malformed or abusive range header is ignored, as RFC 9110 allows.
        Ok(Err(_)) | Err(_) => Answer::Whole,
    }
}

fn not_found(file: &str) -> Response {
    ApiError::NotFound(format!("no bundle `{}`", clip(file))).into_response()
}

/// Serves a bundle (`HEAD` too, with the same headers and no body).
pub(crate) async fn bundle(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(sha) = file
        .strip_suffix(".tar.gz")
        .filter(|sha| is_sha256_hex(sha))
    else {
        return not_found(&file);
    };
    let opened = match state.bundles.open(sha).await {
        Ok(Some(opened)) => opened,
        Ok(None) => return not_found(&file),
        Err(err) => return ApiError::from(err).into_response(),
    };
    let etag = format!("\"{sha}\"");
    let size = opened.size();
    let (status, range) = match answer(&headers, &etag, size) {
        Answer::NotModified => (StatusCode::NOT_MODIFIED, None),
        Answer::Whole => (StatusCode::OK, Some((0, size))),
        Answer::Partial { start, end } => (StatusCode::PARTIAL_CONTENT, Some((start, end + 1))),
        Answer::Unsatisfiable => (StatusCode::RANGE_NOT_SATISFIABLE, None),
    };
    let mut response = if let Some((start, end)) = range {
        let served = state.metrics.bundle_bytes_served.clone();
        let stream = opened
            .stream(start..end)
            .inspect_ok(move |chunk| {
                served.inc_by(chunk.len() as u64);
            })
            .inspect_err(move |err| {
                tracing::error!(%err, "reading a bundle failed; the download was cut");
            });
        let mut response = Response::new(Body::from_stream(stream));
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/gzip"),
        );
        if status == StatusCode::PARTIAL_CONTENT
            && let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{}/{size}", end - 1))
        {
            headers.insert(header::CONTENT_RANGE, value);
        }
        response
    } else {
        let mut response = Response::new(Body::empty());
        if status == StatusCode::RANGE_NOT_SATISFIABLE
            && let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}"))
        {
            response.headers_mut().insert(header::CONTENT_RANGE, value);
        }
        response
    };
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    response
}

#[cfg(test)]
#[path = "download_tests.rs"]
mod tests;
