//! What every page shares: the [`Layout`] (title, asset URLs, the signed-in account and its
//! sign-out form), rendering a template into an answer, the error pages ([`PageError`]: 400,
//! 403, 404, 503...), and the security headers on every answer (a strict CSP, no sniffing, no
//! framing).

use askama::Template;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::error::StoreError;
use crate::web::access::Viewer;
use crate::web::assets;

/// The Content-Security-Policy of every page: only this origin's script and style files, no
/// inline script or style, no plugins, frames, or foreign form targets.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

/// The parts of the page frame every template shows.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The `<title>` (before " · berth").
    pub(crate) title: String,
    /// URL of the stylesheet (content-hashed).
    pub(crate) style_url: String,
    /// URL of the script (content-hashed).
    pub(crate) script_url: String,
    /// The signed-in account, if any.
    pub(crate) account: Option<String>,
    /// The CSRF token of the sign-out form (signed in only).
    pub(crate) csrf_token: String,
    /// Whether to link to insights (admins and publishers).
    pub(crate) show_insights: bool,
    /// Which page this is: `catalog`, `insights`, `sign-in` or `error`.
    pub(crate) current: &'static str,
}

impl Layout {
    pub(crate) fn new(title: impl Into<String>, viewer: &Viewer, current: &'static str) -> Self {
        let (account, csrf_token, show_insights) = match viewer {
            Viewer::Anonymous => (None, String::new(), false),
            Viewer::SignedIn(session) => (
                Some(session.account_id.clone()),
                session.csrf_token.clone(),
                true,
            ),
        };
        Self {
            title: title.into(),
            style_url: assets::Asset::Style.url(),
            script_url: assets::Asset::Script.url(),
            account,
            csrf_token,
            show_insights,
            current,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    layout: Layout,
    status: u16,
    heading: &'a str,
    message: &'a str,
}

/// A page that could not be shown, answered with an HTML error page.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PageError {
    /// A query parameter or form field is invalid (400).
    #[error("{0}")]
    BadRequest(String),
    /// Signed in, but not allowed (403).
    #[error("{0}")]
    Forbidden(String),
    /// A form without a valid CSRF token, or from another site (403).
    #[error("this form has expired or did not come from this site; reload the page and try again")]
    Csrf,
    /// Unknown or invisible (404).
    #[error("{0}")]
    NotFound(String),
    /// Rendering a template failed (500).
    #[error("the page could not be rendered")]
    Render(#[from] askama::Error),
    /// Drawing a chart failed (500).
    #[error("a chart could not be drawn")]
    Chart(#[from] crate::web::charts::ChartError),
    /// Storage failed (503 when unavailable, else 500).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl PageError {
    fn status(&self) -> StatusCode {
        match self {
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::Forbidden(_) | PageError::Csrf => StatusCode::FORBIDDEN,
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::Render(_) | PageError::Chart(_) | PageError::Store(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, heading, message) = match self {
            PageError::Store(store) => {
                tracing::warn!(error = %store, cause = ?std::error::Error::source(&store), "a page could not read storage");
                if store.is_unavailable() {
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Service unavailable",
                        "the service's database is unavailable right now; retry in a few seconds"
                            .to_owned(),
                    )
                } else {
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Something went wrong",
                        "the service could not read its storage; the server log has the cause"
                            .to_owned(),
                    )
                }
            }
            PageError::Chart(err) => {
                tracing::error!(error = %err, cause = ?std::error::Error::source(&err), "drawing a chart failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "a chart could not be drawn; the server log has the cause".to_owned(),
                )
            }
            PageError::Render(err) => {
                tracing::error!(error = %err, "rendering a page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "the page could not be rendered".to_owned(),
                )
            }
            other => {
                let status = other.status();
                let heading = match status {
                    StatusCode::BAD_REQUEST => "Bad request",
                    StatusCode::FORBIDDEN => "Not allowed",
                    StatusCode::NOT_FOUND => "Not found",
                    _ => "Something went wrong",
                };
                (status, heading, other.to_string())
            }
        };
        let template = ErrorTemplate {
            // Error pages do not know the viewer: no account, no sign-in link.
            layout: Layout::new(heading, &Viewer::Anonymous, "error"),
            status: status.as_u16(),
            heading,
            message: &message,
        };
        let body = template
            .render()
            .unwrap_or_else(|_| format!("{} {heading}", status.as_u16()));
        let mut response = (status, Html(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

/// Renders `template` as a 200 HTML answer.
pub(crate) fn html(template: &impl Template) -> Result<Response, PageError> {
    Ok(Html(template.render()?).into_response())
}

/// Adds the security headers to every web answer; pages are never cached (they depend on the
/// session), assets set their own long-lived `Cache-Control`.
pub(crate) async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let fixed: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
