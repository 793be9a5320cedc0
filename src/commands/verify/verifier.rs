//! Reading and checking the targets a chunk at a time: objects read on every core (libgit2
//! handles, or a `git cat-file` each), the fast path on every core, the slow path only for
//! what the fast path left undecided.

use super::{Kind, Target, VerifyResult};
use crate::commands::repo::Repo;
use crate::error::UserError;
use crate::git::oid::Kind as ObjectKind;
use crate::git::repo::Reader;
use crate::signing::engine::Engine;
use crate::signing::object::{self, Signed};
use crate::signing::{named, Verdict};

/// Objects are read and checked this many at a time, so memory does not grow with them.
pub(super) const CHUNK: usize = 256;

/// Reads each object once and verifies it: a chunk at a time, the fast path on every core,
/// the slow path (one process per object) only for what the fast path left undecided.
pub(super) struct Verifier<'r> {
    repo: &'r Repo,
    threads: usize,
    /// A reader per reading thread (git2's handles are not shared between threads; through
    /// git, a `git cat-file --batch` each), opened when a chunk is big enough to share out.
    readers: Option<Vec<Reader>>,
}

impl<'r> Verifier<'r> {
    pub(super) fn new(repo: &'r Repo) -> Verifier<'r> {
        Verifier {
            repo,
            threads: std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .clamp(1, 8),
            readers: None,
        }
    }

    pub(super) fn verify(
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
        let (repo, sha256, threads) = (self.repo, self.repo.sha256(), self.threads);
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
        None => named::lightweight(),
        Some(signed) => {
            let mut v = match fast {
                Some(v) => v,
                None => engine.verify_slow(signed)?,
            };
            if t.kind == Kind::Tag {
                named::check_tag_name(&mut v, signed, t.ref_tag.as_deref());
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
    let (kind, raw) = read?;
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
