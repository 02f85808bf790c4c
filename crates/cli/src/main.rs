//! The `berth` binary: parses the command line, runs one command, renders errors once with
//! their cause chain, and maps the outcome to an exit code (0 ok, 1 failure, 2 unexpected).

mod cli;
mod commands;
mod context;
mod printer;
mod progress;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => report(&err),
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .init();
}

fn report(err: &anyhow::Error) -> ExitCode {
    if err
        .chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    {
        return ExitCode::SUCCESS;
    }
    printer::note(format!("error: {err}"));
    for cause in err.chain().skip(1) {
        printer::note(format!("  caused by: {cause}"));
    }
    // Failures berth understands (bad input, a broken file, a refused install) exit 1; anything
    // else is unexpected and exits 2.
    let user_facing = err.chain().any(|cause| {
        cause.is::<berth_core::ManagerError>()
            || cause.is::<berth_remote::RemoteError>()
            || cause.is::<commands::UserError>()
            || cause
                .downcast_ref::<berth_server::ServeError>()
                .is_some_and(berth_server::ServeError::is_expected)
    });
    if user_facing {
        ExitCode::from(1)
    } else {
        ExitCode::from(2)
    }
}
