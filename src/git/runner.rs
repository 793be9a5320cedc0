//! The one place that runs `git` itself. Every call goes through [`Git::run`], which passes
//! arguments as a vector (never a shell line), logs the argument vector when
//! `GIT_SECURE_RELEASE_TRACE` is set, and sets `GIT_TERMINAL_PROMPT=0` when no terminal is
//! attached, so git never waits for a password nobody can type.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Why git could not be run or refused.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("git is not installed or not on PATH ({0})")]
    Missing(std::io::Error),
    #[error("`git {args}` failed: {stderr}")]
    Failed { args: String, stderr: String },
}

/// Runs git in one folder.
#[derive(Clone, Debug)]
pub struct Git {
    dir: PathBuf,
}

impl Git {
    pub fn new(dir: impl AsRef<Path>) -> Git {
        Git {
            dir: dir.as_ref().to_path_buf(),
        }
    }

    /// Run `git ARGS`, returning its output whatever its exit status.
    pub fn output(&self, args: &[&str]) -> Result<Output, GitError> {
        crate::report::trace(&format!("git {args:?}"));
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(&self.dir);
        if !std::io::stdin().is_terminal() {
            cmd.env("GIT_TERMINAL_PROMPT", "0");
        }
        cmd.output().map_err(GitError::Missing)
    }

    /// Run `git ARGS` and return its stdout; a non-zero exit is an error with its stderr.
    pub fn run(&self, args: &[&str]) -> Result<Vec<u8>, GitError> {
        let out = self.output(args)?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(GitError::Failed {
                args: args.join(" "),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            })
        }
    }
}
