//! The `berth` binary: parses the command line, runs one command, renders errors once with
//! their cause chain, and maps the outcome to an exit code (0 ok, 1 refused, 2 unexpected).

mod cli;
mod commands;
mod context;
mod failure;
mod logging;
mod printer;
mod progress;
mod suggest;

use std::process::ExitCode;

use crate::cli::Cli;

fn main() -> ExitCode {
    let cli = match crate::cli::command()
        .try_get_matches()
        .and_then(|matches| Cli::from_matches(&matches))
    {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    // A running service logs each request by default (the `berth::access` target), with times.
    if matches!(&cli.command, cli::Command::Serve(args) if args.command.is_none()) {
        logging::init_service(cli.verbose);
    } else {
        logging::init(cli.verbose);
    }
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => failure::report(&err),
    }
}

/// Help and version exit 0; a command line berth cannot use is refused with exit 1.
fn usage_error(err: &clap::Error) -> ExitCode {
    // Printing can only fail when the stream is gone; the exit code still says what happened.
    let _ = err.print();
    if err.use_stderr() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
