//! Issue 11 items 5 and 6: a hostile or broken plugin service on 127.0.0.1 that repeats its
//! `next_page_token` for ever, pages without end, or answers a listing with a body that
//! never stops. The client stops, with an error the caller reports as a warning.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use berth_remote::{ClientLimits, RemoteAuth, RemoteClientOptions, RemotePluginClient};
use berth_service_protocol::Scope;
use pretty_assertions::assert_eq;

#[derive(Default)]
struct Hostile {
    requests: AtomicUsize,
}

#[derive(serde::Deserialize)]
struct PageQuery {
    #[serde(rename = "pageToken")]
    page_token: Option<String>,
}

/// Every page holds one item and points at the same next page.
async fn repeating(State(state): State<Arc<Hostile>>) -> Response {
    let count = state.requests.fetch_add(1, Ordering::SeqCst);
    page(count, "again")
}

/// Every page holds one item and points at a fresh next page.
async fn endless(State(state): State<Arc<Hostile>>, Query(query): Query<PageQuery>) -> Response {
    let count = state.requests.fetch_add(1, Ordering::SeqCst);
    let next = format!("{}-next", query.page_token.unwrap_or_default());
    page(count, &next)
}

fn page(count: usize, next: &str) -> Response {
    axum::Json(serde_json::json!({
        "plugins": [{
            "id": format!("plugins~Plugin_p{count}"),
            "name": format!("p{count}"),
            "scope": "GLOBAL",
            "release": { "display_name": "p" },
        }],
        "pagination": { "next_page_token": next },
    }))
    .into_response()
}

/// A listing whose JSON never ends: `{"plugins":[` then spaces for ever.
async fn bottomless(State(state): State<Arc<Hostile>>) -> Response {
    state.requests.fetch_add(1, Ordering::SeqCst);
    let chunk = bytes_of_spaces();
    let stream = futures_util::stream::iter(
        std::iter::once(Ok::<_, std::io::Error>(axum::body::Bytes::from_static(
            b"{\"plugins\":[",
        )))
        .chain(std::iter::repeat_with(move || Ok(chunk.clone()))),
    );
    Body::from_stream(stream).into_response()
}

fn bytes_of_spaces() -> axum::body::Bytes {
    axum::body::Bytes::from(vec![b' '; 64 * 1024])
}

async fn start(app: Router<Arc<Hostile>>) -> (Arc<Hostile>, String) {
    let state = Arc::new(Hostile::default());
    let app = app.with_state(Arc::clone(&state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (state, format!("http://{addr}/backend-api"))
}

fn client_for(base: &str, limits: Option<ClientLimits>) -> (tempfile::TempDir, RemotePluginClient) {
    let home = tempfile::tempdir().unwrap();
    berth_auth::test_support::write_chatgpt_test_auth(home.path()).unwrap();
    let auth = berth_auth::load_auth(home.path()).unwrap();
    let auth = RemoteAuth::from_codex_auth(auth.as_ref()).unwrap();
    let mut options = RemoteClientOptions::new(Some(base));
    if let Some(limits) = limits {
        options.limits = limits;
    }
    (home, RemotePluginClient::new(&options, &auth).unwrap())
}

/// The error a GLOBAL catalog listing ends with; a listing still running after 30 s (the
/// unfixed client, looping or buffering for ever) fails the test.
async fn listing_error(client: &RemotePluginClient) -> berth_remote::RemoteError {
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        client.list_catalog(Scope::Global),
    )
    .await
    .expect("the listing must stop")
    .unwrap_err()
}

/// Issue 11 item 5: the same `next_page_token` again made `plugin list` loop for ever (452
/// requests in 20 s).
#[tokio::test]
async fn a_repeated_page_token_stops_the_listing() {
    let (state, base) =
        start(Router::new().route("/backend-api/ps/plugins/list", get(repeating))).await;
    let (_home, client) = client_for(&base, None);
    let err = listing_error(&client).await;
    assert_eq!(
        err.to_string(),
        format!(
            "remote plugin catalog at {base}/ps/plugins/list repeated page token `again`; stopped after 2 pages"
        )
    );
    assert_eq!(state.requests.load(Ordering::SeqCst), 2);
}

/// Issue 11 item 5: fresh tokens for ever are stopped by the page cap.
#[tokio::test]
async fn endless_pages_stop_at_the_page_cap() {
    let (state, base) =
        start(Router::new().route("/backend-api/ps/plugins/list", get(endless))).await;
    let limits = ClientLimits {
        max_pages: 5,
        ..ClientLimits::default()
    };
    let (_home, client) = client_for(&base, Some(limits));
    let err = client.list_catalog(Scope::Global).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "remote plugin catalog at {base}/ps/plugins/list has more than 5 pages, the limit (set BERTH_MAX_REMOTE_PAGES to raise it)"
        )
    );
    assert_eq!(state.requests.load(Ordering::SeqCst), 5);
    let limits = ClientLimits {
        max_items: 3,
        ..ClientLimits::default()
    };
    let (_home, client) = client_for(&base, Some(limits));
    let err = client.list_catalog(Scope::Global).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "remote plugin catalog at {base}/ps/plugins/list has more than 3 plugins, the limit (set BERTH_MAX_REMOTE_ITEMS to raise it)"
        )
    );
}

/// Issue 11 item 6: a 600 MiB listing was buffered whole (633 MB RSS); reading now stops at
/// the cap (16 MiB by default) while the body streams.
#[tokio::test]
async fn a_bottomless_response_stops_at_the_size_cap_while_streaming() {
    let (_state, base) =
        start(Router::new().route("/backend-api/ps/plugins/list", get(bottomless))).await;
    let (_home, client) = client_for(&base, None);
    let err = listing_error(&client).await;
    assert_eq!(
        err.to_string(),
        format!(
            "remote plugin catalog response from {base}/ps/plugins/list is larger than 16777216 bytes, the limit (set BERTH_MAX_RESPONSE_BYTES to raise it)"
        )
    );
}
