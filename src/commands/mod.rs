//! One file per subcommand; this is only the dispatch.

pub mod doctor;
pub mod epoch;
pub mod release;
mod repo;
pub mod verify;
pub mod version;

use crate::cli::{Cli, Command};

/// Run the command the user asked for.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let Some(command) = cli.command else {
        return release::run(&cli.release);
    };
    match command {
        Command::Version(args) => version::run(&args),
        Command::Doctor(args) => doctor::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Epoch(args) => epoch::run(&args),
    }
}
