//! What the repository commands share: opening the repository, reading git's configuration,
//! resolving revisions to objects, and reading an object's raw bytes once.

use git2::{ObjectType, Oid, Repository};

use crate::error::UserError;
use crate::git::config::GitConfig;
use crate::git::runner::Git;

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
        let dir = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
        let git = Git::new(&dir);
        let config = GitConfig::load(&git)
            .map_err(|e| UserError::refused(e.to_string()).with_hint("install git"))?;
        Ok(Repo { repo, config })
    }

    /// The folder relative paths in configuration are taken from.
    pub fn base(&self) -> &std::path::Path {
        self.repo.workdir().unwrap_or_else(|| self.repo.path())
    }

    /// Whether the repository uses SHA-256 object names.
    pub fn sha256(&self) -> bool {
        crate::git::is_sha256(&self.repo)
    }

    /// The raw bytes and type of an object.
    pub fn raw(&self, oid: Oid) -> Result<(ObjectType, Vec<u8>), UserError> {
        read_raw(&self.repo, oid)
    }

    /// The object `rev` names, or an error naming it.
    pub fn resolve(&self, rev: &str) -> Result<git2::Object<'_>, UserError> {
        if rev.starts_with('-') {
            return Err(UserError::usage(format!("{rev:?} is not a revision")));
        }
        self.repo.revparse_single(rev).map_err(|_| {
            UserError::refused(format!(
                "unknown revision {rev:?}: no commit, tag or branch has that name"
            ))
            .with_hint("list tags with `git tag`, branches with `git branch`")
        })
    }
}

/// The raw bytes and type of an object in `repo` (any handle on the repository).
pub fn read_raw(repo: &Repository, oid: Oid) -> Result<(ObjectType, Vec<u8>), UserError> {
    let odb = repo.odb().map_err(|e| {
        UserError::refused(format!("cannot open the object database: {}", e.message()))
    })?;
    let object = odb
        .read(oid)
        .map_err(|e| UserError::refused(format!("cannot read object {oid}: {}", e.message())))?;
    Ok((object.kind(), object.data().to_vec()))
}
