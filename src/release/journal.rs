//! The journal: before the first write, everything needed to put the repository back or to
//! finish the release is recorded in the worktree's git directory (the plan itself, the
//! branch's commit, a copy of the index, `COMMIT_EDITMSG`), and the release commit's and tag
//! object's ids are added the moment they exist. Written whole to a temporary file and renamed,
//! so it is never half-written; a journal that cannot be read is "damaged", and the one way out
//! is `git secure-release --abort --forget-journal`, which removes it and touches nothing else.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::plan::Plan;

/// The journal's folder name inside the git directory.
const DIR: &str = "secure-release";

/// The command that discards a damaged journal and touches nothing else.
pub const FORGET: &str = "git secure-release --abort --forget-journal";

/// What an interrupted release needs to be undone or finished.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Journal {
    pub plan: Plan,
    /// The branch's commit before the release.
    pub head: String,
    /// Unix time when the journal was begun: git's lock files younger than this are this
    /// release's.
    pub started: i64,
    /// `COMMIT_EDITMSG` before the release (`None`: there was none).
    #[serde(default, with = "crate::hex::option")]
    pub commit_editmsg: Option<Vec<u8>>,
    /// The release commit, once made.
    #[serde(default)]
    pub commit: Option<String>,
    /// The tag object, once made.
    #[serde(default)]
    pub tag_object: Option<String>,
}

impl Journal {
    /// `refs/heads/<branch>`.
    pub fn branch_ref(&self) -> String {
        format!("refs/heads/{}", self.plan.branch)
    }
}

/// Why a journal could not be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot write the journal {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the journal {} is damaged: {reason}", .path.display())]
    Damaged { path: PathBuf, reason: String },
}

/// Where the journal lives for a git directory.
#[derive(Debug, Clone)]
pub struct JournalFiles {
    dir: PathBuf,
}

impl JournalFiles {
    pub fn new(git_dir: &Path) -> JournalFiles {
        JournalFiles {
            dir: git_dir.join(DIR),
        }
    }

    fn journal(&self) -> PathBuf {
        self.dir.join("journal.json")
    }

    fn index(&self) -> PathBuf {
        self.dir.join("index")
    }

    /// Whether an interrupted release left its journal. Renaming `journal.json` into place
    /// is the moment a release begins, and removing it the moment it ends: a folder without
    /// it is a release killed before it changed anything, or after it was done.
    pub fn exists(&self) -> bool {
        self.journal().symlink_metadata().is_ok()
    }

    /// Remove what a release killed while beginning or ending its journal left (a folder
    /// without `journal.json`); whether there was anything.
    pub fn clear_leftover(&self) -> bool {
        !self.exists() && self.dir.exists() && std::fs::remove_dir_all(&self.dir).is_ok()
    }

    /// The journal's path, for messages.
    pub fn path(&self) -> PathBuf {
        self.journal()
    }

    /// Write the journal and a copy of the index (`index` the index file's path). On any
    /// failure nothing is left behind.
    pub fn begin(&self, journal: &Journal, index: &Path) -> Result<(), JournalError> {
        let written = std::fs::create_dir_all(&self.dir)
            .and_then(|()| {
                if index.is_file() {
                    std::fs::copy(index, self.index()).map(drop)
                } else {
                    Ok(())
                }
            })
            .and_then(|()| self.write(journal));
        written.map_err(|source| {
            let _ = std::fs::remove_dir_all(&self.dir);
            JournalError::Write {
                path: self.journal(),
                source,
            }
        })
    }

    /// Replace the journal with `journal` (a step done: the commit or tag made).
    pub fn update(&self, journal: &Journal) -> Result<(), JournalError> {
        self.write(journal).map_err(|source| JournalError::Write {
            path: self.journal(),
            source,
        })
    }

    fn write(&self, journal: &Journal) -> std::io::Result<()> {
        let text = serde_json::to_vec_pretty(journal).map_err(std::io::Error::other)?;
        let tmp = self.dir.join("journal.json.tmp");
        let file = std::fs::File::create(&tmp)?;
        std::io::Write::write_all(&mut &file, &text)?;
        file.sync_all()?;
        std::fs::rename(&tmp, self.journal())
    }

    pub fn read(&self) -> Result<Journal, JournalError> {
        let damaged = |reason: String| JournalError::Damaged {
            path: self.journal(),
            reason,
        };
        let text = std::fs::read(self.journal()).map_err(|e| damaged(e.to_string()))?;
        let journal: Journal = serde_json::from_slice(&text).map_err(|e| damaged(e.to_string()))?;
        if crate::git::oid::ObjectId::from_hex(&journal.head).is_none() {
            return Err(damaged(format!("{:?} is not a commit id", journal.head)));
        }
        Ok(journal)
    }

    /// Remove the journal: the release is complete, or undone, or the user discards it.
    pub fn finish(&self) -> Result<(), String> {
        match std::fs::remove_file(self.journal()) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(format!("cannot remove {}: {e}", self.journal().display()));
            }
            _ => {}
        }
        match std::fs::remove_dir_all(&self.dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(format!("cannot remove {}: {e}", self.dir.display()))
            }
            _ => Ok(()),
        }
    }

    /// Put the index back as it was (or remove it if there was none).
    pub fn restore_index(&self, index: &Path) -> Result<(), String> {
        if self.index().is_file() {
            std::fs::copy(self.index(), index)
                .map(|_| ())
                .map_err(|e| format!("cannot restore the index: {e}"))
        } else if index.is_file() {
            std::fs::remove_file(index).map_err(|e| format!("cannot restore the index: {e}"))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journal() -> Journal {
        let plan: Plan = serde_json::from_str(r#"{"old":null,"version":"1.0.0","files":[],"message":"Release 1.0.0","tag":"v1.0.0","tag_message":"Release 1.0.0","branch":"main","remote":"origin","push":false,"no_verify":false,"dirty":[]}"#).expect("plan");
        Journal {
            plan,
            head: "4b825dc642cb6eb9a060e54bf8d69288fbee4904".into(),
            started: 1,
            commit_editmsg: Some(b"old\r\n\xff".to_vec()),
            commit: None,
            tag_object: None,
        }
    }

    #[test]
    fn written_read_updated_and_a_damaged_one_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = JournalFiles::new(dir.path());
        let mut j = journal();
        files
            .begin(&j, &dir.path().join("no-index"))
            .expect("begin");
        assert_eq!(files.read().expect("read"), j);
        j.commit = Some("abc".into());
        files.update(&j).expect("update");
        assert_eq!(files.read().expect("read").commit.as_deref(), Some("abc"));
        std::fs::write(files.path(), "{ half").expect("damage");
        let e = files.read().unwrap_err();
        assert!(matches!(e, JournalError::Damaged { .. }), "{e}");
        files.finish().expect("finish");
        assert!(!files.exists());
    }

    #[test]
    fn a_failed_begin_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = JournalFiles::new(dir.path());
        std::fs::create_dir_all(dir.path().join(DIR).join("journal.json.tmp")).expect("block");
        let r = files.begin(&journal(), &dir.path().join("none"));
        assert!(
            r.is_err(),
            "the journal's temporary name is taken by a folder"
        );
        assert!(!dir.path().join(DIR).exists(), "nothing left behind");
    }
}
