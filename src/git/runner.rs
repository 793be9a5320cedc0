//! Running `git` itself in one folder, through the one process runner ([`crate::process`]):
//! arguments as a vector (never a shell line), traced under `GIT_SECURE_RELEASE_TRACE`,
//! `GIT_TERMINAL_PROMPT=0` when no terminal is attached, so git never waits for a password
//! nobody can type.

use std::path::{Path, PathBuf};

use crate::process::{Cmd, Finished, RunError};

/// Why git could not be run or refused.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("git is not installed or not on PATH ({0})")]
    Missing(RunError),
    #[error("{0}")]
    Run(RunError),
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

    /// `git ARGS` in this folder, to be run.
    pub fn cmd(&self, args: &[&str]) -> Cmd {
        Cmd::new("git").args(args).dir(&self.dir)
    }

    /// Run `git ARGS`, returning its output whatever its exit status.
    pub fn output(&self, args: &[&str]) -> Result<Finished, GitError> {
        run_git(&self.cmd(args))
    }

    /// The tracked files whose work-tree or index state differs from HEAD's
    /// (`git status --porcelain=v1 -z --untracked-files=no`), a rename's source included.
    pub fn changed_tracked_files(&self) -> Result<Vec<String>, GitError> {
        let out = self.run(&[
            "--no-optional-locks",
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=no",
        ])?;
        Ok(changed_paths(&out))
    }

    /// Run `git ARGS` and return its stdout; a non-zero exit is an error with its stderr.
    pub fn run(&self, args: &[&str]) -> Result<Vec<u8>, GitError> {
        let out = self.output(args)?;
        if out.ok() {
            Ok(out.stdout)
        } else {
            Err(GitError::Failed {
                args: args.join(" "),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            })
        }
    }
}

fn run_git(cmd: &Cmd) -> Result<Finished, GitError> {
    cmd.run().map_err(|e| {
        if e.not_found() {
            GitError::Missing(e)
        } else {
            GitError::Run(e)
        }
    })
}

/// The paths of `git status --porcelain=v1 -z` output (a rename's or copy's source too).
fn changed_paths(status: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut entries = status.split(|&b| b == 0).filter(|e| !e.is_empty());
    while let Some(entry) = entries.next() {
        if entry.len() < 4 {
            continue;
        }
        out.push(String::from_utf8_lossy(&entry[3..]).into_owned());
        if matches!(entry[0], b'R' | b'C') {
            if let Some(from) = entries.next() {
                out.push(String::from_utf8_lossy(from).into_owned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::changed_paths;

    #[test]
    fn status_paths_with_renames_and_odd_names() {
        let status = b" M a.txt\0R  new name\0old name\0 D gone\0?? never\0";
        assert_eq!(
            changed_paths(status),
            ["a.txt", "new name", "old name", "gone", "never"]
        );
        assert!(changed_paths(b"").is_empty());
    }
}
