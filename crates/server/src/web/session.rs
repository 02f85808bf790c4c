//! Sign-in sessions: a service token, given once on the sign-in form, is exchanged for a random
//! session id in an `HttpOnly`, `SameSite=Strict` cookie (`Secure` over https); only the id's
//! SHA-256 is stored, with the account, the hash of the token it came from (revoking the token,
//! or its expiry, ends the session; its scopes decide admin rights) and a CSRF token that every state-changing form of the session carries. Sign-out
//! deletes the session. Forms are also refused when the browser says they came from another site.

use std::time::Duration;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use berth_service_protocol::TokenScope;
use rand::RngCore as _;
use serde::Deserialize;
use sqlx::Row as _;

use crate::db::{Db, hash_token, hex, now_unix, query_error};
use crate::error::StoreError;
use crate::routes::AppState;
use crate::web::access::{SignedIn, Viewer, viewer_is_admin};
use crate::web::page::{Layout, PageError, html};

/// The session cookie.
const SESSION_COOKIE: &str = "berth_session";
/// The sign-in form's own CSRF cookie (there is no session yet).
const SIGN_IN_COOKIE: &str = "berth_sign_in";
/// How long a session lasts.
pub(crate) const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// How long a sign-in form stays valid.
const SIGN_IN_FORM_LIFETIME: Duration = Duration::from_secs(3600);
/// Longest token accepted on the sign-in form.
const MAX_TOKEN_LEN: usize = 4096;

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionRecord {
    pub(crate) account_id: String,
    pub(crate) csrf_token: String,
    /// The scopes of the token it came from (`read publish admin`).
    pub(crate) scopes: String,
}

/// 32 random bytes as lowercase hex.
fn random_hex() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Compares two secrets in time independent of where they differ.
pub(crate) fn secrets_match(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && !expected.is_empty()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0_u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Strict`, `Secure` when served over https.
fn set_cookie(name: &str, value: &str, path: &str, max_age: Duration, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{name}={value}; Path={path}; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
        max_age.as_secs()
    )
}

fn is_https(state: &AppState) -> bool {
    state.public_url.starts_with("https://")
}

/// Refuses a form the browser says came from another site (`Sec-Fetch-Site`, `Origin`).
fn same_origin(headers: &HeaderMap) -> Result<(), PageError> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
    };
    if let Some(site) = text("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return Err(PageError::Csrf);
    }
    if let (Some(origin), Some(host)) = (text("origin"), text("host")) {
        let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        if origin_host != host {
            return Err(PageError::Csrf);
        }
    }
    Ok(())
}

/// Checks a session form: same origin, and the session's CSRF token.
pub(crate) fn check_form(
    headers: &HeaderMap,
    session: &SignedIn,
    csrf: &str,
) -> Result<(), PageError> {
    same_origin(headers)?;
    if secrets_match(csrf, &session.csrf_token) {
        Ok(())
    } else {
        Err(PageError::Csrf)
    }
}

impl Db {
    /// Starts a session for `account_id`, signed in with the token hashed `token_sha256`;
    /// returns the session id (the cookie value; only its hash is stored). Expired sessions
    /// are removed in the same transaction.
    pub(crate) async fn start_session(
        &self,
        account_id: &str,
        token_sha256: &str,
    ) -> Result<String, StoreError> {
        let action = "starting a web session";
        let id = random_hex();
        let now = now_unix();
        let lifetime = i64::try_from(SESSION_LIFETIME.as_secs()).unwrap_or(i64::MAX);
        let mut tx = self.begin_write(action).await?;
        sqlx::query("DELETE FROM web_sessions WHERE expires_at < $1")
            .bind(now)
            .execute(tx.conn())
            .await
            .map_err(query_error(action))?;
        sqlx::query(
            "INSERT INTO web_sessions \
               (id_sha256, account_id, token_sha256, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(hash_token(&id))
        .bind(account_id)
        .bind(token_sha256)
        .bind(random_hex())
        .bind(now)
        .bind(now + lifetime)
        .execute(tx.conn())
        .await
        .map_err(query_error(action))?;
        tx.commit().await?;
        Ok(id)
    }

    /// The live session whose id hashes to `id_sha256`: not expired, and signed in with a
    /// token that is neither revoked nor expired.
    pub(crate) async fn session(
        &self,
        id_sha256: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let action = "reading a web session";
        let now = now_unix();
        let row = sqlx::query(
            "SELECT s.account_id, s.csrf_token, t.scopes FROM web_sessions s \
             JOIN tokens t ON t.token_sha256 = s.token_sha256 \
             WHERE s.id_sha256 = $1 AND s.expires_at > $2 AND t.revoked_at IS NULL \
               AND (t.expires_at IS NULL OR t.expires_at > $3)",
        )
        .bind(id_sha256)
        .bind(now)
        .bind(now)
        .fetch_optional(&self.reads)
        .await
        .map_err(query_error(action))?;
        row.map(|row| {
            Ok(SessionRecord {
                account_id: row.try_get("account_id").map_err(query_error(action))?,
                csrf_token: row.try_get("csrf_token").map_err(query_error(action))?,
                scopes: row.try_get("scopes").map_err(query_error(action))?,
            })
        })
        .transpose()
    }

    /// Ends the session whose id hashes to `id_sha256`.
    pub(crate) async fn end_session(&self, id_sha256: &str) -> Result<(), StoreError> {
        self.execute_write(
            "ending a web session",
            sqlx::query("DELETE FROM web_sessions WHERE id_sha256 = $1").bind(id_sha256),
        )
        .await?;
        Ok(())
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let Some(id) = cookie(&parts.headers, SESSION_COOKIE).filter(|id| id.len() == 64) else {
            return Ok(Viewer::Anonymous);
        };
        let session_sha256 = hash_token(id);
        Ok(match state.db.session(&session_sha256).await? {
            None => Viewer::Anonymous,
            Some(session) => Viewer::SignedIn(SignedIn {
                is_admin: viewer_is_admin(&session.scopes),
                account_id: session.account_id,
                csrf_token: session.csrf_token,
                session_sha256,
            }),
        })
    }
}

/// Where to send a viewer who must sign in first, to come back to `path_and_query`.
pub(crate) fn sign_in_redirect(path_and_query: &str) -> Response {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", path_and_query)
        .finish();
    Redirect::to(&format!("/sign-in?{query}")).into_response()
}

/// A local path to return to after sign-in, or `/`: never another origin.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(next)
            if next.starts_with('/')
                && !next.starts_with("//")
                && !next.contains('\\')
                && next.len() <= 2048
                && next.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            next
        }
        _ => "/",
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInTemplate<'a> {
    layout: Layout,
    next: &'a str,
    csrf_token: &'a str,
    error: Option<&'a str>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SignInQuery {
    next: Option<String>,
}

/// `GET /sign-in`: the form, with a fresh CSRF cookie of its own.
pub(crate) async fn sign_in_form(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<SignInQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let Query(query) = query.map_err(|err| PageError::BadRequest(err.body_text()))?;
    let next = safe_next(query.next.as_deref());
    if matches!(viewer, Viewer::SignedIn(_)) {
        return Ok(Redirect::to(next).into_response());
    }
    sign_in_page(&state, next, None)
}

fn sign_in_page(state: &AppState, next: &str, error: Option<&str>) -> Result<Response, PageError> {
    let csrf_token = random_hex();
    let template = SignInTemplate {
        layout: Layout::new("Sign in", &Viewer::Anonymous, "sign-in"),
        next,
        csrf_token: &csrf_token,
        error,
    };
    let mut response = html(&template)?;
    let cookie = set_cookie(
        SIGN_IN_COOKIE,
        &csrf_token,
        "/sign-in",
        SIGN_IN_FORM_LIFETIME,
        is_https(state),
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    if error.is_some() {
        *response.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub(crate) struct SignInForm {
    token: String,
    csrf: String,
    next: Option<String>,
}

/// `POST /sign-in`: checks the form's CSRF cookie and the token (as the API checks it), then
/// starts a session and returns to where the viewer was going.
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|err| PageError::BadRequest(err.body_text()))?;
    same_origin(&headers)?;
    let expected = cookie(&headers, SIGN_IN_COOKIE).unwrap_or_default();
    if !secrets_match(&form.csrf, expected) {
        return Err(PageError::Csrf);
    }
    let next = safe_next(form.next.as_deref());
    let token = form.token.trim();
    let grant = if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        None
    } else {
        state.token_grant(token).await?
    };
    let Some(grant) = grant else {
        return sign_in_page(
            &state,
            next,
            Some(
                "unknown, expired or revoked token; create one with `berth serve token add ACCOUNT`",
            ),
        );
    };
    if !grant.allows(TokenScope::Read) {
        return sign_in_page(
            &state,
            next,
            Some(
                "this token may only publish; sign in with a token that has the `read` scope \
                 (`berth serve token add ACCOUNT --scope read`)",
            ),
        );
    }
    let account_id = grant.account_id;
    let id = state
        .db
        .start_session(&account_id, &hash_token(token))
        .await?;
    tracing::info!(account = %account_id, "web sign-in");
    let mut response = Redirect::to(next).into_response();
    let secure = is_https(&state);
    for cookie in [
        set_cookie(SESSION_COOKIE, &id, "/", SESSION_LIFETIME, secure),
        set_cookie(SIGN_IN_COOKIE, "", "/sign-in", Duration::ZERO, secure),
    ] {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    csrf: String,
}

/// `POST /sign-out`: ends the session (CSRF-checked) and clears the cookie.
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|err| PageError::BadRequest(err.body_text()))?;
    let Viewer::SignedIn(session) = viewer else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    check_form(&headers, &session, &form.csrf)?;
    state.db.end_session(&session.session_sha256).await?;
    let mut response = Redirect::to("/sign-in").into_response();
    let cookie = set_cookie(SESSION_COOKIE, "", "/", Duration::ZERO, is_https(&state));
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
