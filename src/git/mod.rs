//! The repository: reading it with git2, reading git's configuration, and the one place that
//! runs `git` itself.

pub mod config;
pub mod refname;
pub mod runner;
pub mod tags;

/// Whether `repo` names objects with SHA-256 (told by the length of HEAD's object name; a
/// repository with no commit yet counts as SHA-1).
pub fn is_sha256(repo: &git2::Repository) -> bool {
    repo.head()
        .ok()
        .and_then(|h| h.target())
        .is_some_and(|oid| oid.as_bytes().len() == 32)
}

/// The repository git would use here (honouring `GIT_DIR` and friends), if there is one.
pub fn discover() -> Option<git2::Repository> {
    git2::Repository::open_from_env().ok()
}
