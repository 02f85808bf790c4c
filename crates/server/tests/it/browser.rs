//! The web pages in a real browser (issue 13): headless Chromium from Debian's `chromium` and
//! `chromium-driver`, driven over `WebDriver` by `fantoccini`, against a real `berth serve` with
//! published plugins (hostile ones included) and ingested events. One browser session walks
//! through sign-in, search and filters, a plugin page and its copy button, the XSS cases, a
//! PRIVATE plugin another account cannot see, a CSRF refusal, insights charts and tables, and
//! the error pages, saving screenshots under `target/screenshots/`. Locally the test is skipped
//! when Chromium is missing; in CI (`CI` set) it fails instead.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use berth_server::{PublishOptions, ServerConfig};
use berth_service_protocol::{Discoverability, Scope};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::analytics::post_events;
use crate::support::{TestServer, write_file};
use crate::web::admin_token;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// The chromedriver process, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts chromedriver on a free loopback port, or says why it cannot.
#[expect(
    clippy::print_stderr,
    reason = "tells a local run why the test was skipped"
)]
fn start_driver() -> Option<Driver> {
    if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{CHROMIUM} and {CHROMEDRIVER} are required in CI: apt-get install -y chromium chromium-driver"
        );
        eprintln!("skipping the browser test: install chromium and chromium-driver to run it");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        profile: tempfile::tempdir().unwrap(),
    })
}

/// A browser session with a fresh profile; `dark` makes the system theme dark.
async fn browser(driver: &Driver, dark: bool) -> Client {
    let profile = tempfile::tempdir_in(driver.profile.path()).unwrap().keep();
    let profile = profile.display().to_string();
    let theme = if dark {
        "--force-dark-mode"
    } else {
        "--no-first-run"
    };
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                format!("--user-data-dir={profile}"), "--window-size=1280,1000", theme
            ]
        }
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .unwrap()
}

/// `target/screenshots/`, created on first use.
fn screenshot_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/it-<hash>
    let target = exe.ancestors().nth(3).unwrap().to_path_buf();
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[expect(clippy::disallowed_methods, reason = "test output files")]
async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name} is not a PNG");
    std::fs::write(screenshot_dir().join(name), png).unwrap();
}

/// Writes a plugin folder with the given manifest fields and `SKILL.md`.
fn write_plugin(parent: &Path, name: &str, interface: &Value, skill_md: &str) -> PathBuf {
    let root = parent.join(name);
    std::fs::create_dir_all(root.join(".codex-plugin")).unwrap();
    std::fs::create_dir_all(root.join("skills/guide")).unwrap();
    write_file(
        &root.join(".codex-plugin/plugin.json"),
        &json!({
            "name": name,
            "version": "1.4.0",
            "description": format!("The {name} plugin"),
            "keywords": [format!("{name}-keyword")],
            "interface": interface,
        })
        .to_string(),
    );
    write_file(&root.join("skills/guide/SKILL.md"), skill_md);
    write_file(
        &root.join(".mcp.json"),
        &json!({"mcpServers": {"tracker": {"command": "tracker-mcp"}}}).to_string(),
    );
    root
}

async fn publish(server: &TestServer, root: &Path, options: PublishOptions) -> String {
    berth_server::publish_plugin(
        &server.db,
        std::sync::Arc::clone(&server.bundles),
        root,
        options,
    )
    .await
    .unwrap()
    .item
    .id
}

async fn text(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The trimmed text of every element matching `css`, in one round trip.
async fn all_text(client: &Client, css: &str) -> Vec<String> {
    let texts = client
        .execute(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent.trim());",
            vec![json!(css)],
        )
        .await
        .unwrap();
    serde_json::from_value(texts).unwrap()
}

async fn script(client: &Client, code: &str) -> Value {
    client.execute(code, Vec::new()).await.unwrap()
}

/// Clicks `css` and waits for the page it leads to.
async fn click_and_wait(client: &Client, css: &str) {
    let before = client.current_url().await.unwrap();
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while client.current_url().await.unwrap() == before {
        assert!(Instant::now() < deadline, "clicking {css} led nowhere");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    while script(client, "return document.readyState;").await != json!("complete") {
        assert!(
            Instant::now() < deadline,
            "the page after {css} did not load"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn sign_in(client: &Client, origin: &str, token: &str) {
    client.goto(&format!("{origin}/sign-in")).await.unwrap();
    let field = client.find(Locator::Id("token")).await.unwrap();
    field.send_keys(token).await.unwrap();
    click_and_wait(client, "#sign-in-submit").await;
}

async fn sign_out(client: &Client) {
    click_and_wait(client, "form.sign-out button").await;
}

/// Waits until `css`'s text is not empty; returns it.
async fn wait_for_text(client: &Client, css: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let found = text(client, css).await;
        if !found.is_empty() || Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// No script of the page's content ran and none is in the document but the page's own.
async fn assert_nothing_executed(client: &Client, page: &str) {
    assert_eq!(
        script(client, "return typeof window.__xss;").await,
        json!("undefined"),
        "{page}: injected script ran"
    );
    assert_eq!(
        script(
            client,
            "return [...document.querySelectorAll('script')].map(s => s.getAttribute('src'));"
        )
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|src| !src.as_str().unwrap_or_default().starts_with("/assets/app."))
        .count(),
        0,
        "{page}: a script element other than the page's own"
    );
    assert_eq!(
        script(
            client,
            "return document.querySelectorAll('main a[href^=\"javascript:\"], main iframe, main img, main [onclick], main [onerror]').length;"
        )
        .await,
        json!(0),
        "{page}: a javascript: link, frame, image or handler survived"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_work_in_headless_chromium() {
    let Some(driver) = start_driver() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::new(dir.path().join("data"));
    config.bind = "127.0.0.1:0".parse().unwrap();
    let server = TestServer::start_with(config, dir).await;
    let origin = server.api.trim_end_matches("/backend-api").to_owned();
    let plugins = server.dir.path().join("plugins");
    let normal_skill = "---\nname: guide\ndescription: How to\n---\n# Guide\n\nUse **it** well.\n";
    let linear = publish(
        &server,
        &write_plugin(
            &plugins,
            "linear",
            &json!({"displayName": "Linear", "shortDescription": "Issues and projects",
                    "developerName": "Linear Inc.", "category": "Productivity", "brandColor": "#5E6AD2"}),
            normal_skill,
        ),
        PublishOptions::default(),
    )
    .await;
    publish(
        &server,
        &write_plugin(
            &plugins,
            "github",
            &json!({"displayName": "GitHub", "shortDescription": "Repositories",
                    "category": "Developer tools"}),
            normal_skill,
        ),
        PublishOptions::default(),
    )
    .await;
    let hostile_skill = format!(
        "---\nname: guide\ndescription: x\n---\n<script>window.__xss = 1</script>\n\n\
         [click me](javascript:window.__xss=2)\n\n<a href=\"javascript:window.__xss=3\">raw link</a>\n\n\
         <iframe src=\"https://example.com\"></iframe><img src=x onerror=\"window.__xss=4\">\n\n\
         <b onclick=\"window.__xss=5\">bold</b> and **markdown**\n\n{}",
        "long line of text ".repeat(20_000)
    );
    let hostile = publish(
        &server,
        &write_plugin(
            &plugins,
            "hostile",
            &json!({"displayName": "<script>window.__xss=6</script>Hostile",
                    "shortDescription": "<img src=x onerror=\"window.__xss=7\">",
                    "longDescription": "A".repeat(300_000),
                    "category": "<b>Danger</b>", "brandColor": "red;background:url(javascript:x)"}),
            &hostile_skill,
        ),
        PublishOptions::default(),
    )
    .await;
    let secret = publish(
        &server,
        &write_plugin(
            &plugins,
            "secret",
            &json!({"displayName": "Secret Plan", "category": "Productivity"}),
            normal_skill,
        ),
        PublishOptions {
            scope: Scope::Workspace,
            discoverability: Some(Discoverability::Private),
            owner_account_id: Some("acct-1".to_owned()),
            ..PublishOptions::default()
        },
    )
    .await;
    let other = server.add_account("acct-2").await;
    let admin = admin_token(&server).await;
    // Events as clients send them: 3 installs, 5 uses (2 models), 1 uninstall.
    let event = |event_type: &str, id: &str, model: &str| {
        json!({"event_type": event_type, "event_params": {"plugin_id": "x@openai-curated-remote",
               "remote_plugin_id": id, "model_slug": model}})
    };
    let batch = json!({"events": [
        event("codex_plugin_installed", &linear, ""), event("codex_plugin_installed", &linear, ""),
        event("codex_plugin_installed", &hostile, ""),
        event("codex_plugin_used", &linear, "gpt-5"), event("codex_plugin_used", &linear, "gpt-5"),
        event("codex_plugin_used", &linear, "o3"), event("codex_plugin_used", &hostile, "<script>window.__xss=8</script>"),
        event("codex_plugin_used", &secret, "gpt-5"),
        event("codex_plugin_uninstalled", &linear, ""),
    ]});
    let (status, _) = post_events(&server, &batch.to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(
        server
            .post(&format!("/ps/plugins/{linear}/install"))
            .await
            .0,
        200
    );
    let client = browser(&driver, false).await;

    // Sign-in: a page asks for it first, then returns there.
    client.goto(&format!("{origin}/")).await.unwrap();
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/sign-in")
    );
    client
        .find(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(&server.token)
        .await
        .unwrap();
    click_and_wait(&client, "#sign-in-submit").await;
    assert_eq!(client.current_url().await.unwrap().path(), "/");
    assert_eq!(text(&client, "#signed-in-account").await, "acct-1");
    assert_eq!(text(&client, "#result-count").await, "4 plugins");
    screenshot(&client, "catalog.png").await;
    assert_nothing_executed(&client, "catalog").await;
    // Search and filters.
    let search = client.find(Locator::Id("q")).await.unwrap();
    search.send_keys("ISSUES").await.unwrap();
    click_and_wait(&client, "#search-submit").await;
    assert_eq!(all_text(&client, ".card h2").await, vec!["Linear"]);
    client.goto(&format!("{origin}/")).await.unwrap();
    client
        .find(Locator::Id("category"))
        .await
        .unwrap()
        .select_by_value("Developer tools")
        .await
        .unwrap();
    click_and_wait(&client, "#search-submit").await;
    assert_eq!(all_text(&client, ".card h2").await, vec!["GitHub"]);
    client.goto(&format!("{origin}/")).await.unwrap();
    client
        .find(Locator::Id("scope"))
        .await
        .unwrap()
        .select_by_value("WORKSPACE")
        .await
        .unwrap();
    click_and_wait(&client, "#search-submit").await;
    assert_eq!(all_text(&client, ".card h2").await, vec!["Secret Plan"]);
    // Navigation to a plugin page, and its copy button.
    client.goto(&format!("{origin}/?q=linear")).await.unwrap();
    click_and_wait(&client, ".card h2 a").await;
    assert_eq!(
        client.current_url().await.unwrap().path(),
        format!("/plugins/{linear}")
    );
    assert_eq!(text(&client, "#plugin-name").await, "Linear");
    assert_eq!(
        text(&client, "#cmd-codex").await,
        "codex plugin add linear@openai-curated-remote"
    );
    assert_eq!(text(&client, "#bundle-sha256").await.len(), 64);
    assert_eq!(text(&client, ".markdown h1").await, "Guide");
    let copy = client
        .find(Locator::Css("button.copy[data-copy='cmd-berth']"))
        .await
        .unwrap();
    copy.click().await.unwrap();
    assert_eq!(
        wait_for_text(&client, "button[data-copy='cmd-berth'] + .copy-status").await,
        "Copied"
    );
    screenshot(&client, "plugin.png").await;
    // Hostile content renders as text and runs nothing.
    client
        .goto(&format!("{origin}/plugins/{hostile}"))
        .await
        .unwrap();
    assert_eq!(
        text(&client, "#plugin-name").await,
        "<script>window.__xss=6</script>Hostile"
    );
    // (`textContent`: WebDriver's visible-text algorithm is slow on half a megabyte.)
    let markdown = script(
        &client,
        "return document.querySelector('.markdown').textContent;",
    )
    .await;
    let markdown = markdown.as_str().unwrap();
    assert!(
        markdown.contains("bold and markdown"),
        "{}",
        &markdown[..200]
    );
    assert!(markdown.contains("(cut: only the first 64 KiB"));
    let about = script(
        &client,
        "return document.querySelector('.long-description').textContent;",
    )
    .await;
    let about = about.as_str().unwrap();
    assert_eq!(about.chars().count(), 20_001, "the long description is cut");
    assert!(about.ends_with("A…"));
    assert_nothing_executed(&client, "hostile plugin").await;
    client.goto(&format!("{origin}/?q=hostile")).await.unwrap();
    assert_nothing_executed(&client, "hostile card").await;
    // A CSRF refusal: a forged token in the sign-out form is refused and the session stays.
    client.goto(&format!("{origin}/")).await.unwrap();
    script(
        &client,
        "document.querySelector('form.sign-out input[name=csrf]').value = 'forged'; return null;",
    )
    .await;
    sign_out(&client).await;
    assert_eq!(text(&client, "#error-heading").await, "Not allowed");
    assert!(
        text(&client, "#error-message")
            .await
            .contains("did not come from this site")
    );
    client.goto(&format!("{origin}/")).await.unwrap();
    assert_eq!(text(&client, "#signed-in-account").await, "acct-1");
    // Another account: the PRIVATE plugin is neither listed nor readable.
    sign_out(&client).await;
    sign_in(&client, &origin, &other).await;
    assert_eq!(text(&client, "#signed-in-account").await, "acct-2");
    assert_eq!(text(&client, "#result-count").await, "3 plugins");
    assert!(!client.source().await.unwrap().contains("Secret Plan"));
    client
        .goto(&format!("{origin}/plugins/{secret}"))
        .await
        .unwrap();
    assert_eq!(text(&client, "#error-heading").await, "Not found");
    // Insights for an admin: charts whose labels carry the counts of the tables beside them.
    client.goto(&format!("{origin}/")).await.unwrap();
    sign_out(&client).await;
    sign_in(&client, &origin, &admin).await;
    client
        .goto(&format!("{origin}/insights?days=7"))
        .await
        .unwrap();
    let legend = all_text(&client, "#chart-events svg text").await;
    for label in ["Installs: 3", "Uninstalls: 1", "Uses: 5"] {
        assert!(
            legend.iter().any(|text| text.trim() == label),
            "{label} in {legend:?}"
        );
    }
    let totals = all_text(&client, "#table-days tfoot td").await;
    assert_eq!(totals, vec!["3", "1", "0", "0", "5"]);
    let bars = all_text(&client, "#chart-top-plugins svg text").await;
    assert!(
        bars.iter().any(|text| text.trim() == "Linear: 3"),
        "{bars:?}"
    );
    let models = all_text(&client, "#chart-models svg text").await;
    assert!(
        models.iter().any(|text| text.trim() == "gpt-5: 3"),
        "{models:?}"
    );
    assert_eq!(
        all_text(&client, "#table-models tbody th").await[0],
        "gpt-5"
    );
    assert_eq!(all_text(&client, "#table-models tbody td").await[0], "3");
    let installs = all_text(&client, "#chart-active-installs svg text").await;
    assert!(
        installs
            .iter()
            .any(|text| text.trim() == "Linear: 1 active"),
        "{installs:?}"
    );
    assert_nothing_executed(&client, "insights").await;
    // The charts take the page theme's colours, not the placeholders they are drawn in.
    let stroke = "return getComputedStyle(document.querySelector('#chart-events svg [stroke=\"#102031\"]')).stroke;";
    assert_eq!(script(&client, stroke).await, json!("rgb(11, 92, 173)"));
    screenshot(&client, "insights.png").await;
    // Error pages.
    client.goto(&format!("{origin}/?page=zero")).await.unwrap();
    assert_eq!(text(&client, "#error-heading").await, "Bad request");
    client
        .goto(&format!("{origin}/plugins/plugins~Plugin_nope"))
        .await
        .unwrap();
    assert_eq!(text(&client, "#error-heading").await, "Not found");

    client.close().await.unwrap();

    // Dark mode follows the system theme, charts included.
    let dark = browser(&driver, true).await;
    sign_in(&dark, &origin, &admin).await;
    dark.goto(&format!("{origin}/insights?days=7"))
        .await
        .unwrap();
    assert_eq!(script(&dark, stroke).await, json!("rgb(88, 166, 255)"));
    assert_eq!(
        script(
            &dark,
            "return getComputedStyle(document.body).backgroundColor;"
        )
        .await,
        json!("rgb(13, 17, 23)")
    );
    screenshot(&dark, "insights-dark.png").await;
    dark.close().await.unwrap();
    // The policy that keeps anything injected from running, on every page.
    let response = reqwest::get(format!("{origin}/sign-in")).await.unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    server.shutdown().await;
}
