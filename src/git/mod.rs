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

/// The repository here, `None` where git itself sees none; an error naming the format when
/// git sees a repository that libgit2 cannot open (SHA-256 object names, reftable refs, an
/// extension such as partial clone's), rather than "not a repository".
pub fn discover_checked() -> Result<Option<git2::Repository>, crate::error::UserError> {
    if let Some(repo) = discover() {
        return Ok(Some(repo));
    }
    let git = runner::Git::new(".");
    let ask = |args: &[&str]| {
        git.run(args)
            .ok()
            .map(|o| String::from_utf8_lossy(&o).trim().to_owned())
            .filter(|o| !o.is_empty())
    };
    if ask(&["rev-parse", "--git-dir"]).is_none() {
        // git refuses a repository another user owns until it is marked safe: say so.
        let out = git.output(&["rev-parse", "--git-dir"]).ok();
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
        return Ok(None);
    }
    let mut why = Vec::new();
    if let Some(f) = ask(&["rev-parse", "--show-object-format"]).filter(|f| f != "sha1") {
        why.push(format!("{f} object names (extensions.objectFormat = {f})"));
    }
    if let Some(f) = ask(&["rev-parse", "--show-ref-format"]).filter(|f| f != "files") {
        why.push(format!("{f} ref storage (extensions.refStorage = {f})"));
    }
    if let Some(remote) = ask(&["config", "--get", "extensions.partialClone"]) {
        why.push(format!(
            "a partial clone (extensions.partialClone = {remote})"
        ));
    }
    let mut hint = "meanwhile git's own commands do the checks: `git verify-commit HEAD`, `git verify-tag TAG`, `git log -1 --format=%ct` for SOURCE_DATE_EPOCH".to_owned();
    if why.iter().any(|w| w.contains("refStorage")) {
        hint.push_str("; reftable refs convert back with `git refs migrate --ref-format=files`");
    }
    let why = if why.is_empty() {
        "a repository format or extension".to_owned()
    } else {
        why.join(" and ")
    };
    Err(crate::error::UserError::refused(format!(
        "this repository uses {}, which git-secure-release cannot read yet (its repository library, libgit2, does not)",
        crate::report::value(&why)
    ))
    .with_hint(hint))
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
