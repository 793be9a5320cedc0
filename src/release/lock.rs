//! One release at a time (contract §2.1): a lock for the whole repository, in the common git
//! directory so that every linked worktree shares it (tags are shared), taken before the
//! preflight reads anything and held by a release, `--abort` and `--continue` to their end.
//!
//! The lock is an exclusive `flock` on `<common dir>/secure-release.lock`, not a file made
//! with `O_EXCL` and a pid in it: the kernel takes it atomically and gives it up the moment
//! its holder dies, however it dies, so a killed release never leaves a lock that looks held,
//! a reused pid never looks like a live holder, and two processes that find a stale lock
//! can never both remove it. The file holds who took it (pid, host, start time, the git
//! directory whose journal it guards), for the messages; a file whose holder is gone tells
//! that a release was interrupted there.

use std::fs::File;
use std::io::{Read as _, Seek as _, Write as _};
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use rustix::fs::{flock, FlockOperation};
use serde::{Deserialize, Serialize};

/// The lock file's name in the common git directory.
const NAME: &str = "secure-release.lock";

/// Who holds (or held) the lock.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    /// Unix time when it was taken.
    pub started: i64,
    /// The git directory (of the worktree) whose release it guards.
    pub git_dir: PathBuf,
}

impl Holder {
    fn me(git_dir: &Path) -> Holder {
        Holder {
            pid: std::process::id(),
            host: host(),
            started: chrono::Utc::now().timestamp(),
            git_dir: git_dir.to_path_buf(),
        }
    }

    /// "pid 123 on host, since 2026-12-01 13:00:00 UTC".
    pub fn describe(&self) -> String {
        let since = chrono::DateTime::from_timestamp(self.started, 0)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_default();
        format!("pid {} on {}, since {since}", self.pid, self.host)
    }
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "this machine".to_owned())
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another release is running in this repository ({}): it holds {}", .holder.as_ref().map_or_else(|| "a process that is starting".to_owned(), Holder::describe), .path.display())]
    Held {
        holder: Option<Holder>,
        path: PathBuf,
    },
    #[error("cannot take the release lock {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The lock, held until it is dropped.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
    /// Who held it before, when its holder died without giving it up (an interrupted
    /// release, or one killed before it had changed anything).
    pub previous: Option<Holder>,
}

impl Lock {
    /// Take the lock of the repository whose common git directory is `common_dir`, for the
    /// release in `git_dir`; refused at once when another process holds it.
    pub fn acquire(common_dir: &Path, git_dir: &Path) -> Result<Lock, LockError> {
        let path = common_dir.join(NAME);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        loop {
            let mut file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io)?;
            if flock(&file, FlockOperation::NonBlockingLockExclusive).is_err() {
                return Err(LockError::Held {
                    holder: read_holder(&mut file),
                    path,
                });
            }
            // The holder before us may have removed the file after we opened it: a lock on
            // a file no longer at the path guards nothing. Open again.
            let same = match (file.metadata(), std::fs::metadata(&path)) {
                (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
                _ => false,
            };
            if !same {
                continue;
            }
            let previous = read_holder(&mut file);
            let me = serde_json::to_vec(&Holder::me(git_dir)).map_err(|e| io(e.into()))?;
            // Not synced: the kernel's lock is the lock; the content only names its holder.
            file.set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| file.write_all(&me))
                .map_err(io)?;
            crate::report::trace(format_args!("release lock taken: {}", path.display()));
            return Ok(Lock {
                file,
                path,
                previous,
            });
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so that nobody takes a lock on a file about to go; one
        // who opened it meanwhile sees it gone and opens again (see `acquire`).
        let _ = std::fs::remove_file(&self.path);
        let _ = flock(&self.file, FlockOperation::Unlock);
    }
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_given_up_on_drop() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = Lock::acquire(dir.path(), dir.path()).expect("free");
        assert!(first.previous.is_none());
        let e = Lock::acquire(dir.path(), dir.path()).expect_err("held");
        let text = e.to_string();
        assert!(
            text.contains(&format!("pid {}", std::process::id())),
            "{text}"
        );
        drop(first);
        assert!(!dir.path().join(NAME).exists());
        let again = Lock::acquire(dir.path(), dir.path()).expect("free again");
        assert!(again.previous.is_none());
    }

    #[test]
    fn a_lock_left_by_a_dead_holder_is_taken_and_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dead = Holder {
            pid: 999_999,
            host: "elsewhere".into(),
            started: 1,
            git_dir: dir.path().to_path_buf(),
        };
        std::fs::write(
            dir.path().join(NAME),
            serde_json::to_vec(&dead).expect("json"),
        )
        .expect("write");
        let lock = Lock::acquire(dir.path(), dir.path()).expect("a file nobody locks is free");
        assert_eq!(lock.previous, Some(dead));
    }
}
