//! The web pages over HTTP (issue 13), on both backends: sign-in and sessions, CSRF refusals,
//! visibility, error pages, security headers, the admin's status toggle, and insights exports
//! whose numbers follow the rollups. The browser tests (`browser.rs`) cover the same pages in
//! Chromium.

use std::collections::BTreeSet;

use berth_server::{PublishOptions, TokenGrant};
use berth_service_protocol::{Discoverability, Scope, TokenScope};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::analytics::post_events;
use crate::on_both_backends;
use crate::support::TestServer;

/// A browser-like client: keeps cookies, follows no redirects.
pub(crate) struct WebClient {
    client: reqwest::Client,
    origin: String,
    cookies: std::collections::BTreeMap<String, String>,
}

/// An answer: status, headers, body.
pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Page {
    pub(crate) fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }

    /// The value of the first hidden `csrf` field.
    pub(crate) fn csrf(&self) -> String {
        let start = self.body.find("name=\"csrf\" value=\"").unwrap() + 19;
        self.body[start..].split('"').next().unwrap().to_owned()
    }
}

impl WebClient {
    pub(crate) fn new(server: &TestServer) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            origin: server.api.trim_end_matches("/backend-api").to_owned(),
            cookies: std::collections::BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, response: reqwest::Response) -> Page {
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        Page {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.origin))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }

    pub(crate) async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(format!("{}{path}", self.origin))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }

    /// Signs in with `token` through the form; returns the answer to the form.
    pub(crate) async fn sign_in(&mut self, token: &str) -> Page {
        let form = self.get("/sign-in").await;
        let csrf = form.csrf();
        self.post(
            "/sign-in",
            &[("token", token), ("csrf", &csrf), ("next", "/")],
        )
        .await
    }
}

/// A token with the admin scope for a new account `admin`.
pub(crate) async fn admin_token(server: &TestServer) -> String {
    server.db.add_account("admin", "Admin").await.unwrap();
    server
        .db
        .mint_token(&TokenGrant {
            account_id: "admin".to_owned(),
            scopes: BTreeSet::from([TokenScope::Admin]),
            plugin_ids: None,
            days: None,
            label: "web test".to_owned(),
        })
        .await
        .unwrap()
        .token
}

on_both_backends!(
    sign_in_starts_a_session_that_sign_out_and_revocation_end,
    false,
    |server| {
        let mut web = WebClient::new(server);
        let page = web.get("/?q=x").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert_eq!(page.location(), "/sign-in?next=%2F%3Fq%3Dx");

        // The sign-in form sets its own CSRF cookie; a wrong or missing one is refused.
        let form = web.get("/sign-in").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf_cookie = form.headers.get("set-cookie").unwrap().to_str().unwrap();
        assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"));
        let refused = web
            .post(
                "/sign-in",
                &[("token", &server.token), ("csrf", "forged"), ("next", "/")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(
            refused.body.contains("did not come from this site"),
            "{}",
            refused.body
        );

        let wrong = web.sign_in("berth_not_a_token").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.body.contains("unknown, expired or revoked token"));

        let signed_in = web.sign_in(&server.token).await;
        assert_eq!(
            signed_in.status,
            StatusCode::SEE_OTHER,
            "{}",
            signed_in.body
        );
        let cookie = signed_in
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|value| value.to_str().unwrap().to_owned())
            .find(|value| value.starts_with("berth_session="))
            .unwrap();
        assert!(
            cookie.ends_with("; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict"),
            "{cookie}"
        );
        let session_id = cookie["berth_session=".len()..].split(';').next().unwrap();
        let catalog = web.get("/").await;
        assert_eq!(catalog.status, StatusCode::OK);
        assert!(
            catalog
                .body
                .contains("Signed in as <strong id=\"signed-in-account\">acct-1</strong>")
        );
        assert!(!catalog.body.contains(session_id));

        // Sign-out without the session's CSRF token is refused and changes nothing.
        let refused = web
            .post("/sign-out", &[("csrf", "0".repeat(64).as_str())])
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(web.get("/").await.status, StatusCode::OK);
        let csrf = catalog.csrf();
        let out = web.post("/sign-out", &[("csrf", &csrf)]).await;
        assert_eq!(
            (out.status, out.location()),
            (StatusCode::SEE_OTHER, "/sign-in")
        );
        // The old cookie no longer works, even when a client keeps it.
        web.cookies
            .insert("berth_session".to_owned(), session_id.to_owned());
        assert_eq!(web.get("/").await.status, StatusCode::SEE_OTHER);

        // Revoking the token ends the sessions it started.
        let admin = admin_token(server).await;
        let mut web = WebClient::new(server);
        assert_eq!(web.sign_in(&admin).await.status, StatusCode::SEE_OTHER);
        assert_eq!(web.get("/insights").await.status, StatusCode::OK);
        let id = server.db.tokens(Some("admin")).await.unwrap()[0].id.clone();
        assert!(server.db.revoke_token(&id).await.unwrap());
        assert_eq!(web.get("/insights").await.status, StatusCode::SEE_OTHER);
    }
);

on_both_backends!(
    pages_follow_the_api_visibility_rules_and_answer_bad_input_with_html,
    false,
    |server| {
        let global = server.publish("globe", PublishOptions::default()).await;
        let private = server
            .publish(
                "secret",
                PublishOptions {
                    scope: Scope::Workspace,
                    discoverability: Some(Discoverability::Private),
                    owner_account_id: Some("acct-1".to_owned()),
                    ..PublishOptions::default()
                },
            )
            .await;
        let other = server.add_account("acct-2").await;
        let mut owner = WebClient::new(server);
        owner.sign_in(&server.token).await;
        let mut stranger = WebClient::new(server);
        stranger.sign_in(&other).await;

        let listed = owner.get("/").await;
        assert!(listed.body.contains("secret display") && listed.body.contains("globe display"));
        let listed = stranger.get("/").await;
        assert!(!listed.body.contains("secret display") && listed.body.contains("globe display"));
        assert_eq!(
            owner.get(&format!("/plugins/{}", private.id)).await.status,
            StatusCode::OK
        );
        let hidden = stranger.get(&format!("/plugins/{}", private.id)).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        assert!(
            hidden
                .body
                .contains("does not exist or is not visible to you")
        );
        // The owner publishes it, so it sees its usage; the stranger sees no insights at all.
        let page = owner.get(&format!("/plugins/{}", private.id)).await;
        assert!(page.body.contains("id=\"active-installs\""));
        assert!(
            !owner
                .get(&format!("/plugins/{}", global.id))
                .await
                .body
                .contains("id=\"active-installs\"")
        );
        assert_eq!(
            stranger.get("/insights").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            stranger
                .get(&format!("/insights?plugin={}", private.id))
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        for (path, status, text) in [
            (
                "/plugins/plugins~Plugin_nope",
                StatusCode::NOT_FOUND,
                "does not exist",
            ),
            (
                "/plugins/%3Cscript%3E",
                StatusCode::NOT_FOUND,
                "plugin `&#60;script&#62;` does not exist",
            ),
            ("/?page=0", StatusCode::BAD_REQUEST, "invalid page `0`"),
            (
                "/?scope=%3Cb%3E",
                StatusCode::BAD_REQUEST,
                "unknown scope `&#60;b&#62;`",
            ),
            ("/?page=1&page=2", StatusCode::BAD_REQUEST, "Bad request"),
            (
                "/insights?days=9999",
                StatusCode::BAD_REQUEST,
                "invalid days `9999`",
            ),
            (
                "/insights.csv?table=x",
                StatusCode::BAD_REQUEST,
                "unknown table `x`",
            ),
            ("/assets/style.css", StatusCode::NOT_FOUND, "no asset"),
        ] {
            let page = owner.get(path).await;
            assert_eq!(page.status, status, "{path}: {}", page.body);
            assert!(page.body.contains(text), "{path}: {}", page.body);
            assert!(page.body.starts_with("<!doctype html>"), "{path}");
            let csp = page.headers.get("content-security-policy").unwrap();
            assert!(
                csp.to_str().unwrap().contains("script-src 'self'"),
                "{path}"
            );
        }

        // Anonymous viewers need sign-in unless the catalog is public.
        let mut anonymous = WebClient::new(server);
        assert_eq!(anonymous.get("/").await.status, StatusCode::SEE_OTHER);
        assert_eq!(
            anonymous
                .get(&format!("/plugins/{}", global.id))
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_catalog_shows_anonymous_viewers_the_global_plugins_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = berth_server::ServerConfig::new(dir.path().join("data"));
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.public_catalog = true;
    let server = TestServer::start_with(config, dir).await;
    let global = server.publish("globe", PublishOptions::default()).await;
    let listed = server
        .publish(
            "team",
            PublishOptions {
                scope: Scope::Workspace,
                ..PublishOptions::default()
            },
        )
        .await;
    let mut anonymous = WebClient::new(&server);
    let page = anonymous.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("globe display") && !page.body.contains("team display"));
    assert!(page.body.contains("href=\"/sign-in\""));
    assert_eq!(
        anonymous
            .get(&format!("/plugins/{}", global.id))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        anonymous
            .get(&format!("/plugins/{}", listed.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        anonymous.get("/insights").await.status,
        StatusCode::SEE_OTHER
    );
    server.shutdown().await;
}

on_both_backends!(
    admins_toggle_a_status_through_a_csrf_checked_form,
    false,
    |server| {
        let item = server.publish("toggle", PublishOptions::default()).await;
        let path = format!("/plugins/{}", item.id);
        let status_path = format!("{path}/status");
        let mut user = WebClient::new(server);
        user.sign_in(&server.token).await;
        let page = user.get(&path).await;
        assert!(!page.body.contains("id=\"status-toggle\""));
        let csrf = page.csrf();
        let refused = user
            .post(
                &status_path,
                &[("csrf", &csrf), ("status", "DISABLED_BY_ADMIN")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        let admin = admin_token(server).await;
        let mut web = WebClient::new(server);
        web.sign_in(&admin).await;
        let page = web.get(&path).await;
        assert!(page.body.contains("id=\"status-toggle\""));
        let forged = web
            .post(
                &status_path,
                &[("csrf", &"f".repeat(64)), ("status", "DISABLED_BY_ADMIN")],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(forged.body.contains("did not come from this site"));
        let (_, read) = server.get(&format!("/ps/plugins/{}", item.id)).await;
        assert_eq!(read["status"], "AVAILABLE");
        let csrf = page.csrf();
        let done = web
            .post(
                &status_path,
                &[("csrf", &csrf), ("status", "DISABLED_BY_ADMIN")],
            )
            .await;
        assert_eq!(
            (done.status, done.location()),
            (StatusCode::SEE_OTHER, path.as_str())
        );
        let (_, read) = server.get(&format!("/ps/plugins/{}", item.id)).await;
        assert_eq!(read["status"], "DISABLED_BY_ADMIN");
        assert!(web.get(&path).await.body.contains("DISABLED_BY_ADMIN"));
    }
);

on_both_backends!(
    insights_exports_show_a_publisher_its_plugins_and_an_admin_all,
    false,
    |server| {
        let mine = server
            .publish(
                "mine",
                PublishOptions {
                    scope: Scope::User,
                    owner_account_id: Some("acct-1".to_owned()),
                    ..PublishOptions::default()
                },
            )
            .await;
        let theirs = server.publish("theirs", PublishOptions::default()).await;
        let used = |id: &str, model: &str| json!({"event_type": "codex_plugin_used", "event_params": {"plugin_id": "x@y", "remote_plugin_id": id, "model_slug": model}});
        let batch = json!({"events": [
            {"event_type": "codex_plugin_installed", "event_params": {"plugin_id": "x@y", "remote_plugin_id": mine.id}},
            used(&mine.id, "gpt-5"), used(&mine.id, "gpt-5"), used(&mine.id, "o3"),
            used(&theirs.id, "gpt-5"),
        ]});
        let (status, _) = post_events(server, &batch.to_string()).await;
        assert_eq!(status, 200);
        assert_eq!(
            server
                .post(&format!("/ps/plugins/{}/install", mine.id))
                .await
                .0,
            200
        );

        let mut publisher = WebClient::new(server);
        publisher.sign_in(&server.token).await;
        let export = publisher.get("/insights.json?days=7").await;
        assert_eq!(export.status, StatusCode::OK);
        let insights: Value = serde_json::from_str(&export.body).unwrap();
        let today = insights["per_day"][6].clone();
        assert_eq!(today["installed"], 1);
        assert_eq!(
            today["used"], 3,
            "only the publisher's own plugin: {insights}"
        );
        let plugins: Vec<&str> = insights["plugins"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["plugin"].as_str().unwrap())
            .collect();
        assert_eq!(plugins, vec![mine.id.as_str()]);
        assert_eq!(insights["plugins"][0]["active_installs"], 1);
        assert_eq!(
            insights["models"],
            json!([{"model": "gpt-5", "uses": 2}, {"model": "o3", "uses": 1}])
        );
        let csv = publisher.get("/insights.csv?days=7&table=plugins").await;
        assert!(
            csv.headers["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        assert!(
            csv.body
                .contains(&format!("{},mine display,1,0,0,0,3,0,,1", mine.id)),
            "{}",
            csv.body
        );
        assert!(!csv.body.contains(&theirs.id));
        let page = publisher.get("/insights?days=7").await;
        assert!(
            page.body.contains("Uses: 3"),
            "the chart legend carries the total"
        );
        assert!(
            page.body.contains("mine display: 3"),
            "the top-plugins bar label"
        );
        assert!(!page.body.contains("theirs display"));
        assert_eq!(
            publisher
                .get(&format!("/insights?plugin={}", theirs.id))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        let admin = admin_token(server).await;
        let mut web = WebClient::new(server);
        web.sign_in(&admin).await;
        let all: Value =
            serde_json::from_str(&web.get("/insights.json?days=7").await.body).unwrap();
        assert_eq!(all["totals"]["used"], 4);
        let one: Value = serde_json::from_str(
            &web.get(&format!("/insights.json?days=7&plugin={}", theirs.id))
                .await
                .body,
        )
        .unwrap();
        assert_eq!(one["totals"]["used"], 1);
    }
);
