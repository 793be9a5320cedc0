//! Apply: the release as a transaction, each step with its undo beside it. Every ref change
//! names the value it expects (`git update-ref REF NEW OLD`, `-d REF OLD`), and recovery
//! touches only what is provably this release's: the branch is reset only while it points at
//! this release's commit (parent the journal's HEAD, the planned files' bytes and no other
//! change, the planned message), a tag is deleted only while it points at the tag object this
//! release made. Anything else means someone else moved on, and nothing is touched.

use std::path::PathBuf;

use crate::git::oid::ObjectId as Oid;

use super::context::Context;
pub use super::identify::{branch, Branch};
use super::identify::{changed_paths, release_tag};
use super::journal::{Journal, JournalFiles};
use super::record;
use crate::signing::engine::Engine;
use crate::signing::object;

/// A failed step: what went wrong and what to do.
#[derive(Debug)]
pub struct StepFailure {
    pub message: String,
    pub hint: String,
}

fn step<T>(what: &str, r: Result<T, impl std::fmt::Display>, hint: &str) -> Result<T, StepFailure> {
    r.map_err(|e| StepFailure {
        message: format!("{what}: {e}"),
        hint: hint.to_owned(),
    })
}

/// Steps 2–6: write the files and commit, tag, post-check. Each step that is done already
/// (an interrupted release being continued) is recognised and skipped. Returns the release
/// commit (HEAD when none is made) and its committer time.
pub fn apply(
    ctx: &Context,
    engine: &mut Engine,
    journal: &mut Journal,
    files: &JournalFiles,
) -> Result<(Oid, i64), StepFailure> {
    let head = step(
        "the journal",
        Oid::from_hex(&journal.head).ok_or("its HEAD is no commit id"),
        super::journal::FORGET,
    )?;
    let commit = if journal.plan.commits() {
        match branch(ctx, journal) {
            Branch::Before => commit(ctx, journal, files)?,
            Branch::Released(c) => c,
            Branch::MovedOn(_) => return Err(moved_on(journal)),
        }
    } else {
        head
    };
    let epoch = step(
        "cannot read the release commit",
        ctx.raw(commit)
            .and_then(|raw| crate::git::oid::committer_time(&raw))
            .ok_or("no committer time"),
        "git log -1",
    )?;
    if release_tag(ctx, journal, Some(commit)).is_none() {
        if ctx.tag_oid(&journal.plan.tag).is_some() {
            return Err(StepFailure {
                message: format!(
                    "tag {} exists and was not made by this release",
                    journal.plan.tag
                ),
                hint: "look at it with `git show` before anything else; nothing of it is touched"
                    .into(),
            });
        }
        tag(ctx, journal, files, commit, epoch)?;
    }
    crate::report::trace("release: tagged");
    post_check(ctx, engine, journal, commit)?;
    crate::report::trace("release: post-check passed");
    Ok((commit, epoch))
}

fn moved_on(journal: &Journal) -> StepFailure {
    StepFailure {
        message: format!(
            "{} has moved on since the release began (it was at {})",
            journal.branch_ref(),
            journal.head
        ),
        hint: "nothing of it is touched; see `git log` and sort it out by hand".into(),
    }
}

/// A temporary file holding `text`, for git's `-F`.
fn message_file(text: &str) -> Result<tempfile::NamedTempFile, StepFailure> {
    use std::io::Write as _;
    let mut file = step(
        "the message file",
        tempfile::Builder::new().prefix("gsr-message").tempfile(),
        "check that TMPDIR is writable",
    )?;
    step(
        "the message file",
        file.write_all(text.as_bytes()).and_then(|()| file.flush()),
        "check that TMPDIR is writable and has room",
    )?;
    Ok(file)
}

/// Write the files and make the signed release commit of exactly them; recorded in the
/// journal at once. Undone by [`undo`].
fn commit(ctx: &Context, journal: &mut Journal, files: &JournalFiles) -> Result<Oid, StepFailure> {
    for f in &journal.plan.files {
        step(
            &format!("writing {}", f.path),
            std::fs::write(ctx.workdir.join(&f.path), &f.new),
            "check the file's permissions",
        )?;
    }
    // `git commit -- <paths>` stages and commits exactly these files' work-tree bytes, as
    // `git add` would (the preflight made sure git tracks every one). Paths are names, never
    // pathspec magic; the message goes through a file: any size, never an argument.
    let message = message_file(&journal.plan.message)?;
    let message_path = message.path().to_string_lossy().into_owned();
    let mut args = vec![
        "--literal-pathspecs",
        "commit",
        "-q",
        "-S",
        "--cleanup=whitespace",
        "-F",
        message_path.as_str(),
    ];
    if journal.plan.no_verify {
        args.push("--no-verify");
    }
    args.push("--");
    let paths = journal.plan.paths();
    args.extend(&paths);
    step(
        "the signed release commit",
        ctx.git.run(&args),
        "run `git secure-release doctor`; a hook that refused can be skipped with --no-verify",
    )?;
    let made = ctx
        .repo
        .ref_id(&journal.branch_ref())
        .ok_or_else(|| StepFailure {
            message: "the release commit is not found after committing".into(),
            hint: "git log -1".into(),
        })?;
    journal.commit = Some(made.to_string());
    step("the journal", files.update(journal), super::journal::FORGET)?;
    crate::report::trace("release: committed");
    // The release commit holds exactly the release's files: a hook that staged anything
    // else has its addition undone with the release.
    let changed = changed_paths(ctx, &journal.head, made).unwrap_or_default();
    let extra: Vec<&String> = changed
        .iter()
        .filter(|p| !paths.contains(&p.as_str()))
        .collect();
    if !extra.is_empty() {
        return Err(StepFailure {
            message: format!(
                "a hook added files beyond the release's to the release commit: {}",
                extra
                    .iter()
                    .map(|p| crate::report::value(p).into_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            hint: "the release commit holds only the version bump: commit those changes on their own first, or skip the hooks with --no-verify".into(),
        });
    }
    Ok(made)
}

/// Make the signed tag on `commit`, recorded in the journal at once.
fn tag(
    ctx: &Context,
    journal: &mut Journal,
    files: &JournalFiles,
    commit: Oid,
    epoch: i64,
) -> Result<(), StepFailure> {
    let message = message_file(&record::tag_message(&journal.plan.tag_message, epoch))?;
    step(
        "the signed tag",
        ctx.git.run(&[
            "tag",
            "-s",
            "--cleanup=whitespace",
            "-F",
            &message.path().to_string_lossy(),
            "--",
            &journal.plan.tag,
            &commit.to_string(),
        ]),
        "run `git secure-release doctor` to see why signing fails",
    )?;
    if let Some(oid) = ctx.tag_oid(&journal.plan.tag) {
        journal.tag_object = Some(oid.to_string());
        step("the journal", files.update(journal), super::journal::FORGET)?;
    }
    Ok(())
}

/// Verify the release commit (when one was made) and tag like `verify` does.
fn post_check(
    ctx: &Context,
    engine: &mut Engine,
    journal: &Journal,
    commit: Oid,
) -> Result<(), StepFailure> {
    let fail = |what: String| StepFailure {
        message: format!("post-check: {what}"),
        hint: "run `git secure-release doctor`; the signature git made does not verify".into(),
    };
    let plan = &journal.plan;
    if plan.commits() {
        let raw = ctx
            .raw(commit)
            .ok_or_else(|| fail("the release commit cannot be read".into()))?;
        let v = engine
            .verify(&object::split_commit(&raw, ctx.sha256()))
            .map_err(|e| fail(e.to_string()))?;
        if !v.status.passes() {
            return Err(fail(format!(
                "the release commit is {} ({})",
                v.status, v.message
            )));
        }
    }
    let oid = ctx
        .tag_oid(&plan.tag)
        .ok_or_else(|| fail(format!("tag {} is not found", plan.tag)))?;
    let raw = ctx
        .raw(oid)
        .ok_or_else(|| fail("the tag cannot be read".into()))?;
    let signed = object::split_tag(&raw);
    let v = engine.verify(&signed).map_err(|e| fail(e.to_string()))?;
    if !v.status.passes() {
        return Err(fail(format!(
            "tag {} is {} ({})",
            plan.tag, v.status, v.message
        )));
    }
    if signed.tag_name.as_deref() != Some(plan.tag.as_str()) {
        return Err(fail(format!(
            "tag {} names itself {:?}",
            plan.tag, signed.tag_name
        )));
    }
    Ok(())
}

/// Put the repository back as the journal says it was: this release's tag deleted, the
/// branch moved from this release's commit back to its old one, each file's bytes, what a
/// hook changed in other tracked files, the index and `COMMIT_EDITMSG`. Every step is
/// tried; the errors of those that fail are returned together. The journal is removed
/// only when all succeeded.
pub fn undo(ctx: &Context, files: &JournalFiles, journal: &Journal) -> Result<(), String> {
    let mut errors = Vec::new();
    let state = branch(ctx, journal);
    if let Branch::MovedOn(_) = state {
        return Err(moved_on(journal).message);
    }
    let commit = match state {
        Branch::Released(c) => Some(c),
        _ => (!journal.plan.commits())
            .then(|| Oid::from_hex(&journal.head))
            .flatten(),
    };
    if let Some(oid) = release_tag(ctx, journal, commit) {
        let tag_ref = format!("refs/tags/{}", journal.plan.tag);
        if let Err(e) = ctx
            .git
            .run(&["update-ref", "-d", &tag_ref, &oid.to_string()])
        {
            errors.push(e.to_string());
        }
    }
    if let Branch::Released(c) = state {
        if let Err(e) = ctx.git.run(&[
            "update-ref",
            "-m",
            "secure-release: undo",
            &journal.branch_ref(),
            &journal.head,
            &c.to_string(),
        ]) {
            errors.push(e.to_string());
        }
    }
    if let Err(e) = files.restore_index(&ctx.index_path()) {
        errors.push(e);
    }
    for f in &journal.plan.files {
        if let Err(e) = std::fs::write(ctx.workdir.join(&f.path), &f.old) {
            errors.push(format!("cannot restore {}: {e}", f.path));
        }
    }
    if let Err(e) = undo_hook_changes(ctx, journal) {
        errors.push(e);
    }
    // Checking files out touches the index: it is put back as it was once more, last.
    if let Err(e) = files.restore_index(&ctx.index_path()) {
        errors.push(e);
    }
    if let Err(e) = restore_commit_editmsg(ctx, journal) {
        errors.push(e);
    }
    if errors.is_empty() {
        files.finish()
    } else {
        Err(errors.join("; "))
    }
}

fn commit_editmsg(ctx: &Context) -> PathBuf {
    ctx.repo.git_dir().join("COMMIT_EDITMSG")
}

/// `COMMIT_EDITMSG` as it is now, for the journal.
pub fn read_commit_editmsg(ctx: &Context) -> Option<Vec<u8>> {
    std::fs::read(commit_editmsg(ctx)).ok()
}

fn restore_commit_editmsg(ctx: &Context, journal: &Journal) -> Result<(), String> {
    let path = commit_editmsg(ctx);
    let done = match &journal.commit_editmsg {
        Some(bytes) => std::fs::write(&path, bytes),
        None => match std::fs::remove_file(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        },
    };
    done.map_err(|e| format!("cannot restore {}: {e}", path.display()))
}

/// Tracked files that differ from the index now (with the index as it was before the
/// release) but were unchanged before it: a hook (pre-commit, commit-msg) changed them.
/// They are checked out from the release's starting commit, which is what they held.
fn undo_hook_changes(ctx: &Context, journal: &Journal) -> Result<(), String> {
    let changed = ctx
        .git
        .changed_tracked_files()
        .map_err(|e| format!("cannot read the work tree's status: {e}"))?;
    let ours = journal.plan.paths();
    let touched: Vec<&str> = changed
        .iter()
        .map(String::as_str)
        .filter(|p| !ours.contains(p) && !journal.plan.dirty.iter().any(|d| d == p))
        .collect();
    if touched.is_empty() {
        return Ok(());
    }
    let mut args = vec!["--literal-pathspecs", "checkout", &journal.head, "--"];
    args.extend(&touched);
    ctx.git.run(&args).map(|_| ()).map_err(|e| {
        format!(
            "cannot undo what a hook changed in {}: {e}",
            touched.join(", ")
        )
    })
}

/// git's lock files that block the release's steps, split into those this release's own
/// killed `git commit`/`git tag` left (made after the journal began) and the others.
pub fn git_locks(
    ctx: &Context,
    journal: Option<&Journal>,
    branch: &str,
    tag: &str,
) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let git_dir = ctx.repo.git_dir();
    let common = ctx.repo.common_dir();
    let mut candidates = vec![git_dir.join("index.lock"), git_dir.join("HEAD.lock")];
    if let Ok(entries) = std::fs::read_dir(git_dir) {
        candidates.extend(entries.flatten().map(|e| e.path()).filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("next-index-") && n.ends_with(".lock"))
        }));
    }
    if !branch.is_empty() {
        candidates.push(common.join(format!("refs/heads/{branch}.lock")));
    }
    if !tag.is_empty() {
        candidates.push(common.join(format!("refs/tags/{tag}.lock")));
    }
    candidates.push(common.join("packed-refs.lock"));
    let started = journal.map(|j| j.started);
    candidates
        .into_iter()
        .filter(|p| p.symlink_metadata().is_ok())
        .partition(|p| {
            let made = p
                .symlink_metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .and_then(|d| i64::try_from(d.as_secs()).ok());
            matches!((started, made), (Some(s), Some(m)) if m >= s)
        })
}
