//! `git secure-release verify` (contract §2.3): HEAD, every release tag, each REV, and with
//! `--commits` every commit of a range, each with git's own verdict on its signature.

use super::repo::Repo;
use crate::error::UserError;
use crate::git::oid::{Kind as ObjectKind, ObjectId};
use crate::git::repo::Reader;
use crate::git::tags;
use crate::report::{self, GREEN, RED, YELLOW};
use crate::signing::engine::{Engine, EngineError, VerifyConfig};
use crate::signing::object::{self, Signed};
use crate::signing::{Format, Signer, Status, Trust, Verdict};

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
    let tag_ref = rev.strip_prefix("refs/tags/").unwrap_or(rev);
    if !rev.starts_with('-') {
        if let Some(oid) = repo.repo.ref_id(&format!("refs/tags/{tag_ref}")) {
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

/// Objects are read and checked this many at a time, so memory does not grow with them.
const CHUNK: usize = 256;

/// Reads each object once and verifies it: a chunk at a time, the fast path on every core,
/// the slow path (one process per object) only for what the fast path left undecided.
struct Verifier<'r> {
    repo: &'r Repo,
    sha256: bool,
    threads: usize,
    /// A reader per reading thread (git2's handles are not shared between threads; through
    /// git, a `git cat-file --batch` each), opened when a chunk is big enough to share out.
    readers: Option<Vec<Reader>>,
}

impl<'r> Verifier<'r> {
    fn new(repo: &'r Repo) -> Verifier<'r> {
        Verifier {
            repo,
            sha256: repo.sha256(),
            threads: std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .clamp(1, 8),
            readers: None,
        }
    }

    fn verify(
        &mut self,
        engine: &mut Engine,
        targets: &[Target],
        results: &mut Vec<VerifyResult>,
    ) -> Result<(), UserError> {
        if self.readers.is_none() && self.threads >= 2 && targets.len() >= 2 * CHUNK_MIN {
            let repo = &self.repo.repo;
            if !repo.through_lib() {
                // Each reader is a `git cat-file`: none may start while gpgme's processes
                // run, or it would hold their pipes open (and gpgme wait for it).
                engine.settle();
            }
            self.readers = Some((0..self.threads).map_while(|_| repo.reader()).collect());
        }
        let (repo, sha256, threads) = (self.repo, self.sha256, self.threads);
        let readers = self.readers.as_deref_mut().unwrap_or_default();
        for chunk in targets.chunks(CHUNK) {
            // Read and split; `None` is a lightweight tag.
            let objects = read_in_parallel(repo, readers, chunk, sha256)?;
            for signed in objects.iter().flatten() {
                engine.prepare(signed)?;
            }
            let decided = fast_in_parallel(engine, &objects, threads);
            crate::report::trace(format_args!(
                "verify: the fast path decided {} of {} objects",
                decided.iter().filter(|d| d.is_some()).count(),
                decided.len()
            ));
            for ((t, signed), fast) in chunk.iter().zip(&objects).zip(decided) {
                results.push(result(engine, t, signed.as_ref(), fast)?);
            }
        }
        Ok(())
    }
}

/// One target's line of the report.
fn result(
    engine: &mut Engine,
    t: &Target,
    signed: Option<&Signed>,
    fast: Option<Verdict>,
) -> Result<VerifyResult, UserError> {
    let verdict = match signed {
        None => Verdict::new(
            Status::Unsigned,
            None,
            "a lightweight tag: it carries no signature (make release tags with `git tag -s`)",
        ),
        Some(signed) => {
            let mut v = match fast {
                Some(v) => v,
                None => engine.verify_slow(signed)?,
            };
            if t.kind == Kind::Tag {
                check_tag_name(&mut v, signed, t.ref_tag.as_deref());
            }
            v
        }
    };
    Ok(VerifyResult {
        target: t.name.clone(),
        object: t.oid.to_string(),
        kind: t.kind,
        status: verdict.status,
        format: verdict.format,
        signer: verdict.signer,
        trust: verdict.trust,
        message: verdict.message,
        warning: verdict.warning,
    })
}

/// Below this many objects a part is not worth a thread.
const CHUNK_MIN: usize = 8;

/// One target's object as read, split; `None` is a lightweight tag.
fn split_target(
    t: &Target,
    read: Result<(ObjectKind, Vec<u8>), crate::git::repo::ReadError>,
    sha256: bool,
) -> Result<Option<Signed>, UserError> {
    let (kind, raw) = read.map_err(|e| UserError::refused(e.to_string()).with_hint("git fsck"))?;
    Ok(match (t.kind, kind) {
        (Kind::Tag, ObjectKind::Tag) => Some(object::split_tag(&raw)),
        (Kind::Tag, _) => None,
        (Kind::Commit, _) => Some(object::split_commit(&raw, sha256)),
    })
}

/// `chunk`'s objects, read by one thread per handle in `readers` (or here, without any), in order.
fn read_in_parallel(
    repo: &Repo,
    readers: &mut [Reader],
    chunk: &[Target],
    sha256: bool,
) -> Result<Vec<Option<Signed>>, UserError> {
    let read_by = |reader: &Reader, part: &[Target]| {
        let ids: Vec<_> = part.iter().map(|t| t.oid).collect();
        part.iter()
            .zip(reader.read_many(&ids))
            .map(|(t, r)| split_target(t, r, sha256))
            .collect::<Result<Vec<_>, _>>()
    };
    let here = |part: &[Target]| read_by(repo.repo.own_reader(), part);
    if readers.len() < 2 || chunk.len() < CHUNK_MIN {
        return here(chunk);
    }
    let size = chunk.len().div_ceil(readers.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunk
            .chunks(size)
            .zip(readers.iter_mut())
            .map(|(part, reader)| {
                let read = scope.spawn(move || read_by(reader, part));
                (part, read)
            })
            .collect();
        let mut objects = Vec::with_capacity(chunk.len());
        for (part, read) in handles {
            // A part whose thread failed is read again here.
            objects.extend(read.join().unwrap_or_else(|_| here(part))?);
        }
        Ok(objects)
    })
}

/// The fast path's verdicts on `objects`, split across `threads` threads, in order.
fn fast_in_parallel(
    engine: &Engine,
    objects: &[Option<Signed>],
    threads: usize,
) -> Vec<Option<Verdict>> {
    let Some(fast) = engine.fast() else {
        return vec![None; objects.len()];
    };
    let check = |part: &[Option<Signed>]| {
        part.iter()
            .map(|o| o.as_ref().and_then(|s| fast.check(s)))
            .collect::<Vec<_>>()
    };
    if threads < 2 || objects.len() < CHUNK_MIN {
        return check(objects);
    }
    let size = objects.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = objects
            .chunks(size)
            .map(|part| (part.len(), scope.spawn(move || check(part))))
            .collect();
        // A part whose thread failed is left to the slow path, never out of place.
        handles
            .into_iter()
            .flat_map(|(len, h)| h.join().unwrap_or_else(|_| vec![None; len]))
            .collect()
    })
}

/// A validly signed tag whose own `tag` header names another tag than its ref: replayed.
fn check_tag_name(verdict: &mut Verdict, signed: &Signed, ref_tag: Option<&str>) {
    let (Some(ref_tag), Some(own)) = (ref_tag, signed.tag_name.as_deref()) else {
        return;
    };
    if verdict.status.passes() && own != ref_tag {
        verdict.status = Status::TagNameMismatch;
        verdict.message = format!(
            "valid signature, but the tag object was made as {own:?} and the ref is refs/tags/{ref_tag}: a replayed tag"
        );
    }
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
