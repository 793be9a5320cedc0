//! The release's preflight (contract §2.1 step 1): every check runs, and every failure is
//! reported together with its fix. Nothing here writes anything.

use crate::git::oid::Kind;

use super::context::{Context, TestSignature};
use super::journal::FORGET;
use super::plan::Plan;
use super::{inputs, Options};
use crate::doctor::{self, CheckStatus};
use crate::error::UserError;
use crate::signing::engine::Engine;
use crate::signing::{object, testsig, Format};

/// A reason the release is refused, with the command that fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub hint: String,
}

impl Problem {
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Problem {
        Problem {
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// Every check, all failures reported together with those `found` while resolving and
/// planning: the plan to carry out, the warnings, and the engine (its keyring loaded) for
/// the post-check.
pub fn run(
    ctx: &Context,
    opts: &Options,
    mut plan: Option<Plan>,
    found: Vec<Problem>,
    test_signature: Option<TestSignature>,
) -> Result<(Plan, Vec<String>, Engine), UserError> {
    let mut engine = engine(ctx)?;
    let mut problems = journal_left(ctx);
    problems.extend(found);
    let rewrites: Vec<String> = plan
        .as_ref()
        .map(|p| p.paths().into_iter().map(str::to_owned).collect())
        .unwrap_or_default();
    let (dirty_problems, dirty) = self::dirty(ctx, opts.allow_dirty, &rewrites);
    problems.extend(dirty_problems);
    if let Some(plan) = plan.as_mut() {
        plan.dirty = dirty;
        problems.extend(inputs::check(ctx, plan));
    }
    if let Some(b) = ctx.head.and(ctx.branch.as_deref()) {
        problems.extend(self::branch(ctx, b));
    }
    crate::report::trace("preflight: work tree and branch checked");
    let (sig_problems, mut warnings) = signatures(ctx, &mut engine, opts.allow_unsigned);
    if let (Some(greater), Some(plan)) = (&ctx.newest_elsewhere, &plan) {
        if crate::version::parse(&plan.version).is_ok_and(|v| v < greater.version) {
            warnings.push(format!(
                "{} is greater and HEAD cannot reach it: this is a release on a maintenance line",
                greater.name
            ));
        }
    }
    crate::report::trace("preflight: HEAD and the newest tag verified");
    problems.extend(sig_problems);
    problems.extend(signing(ctx, test_signature, &mut engine));
    crate::report::trace("preflight: signing set-up checked");
    match plan {
        Some(plan) if problems.is_empty() => Ok((plan, warnings, engine)),
        _ => Err(refuse(problems)),
    }
}

/// All problems as one refusal.
fn refuse(problems: Vec<Problem>) -> UserError {
    let mut message = if problems.len() == 1 {
        "the release is refused:".to_owned()
    } else {
        format!("the release is refused ({} problems):", problems.len())
    };
    for p in &problems {
        message.push_str(&format!("\n  - {}\n    fix: {}", p.message, p.hint));
    }
    let mut e = UserError::refused(message)
        .with_hint("nothing was changed; fix the problems above and run it again");
    e.problems = problems.into_iter().map(|p| (p.message, p.hint)).collect();
    e
}

/// The verification engine for HEAD, the newest tag, the test signature and the
/// post-check, its keyring learned in another thread beside the other checks. Every format
/// the release meets is known now (the configured one, HEAD's, the newest tag's): without
/// X.509, gpgme may skip learning where gpgsm lives.
fn engine(ctx: &Context) -> Result<Engine, UserError> {
    let newest_format = ctx.newest_tag().and_then(|t| {
        let (kind, raw) = ctx.raw_typed(t.target)?;
        (kind == Kind::Tag).then(|| object::split_tag(&raw).format())?
    });
    let head = ctx
        .head
        .and_then(|h| ctx.raw(h))
        .map(|raw| object::split_commit(&raw, ctx.sha256()));
    let head_format = head.as_ref().and_then(|h| h.format());
    let configured_x509 = ctx
        .config
        .get("gpg.format")
        .is_some_and(|f| f.eq_ignore_ascii_case("x509"));
    if !configured_x509 && ![head_format, newest_format].contains(&Some(Format::X509)) {
        crate::signing::gpg::without_x509();
    }
    let mut engine = ctx.engine()?;
    if let Some(head) = &head {
        engine.preload(head);
    }
    Ok(engine)
}

/// An interrupted release's journal stops every new release.
fn journal_left(ctx: &Context) -> Vec<Problem> {
    let journal = ctx.journal();
    if !journal.exists() {
        return Vec::new();
    }
    let hint = match journal.read() {
        Ok(_) => "git secure-release --abort (put the repository back) or git secure-release --continue (finish it)".to_owned(),
        Err(e) => format!("{e}; to discard it and touch nothing else: {FORGET}"),
    };
    vec![Problem::new(
        format!(
            "an interrupted release left its journal at {}",
            journal.path().display()
        ),
        hint,
    )]
}

/// The branch HEAD is on, or why there is none to release on.
pub fn head_state(ctx: &Context) -> (Option<String>, Vec<Problem>) {
    match (&ctx.branch, ctx.head) {
        (Some(b), Some(_)) => (Some(b.clone()), Vec::new()),
        (_, None) => (
            None,
            vec![Problem::new(
                "HEAD is unborn: the branch has no commit yet",
                "make a first commit, then release",
            )],
        ),
        (None, Some(_)) => (
            None,
            vec![Problem::new(
                "HEAD is detached: a release is made on a branch",
                "git switch <branch>",
            )],
        ),
    }
}

/// `*` matches any run of characters (`/` included), `?` one character; the rest literally.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            while pi < p.len() && p[pi] == '*' {
                pi += 1;
            }
            star = Some(pi);
            mark = ti;
        } else if let Some(s) = star {
            pi = s;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// The work-tree checks: tracked files modified, and files the release rewrites. Also
/// returns the modified files (which an undo leaves as they are).
pub fn dirty(ctx: &Context, allow_dirty: bool, rewrites: &[String]) -> (Vec<Problem>, Vec<String>) {
    let changed = match ctx.git.changed_tracked_files() {
        Ok(changed) => changed,
        Err(e) => {
            let problem = Problem::new(
                format!("cannot read the work tree's status: {e}"),
                "git status",
            );
            return (vec![problem], Vec::new());
        }
    };
    let problems = dirty_problems(allow_dirty, rewrites, &changed);
    (problems, changed)
}

fn dirty_problems(allow_dirty: bool, rewrites: &[String], changed: &[String]) -> Vec<Problem> {
    if changed.is_empty() {
        return Vec::new();
    }
    let show = |list: &[String]| {
        let mut s = list.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
        if list.len() > 5 {
            s.push_str(&format!(" and {} more", list.len() - 5));
        }
        s
    };
    if !allow_dirty {
        return vec![Problem::new(
            format!("tracked files have uncommitted changes: {}", show(changed)),
            "commit or stash them (git stash), or pass --allow-dirty",
        )];
    }
    let touched: Vec<String> = changed
        .iter()
        .filter(|c| rewrites.contains(c))
        .cloned()
        .collect();
    if touched.is_empty() {
        Vec::new()
    } else {
        vec![Problem::new(
            format!(
                "files the release rewrites have uncommitted changes of their own: {}",
                show(&touched)
            ),
            "commit or stash the changes to those files first (--allow-dirty does not cover them)",
        )]
    }
}

/// How to get onto a branch `allowed` permits: an existing one that matches, else a plain
/// name to create, else what to name a new one.
fn allowed_branch_fix(ctx: &Context, allowed: &[String]) -> String {
    let existing = ctx
        .repo
        .refs("refs/heads/")
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(name, _)| name.strip_prefix("refs/heads/").map(str::to_owned))
        .find(|name| allowed.iter().any(|p| glob_match(p, name)));
    if let Some(name) = existing {
        return format!(
            "switch to an allowed branch: git switch {}",
            crate::report::shell_word(&name)
        );
    }
    match allowed.iter().find(|p| !p.contains(['*', '?'])) {
        Some(plain) => format!(
            "create an allowed branch: git switch -c {}",
            crate::report::shell_word(plain)
        ),
        None => format!(
            "create a branch whose name matches {}: git switch -c <name>",
            allowed.join(" or ")
        ),
    }
}

/// The branch, its configuration, and where it stands against its upstream.
pub fn branch(ctx: &Context, branch: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let allowed = &ctx.project_config().allow_branch;
    if !allowed.is_empty() && !allowed.iter().any(|p| glob_match(p, branch)) {
        problems.push(Problem::new(
            format!(
                "branch {branch} is not one [tool.secure-release] allow-branch permits ({})",
                allowed.join(", ")
            ),
            allowed_branch_fix(ctx, allowed),
        ));
    }
    // `git rev-list --count BRANCH..BRANCH@{upstream}`: the upstream as branch.<name>.remote
    // and .merge name it, through the remote's fetch refspec; none, or never fetched: no check.
    let behind = ctx.repo.behind_upstream(branch).unwrap_or(0);
    if behind > 0 {
        problems.push(Problem::new(
            format!("branch {branch} is {behind} commit(s) behind its upstream (as git last fetched it)"),
            "git pull --ff-only   (then release)",
        ));
    }
    problems
}

/// The signing section of `doctor`, held to what a release needs, with the test signature
/// `made` beside it and judged by the release's engine (whose keyring is already loaded for
/// HEAD). Whether git signs *by default* does not matter here: the release signs explicitly.
///
/// A test signature that git made with the user's configuration and that verifies as `good`
/// shows everything the other signing checks look for (git runs and knows the format, the
/// program is found, the key is there with its secret part, usable, unexpired, unrevoked),
/// so the checks that cost processes (`git --version`, the secret-key listing) run only
/// when it did not, to say why; the identity and the format are read from the
/// configuration every time.
pub fn signing(ctx: &Context, made: Option<TestSignature>, engine: &mut Engine) -> Vec<Problem> {
    let world = doctor::World {
        git: ctx.git.clone(),
        config: ctx.config.clone(),
        repo: None,
        cwd: ctx.workdir.clone(),
        global: false,
    };
    let made = match made.map(std::thread::JoinHandle::join) {
        Some(Ok(made)) => made,
        Some(Err(_)) | None => Err(testsig::SignFailure {
            message: "the test signature stopped unexpectedly".into(),
            hint: "git secure-release doctor".into(),
        }),
    };
    let test = doctor::judge_test_signature(made, engine, &ctx.config);
    let quick = doctor::signing_checks_from_config(&world);
    if test.status == CheckStatus::Pass && quick.iter().all(|c| c.status != CheckStatus::Fail) {
        return Vec::new();
    }
    let world = doctor::World {
        repo: crate::git::discover(),
        ..world
    };
    let (checks, wanted) = doctor::signing_checks_but_test(&world);
    checks
        .into_iter()
        .chain(wanted.is_ok().then_some(test))
        .filter(|c| {
            c.status == CheckStatus::Fail
                && !matches!(c.id, "signing.commit-default" | "signing.tag-default")
        })
        .map(problem)
        .collect()
}

fn problem(c: doctor::Check) -> Problem {
    Problem::new(format!("{}: {}", c.id, c.message), c.hint)
}

/// HEAD and the newest release tag must be validly signed (warnings with --allow-unsigned).
pub fn signatures(
    ctx: &Context,
    engine: &mut Engine,
    allow_unsigned: bool,
) -> (Vec<Problem>, Vec<String>) {
    let mut findings = Vec::new();
    if let Some(head) = ctx.head {
        match ctx
            .raw(head)
            .map(|raw| engine.verify(&object::split_commit(&raw, ctx.sha256())))
        {
            Some(Ok(v)) if v.status.passes() => {}
            Some(Ok(v)) => findings.push(Problem::new(
                format!(
                    "HEAD ({}) is not validly signed: {} ({})",
                    &head.to_string()[..12],
                    v.status,
                    v.message
                ),
                doctor::advice::commit_fix(&ctx.repo, head, &v, true),
            )),
            Some(Err(e)) => findings.push(Problem::new(
                format!("HEAD cannot be verified: {e}"),
                e.hint(),
            )),
            None => {}
        }
    }
    if let Some(tag) = ctx.newest_tag() {
        let verdict = ctx.raw_typed(tag.target).map(|(kind, raw)| {
            crate::signing::named::verify_tag_ref(engine, &tag.name, kind, &raw)
        });
        match verdict {
            Some(Ok(v)) if v.status.passes() => {}
            Some(Ok(v)) => {
                let target = ctx.repo.peel_to_commit(tag.target);
                let fpr = v
                    .signer
                    .as_ref()
                    .map(|s| s.fingerprint.clone())
                    .unwrap_or_default();
                let fix = doctor::advice::tags_fix(
                    &ctx.repo,
                    &[(tag.name.clone(), target, v.status, fpr)],
                );
                findings.push(Problem::new(
                    format!(
                        "the newest release tag {} is not validly signed: {} ({})",
                        tag.name, v.status, v.message
                    ),
                    format!("{fix}; or pass --allow-unsigned"),
                ));
            }
            Some(Err(e)) => findings.push(Problem::new(
                format!("{} cannot be verified: {e}", tag.name),
                e.hint(),
            )),
            None => {}
        }
    }
    if allow_unsigned {
        let warnings = findings
            .into_iter()
            .map(|p| format!("{} (allowed by --allow-unsigned)", p.message))
            .collect();
        (Vec::new(), warnings)
    } else {
        (findings, Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("main", "main"));
        assert!(glob_match("release/*", "release/1.x"));
        assert!(glob_match("*", "anything/at/all"));
        assert!(glob_match("v?.x", "v1.x"));
        assert!(glob_match("**/hotfix", "a/b/hotfix"));
        assert!(!glob_match("main", "maint"));
        assert!(!glob_match("release/*", "main"));
        assert!(!glob_match("v?.x", "v10.x"));
    }
}
