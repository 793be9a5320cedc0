//! One file per subcommand; this is only the dispatch.

pub mod doctor;
pub mod epoch;
mod repo;
pub mod verify;
pub mod version;

use crate::cli::{Cli, Command};

/// Run the command the user asked for.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Version(args) => version::run(&args),
        Command::Doctor(args) => doctor::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Epoch(args) => epoch::run(&args),
    }
}
