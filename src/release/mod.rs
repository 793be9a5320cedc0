//! The release (contract §2.1), by stage: resolve ([`context`], the lock taken first) →
//! plan and check ([`plan`], [`preflight`], [`inputs`]) → apply ([`transaction`], with its
//! [`journal`]) → record ([`record`]) → push ([`push`]). This file only sequences them.
//! All or nothing: a failure after preflight puts the repository back exactly as it was.

mod context;
mod identify;
mod inputs;
pub mod journal;
mod lock;
mod plan;
pub mod preflight;
mod push;
pub mod record;
mod transaction;

use crate::error::UserError;
use crate::signing::engine::Engine;
use crate::version::{self, Target};
use context::Context;
use journal::{Journal, JournalFiles, FORGET};
pub use plan::Plan;
use transaction::Branch;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub target: Target,
    pub message: Option<String>,
    /// Where `message` came from (`-m`, `-F FILE`), to name it in a refusal.
    pub message_from: &'static str,
    pub tag_prefix: Option<String>,
    pub allow_dirty: bool,
    pub allow_unsigned: bool,
    pub no_verify: bool,
    /// `Some(None)`: `--push` without a remote.
    pub push: Option<Option<String>>,
    pub dry_run: bool,
}

/// What a finished release reports (contract §2.1's JSON).
#[derive(Debug, serde::Serialize)]
pub struct Outcome {
    pub version: String,
    pub tag: String,
    pub commit: Option<String>,
    pub source_date_epoch: Option<i64>,
    pub files: Vec<String>,
    #[serde(skip)]
    pub push_command: Vec<String>,
    /// What the user should know although the release went ahead (a release on a
    /// maintenance line, …); in `--json` only when there is something.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub plan_text: Option<String>,
    #[serde(skip)]
    pub push_error: Option<String>,
    /// Whether the branch and tag were pushed.
    #[serde(skip)]
    pub pushed: bool,
    /// When only a tag was made: HEAD's own verdict (`good`, `unsigned`, `unknown-key`, …).
    #[serde(skip)]
    pub head_verdict: Option<String>,
}

impl Outcome {
    fn of(plan: &Plan) -> Outcome {
        Outcome {
            version: plan.version.clone(),
            tag: plan.tag.clone(),
            commit: None,
            source_date_epoch: None,
            files: plan.file_names(),
            push_command: plan.push_command(),
            warnings: Vec::new(),
            plan_text: None,
            push_error: None,
            pushed: false,
            head_verdict: None,
        }
    }
}

/// Run a release: the lock, the preflight, then (unless a dry run) the transaction.
pub fn run(opts: &Options) -> Result<Outcome, UserError> {
    let _lock = context::take_lock()?;
    // The test signature is the slowest check (git and the signing program): it starts
    // first, before git's configuration is read, and runs beside everything else.
    let test_signature = context::start_test_signature();
    let ctx = Context::resolve()?;
    crate::report::trace("release: repository and project read");
    clear_leftover(&ctx.journal());
    let (branch, mut found) = preflight::head_state(&ctx);
    let (plan, plan_problems) = plan::build(&ctx, opts, branch.as_deref());
    found.extend(plan_problems);
    let (plan, warnings, mut engine) = preflight::run(&ctx, opts, plan, found, test_signature)?;
    crate::report::trace("release: preflight passed");
    if opts.dry_run {
        let mut outcome = Outcome::of(&plan);
        outcome.plan_text = Some(plan.render());
        outcome.warnings = warnings;
        return Ok(outcome);
    }
    let mut journal = Journal {
        head: ctx.head.map(|h| h.to_string()).unwrap_or_default(),
        started: chrono::Utc::now().timestamp(),
        commit_editmsg: transaction::read_commit_editmsg(&ctx),
        commit: None,
        tag_object: None,
        plan,
    };
    let files = ctx.journal();
    files
        .begin(&journal, &ctx.index_path())
        .map_err(|e| UserError::refused(format!("{e}; nothing was changed")))?;
    crate::report::trace("release: journal written");
    let mut outcome = finish(&ctx, &mut engine, &mut journal, &files)?;
    outcome.warnings = warnings;
    Ok(outcome)
}

/// Steps 2–6 from the journal: write, commit, tag, post-check, then record and push. On
/// failure, undo.
fn finish(
    ctx: &Context,
    engine: &mut Engine,
    journal: &mut Journal,
    files: &JournalFiles,
) -> Result<Outcome, UserError> {
    match transaction::apply(ctx, engine, journal, files) {
        Ok((commit, epoch)) => {
            files.finish().map_err(UserError::refused)?;
            let plan = &journal.plan;
            let mut outcome = Outcome::of(plan);
            outcome.commit = Some(commit.to_string());
            outcome.source_date_epoch = Some(epoch);
            if !plan.commits() {
                // Only a tag was made: the closing line gives HEAD's own verdict.
                outcome.head_verdict = Some(
                    ctx.raw(commit)
                        .map(|raw| crate::signing::object::split_commit(&raw, ctx.sha256()))
                        .and_then(|signed| engine.verify(&signed).ok())
                        .map_or_else(
                            || "not verifiable here".to_owned(),
                            |v| v.status.to_string(),
                        ),
                );
            }
            record::github(&plan.version, &plan.tag, epoch)?;
            if plan.push {
                match push::run(ctx, plan) {
                    Ok(()) => outcome.pushed = true,
                    Err(e) => outcome.push_error = Some(e),
                }
            }
            Ok(outcome)
        }
        Err(failure) => {
            let message = match transaction::undo(ctx, files, journal) {
                Ok(()) => format!("the release failed: {}\n  nothing was changed: the repository is as it was", failure.message),
                Err(e) => format!(
                    "the release failed: {}\n  and putting the repository back failed too: {e}\n  the journal {} is kept",
                    failure.message,
                    files.path().display()
                ),
            };
            Err(UserError::refused(message).with_hint(failure.hint))
        }
    }
}

/// Remove what a release killed while beginning or ending its journal left, saying so.
fn clear_leftover(files: &JournalFiles) {
    if files.clear_leftover() {
        crate::report::note("note: removed what a release killed before it changed anything (or after it was done) left in the git directory");
    }
}

/// The interrupted release's journal, for `--abort` or `--continue` (`what`), checked safe to
/// act on: readable, the branch where the release left it, git's lock files in the way
/// removed when this release's own killed git left them.
fn interrupted(
    what: &str,
) -> Result<(Option<lock::Lock>, Context, JournalFiles, Journal), UserError> {
    let lock = context::take_lock()?;
    let ctx = Context::resolve()?;
    let files = ctx.journal();
    clear_leftover(&files);
    if !files.exists() {
        return Err(
            UserError::refused(format!("there is no interrupted release to {what}"))
                .with_hint("git secure-release <version> starts one"),
        );
    }
    let journal = files.read().map_err(|e| {
        UserError::refused(format!("{e}: it cannot be undone or finished")).with_hint(format!(
            "to discard the journal and touch nothing else: {FORGET}"
        ))
    })?;
    if let Branch::MovedOn(tip) = transaction::branch(&ctx, &journal) {
        return Err(UserError::refused(format!(
            "{} has moved on since the interrupted release (it was at {}, it is at {}): nothing was changed",
            journal.branch_ref(),
            journal.head,
            tip.map_or_else(|| "nothing".to_owned(), |t| t.to_string())
        ))
        .with_hint(format!(
            "sort it out by hand (git log, git tag -l {}), then discard the journal: {FORGET}",
            journal.plan.tag
        )));
    }
    let (ours, others) = transaction::git_locks(
        &ctx,
        Some(&journal),
        &journal.plan.branch,
        &journal.plan.tag,
    );
    if !others.is_empty() {
        let problems: Vec<String> = others
            .iter()
            .map(|l| {
                let p = inputs::lock_problem(l);
                format!("{} ({})", p.message, p.hint)
            })
            .collect();
        return Err(UserError::refused(problems.join("\n  ")).with_hint(format!(
            "then run git secure-release --{what} again; nothing was changed"
        )));
    }
    for l in ours {
        std::fs::remove_file(&l)
            .map_err(|e| UserError::refused(format!("cannot remove {}: {e}", l.display())))?;
        crate::report::note(&format!(
            "removed {}, left by the interrupted release's own git",
            l.display()
        ));
    }
    Ok((lock, ctx, files, journal))
}

/// `--abort`: put the repository back as it was before the interrupted release.
pub fn abort() -> Result<String, UserError> {
    let (_lock, ctx, files, journal) = interrupted("abort")?;
    transaction::undo(&ctx, &files, &journal)
        .map_err(|e| UserError::refused(format!("putting the repository back failed: {e}")))?;
    Ok(format!(
        "the interrupted release of {} is undone: the repository is as it was before it",
        journal.plan.version
    ))
}

/// `--abort --forget-journal`: remove the journal of an interrupted release (a damaged one,
/// or one whose branch moved on) and touch nothing else.
pub fn forget_journal() -> Result<String, UserError> {
    let _lock = context::take_lock()?;
    let ctx = Context::resolve()?;
    let files = ctx.journal();
    if files.clear_leftover() {
        return Ok("removed what was left of a journal; nothing else was touched".to_owned());
    }
    if !files.exists() {
        return Err(UserError::refused("there is no journal to discard")
            .with_hint("git secure-release <version> starts a release"));
    }
    files.finish().map_err(UserError::refused)?;
    Ok(format!(
        "discarded the journal {}; nothing else was touched (look at the branch and tags with `git log` and `git tag`)",
        files.path().display()
    ))
}

/// `--continue`: finish the interrupted release from where it stopped.
pub fn resume() -> Result<Outcome, UserError> {
    let (_lock, ctx, files, mut journal) = interrupted("continue")?;
    // A continued release prints its push command; it pushes only when asked again.
    journal.plan.push = false;
    let mut engine = ctx.engine()?;
    finish(&ctx, &mut engine, &mut journal, &files)
}

/// Parse the target the user typed, for the command line.
pub fn target(text: &str, pre: Option<version::PreKind>) -> Result<Target, UserError> {
    Target::parse(text, pre).map_err(UserError::usage)
}
