//! The repository: reading it with git2, reading git's configuration, and the one place that
//! runs `git` itself.

pub mod config;
pub mod refname;
pub mod runner;
pub mod tags;

/// The repository git would use here (honouring `GIT_DIR` and friends), if there is one.
pub fn discover() -> Option<git2::Repository> {
    git2::Repository::open_from_env().ok()
}
