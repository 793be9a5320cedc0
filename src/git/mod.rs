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

/// Where to look for the project's `pyproject.toml` from `cwd`: the folder to start in and
/// the work tree's top, above which nothing is the repository's. Inside the git directory,
/// or outside the work tree (`GIT_WORK_TREE`), the search starts at the top.
pub fn project_search(
    repo: Option<&git2::Repository>,
    cwd: &std::path::Path,
) -> (std::path::PathBuf, Option<std::path::PathBuf>) {
    let Some(top) = repo.and_then(git2::Repository::workdir) else {
        return (cwd.to_path_buf(), None);
    };
    let canonical = |p: &std::path::Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (here, top) = (canonical(cwd), canonical(top));
    let git_dirs = repo.map(|r| [canonical(r.path()), canonical(r.commondir())]);
    let in_git_dir = git_dirs.is_some_and(|dirs| dirs.iter().any(|d| here.starts_with(d)));
    let start = if here.starts_with(&top) && !in_git_dir {
        here
    } else {
        top.clone()
    };
    (start, Some(top))
}
