//! What the repository commands share: opening the repository, reading git's configuration,
//! resolving revisions to objects, and reading an object's raw bytes once.

use crate::error::UserError;
use crate::git::config::GitConfig;
use crate::git::oid::{Kind, ObjectId};
use crate::git::Repository;

/// The repository and git's configuration in its work tree.
pub struct Repo {
    pub repo: Repository,
    pub config: GitConfig,
}

impl Repo {
    /// Open the repository git would use here, or refuse.
    pub fn open() -> Result<Repo, UserError> {
        let repo = crate::git::discover_checked()?.ok_or_else(|| {
            UserError::refused("not inside a git repository")
                .with_hint("run it inside the project's git repository (or set GIT_DIR)")
        })?;
        let config = GitConfig::load(repo.git())
            .map_err(|e| UserError::refused(e.to_string()).with_hint("install git"))?;
        Ok(Repo { repo, config })
    }

    /// The folder relative paths in configuration are taken from.
    pub fn base(&self) -> &std::path::Path {
        self.repo.base()
    }

    /// Whether the repository uses SHA-256 object names.
    pub fn sha256(&self) -> bool {
        self.repo.sha256()
    }

    /// The raw bytes and type of an object.
    pub fn raw(&self, id: ObjectId) -> Result<(Kind, Vec<u8>), UserError> {
        Ok(self.repo.read(id)?)
    }

    /// The object `rev` names and its type, or an error naming it.
    pub fn resolve(&self, rev: &str) -> Result<(ObjectId, Kind), UserError> {
        if rev.starts_with('-') {
            return Err(UserError::usage(format!("{rev:?} is not a revision")));
        }
        self.repo.resolve(rev).ok_or_else(|| {
            UserError::refused(format!(
                "unknown revision {rev:?}: no commit, tag or branch has that name"
            ))
            .with_hint("list tags with `git tag`, branches with `git branch`")
        })
    }
}
