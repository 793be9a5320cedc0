//! The repository: reading it (libgit2, else git itself), reading git's configuration, and
//! the one place that runs `git` itself.

pub mod config;
pub mod oid;
pub mod refname;
pub mod repo;
pub mod runner;
pub mod tags;

pub use repo::Repository;

/// Whether `repo` names objects with SHA-256 (told by the length of HEAD's object name; a
/// repository with no commit yet counts as SHA-1).
pub fn is_sha256(repo: &git2::Repository) -> bool {
    repo.head()
        .ok()
        .and_then(|h| h.target())
        .is_some_and(|oid| oid.as_bytes().len() == 32)
}

/// Make relative `GIT_DIR`, `GIT_WORK_TREE` and `GIT_COMMON_DIR` absolute, from the folder the
/// program started in, as git itself reads them: every git this program runs runs in the work
/// tree, where a relative one would name another folder. Called first in `main`, while the
/// program has one thread.
pub fn anchor_location_variables() {
    let Ok(cwd) = std::env::current_dir() else {
        return;
    };
    for key in ["GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR"] {
        if let Some(value) = std::env::var_os(key) {
            let path = std::path::Path::new(&value);
            if !value.is_empty() && path.is_relative() {
                std::env::set_var(key, cwd.join(path));
            }
        }
    }
}

/// The repository git would use here (honouring `GIT_DIR` and friends), if there is one:
/// through libgit2 where it opens it, else through git itself.
pub fn discover() -> Option<Repository> {
    if !repo::forced_through_git() {
        if let Ok(lib) = git2::Repository::open_from_env() {
            return Some(Repository::from_lib(lib));
        }
    }
    Repository::through_git(std::path::Path::new("."))
}

/// The repository here, `None` where git itself sees none; an error naming the cause when
/// git refuses the repository as another user's.
pub fn discover_checked() -> Result<Option<Repository>, crate::error::UserError> {
    if let Some(repo) = discover() {
        return Ok(Some(repo));
    }
    // git refuses a repository another user owns until it is marked safe: say so.
    let out = runner::Git::new(".")
        .output(&["rev-parse", "--git-dir"])
        .ok();
    let err = out.map(|o| o.stderr_text()).unwrap_or_default();
    if err.contains("dubious ownership") {
        let first = err
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("fatal: ");
        return Err(crate::error::UserError::refused(format!(
            "{}: another user owns it",
            crate::report::value(first)
        ))
        .with_hint("if you trust it: git config --global --add safe.directory <its path> (as git says); then run this again"));
    }
    Ok(None)
}

/// Where to look for the project's `pyproject.toml` from `cwd`: the folder to start in and
/// the work tree's top, above which nothing is the repository's. Inside the git directory,
/// or outside the work tree (`GIT_WORK_TREE`), the search starts at the top.
pub fn project_search(
    repo: Option<&Repository>,
    cwd: &std::path::Path,
) -> (std::path::PathBuf, Option<std::path::PathBuf>) {
    let Some(top) = repo.and_then(Repository::workdir) else {
        return (cwd.to_path_buf(), None);
    };
    let canonical = |p: &std::path::Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (here, top) = (canonical(cwd), canonical(top));
    let git_dirs = repo.map(|r| [canonical(r.git_dir()), canonical(r.common_dir())]);
    let in_git_dir = git_dirs.is_some_and(|dirs| dirs.iter().any(|d| here.starts_with(d)));
    let start = if here.starts_with(&top) && !in_git_dir {
        here
    } else {
        top.clone()
    };
    (start, Some(top))
}
