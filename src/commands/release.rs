//! `git secure-release <VERSION|BUMP>` (contract §2.1): the release, and `--abort` /
//! `--continue` for one that was interrupted.

use crate::error::UserError;
use crate::release::{self, Options};
use crate::report;
use crate::version::PreKind;

/// The release's arguments; they stand at the top level, beside the subcommands.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReleaseArgs {
    /// The version to release (PEP 440, such as 0.2.0 or 1.0.0rc1), or a bump:
    /// major, minor, patch, stable, alpha, beta, rc, post, dev (as `uv version --bump`).
    #[arg(value_name = "VERSION|BUMP", conflicts_with_all = ["abort", "continue_"])]
    pub target: Option<String>,

    /// Make the bumped version a pre-release: `minor --pre rc` turns 0.7.1 into 0.8.0rc1.
    #[arg(long, value_enum, value_name = "KIND")]
    pub pre: Option<PreKind>,

    /// Print the plan (each file's diff, the commit and the tag) and change nothing.
    #[arg(short = 'n', long)]
    pub dry_run: bool,

    /// Print the result as one JSON object: {"version", "tag", "commit", "source_date_epoch", "files"}.
    #[arg(long)]
    pub json: bool,

    /// The commit and tag message ({version} is replaced); default "Release {version}".
    #[arg(short = 'm', long, value_name = "TEXT")]
    pub message: Option<String>,

    /// Read the commit and tag message from a file ("-" for standard input).
    #[arg(
        short = 'F',
        long = "message-file",
        value_name = "FILE",
        conflicts_with = "message"
    )]
    pub message_file: Option<std::path::PathBuf>,

    /// The release tag's prefix; default: the newest release tag's, else "v".
    #[arg(long, value_name = "PREFIX")]
    pub tag_prefix: Option<String>,

    /// Release even though tracked files have uncommitted changes (they are not committed).
    #[arg(long)]
    pub allow_dirty: bool,

    /// Release even though HEAD or the newest release tag is not validly signed (warns).
    #[arg(long)]
    pub allow_unsigned: bool,

    /// Skip the repository's pre-commit and commit-msg hooks.
    #[arg(long)]
    pub no_verify: bool,

    /// Push the branch and the tag together after the release (git push --atomic), to REMOTE
    /// (default: the branch's upstream remote, else origin). Put it after VERSION|BUMP.
    #[arg(long, value_name = "REMOTE", num_args = 0..=1, default_missing_value = "")]
    pub push: Option<String>,

    /// Put the repository back as it was before an interrupted release.
    #[arg(long, conflicts_with = "continue_")]
    pub abort: bool,

    /// Finish an interrupted release from where it stopped.
    #[arg(long = "continue")]
    pub continue_: bool,

    /// With --abort: discard the journal of an interrupted release that cannot be undone or
    /// finished (a damaged journal, or a branch that moved on since), touching nothing else.
    #[arg(long, requires = "abort")]
    pub forget_journal: bool,
}

impl ReleaseArgs {
    /// Whether any release argument was given.
    pub fn is_set(&self) -> bool {
        let a = self;
        a.target.is_some()
            || a.pre.is_some()
            || a.dry_run
            || a.json
            || a.message.is_some()
            || a.message_file.is_some()
            || a.tag_prefix.is_some()
            || a.allow_dirty
            || a.allow_unsigned
            || a.no_verify
            || a.push.is_some()
            || a.abort
            || a.continue_
            || a.forget_journal
    }
}

pub fn run(args: &ReleaseArgs) -> anyhow::Result<()> {
    if args.abort {
        let message = if args.forget_journal {
            release::forget_journal()?
        } else {
            release::abort()?
        };
        report::note(&message);
        return Ok(());
    }
    if args.continue_ {
        let outcome = release::resume()?;
        return print(args, &outcome);
    }
    let Some(text) = &args.target else {
        return Err(UserError::usage(
            "give the version to release (such as 0.2.0) or a bump (major, minor, patch, …)",
        )
        .with_hint("git secure-release --help")
        .into());
    };
    let target = release::target(text, args.pre)?;
    let message = match &args.message_file {
        None => args.message.clone(),
        Some(path) => {
            let text = if path.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())
            } else {
                std::fs::read_to_string(path)
            };
            Some(text.map_err(|e| {
                UserError::refused(format!(
                    "cannot read the message file {}: {e}",
                    path.display()
                ))
                .with_hint("give a readable file, or the message itself with -m")
            })?)
        }
    };
    let opts = Options {
        target,
        message,
        message_from: if args.message_file.is_some() {
            "-F"
        } else {
            "-m"
        },
        tag_prefix: args.tag_prefix.clone(),
        allow_dirty: args.allow_dirty,
        allow_unsigned: args.allow_unsigned,
        no_verify: args.no_verify,
        push: args.push.clone().map(|r| Some(r).filter(|r| !r.is_empty())),
        dry_run: args.dry_run,
    };
    let outcome = release::run(&opts)?;
    print(args, &outcome)
}

fn print(args: &ReleaseArgs, outcome: &release::Outcome) -> anyhow::Result<()> {
    for w in &outcome.warnings {
        report::warn(w);
    }
    if args.json {
        report::json(outcome)?;
    } else if let Some(plan) = &outcome.plan_text {
        report::out(plan)?;
    } else {
        let commit = outcome
            .commit
            .as_deref()
            .map_or("", |c| &c[..c.len().min(12)]);
        // The closing line says what was made, and only that (contract §2.1).
        let mut text = match &outcome.head_verdict {
            None => format!(
                "released {} as {} (commit {commit}, signed and verified)\n",
                outcome.version, outcome.tag
            ),
            Some(verdict) => format!(
                "released {} as {} (a signed tag on HEAD {commit}, whose own signature is {verdict}; no commit was made)\n",
                outcome.version, outcome.tag
            ),
        };
        let push = report::shell_line(&outcome.push_command);
        match (outcome.pushed, &outcome.push_error) {
            (true, None) => text.push_str(&format!("pushed: {push}\n")),
            (false, None) => text.push_str(&format!("push it with: {push}\n")),
            (_, Some(_)) => {}
        }
        if let Some(epoch) = outcome.source_date_epoch {
            text.push_str(&format!("SOURCE_DATE_EPOCH={epoch}\n"));
        }
        report::out(&text)?;
    }
    if let Some(e) = &outcome.push_error {
        return Err(UserError::refused(format!(
            "{} is released locally, but the push was refused: {e}",
            outcome.tag
        ))
        .with_hint(format!(
            "the local release stays; push it when the remote accepts it: {}",
            report::shell_line(&outcome.push_command)
        ))
        .reported()
        .into());
    }
    Ok(())
}
