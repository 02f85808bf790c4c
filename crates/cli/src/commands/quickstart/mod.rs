//! `berth quickstart`: berth's main job end to end on embedded defaults. Writes the example
//! marketplace shipped with berth and an empty Codex home into a temporary folder, then runs
//! the local plugin workflow step by step through the same commands a user types, printing
//! each command, its output, the lifecycle events berth reported, and the final config.toml.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use berth_plugin::{PluginEvent, RecordingEventSink};

mod system;

use crate::cli::{ListArgs, MarketplaceAddArgs, MarketplaceCommand, QuickstartArgs, SelectorArgs};
use crate::commands::{marketplace, plugin};
use crate::context::Context;
use crate::printer;

/// The example marketplace, embedded so the quickstart works from any folder.
const EXAMPLE_MARKETPLACE: &[(&str, &str)] = &[
    (
        ".agents/plugins/marketplace.json",
        include_str!("../../../../../examples/marketplace/.agents/plugins/marketplace.json"),
    ),
    (
        "plugins/hello/.codex-plugin/plugin.json",
        include_str!("../../../../../examples/marketplace/plugins/hello/.codex-plugin/plugin.json"),
    ),
    (
        "plugins/hello/skills/greet/SKILL.md",
        include_str!("../../../../../examples/marketplace/plugins/hello/skills/greet/SKILL.md"),
    ),
    (
        "plugins/notes/.codex-plugin/plugin.json",
        include_str!("../../../../../examples/marketplace/plugins/notes/.codex-plugin/plugin.json"),
    ),
    (
        "plugins/notes/.mcp.json",
        include_str!("../../../../../examples/marketplace/plugins/notes/.mcp.json"),
    ),
    (
        "plugins/notes/.app.json",
        include_str!("../../../../../examples/marketplace/plugins/notes/.app.json"),
    ),
    (
        "plugins/retired/.codex-plugin/plugin.json",
        include_str!(
            "../../../../../examples/marketplace/plugins/retired/.codex-plugin/plugin.json"
        ),
    ),
];

const MARKETPLACE: &str = "berth-examples";

/// One step: the command line shown, and whether it is expected to be refused.
enum Step {
    MarketplaceAdd,
    List,
    Add(&'static str),
    Disable(&'static str),
    Enable(&'static str),
    Read(&'static str),
    Remove(&'static str),
}

/// What the local half did, for the summary.
#[derive(Default)]
struct LocalReport {
    steps: usize,
    failures: usize,
    events: usize,
}

pub(crate) fn run(args: &QuickstartArgs, verbose: bool) -> anyhow::Result<ExitCode> {
    let workdir = tempfile::Builder::new()
        .prefix("berth-quickstart-")
        .tempdir()
        .context("failed to create a temporary folder for the quickstart")?;
    let codex_home = workdir.path().join("codex-home");
    let market = match &args.marketplace {
        Some(path) => path.clone(),
        None => write_example_marketplace(&workdir.path().join("marketplace"))?,
    };
    let context = Context::for_home(codex_home.clone(), None, Vec::new())?;
    let events = Arc::new(RecordingEventSink::default());
    context.manager.set_event_sink(events.clone());

    printer::line(format!(
        "berth quickstart: a fresh Codex home at {}\nand the example marketplace at {}\n",
        codex_home.display(),
        market.display()
    ))?;
    let steps = [
        Step::MarketplaceAdd,
        Step::List,
        Step::Add("hello"),
        Step::Add("notes"),
        Step::Add("retired"),
        Step::Disable("hello"),
        Step::List,
        Step::Enable("hello"),
        Step::Read("notes"),
        Step::Remove("hello"),
        Step::Remove("notes"),
        Step::List,
    ];
    let mut local = LocalReport {
        steps: steps.len(),
        ..LocalReport::default()
    };
    for step in steps {
        let (line, expect_refusal) = describe(&step, &market);
        printer::line(format!("$ berth {line}"))?;
        let outcome = run_step(&context, &step, &market);
        match (outcome, expect_refusal) {
            (Ok(_), false) => {}
            (Err(err), true) => printer::line(format!("refused as expected: {err}"))?,
            (Ok(_), true) => {
                local.failures += 1;
                printer::line("FAILED: this step should have been refused")?;
            }
            (Err(err), false) => {
                local.failures += 1;
                printer::line(format!("FAILED: {err:#}"))?;
            }
        }
        printer::line("")?;
    }
    let reported = events.take();
    local.events = reported.len();
    printer::line(format!("Lifecycle events reported ({}):", reported.len()))?;
    for event in &reported {
        printer::line(format!("  {}", describe_event(event)))?;
    }
    let system = if args.local_only {
        None
    } else {
        printer::line("\n== The whole system: berth serve, berth app-server and the smokes ==\n")?;
        match system::run(workdir.path(), &codex_home, &market, verbose) {
            Ok(report) => Some(report),
            Err(err) => {
                local.failures += 1;
                printer::line(format!("FAILED: {err:#}"))?;
                None
            }
        }
    };
    let config = std::fs::read_to_string(codex_home.join("config.toml")).unwrap_or_default();
    printer::line(format!("\nconfig.toml now:\n{config}"))?;
    let failures = local.failures + system.as_ref().map_or(0, |report| report.failures);
    printer::line(summary(&local, system.as_ref(), failures))?;
    printer::line(next_steps())?;
    if args.keep {
        let kept = workdir.keep();
        printer::line(kept_text(&kept, &codex_home, &market, system.as_ref()))?;
    }
    if failures == 0 {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(1))
    }
}

/// Five lines: the local half, the service, the app server, the smokes, the verdict.
fn summary(local: &LocalReport, system: Option<&system::SystemReport>, failures: usize) -> String {
    let mut lines = vec![
        "\nSummary".to_owned(),
        format!(
            "  local:      {} of {} steps as expected (add a marketplace, install, refuse, toggle, read, remove); {} lifecycle events",
            local.steps - local.failures.min(local.steps),
            local.steps,
            local.events
        ),
    ];
    match system {
        Some(system) => {
            lines.push(format!(
                "  service:    berth serve at {} stored {} analytics events",
                system.service.api_url, system.events
            ));
            lines.push(format!(
                "  app server: {} of {} steps passed (local and remote installs, toggles, a turn, an uninstall)",
                system.steps - system.failures.min(system.steps) - system.smokes_passed,
                system.steps - system.smokes
            ));
            lines.push(format!(
                "  smokes:     {} of {} passed",
                system.smokes_passed, system.smokes
            ));
        }
        None => lines.push("  system:     skipped (--local-only) or could not start".to_owned()),
    }
    lines.push(if failures == 0 {
        "  result:     every step did what it should".to_owned()
    } else {
        format!("  result:     FAILED, {failures} step(s) went wrong (see FAILED above)")
    });
    lines.join("\n")
}

/// What to try on one's own Codex home, and how to run the service for real.
fn next_steps() -> &'static str {
    "\nNext steps on your own Codex home (`~/.codex`, or set CODEX_HOME or pass --codex-home):
  berth marketplace add PATH           a folder holding .agents/plugins/marketplace.json
  berth plugin list                    what the marketplaces offer and what is installed
  berth plugin add NAME@MARKETPLACE    then `berth plugin read`, `disable`, `enable`, `remove`
Run the plugin service for real (see the README's `berth serve` section):
  berth serve account add ACCOUNT && berth serve token add ACCOUNT
  berth publish ./my-plugin --scope GLOBAL
  berth serve --bind 0.0.0.0:8787 --tls-cert cert.pem --tls-key key.pem --public-url https://HOST:8787"
}

/// How to reuse a kept quickstart folder: the home, and the service (stopped) on its data.
fn kept_text(
    kept: &Path,
    codex_home: &Path,
    market: &Path,
    system: Option<&system::SystemReport>,
) -> String {
    let mut text = format!(
        "\nKept the quickstart folder {}:
  Codex home:  {}
  marketplace: {}
  try:         berth --codex-home {} plugin list",
        kept.display(),
        codex_home.display(),
        market.display(),
        codex_home.display()
    );
    if let Some(system) = system {
        let service = &system.service;
        let _ = write!(
            text,
            "\n  service:     {} (not running now; its data is kept)
  start it on the kept data, at the address the home's config.toml names:
    berth serve --dev --data-dir {} --bind {} --tls-cert {} --tls-key {}
  then, in another shell:
    CODEX_CA_CERTIFICATE={} berth --codex-home {} plugin list",
            service.data_dir.display(),
            service.data_dir.display(),
            service.bind,
            service.cert.display(),
            service.key.display(),
            service.ca_pem.display(),
            codex_home.display()
        );
    }
    text
}

fn write_example_marketplace(root: &Path) -> anyhow::Result<PathBuf> {
    for (relative, text) in EXAMPLE_MARKETPLACE {
        let path = root.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("failed to create `{}`", parent.display()))?;
        }
        berth_fs::write_atomic(&path, text.as_bytes())
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    Ok(root.to_path_buf())
}

fn describe(step: &Step, market: &Path) -> (String, bool) {
    match step {
        Step::MarketplaceAdd => (format!("marketplace add {}", market.display()), false),
        Step::List => ("plugin list".to_owned(), false),
        Step::Add(name) => (
            format!("plugin add {name}@{MARKETPLACE}"),
            *name == "retired",
        ),
        Step::Disable(name) => (format!("plugin disable {name}@{MARKETPLACE}"), false),
        Step::Enable(name) => (format!("plugin enable {name}@{MARKETPLACE}"), false),
        Step::Read(name) => (format!("plugin read {name}@{MARKETPLACE}"), false),
        Step::Remove(name) => (format!("plugin remove {name}@{MARKETPLACE}"), false),
    }
}

fn run_step(context: &Context, step: &Step, market: &Path) -> anyhow::Result<ExitCode> {
    let selector = |name: &str| SelectorArgs {
        plugin: format!("{name}@{MARKETPLACE}"),
        marketplace: None,
        json: false,
    };
    match step {
        Step::MarketplaceAdd => marketplace::run(
            context,
            MarketplaceCommand::Add(MarketplaceAddArgs {
                source: market.to_string_lossy().into_owned(),
                ref_name: None,
                sparse_paths: Vec::new(),
                json: false,
            }),
        ),
        Step::List => plugin::list::run(
            context,
            &ListArgs {
                json: false,
                available: false,
                marketplace: None,
            },
        ),
        Step::Add(name) => plugin::add::run(context, &selector(name)),
        Step::Disable(name) => plugin::toggle::run(context, &selector(name), false),
        Step::Enable(name) => plugin::toggle::run(context, &selector(name), true),
        Step::Read(name) => plugin::read::run(context, &selector(name)),
        Step::Remove(name) => plugin::remove::run(context, &selector(name)),
    }
}

fn describe_event(event: &PluginEvent) -> String {
    match event {
        PluginEvent::StateChanged { state, metadata } => {
            let summary = metadata.capability_summary.as_ref().map_or_else(
                || "no capabilities known".to_owned(),
                |summary| {
                    format!(
                        "skills: {}, MCP servers: {}, apps: {}",
                        summary.has_skills,
                        summary.mcp_server_names.len(),
                        summary.app_connector_ids.len()
                    )
                },
            );
            format!("{} {} ({summary})", state.event_type(), metadata.plugin_id)
        }
        PluginEvent::Used { metadata, context } => format!(
            "codex_plugin_used {} in turn {}",
            metadata.plugin_id, context.turn_id
        ),
    }
}
