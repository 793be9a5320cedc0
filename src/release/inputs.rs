//! Preflight checks that what comes from outside stays data (contract §4.1, §2.1 step 1):
//! the push remote is a remote, not an option; every file the release writes is a tracked,
//! regular file of the work tree outside every git directory; the message is one git will
//! take; nothing known now will make a later step fail (git's lock files, a tag name the
//! file system refuses, `GITHUB_ENV`/`GITHUB_OUTPUT` that cannot be written).

use std::path::{Component, Path};

use super::context::Context;
use super::plan::{Plan, Sources};
use super::preflight::Problem;
use crate::report::{shell_word, value};

/// Every check of this module on a plan.
pub fn check(ctx: &Context, plan: &Plan) -> Vec<Problem> {
    let sources: &Sources = &plan.sources;
    let mut problems = Vec::new();
    problems.extend(remote(ctx, &plan.remote, &sources.remote, plan.push));
    problems.extend(written_files(ctx, plan));
    problems.extend(message(&plan.message, &sources.message));
    problems.extend(git_locks(ctx, &plan.branch, &plan.tag));
    problems.extend(record_files());
    problems
}

/// A push remote is a configured remote's name, or a URL or path that does not start with
/// `-`. A value that is neither is refused when the release pushes; one that could be read as
/// an option is refused always (it would stand in the printed push command too).
pub fn remote(ctx: &Context, remote: &str, key: &str, pushing: bool) -> Option<Problem> {
    let shown = value(remote);
    if remote.starts_with('-') {
        return Some(Problem::new(
            format!("{key} = \"{shown}\" starts with \"-\": git would read it as an option, not a remote"),
            format!("name a configured remote (git remote -v lists them) in {key}"),
        ));
    }
    if remote.is_empty() || remote.chars().any(char::is_control) {
        return Some(Problem::new(
            format!("{key} = \"{shown}\" is not a remote name, URL or path"),
            format!("name a configured remote (git remote -v lists them) in {key}"),
        ));
    }
    let configured = ctx.config.get(&format!("remote.{remote}.url")).is_some();
    if configured || !pushing || looks_like_url_or_path(ctx, remote) {
        return None;
    }
    Some(Problem::new(
        format!("{key} = \"{shown}\" is not a configured remote, nor a URL or path"),
        format!(
            "add it first (git remote add {} <url>), or name one of `git remote -v`",
            shell_word(remote)
        ),
    ))
}

/// What git would take as a repository's URL or path rather than a remote's name.
fn looks_like_url_or_path(ctx: &Context, remote: &str) -> bool {
    remote.contains("://")
        || remote.starts_with(['/', '.', '~'])
        || remote.contains('/')
        || remote
            .split_once(':')
            .is_some_and(|(host, _)| !host.is_empty() && !host.contains('/'))
        || ctx.workdir.join(remote).is_dir()
}

/// Where in the project the release found a file it writes: the key that named it.
fn key_of(ctx: &Context, plan_file: &str) -> String {
    let config = ctx.project_config();
    let normal = |p: &str| p.trim_start_matches("./").replace('\\', "/");
    if config.files.iter().any(|f| normal(&f.path) == plan_file) {
        "[tool.secure-release] files".to_owned()
    } else if plan_file == "pyproject.toml" || plan_file == "uv.lock" {
        plan_file.to_owned()
    } else {
        let layout = ctx.project.as_ref().map_or("the", |p| p.layout.name());
        format!("the {layout} layout's version file")
    }
}

/// Whether a path component names a git directory (`.git`, as any file system may spell it).
fn is_git_name(part: &str) -> bool {
    let trimmed = part.trim_end_matches(['.', ' ']).to_ascii_lowercase();
    trimmed == ".git" || trimmed == "git~1"
}

/// Each file the release writes: inside the work tree, outside every git directory, not
/// behind a symbolic link, a regular file that git tracks.
pub fn written_files(ctx: &Context, plan: &Plan) -> Vec<Problem> {
    let canonical = |p: &Path| p.canonicalize().ok();
    let git_dirs: Vec<_> = [ctx.repo.git_dir(), ctx.repo.common_dir()]
        .into_iter()
        .filter_map(canonical)
        .collect();
    let top = canonical(&ctx.workdir);
    let mut problems = Vec::new();
    for change in &plan.files {
        let (path, key) = (&change.path, key_of(ctx, &change.file));
        let refuse = |why: &str| {
            Problem::new(
                format!("{} (named by {key}) {why}", value(path)),
                format!("the release writes only tracked files of the work tree: correct {key}"),
            )
        };
        let rel = Path::new(path);
        let parts: Vec<_> = rel.components().collect();
        if parts.iter().any(|c| !matches!(c, Component::Normal(_))) {
            problems.push(refuse("is not a plain path inside the work tree"));
            continue;
        }
        if parts
            .iter()
            .any(|c| is_git_name(&c.as_os_str().to_string_lossy()))
        {
            problems.push(refuse("is inside a git directory"));
            continue;
        }
        let mut at = ctx.workdir.clone();
        let mut linked = false;
        for c in &parts {
            at.push(c);
            linked |= at
                .symlink_metadata()
                .is_ok_and(|m| m.file_type().is_symlink());
        }
        if linked {
            problems.push(refuse("is, or lies behind, a symbolic link"));
            continue;
        }
        let full = ctx.workdir.join(rel);
        let real = canonical(&full);
        if real
            .as_ref()
            .is_some_and(|r| git_dirs.iter().any(|g| r.starts_with(g)))
        {
            problems.push(refuse("is inside a git directory"));
            continue;
        }
        let inside = match (&real, &top) {
            (Some(r), Some(t)) => r.starts_with(t),
            (Some(_), None) => true,
            (None, _) => false,
        };
        if !inside {
            problems.push(refuse("is not inside the work tree"));
            continue;
        }
        if !full.symlink_metadata().is_ok_and(|m| m.is_file()) {
            problems.push(refuse("is not a regular file"));
            continue;
        }
        let tracked = ctx.repo.tracked_mode(&rel.to_string_lossy());
        match tracked {
            Some(0o100644 | 0o100755) => {}
            Some(_) => problems.push(refuse(
                "is tracked by git as something other than a regular file",
            )),
            None => problems.push(Problem::new(
                format!("{} (named by {key}) is not tracked by git", value(path)),
                format!(
                    "commit it first (git add -- {} && git commit), or correct {key}",
                    shell_word(path)
                ),
            )),
        }
    }
    problems
}

/// The message must be one git keeps: not empty once whitespace is stripped, no NUL.
pub fn message(text: &str, key: &str) -> Option<Problem> {
    if text.contains('\0') {
        return Some(Problem::new(
            format!(
                "the message ({key}) holds a NUL byte, which git cannot keep in a commit or tag"
            ),
            "give a message without NUL bytes",
        ));
    }
    if text.trim().is_empty() {
        return Some(Problem::new(
            format!("the message ({key}) is empty"),
            "give a message with -m TEXT, or leave it out for \"Release {version}\"",
        ));
    }
    None
}

/// git's own lock files that would make the commit or tag fail: the index's, HEAD's, the
/// branch's, the tag's. Present means another git is running, or one was killed.
pub fn git_locks(ctx: &Context, branch: &str, tag: &str) -> Vec<Problem> {
    let (_, locks) = super::transaction::git_locks(ctx, None, branch, tag);
    locks.iter().map(|l| lock_problem(l)).collect()
}

/// A lock file of git's that is in the way, with the command that removes it.
pub fn lock_problem(lock: &Path) -> Problem {
    let shown = lock.display().to_string();
    Problem::new(
        format!("git's lock file {} exists: another git command is running in this repository, or one was killed", value(&shown)),
        format!("if no git command is running: rm -f {}", shell_word(&shown)),
    )
}

/// `GITHUB_ENV` and `GITHUB_OUTPUT`, when they name files, must be writable now: they are
/// written after the release is made.
pub fn record_files() -> Vec<Problem> {
    ["GITHUB_ENV", "GITHUB_OUTPUT"]
        .into_iter()
        .filter_map(|var| {
            let path = std::env::var_os(var).filter(|p| !p.is_empty())?;
            let path = Path::new(&path);
            let why = super::record::writable(path).err()?;
            Some(Problem::new(
                format!(
                    "{var} names {}, which cannot be written: {why}",
                    value(&path.display().to_string())
                ),
                format!("point {var} at a writable file, or unset it: unset {var}"),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_directory_names_in_every_spelling() {
        for name in [".git", ".GIT", ".Git.", ".git ", "GIT~1"] {
            assert!(is_git_name(name), "{name}");
        }
        for name in [".github", "git", ".gitignore", "src"] {
            assert!(!is_git_name(name), "{name}");
        }
    }

    #[test]
    fn messages_git_would_not_keep() {
        assert!(message("Release 1.0", "-m").is_none());
        assert!(message("  \n\t ", "-m").is_some_and(|p| p.message.contains("empty")));
        assert!(message("a\0b", "-F").is_some_and(|p| p.message.contains("NUL")));
    }
}
