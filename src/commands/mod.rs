//! One file per subcommand; this is only the dispatch.

pub mod doctor;
pub mod epoch;
pub mod release;
pub mod repo;
pub mod reproduce;
pub mod verify;
pub mod version;

use crate::cli::{Cli, Command};

/// Run the command the user asked for.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let Some(command) = cli.command else {
        return release::run(&cli.release);
    };
    if cli.release.is_set() {
        return Err(crate::error::UserError::usage(
            "the release's options (a version, --dry-run, --push, …) cannot go with a subcommand",
        )
        .with_hint("git secure-release <VERSION|BUMP> [OPTIONS], or git secure-release <COMMAND> [OPTIONS]")
        .into());
    }
    match command {
        Command::Version(args) => version::run(&args),
        Command::Doctor(args) => doctor::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Epoch(args) => epoch::run(&args),
        Command::Reproduce(args) => reproduce::run(&args),
        Command::Completions(args) => {
            crate::report::raw(&crate::docs::completions(args.shell))?;
            Ok(())
        }
    }
}
