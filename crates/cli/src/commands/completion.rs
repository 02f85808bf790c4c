//! `berth completion SHELL`: the shell completion script, generated from the command-line
//! definition so it always matches the commands and flags.

use std::process::ExitCode;

use crate::cli::CompletionArgs;

pub(crate) fn run(args: &CompletionArgs) -> anyhow::Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut crate::cli::command(), "berth", &mut script);
    crate::printer::line(String::from_utf8_lossy(&script).trim_end())?;
    Ok(ExitCode::SUCCESS)
}
