//! A clean checkout of one commit: a clone that shares the repository's objects and keeps
//! its tags (`git clone --shared --no-checkout`), then `git checkout --detach`, with no
//! global or system configuration, none of the variables that point git elsewhere, and no
//! hooks. Nothing is written into the user's repository: `--shared` only reads it.

use std::path::Path;

use crate::error::UserError;
use crate::process::Cmd;

/// Variables that point git at another repository or change what it reads: a clean checkout
/// and the build run without them.
pub const GIT_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_REPLACE_REF_BASE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_GRAFT_FILE",
    "GIT_SHALLOW_FILE",
    "GIT_QUARANTINE_PATH",
    "GIT_TEMPLATE_DIR",
];

/// `cmd` made to run without the user's global or system git configuration, and without the
/// variables that point git elsewhere.
pub fn isolated(cmd: Cmd) -> Cmd {
    isolated_with(cmd, Path::new("/dev/null"))
}

/// As [`isolated`], with `global` as the only global configuration.
fn isolated_with(mut cmd: Cmd, global: &Path) -> Cmd {
    for key in GIT_ENV {
        cmd = cmd.env_remove(key);
    }
    cmd.env("GIT_CONFIG_GLOBAL", global)
        .env("GIT_CONFIG_NOSYSTEM", "1")
}

fn git(dir: &Path, global: &Path, args: &[&str]) -> Result<(), UserError> {
    let out = isolated_with(Cmd::new("git").args(args).dir(dir), global)
        .run()
        .map_err(|e| UserError::refused(e.to_string()).with_hint("install git"))?;
    if out.ok() {
        return Ok(());
    }
    Err(UserError::refused(format!(
        "`git {}` failed while making a clean checkout:\n    {}",
        args.join(" "),
        crate::report::text(&out.stderr_text()).replace('\n', "\n    ")
    ))
    .with_hint(
        "check that the repository is readable and has room in the temporary folder (TMPDIR)",
    ))
}

/// Write `file`, the clean clones' only global configuration, and return it.
///
/// The repository was opened already, under the user's own configuration: one owned by
/// someone else is one they marked safe (`safe.directory`). The clones run without that
/// configuration, so this file says it again for `source` alone; nothing else.
pub fn config(source: &Path, file: &Path) -> Result<std::path::PathBuf, UserError> {
    let src = source.to_string_lossy();
    let (src, path) = (src.trim_end_matches('/'), file.to_string_lossy());
    let dir = file.parent().unwrap_or(file);
    let args = ["config", "--file", &path, "--add", "safe.directory", src];
    git(dir, Path::new("/dev/null"), &args)?;
    Ok(file.to_path_buf())
}

/// Check out `commit` of the repository whose common git directory is `source` into the
/// new folder `dest`, with `config` (from [`config`]) as the only global configuration.
pub fn checkout(source: &Path, commit: &str, dest: &Path, config: &Path) -> Result<(), UserError> {
    let parent = dest.parent().unwrap_or(dest);
    let src = source.to_string_lossy();
    let src = src.trim_end_matches('/');
    let dst = dest.to_string_lossy();
    git(
        parent,
        config,
        &[
            "-c",
            "core.hooksPath=/dev/null",
            "clone",
            "--shared",
            "--no-checkout",
            "--quiet",
            "--",
            src,
            &dst,
        ],
    )?;
    git(
        dest,
        config,
        &[
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "advice.detachedHead=false",
            "checkout",
            "--quiet",
            "--detach",
            commit,
        ],
    )?;
    complete(dest, config, commit)
}

/// A checkout git could not finish says so in its status, not always in its exit code: a
/// partial clone's missing files are left out with exit 0 (git 2.47). Every tracked file
/// must be there, as committed.
fn complete(dest: &Path, config: &Path, commit: &str) -> Result<(), UserError> {
    let args = ["status", "--porcelain=v1", "-z", "--untracked-files=no"];
    let out = isolated_with(Cmd::new("git").args(args).dir(dest), config)
        .run()
        .map_err(|e| UserError::refused(e.to_string()).with_hint("install git"))?;
    let missing: Vec<String> = out
        .stdout
        .split(|&b| b == 0)
        .filter(|e| e.len() > 3)
        .map(|e| String::from_utf8_lossy(&e[3..]).into_owned())
        .collect();
    if out.ok() && missing.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = missing.iter().map(String::as_str).collect();
    Err(UserError::refused(format!(
        "the checkout of {commit} is incomplete: {} (the repository lacks their objects: a partial clone?)",
        crate::report::value(&crate::doctor::advice::cut(&names, 5))
    ))
    .with_hint(format!(
        "fetch what the commit needs, then run this again: git archive {commit} > /dev/null (in a partial clone git fetches each missing file)"
    )))
}
