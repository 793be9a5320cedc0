//! A release applied as a transaction. Before the first write, a journal in the git
//! directory records everything needed to put the repository back: the branch and its
//! commit, a copy of the index, the original bytes of each file, and the plan itself (so an
//! interrupted release can be finished). Every step after that is undone in reverse order on
//! failure; a killed process leaves the journal for `--abort` or `--continue`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::git::runner::Git;

/// The journal's folder name inside the git directory.
const DIR: &str = "secure-release";

/// One file the release rewrites.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileChange {
    /// Relative to the work tree root, with `/`.
    pub path: String,
    #[serde(with = "hex")]
    pub old: Vec<u8>,
    #[serde(with = "hex")]
    pub new: Vec<u8>,
}

/// What an interrupted release needs to be undone or finished.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Journal {
    pub version: String,
    /// `refs/heads/<branch>`.
    pub branch_ref: String,
    /// The branch's commit before the release.
    pub head: String,
    pub files: Vec<FileChange>,
    /// The release commit's message; `None` when no commit is made (HEAD is tagged).
    pub commit_message: Option<String>,
    pub no_verify: bool,
    pub tag: String,
    /// The tag message without its trailer.
    pub tag_message: String,
    /// Tracked files with uncommitted changes before the release (`--allow-dirty`). Every
    /// other tracked file was as in `head`, so whatever a hook changed in one is undone by
    /// checking it out from `head`.
    #[serde(default)]
    pub dirty: Vec<String>,
}

/// Where the journal lives for a git directory.
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
    /// Whether an interrupted release left its journal.
    pub fn exists(&self) -> bool {
        self.journal().is_file()
    }
    /// The journal's path, for messages.
    pub fn path(&self) -> PathBuf {
        self.journal()
    }

    /// Write the journal and a copy of the index (`index` the index file's path).
    pub fn begin(&self, journal: &Journal, index: &Path) -> Result<(), String> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("cannot write {}: {e}", self.dir.display()))?;
        if index.is_file() {
            std::fs::copy(index, self.index())
                .map_err(|e| format!("cannot copy the index: {e}"))?;
        }
        let text = serde_json::to_string_pretty(journal).map_err(|e| e.to_string())?;
        let tmp = self.dir.join("journal.json.tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, self.journal()))
            .map_err(|e| format!("cannot write the journal {}: {e}", self.journal().display()))
    }

    pub fn read(&self) -> Result<Journal, String> {
        let text = std::fs::read_to_string(self.journal())
            .map_err(|e| format!("cannot read {}: {e}", self.journal().display()))?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{} is damaged: {e}", self.journal().display()))
    }

    /// Remove the journal: the release is complete, or undone.
    pub fn finish(&self) -> Result<(), String> {
        std::fs::remove_dir_all(&self.dir)
            .map_err(|e| format!("cannot remove {}: {e}", self.dir.display()))
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

/// The state a release's undo works from.
pub struct Repo<'a> {
    pub git: &'a Git,
    pub workdir: &'a Path,
    pub index: PathBuf,
}

/// Put the repository back as the journal says it was: the tag deleted (if it is ours), the
/// branch at its old commit, each file's bytes, what a hook changed in other tracked files,
/// and the index. Every step is tried; the errors of those that fail are returned together.
pub fn undo(repo: &Repo, files: &JournalFiles, journal: &Journal) -> Result<(), String> {
    let mut errors = Vec::new();
    let tag_ref = format!("refs/tags/{}", journal.tag);
    if let Ok(out) = repo
        .git
        .output(&["rev-parse", "--verify", "--quiet", &tag_ref])
    {
        if out.status.success() && tag_is_ours(repo.git, &journal.tag, journal) {
            if let Err(e) = repo.git.run(&["update-ref", "-d", &tag_ref]) {
                errors.push(e.to_string());
            }
        }
    }
    if let Err(e) = repo.git.run(&[
        "update-ref",
        "-m",
        "secure-release: undo",
        &journal.branch_ref,
        &journal.head,
    ]) {
        errors.push(e.to_string());
    }
    if let Err(e) = files.restore_index(&repo.index) {
        errors.push(e);
    }
    for f in &journal.files {
        if let Err(e) = std::fs::write(repo.workdir.join(&f.path), &f.old) {
            errors.push(format!("cannot restore {}: {e}", f.path));
        }
    }
    if let Err(e) = undo_hook_changes(repo, journal) {
        errors.push(e);
    }
    // Checking files out touches the index: it is put back as it was once more, last.
    if let Err(e) = files.restore_index(&repo.index) {
        errors.push(e);
    }
    if errors.is_empty() {
        files.finish()
    } else {
        Err(errors.join("; "))
    }
}

/// Tracked files that differ from the index now (with the index as it was before the
/// release) but were unchanged before it: a hook (pre-commit, commit-msg) changed them.
/// They are checked out from the release's starting commit, which is what they held.
fn undo_hook_changes(repo: &Repo, journal: &Journal) -> Result<(), String> {
    let changed = repo
        .git
        .changed_tracked_files()
        .map_err(|e| format!("cannot read the work tree's status: {e}"))?;
    let ours: Vec<&str> = journal.files.iter().map(|f| f.path.as_str()).collect();
    let touched: Vec<&str> = changed
        .iter()
        .map(String::as_str)
        .filter(|p| !ours.contains(p) && !journal.dirty.iter().any(|d| d == p))
        .collect();
    if touched.is_empty() {
        return Ok(());
    }
    let mut args = vec!["--literal-pathspecs", "checkout", &journal.head, "--"];
    args.extend(&touched);
    repo.git.run(&args).map(|_| ()).map_err(|e| {
        format!(
            "cannot undo what a hook changed in {}: {e}",
            touched.join(", ")
        )
    })
}

/// Whether the tag `name` is the one this release made: its message starts with ours and
/// it points at a commit made after the journal's HEAD (or at HEAD itself).
fn tag_is_ours(git: &Git, name: &str, journal: &Journal) -> bool {
    let Ok(raw) = git.run(&["cat-file", "tag", &format!("refs/tags/{name}")]) else {
        return false;
    };
    let text = String::from_utf8_lossy(&raw);
    let message = text.split_once("\n\n").map_or("", |(_, m)| m);
    message.starts_with(journal.tag_message.trim_end())
}

/// Hex, for file bytes in the journal.
mod hex {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        if text.len() % 2 != 0 {
            return Err(serde::de::Error::custom("odd hex length"));
        }
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(serde::de::Error::custom))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_round_trips_bytes_exactly() {
        let j = Journal {
            version: "1.0.0".into(),
            branch_ref: "refs/heads/main".into(),
            head: "abc".into(),
            files: vec![FileChange {
                path: "pyproject.toml".into(),
                old: b"\xff\r\nversion = \"0.9\"".to_vec(),
                new: b"\xff\r\nversion = \"1.0.0\"".to_vec(),
            }],
            commit_message: Some("Release 1.0.0".into()),
            no_verify: false,
            tag: "v1.0.0".into(),
            tag_message: "Release 1.0.0".into(),
            dirty: vec!["notes.txt".into()],
        };
        let text = serde_json::to_string(&j).expect("serialize");
        assert_eq!(serde_json::from_str::<Journal>(&text).expect("parse"), j);
        assert!(serde_json::from_str::<Journal>(&text.replace("ff0d", "f")).is_err());
    }

    #[test]
    fn a_journal_from_before_dirty_was_kept_still_reads() {
        let text = r#"{"version":"1.0.0","branch_ref":"refs/heads/main","head":"abc","files":[],"commit_message":null,"no_verify":false,"tag":"v1.0.0","tag_message":"Release 1.0.0"}"#;
        assert!(serde_json::from_str::<Journal>(text)
            .expect("parse")
            .dirty
            .is_empty());
    }
}
