//! `git secure-release verify` (contract §2.3): HEAD, every release tag, each REV, and with
//! `--commits` every commit of a range, each with git's own verdict on its signature.

mod verifier;

use verifier::{Verifier, CHUNK};

use super::repo::Repo;
use crate::error::UserError;
use crate::git::oid::{Kind as ObjectKind, ObjectId};
use crate::git::tags;
use crate::report::{self, GREEN, RED, YELLOW};
use crate::signing::engine::{Engine, EngineError, VerifyConfig};
use crate::signing::object;
use crate::signing::{Format, Signer, Status, Trust};

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Print one JSON object: {"ok", "results": [...]}.
    #[arg(long)]
    pub json: bool,

    /// Verify every commit of this revision range (for example v0.1.0..HEAD): alone, the range
    /// and nothing else; with REVs, both.
    #[arg(long, value_name = "RANGE")]
    pub commits: Option<String>,

    /// Check every signature with gpg or ssh-keygen, one process per object, never in-process
    /// (also GIT_SECURE_RELEASE_NO_FAST_PATH=1). Slower; the verdicts are the same.
    #[arg(long)]
    pub no_fast_path: bool,

    /// Tags or commits to verify; without any, HEAD and every release tag.
    #[arg(value_name = "REV")]
    pub revs: Vec<String>,
}

/// One object to verify: what the user named it, and, for a tag ref, the ref's tag name.
#[derive(Debug)]
struct Target {
    name: String,
    oid: ObjectId,
    kind: Kind,
    /// For a ref under refs/tags: the tag name the ref gives it.
    ref_tag: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Commit,
    Tag,
}

/// One line of the report; its JSON form is contract §2.3's result object.
#[derive(Debug, serde::Serialize)]
pub struct VerifyResult {
    target: String,
    object: String,
    #[serde(rename = "type")]
    kind: Kind,
    status: Status,
    format: Option<Format>,
    signer: Option<Signer>,
    trust: Option<Trust>,
    message: String,
    #[serde(skip)]
    warning: Option<String>,
}

#[derive(Debug, serde::Serialize)]
struct Report {
    ok: bool,
    results: Vec<VerifyResult>,
}

impl From<EngineError> for UserError {
    fn from(e: EngineError) -> Self {
        let hint = e.hint();
        UserError::refused(e.to_string()).with_hint(hint)
    }
}

pub fn run(args: &VerifyArgs) -> anyhow::Result<()> {
    // Like git's own readers, objects are not re-hashed on every read. (libgit2's object
    // cache stays on: bounded, and it keeps delta bases for the packed commits that follow.)
    git2::opts::strict_hash_verification(false);
    let repo = Repo::open()?;
    let mut engine = Engine::new(VerifyConfig::from_git(&repo.config, repo.base())?);
    if args.no_fast_path {
        engine.set_fast(false);
    }
    // Learn the keyring while the targets are listed and read, when HEAD (which nearly always
    // shares its signature format with the tags) says it will be needed.
    if let Some((_, raw)) = repo.repo.head().id.and_then(|id| repo.raw(id).ok()) {
        engine.preload(&object::split_commit(&raw, repo.sha256()));
    }
    let mut targets = Vec::new();
    // `--commits` alone checks the range and nothing else (contract §2.3).
    if args.revs.is_empty() && args.commits.is_none() {
        targets.extend(default_targets(&repo)?);
    }
    for rev in &args.revs {
        targets.push(target(&repo, rev)?);
    }
    let mut results = Vec::new();
    let mut verifier = Verifier::new(&repo);
    verifier.verify(&mut engine, &targets, &mut results)?;
    // Lines are printed as their objects are verified (while git still lists a range); the
    // names' column is as wide as the longest, which with --commits is a commit id's.
    let id_width = if repo.sha256() { 64 } else { 40 };
    let width = if args.commits.is_some() {
        id_width
    } else {
        results
            .iter()
            .map(|r| r.target.len())
            .max()
            .unwrap_or(0)
            .min(id_width)
    };
    // Without --json a line is printed and forgotten (memory flat in the range's length);
    // what the end needs is kept: the counts and the warnings.
    let mut tally = Tally::default();
    let mut show = |results: &mut Vec<VerifyResult>| -> Result<(), UserError> {
        let fresh = &results[tally.kept..];
        tally.total += fresh.len();
        tally.failed += fresh.iter().filter(|r| !r.status.passes()).count();
        if args.json {
            tally.kept = results.len();
            return Ok(());
        }
        report::out_each(render(fresh, width))
            .map_err(|e| UserError::refused(format!("cannot write the report: {e}")))?;
        tally.warnings.extend(results.drain(..).filter_map(|r| {
            let w = r.warning?;
            Some(format!(
                "{}: {}",
                report::value(&r.target),
                report::value(&w)
            ))
        }));
        Ok(())
    };
    show(&mut results)?;
    if let Some(range) = &args.commits {
        engine.settle();
        range_in_chunks(&repo, range, |chunk| {
            verifier.verify(&mut engine, &chunk, &mut results)?;
            show(&mut results)
        })?;
    }
    let Tally {
        total,
        failed,
        warnings,
        ..
    } = tally;
    crate::report::trace(format_args!("verify: {total} objects verified"));
    let ok = failed == 0;
    if args.json {
        report::json(&Report { ok, results })?;
    }
    for w in &warnings {
        report::warn(w);
    }
    if ok {
        Ok(())
    } else {
        Err(UserError::refused(format!("{failed} of {total} objects are not validly signed"))
            .with_hint("sign commits with `git commit -S` and tags with `git tag -s`; `git secure-release doctor` checks the set-up")
            .reported()
            .into())
    }
}

/// What the end of a run needs of the results already printed.
#[derive(Default)]
struct Tally {
    total: usize,
    failed: usize,
    /// Results still held (with --json, all of them).
    kept: usize,
    warnings: Vec<String>,
}

/// HEAD and every release tag.
fn default_targets(repo: &Repo) -> Result<Vec<Target>, UserError> {
    let head = repo.repo.head().id.ok_or_else(|| {
        UserError::refused("HEAD does not point at a commit yet (no commits on this branch)")
            .with_hint("make a first commit, or name what to verify")
    })?;
    let oid = repo.repo.peel_to_commit(head).ok_or_else(|| {
        UserError::refused(format!("HEAD ({head}) does not point at a readable commit"))
            .with_hint("git fsck")
    })?;
    let mut out = vec![Target {
        name: "HEAD".into(),
        oid,
        kind: Kind::Commit,
        ref_tag: None,
    }];
    // One pass over the tag refs: each read once, for its name and its target.
    let mut release = Vec::new();
    let refs = repo
        .repo
        .refs("refs/tags/")
        .map_err(|e| UserError::refused(format!("cannot list tags: {e}")))?;
    for (full, oid) in refs {
        let Some(name) = full.strip_prefix("refs/tags/") else {
            continue;
        };
        let Some((_, version)) = tags::split_release_tag(name) else {
            continue;
        };
        let target = Target {
            name: name.to_owned(),
            oid,
            kind: Kind::Tag,
            ref_tag: Some(name.to_owned()),
        };
        release.push((version, target));
    }
    release.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.name.cmp(&y.name)));
    out.extend(release.into_iter().map(|(_, t)| t));
    Ok(out)
}

/// What `rev` names: a tag ref (annotated or lightweight), or a commit.
fn target(repo: &Repo, rev: &str) -> Result<Target, UserError> {
    // A tag ref only where git itself takes `rev` for one: `HEAD` is HEAD and a full object
    // name is that object, whatever tags are named so (a fetched tag `HEAD` must never
    // stand in for HEAD).
    let full = repo.repo.full_ref_name(rev);
    if let Some(tag_ref) = full.as_deref().and_then(|f| f.strip_prefix("refs/tags/")) {
        if let Some(oid) = full.as_deref().and_then(|f| repo.repo.ref_id(f)) {
            return Ok(Target {
                name: rev.to_owned(),
                oid,
                kind: Kind::Tag,
                ref_tag: Some(tag_ref.to_owned()),
            });
        }
    }
    let (oid, kind) = repo.resolve(rev)?;
    match kind {
        ObjectKind::Tag => Ok(Target {
            name: rev.to_owned(),
            oid,
            kind: Kind::Tag,
            ref_tag: None,
        }),
        ObjectKind::Commit => Ok(Target {
            name: rev.to_owned(),
            oid,
            kind: Kind::Commit,
            ref_tag: None,
        }),
        other => Err(UserError::refused(format!(
            "{rev:?} names a {}, not a commit or tag",
            other.as_str()
        ))),
    }
}

/// Every commit in `range` (`A..B`, `A...B`, a single revision and its ancestors, or any
/// other range git's `rev-list` takes), in git log's order, handed to `each` a chunk at a
/// time while git still lists the rest (listing and verifying overlap).
fn range_in_chunks(
    repo: &Repo,
    range: &str,
    mut each: impl FnMut(Vec<Target>) -> Result<(), UserError>,
) -> Result<(), UserError> {
    if range.starts_with('-') || range.is_empty() {
        return Err(UserError::usage(format!(
            "--commits {:?} is not a revision range",
            report::value(range)
        ))
        .with_hint("give a revision range such as v0.1.0..HEAD"));
    }
    let git = crate::git::runner::Git::new(repo.base());
    let cmd = git.cmd(&["rev-list", "--end-of-options", range]);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Target>>(4);
    std::thread::scope(|scope| {
        let lister = scope.spawn(move || {
            let mut chunk = Vec::with_capacity(CHUNK);
            let mut bad = None;
            let out = cmd.each_line(|line| {
                let Some(oid) = std::str::from_utf8(line).ok().and_then(ObjectId::from_hex) else {
                    bad = Some(String::from_utf8_lossy(line).into_owned());
                    return false;
                };
                chunk.push(Target {
                    name: oid.to_string(),
                    oid,
                    kind: Kind::Commit,
                    ref_tag: None,
                });
                chunk.len() < CHUNK
                    || tx
                        .send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))
                        .is_ok()
            });
            if !chunk.is_empty() {
                let _ = tx.send(chunk);
            }
            (out, bad)
        });
        let mut outcome = Ok(());
        for chunk in rx {
            if outcome.is_ok() {
                outcome = each(chunk);
            }
        }
        let bad = |why: String| {
            UserError::refused(format!("--commits {}: {why}", report::value(range)))
                .with_hint("give a revision range such as v0.1.0..HEAD")
        };
        match lister.join() {
            Ok((Ok(out), None)) if out.ok() => outcome,
            Ok((Ok(out), None)) => outcome.and(Err(bad(out.stderr_text()))),
            Ok((Ok(_), Some(line))) => Err(bad(format!(
                "git rev-list printed {}, not a commit id",
                report::value(&line)
            ))),
            Ok((Err(e), _)) => Err(UserError::refused(e.to_string()).with_hint("install git")),
            Err(_) => Err(bad("listing the range failed".to_owned())),
        }
    })
}

/// One line per result, the targets' column `width` wide.
fn render(results: &[VerifyResult], width: usize) -> impl Iterator<Item = String> + '_ {
    results.iter().map(move |r| {
        let style = match r.status {
            Status::Good => GREEN,
            Status::ExpiredKey => YELLOW,
            _ => RED,
        };
        let status = report::paint_out(style, &format!("{:<17}", r.status.as_str()));
        let short = &r.object[..r.object.len().min(12)];
        let kind = match r.kind {
            Kind::Commit => "commit",
            Kind::Tag => "tag",
        };
        let detail = match (&r.signer, r.status) {
            (Some(s), Status::Good | Status::ExpiredKey) => {
                format!("{} by {s}", r.format.map_or("", |f| f.as_str()))
            }
            _ => r.message.clone(),
        };
        format!(
            "{status} {:<width$} {kind:<6} {short}  {}\n",
            report::value(&r.target),
            report::value(&detail)
        )
    })
}
