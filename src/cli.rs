//! The command line (clap derive). The doc comments here are the `-h` text, the man page and
//! the completions: one source for all three.

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands::doctor::DoctorArgs;
use crate::commands::epoch::EpochArgs;
use crate::commands::release::ReleaseArgs;
use crate::commands::reproduce::ReproduceArgs;
use crate::commands::verify::VerifyArgs;
use crate::commands::version::VersionArgs;

/// Signed, reproducible releases of Python packages, as one git command.
///
/// Checks that signing works, bumps the version where the project keeps it, makes a signed
/// commit and a signed annotated tag, and records SOURCE_DATE_EPOCH for reproducible builds.
#[derive(Debug, Parser)]
#[command(name = "git-secure-release", bin_name = "git secure-release", version)]
#[command(propagate_version = true, max_term_width = 100)]
#[command(subcommand_negates_reqs = true)]
#[command(
    override_usage = "git secure-release <VERSION|BUMP> [OPTIONS]\n       git secure-release <COMMAND>"
)]
pub struct Cli {
    /// When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true, value_name = "WHEN")]
    pub color: ColorWhen,

    /// The release: `git secure-release <VERSION|BUMP>` with its options.
    #[command(flatten)]
    pub release: ReleaseArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// Whether the command asked for JSON on stdout (`--json`, `epoch --format json`): a
    /// failure is then one JSON object too.
    pub fn wants_json(&self) -> bool {
        match &self.command {
            None => self.release.json,
            Some(Command::Version(a)) => a.json,
            Some(Command::Doctor(a)) => a.json,
            Some(Command::Verify(a)) => a.json,
            Some(Command::Reproduce(a)) => a.json,
            Some(Command::Epoch(a)) => a.format == crate::commands::epoch::EpochFormat::Json,
            Some(_) => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the project's current version, its layout and the files that hold it.
    ///
    /// Reads pyproject.toml in the current folder or the nearest parent that has one; works
    /// outside a git repository too. With --bump, prints the version a release with that bump
    /// would make, writing nothing.
    Version(VersionArgs),

    /// Check that signing is set up and working, with the exact command that fixes each problem.
    ///
    /// One line per check (pass, warn, fail, skip) and a hint; exits 1 when any check fails
    /// (warnings do not). Inside a repository it checks the repository too. It makes a real
    /// throw-away signature with your configuration, under a time limit
    /// (GIT_SECURE_RELEASE_SIGN_TIMEOUT seconds, default 10, or 300 at a terminal), without
    /// touching the repository.
    Doctor(DoctorArgs),

    /// Verify that HEAD, release tags, named revisions or a commit range are validly signed.
    ///
    /// With no REV, verifies HEAD and every release tag (a tag named by a prefix and a PEP 440
    /// version). Prints one line per object and exits 0 only when every one is good (or
    /// signed by a key that has since expired, which is shown as a warning). The verdict is
    /// git's own: the same payload, the same programs and configuration (gpg.program,
    /// gpg.minTrustLevel, gpg.ssh.allowedSignersFile, gpg.ssh.revocationFile).
    Verify(VerifyArgs),

    /// Print SOURCE_DATE_EPOCH for a revision: its commit's committer time.
    ///
    /// For a release tag with a Source-Date-Epoch trailer, checks that the trailer agrees with
    /// the commit, and fails if not.
    Epoch(EpochArgs),

    /// Rebuild a release tag twice from clean checkouts, and compare with what was published.
    ///
    /// Checks out the tag's commit twice (clones that share the repository's objects, no
    /// global or system git configuration, no hooks, umask 022), builds each with
    /// SOURCE_DATE_EPOCH from the commit, and compares every wheel and sdist by SHA-256 with
    /// the other build and with each --expect and --index file. An expected wheel's Generator
    /// pins its backend version for the builds. Under every artifact that is not a match it
    /// prints the first difference inside the archives and its likely cause. Exits 0 only
    /// when everything matches; otherwise the folder with both builds is kept and named.
    Reproduce(ReproduceArgs),

    /// Print the completion script for a shell.
    ///
    /// The scripts complete both `git-secure-release <TAB>` and `git secure-release <TAB>`
    /// (bash through git's own completion, which calls `_git_secure_release`). They are also
    /// committed under completions/ in the source tree.
    Completions(CompletionsArgs),
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to print the script for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
