//! Issue 15, "the CLI as a new user meets it": each numbered item that needs no plugin service
//! (overrides, broken marketplaces, options, exit codes, completions, did-you-mean, colour),
//! snapshotted as a user sees it. The remote items live in `remote.rs`.

use std::process::Command;

use berth_test_support::{TestHome, write};
use pretty_assertions::assert_eq;

use crate::lifecycle::{market, run, transcript};
use crate::{berth, berth_bin, berth_ok};

/// A home with the `debug` marketplace added and `sample@debug` installed.
fn home_with_sample() -> TestHome {
    let home = TestHome::new();
    let market = market(&home);
    berth_ok(
        &home,
        &["marketplace", "add", market.root().to_str().unwrap()],
    );
    berth_ok(&home, &["plugin", "add", "sample@debug"]);
    home
}

fn log(home: &TestHome, commands: &[&[&str]]) -> String {
    commands
        .iter()
        .map(|args| format!("$ berth {}\n{}", args.join(" "), run(home, args)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Item 1: `-c`, `--enable` and `--disable` apply to plugin commands, before or after the
/// subcommand, in memory only.
#[test]
fn r15_1_config_overrides_apply_to_plugin_commands_and_are_never_written() {
    let home = home_with_sample();
    let config = home.config_text();
    insta::assert_snapshot!(log(
        &home,
        &[
            &["-c", "features.plugins=false", "plugin", "list"],
            &["plugin", "list", "--json", "-c", "features.plugins=false"],
            &["plugin", "--disable", "plugins", "add", "other@debug"],
            &[
                "plugin",
                "list",
                "-c",
                "features.plugins=false",
                "--enable",
                "plugins"
            ],
            &[
                "-c",
                "plugins.\"sample@debug\".enabled=false",
                "plugin",
                "list"
            ],
            &["plugin", "list", "-c", "features"],
        ],
    ));
    assert_eq!(home.config_text(), config);
}

/// Item 3: a recorded marketplace whose folder was moved is named with its path, its
/// installed plugins are still listed, and the command exits 1 as Codex does; `-m` with an
/// unknown name says so, and the "add one" hint only appears with nothing configured.
#[test]
fn r15_3_a_moved_marketplace_is_reported_and_its_installed_plugins_still_listed() {
    let empty = TestHome::new();
    let empty_log = log(&empty, &[&["plugin", "list"]]);
    let home = home_with_sample();
    berth_fs::rename(&home.root().join("market"), &home.root().join("moved")).unwrap();
    insta::assert_snapshot!(format!(
        "{empty_log}\n{}",
        log(
            &home,
            &[
                &["plugin", "list"],
                &["plugin", "list", "--json"],
                &["plugin", "list", "-m", "nowhere"],
            ],
        )
    ));
    berth_fs::rename(&home.root().join("moved"), &home.root().join("market")).unwrap();
    insta::assert_snapshot!(
        "r15_3_unknown_marketplace_filter",
        log(&home, &[&["plugin", "list", "-m", "debgu"]])
    );
}

/// Item 3: `-m openai-curated-remote` without a `ChatGPT` login says a login is needed (as
/// `plugin read` does), instead of offering to add a local marketplace.
#[test]
fn r15_3_the_remote_marketplace_by_name_without_a_login_asks_for_one() {
    let home = home_with_sample();
    let output = crate::berth(&home, &["plugin", "list", "-m", "openai-curated-remote"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("chatgpt authentication required for remote plugin catalog"),
        "{stderr}"
    );
    assert!(!stderr.contains("marketplace add"), "{stderr}");
}

/// Item 7: options a command does not use are refused and kept out of its help, and
/// `--version` belongs to `berth` alone.
#[test]
fn r15_7_options_a_command_does_not_use_are_refused() {
    let home = TestHome::new();
    let market = market(&home);
    berth_ok(
        &home,
        &["marketplace", "add", market.root().to_str().unwrap()],
    );
    let mut transcript_log = log(
        &home,
        &[
            &["quickstart", "--codex-home", "elsewhere"],
            &["--codex-home", "elsewhere", "quickstart"],
            &["-c", "x=1", "serve", "status", "a", "AVAILABLE"],
            &["-c", "x=1", "whoami"],
            &["plugin", "add", "sample@debug", "--version", "1.0.0"],
            &["--version"],
        ],
    );
    assert!(
        !home.codex_home().join("plugins/cache/debug").exists(),
        "`--version` on a subcommand installed something"
    );
    // `publish` reads the token of the home's `berth login`, so it takes `--codex-home` alone.
    for (help, ignored) in [
        (
            &["serve", "--help"][..],
            &["--codex-home", "--config", "--enable", "--version"][..],
        ),
        (
            &["publish", "--help"],
            &["--config", "--enable", "--version"],
        ),
        (
            &["quickstart", "--help"],
            &["--codex-home", "--config", "--enable", "--version"],
        ),
    ] {
        let output = berth(&home, help);
        let stdout = String::from_utf8_lossy(&output.stdout);
        for global in ignored {
            assert!(
                !stdout.contains(global),
                "`berth {}` lists {global}:\n{stdout}",
                help.join(" ")
            );
        }
    }
    let output = berth(&home, &["plugin", "list", "--help"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("--codex-home"));
    transcript_log = transcript_log.replace(env!("CARGO_PKG_VERSION"), "[VERSION]");
    insta::assert_snapshot!(transcript_log);
}

/// Item 8: an expected refusal exits 1, including a usage error and a port that is taken.
#[test]
fn r15_8_a_busy_port_and_other_refusals_exit_1_with_a_hint() {
    let home = TestHome::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let data = home.root().join("serve-data");
    let output = berth(
        &home,
        &[
            "serve",
            "--bind",
            &addr,
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    let text = transcript(&home, &output).replace(&addr, "[ADDR]");
    let usage = log(&home, &[&["plugin", "frobnicate"], &["plugin"]]);
    insta::assert_snapshot!(format!("$ berth serve --bind [ADDR]\n{text}\n{usage}"));
}

/// Item 10: `berth completion SHELL` prints a script the shell accepts.
#[test]
fn r15_10_completion_scripts_load_in_their_shell() {
    let home = TestHome::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = berth_ok(&home, &["completion", shell]);
        assert!(
            // A nested command's flag: every subcommand is in the script, deferred or not.
            script.contains("marketplace")
                && script.contains("codex-home")
                && script.contains("available"),
            "{shell} script lacks the commands:\n{script}"
        );
    }
    let script = home.root().join("berth.bash");
    write(&script, &berth_ok(&home, &["completion", "bash"]));
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p berth", script.display()))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("berth"));
}

/// Item 11: unknown plugin and marketplace names get the closest known one; a plugin that
/// exists nowhere gets no install hint.
#[test]
fn r15_11_unknown_names_get_did_you_mean_and_no_install_hint() {
    let home = home_with_sample();
    let config = home.config_text();
    insta::assert_snapshot!(log(
        &home,
        &[
            &["plugin", "add", "smaple@debug"],
            &["plugin", "add", "sample@debgu"],
            &["plugin", "read", "othr@debug"],
            &["plugin", "enable", "sampel@debug"],
            &["plugin", "disable", "nothing-like-it@debug"],
            &["plugin", "enable", "other@debug"],
            &["plugin", "remove", "smaple@debug"],
        ],
    ));
    assert_eq!(home.config_text(), config);
}

/// Item 12: colour only on request or on a terminal (`NO_COLOR` wins over a terminal,
/// `CLICOLOR_FORCE` forces it through a pipe), and a config warning is printed once.
#[test]
fn r15_12_colour_follows_the_environment_and_warnings_print_once() {
    let home = home_with_sample();
    let run_with = |env: &[(&str, &str)], args: &[&str]| {
        let mut command = home.command(berth_bin());
        command.env_remove("NO_COLOR").args(args);
        for (key, value) in env {
            command.env(key, value);
        }
        transcript(&home, &command.output().unwrap())
    };
    let forced = run_with(&[("CLICOLOR_FORCE", "1")], &["plugin", "list"]);
    let forced_error = run_with(&[("CLICOLOR_FORCE", "1")], &["plugin", "add", "x@nowhere"]);
    let piped = run_with(&[], &["plugin", "add", "x@nowhere"]);
    let no_color = run_with(
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
        &["plugin", "add", "x@nowhere"],
    );
    write(
        &home.config_path(),
        &format!(
            "{}\n[plugins.\"other@debug\"]\nenabled = \"yes\"\n",
            home.config_text()
        ),
    );
    let warned = run_with(&[], &["plugin", "list"]);
    insta::assert_snapshot!(
        [forced, forced_error, piped, no_color, warned]
            .join("\n")
            .replace('\u{1b}', "\\e")
    );
}

/// Item 12 on a real terminal: stderr is a pseudo-terminal, so `error:` is coloured unless
/// `NO_COLOR` is set.
#[test]
fn r15_12_a_terminal_gets_colour_unless_no_color_is_set() {
    let home = TestHome::new();
    let on_terminal = |no_color: bool| {
        let pty = nix::pty::openpty(None, None).unwrap();
        let mut command = home.command(berth_bin());
        command
            .env_remove("NO_COLOR")
            .env("TERM", "xterm-256color")
            .args(["plugin", "add", "x@nowhere"])
            .stderr(std::process::Stdio::from(pty.slave));
        if no_color {
            command.env("NO_COLOR", "1");
        }
        let status = command.status().unwrap();
        // The command holds the slave end until dropped; once no writer is left, reading the
        // master ends.
        drop(command);
        let mut master = std::fs::File::from(pty.master);
        let mut seen = Vec::new();
        let _ = std::io::Read::read_to_end(&mut master, &mut seen);
        (
            status.code(),
            String::from_utf8_lossy(&seen).replace("\r\n", "\n"),
        )
    };
    let (code, coloured) = on_terminal(false);
    assert_eq!(code, Some(1));
    assert!(
        coloured.starts_with("\u{1b}[1m\u{1b}[31merror:\u{1b}[0m marketplace `nowhere`"),
        "{coloured:?}"
    );
    let (_, plain) = on_terminal(true);
    assert!(
        plain.starts_with("error: marketplace `nowhere`"),
        "{plain:?}"
    );
}
