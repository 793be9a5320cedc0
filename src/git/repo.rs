//! The one repository reader (design.md): libgit2 where it can open the repository, and
//! git itself where it cannot (SHA-256 object names, reftable refs, partial clones) — raw
//! objects through one long-running `git cat-file --batch`, refs through `git for-each-ref`
//! and `git rev-parse`. What is read from objects (parents, trees, tag targets, times) is
//! parsed here once for both, so the two can only differ in how bytes are fetched.
//!
//! `GIT_SECURE_RELEASE_READER=git` makes every repository read through git (a way to check
//! a libgit2 result against git's, and how the tests run both readers).

use std::io::{BufRead as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::oid::{self, Kind, ObjectId};
use super::runner::Git;

/// Why an object could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read object {id}: {why}")]
pub struct ReadError {
    id: ObjectId,
    why: String,
}

impl From<ReadError> for crate::error::UserError {
    fn from(e: ReadError) -> Self {
        crate::error::UserError::refused(e.to_string()).with_hint("git fsck")
    }
}

/// Where HEAD is: the commit (none on an unborn branch) and the branch (none when detached).
#[derive(Clone, Debug, Default)]
pub struct Head {
    pub id: Option<ObjectId>,
    pub branch: Option<String>,
}

/// A handle that reads raw objects; one per thread.
pub struct Reader(Inner);

enum Inner {
    Lib(git2::Repository),
    Git {
        git: Git,
        batch: Mutex<Option<Batch>>,
    },
}

/// `git cat-file --batch`, kept running: an id in, `ID TYPE SIZE\n` and the bytes out.
struct Batch {
    child: std::process::Child,
    input: std::process::ChildStdin,
    output: std::io::BufReader<std::process::ChildStdout>,
}

impl Drop for Batch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Batch {
    fn start(git: &Git) -> std::io::Result<Batch> {
        // Never fetch a missing object of a partial clone: reading is local.
        let cmd = git
            .cmd(&["cat-file", "--batch"])
            .env("GIT_NO_LAZY_FETCH", "1");
        let mut child = cmd.spawn_piped()?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(std::io::Error::other("git cat-file has no pipes"));
        };
        Ok(Batch {
            child,
            input,
            output: std::io::BufReader::with_capacity(64 * 1024, output),
        })
    }

    /// Ask for all of `ids` at once and read the answers in order as git gives them: one
    /// round trip for many objects. The question is written by another thread, so neither
    /// side waits for the other however small the pipes are.
    fn read_many(&mut self, ids: &[ObjectId]) -> Vec<Result<(Kind, Vec<u8>), String>> {
        let mut ask = String::with_capacity(ids.len() * 65);
        for id in ids {
            ask.push_str(&id.to_string());
            ask.push('\n');
        }
        let Batch { input, output, .. } = self;
        std::thread::scope(|scope| {
            let writer =
                scope.spawn(move || input.write_all(ask.as_bytes()).and_then(|()| input.flush()));
            let mut out = Vec::with_capacity(ids.len());
            for _ in ids {
                let answer = answer(output);
                let stopped = answer.as_ref().is_err_and(|w| w.contains("stopped"));
                out.push(answer);
                if stopped {
                    // The rest is never answered; git's end also ends the writer.
                    break;
                }
            }
            let _ = writer.join();
            out.resize_with(ids.len(), || Err("git cat-file stopped".to_owned()));
            out
        })
    }
}

/// The answer to one question: `ID TYPE SIZE\n`, SIZE bytes and a newline; or `ID missing`.
fn answer(
    output: &mut std::io::BufReader<std::process::ChildStdout>,
) -> Result<(Kind, Vec<u8>), String> {
    let mut line = Vec::new();
    output
        .read_until(b'\n', &mut line)
        .map_err(|e| format!("git cat-file stopped: {e}"))?;
    let text = String::from_utf8_lossy(&line);
    let mut words = text.split_whitespace();
    let (_, kind, size) = (words.next(), words.next(), words.next());
    let (Some(kind), Some(size)) = (kind.and_then(|k| Kind::parse(k.as_bytes())), size) else {
        return Err(match text.trim() {
            "" => "git cat-file stopped".to_owned(),
            t if t.ends_with("missing") => "no such object".to_owned(),
            t => t.to_owned(),
        });
    };
    let size: usize = size.parse().map_err(|_| text.trim().to_owned())?;
    let mut body = vec![0; size + 1];
    output
        .read_exact(&mut body)
        .map_err(|e| format!("git cat-file stopped: {e}"))?;
    body.pop();
    Ok((kind, body))
}

impl Reader {
    /// Objects' types and raw bytes, in the order of `ids`; through git, in one round trip.
    pub fn read_many(&self, ids: &[ObjectId]) -> Vec<Result<(Kind, Vec<u8>), ReadError>> {
        let Inner::Git { git, batch } = &self.0 else {
            return ids.iter().map(|&id| self.read(id)).collect();
        };
        let mut batch = batch
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if batch.is_none() {
            match Batch::start(git) {
                Ok(b) => *batch = Some(b),
                Err(e) => {
                    let why = e.to_string();
                    return ids
                        .iter()
                        .map(|&id| {
                            Err(ReadError {
                                id,
                                why: why.clone(),
                            })
                        })
                        .collect();
                }
            }
        }
        let answers = batch.as_mut().map(|b| b.read_many(ids)).unwrap_or_default();
        if answers
            .iter()
            .any(|a| a.as_ref().is_err_and(|w| w.contains("stopped")))
        {
            *batch = None;
        }
        ids.iter()
            .zip(answers)
            .map(|(&id, a)| a.map_err(|why| ReadError { id, why }))
            .collect()
    }

    pub fn read(&self, id: ObjectId) -> Result<(Kind, Vec<u8>), ReadError> {
        let fail = |why: String| ReadError { id, why };
        match &self.0 {
            Inner::Lib(repo) => {
                let oid = id
                    .to_git2()
                    .ok_or_else(|| fail("not a SHA-1 name".into()))?;
                let odb = repo.odb().map_err(|e| fail(e.message().to_owned()))?;
                let object = odb.read(oid).map_err(|e| fail(e.message().to_owned()))?;
                let kind = Kind::from_git2(Some(object.kind()))
                    .ok_or_else(|| fail("of no known type".into()))?;
                Ok((kind, object.data().to_vec()))
            }
            Inner::Git { .. } => self
                .read_many(&[id])
                .pop()
                .unwrap_or_else(|| Err(fail("git cat-file stopped".into()))),
        }
    }
}

/// The repository, opened once per run.
pub struct Repository {
    reader: Reader,
    git: Git,
    git_dir: PathBuf,
    common_dir: PathBuf,
    workdir: Option<PathBuf>,
    sha256: bool,
}

impl Repository {
    /// The repository git would use here, through libgit2 where it opens it.
    pub fn from_lib(lib: git2::Repository) -> Repository {
        let git_dir = lib.path().to_path_buf();
        let common_dir = lib.commondir().to_path_buf();
        let workdir = lib.workdir().map(Path::to_path_buf);
        let sha256 = crate::git::is_sha256(&lib);
        let git = Git::new(workdir.as_deref().unwrap_or(&git_dir));
        Repository {
            reader: Reader(Inner::Lib(lib)),
            git,
            git_dir,
            common_dir,
            workdir,
            sha256,
        }
    }

    /// The repository git sees here, read through git itself; `None` when git sees none.
    pub fn through_git(here: &Path) -> Option<Repository> {
        let git = Git::new(here);
        let out = git
            .run(&[
                "rev-parse",
                "--path-format=absolute",
                "--git-dir",
                "--git-common-dir",
                "--is-bare-repository",
                "--show-object-format",
            ])
            .ok()?;
        let text = String::from_utf8(out).ok()?;
        let mut lines = text.lines();
        let (git_dir, common_dir) = (PathBuf::from(lines.next()?), PathBuf::from(lines.next()?));
        let bare = lines.next()? == "true";
        let sha256 = lines.next()? == "sha256";
        let workdir = if bare {
            None
        } else {
            let top = git.run(&["rev-parse", "--show-toplevel"]).ok();
            let top = top.and_then(|t| String::from_utf8(t).ok());
            match top.as_deref().map(|t| t.strip_suffix('\n').unwrap_or(t)) {
                Some(t) if !t.is_empty() => Some(PathBuf::from(t)),
                // Inside the git directory git names no work tree: find it as libgit2 does.
                _ => work_tree_of(&git, &git_dir),
            }
        };
        let git = Git::new(workdir.as_deref().unwrap_or(&git_dir));
        Some(Repository {
            reader: Reader(Inner::Git {
                git: git.clone(),
                batch: Mutex::new(None),
            }),
            git,
            git_dir,
            common_dir,
            workdir,
            sha256,
        })
    }

    /// libgit2's handle, when it reads this repository.
    fn lib(&self) -> Option<&git2::Repository> {
        match &self.reader.0 {
            Inner::Lib(lib) => Some(lib),
            Inner::Git { .. } => None,
        }
    }

    /// Whether libgit2 reads it (else git does).
    pub fn through_lib(&self) -> bool {
        self.lib().is_some()
    }

    pub fn git(&self) -> &Git {
        &self.git
    }

    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    pub fn common_dir(&self) -> &Path {
        &self.common_dir
    }

    pub fn workdir(&self) -> Option<&Path> {
        self.workdir.as_deref()
    }

    /// The work tree, or the git directory of a bare repository.
    pub fn base(&self) -> &Path {
        self.workdir.as_deref().unwrap_or(&self.git_dir)
    }

    /// Whether objects are named by SHA-256.
    pub fn sha256(&self) -> bool {
        self.sha256
    }

    /// An object's type and raw bytes.
    pub fn read(&self, id: ObjectId) -> Result<(Kind, Vec<u8>), ReadError> {
        self.reader.read(id)
    }

    /// This handle's own reader.
    pub fn own_reader(&self) -> &Reader {
        &self.reader
    }

    /// Another reader of this repository, for another thread.
    pub fn reader(&self) -> Option<Reader> {
        Some(Reader(match &self.reader.0 {
            // Opened as the first one was (GIT_OBJECT_DIRECTORY and alternates from the
            // environment count, which opening by path would drop).
            Inner::Lib(_) => Inner::Lib(git2::Repository::open_from_env().ok()?),
            Inner::Git { git, .. } => Inner::Git {
                git: git.clone(),
                batch: Mutex::new(None),
            },
        }))
    }

    /// `git ARGS`' standard output as text, `None` when it fails.
    fn ask(&self, args: &[&str]) -> Option<String> {
        let out = self.git.run(args).ok()?;
        String::from_utf8(out).ok()
    }

    pub fn head(&self) -> Head {
        if let Some(lib) = self.lib() {
            return match lib.head() {
                Ok(h) if h.is_branch() => Head {
                    id: h.target().map(ObjectId::from_git2),
                    branch: h.shorthand().ok().map(str::to_owned),
                },
                Ok(h) => Head {
                    id: h.target().map(ObjectId::from_git2),
                    branch: None,
                },
                Err(_) => Head::default(),
            };
        }
        let id = self
            .ask(&["rev-parse", "-q", "--verify", "HEAD"])
            .and_then(|t| ObjectId::from_hex(t.trim()));
        // The full name, stripped here: `--short` says `heads/main` when a tag `main` exists.
        let branch = self
            .ask(&["symbolic-ref", "-q", "HEAD"])
            .and_then(|b| {
                Some(
                    b.trim_end_matches('\n')
                        .strip_prefix("refs/heads/")?
                        .to_owned(),
                )
            })
            .filter(|b| !b.is_empty());
        Head {
            id,
            branch: id.and(branch),
        }
    }

    /// The object `rev` names and its type, `None` when it names none. `rev` never reaches
    /// git as an option.
    pub fn resolve(&self, rev: &str) -> Option<(ObjectId, Kind)> {
        // A full object name is that object, as git takes it, whatever ref has the same name.
        if let Some(id) = ObjectId::from_hex(rev) {
            return self.read(id).ok().map(|(kind, _)| (id, kind));
        }
        // libgit2 refuses an object it cannot parse (a commit with an odd ident line, say)
        // where git names it; then git's answer counts.
        if let Some(object) = self.lib().and_then(|lib| lib.revparse_single(rev).ok()) {
            return Some((
                ObjectId::from_git2(object.id()),
                Kind::from_git2(object.kind())?,
            ));
        }
        let id = self.ask(&["rev-parse", "-q", "--verify", "--end-of-options", rev])?;
        let id = ObjectId::from_hex(id.trim())?;
        let (kind, _) = self.read(id).ok()?;
        Some((id, kind))
    }

    /// The full name of the ref `rev` names by git's rules (gitrevisions(7): `HEAD` and its
    /// kin, then `refs/NAME`, `refs/tags/NAME`, `refs/heads/NAME`,
    /// `refs/remotes/NAME`, `refs/remotes/NAME/HEAD`), `None` when it names no ref (a full
    /// object name, which git takes as that object, or an expression such as `HEAD~1`). One
    /// rule for both readers, so that `HEAD` is HEAD whatever tag is named so.
    pub fn full_ref_name(&self, rev: &str) -> Option<String> {
        if rev.starts_with('-') || rev.is_empty() || ObjectId::from_hex(rev).is_some() {
            return None;
        }
        // `HEAD`, `ORIG_HEAD`, `FETCH_HEAD` …: never taken for a tag of that name here; what
        // they name is git's own resolution (the pseudo-ref where there is one, in whatever
        // ref storage).
        let pseudo =
            rev.ends_with("HEAD") && rev.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
        if pseudo {
            return Some(rev.to_owned());
        }
        let as_given = rev.starts_with("refs/").then(|| rev.to_owned());
        as_given
            .into_iter()
            .chain(
                ["refs/", "refs/tags/", "refs/heads/", "refs/remotes/"]
                    .iter()
                    .map(|p| format!("{p}{rev}")),
            )
            .chain([format!("refs/remotes/{rev}/HEAD")])
            .find(|name| self.ref_id(name).is_some())
    }

    /// What the ref `name` (a full name, `refs/…`) points at directly (a tag ref: the tag
    /// object), symbolic refs followed.
    pub fn ref_id(&self, name: &str) -> Option<ObjectId> {
        if !name.starts_with("refs/") {
            return None;
        }
        if let Some(lib) = self.lib() {
            return lib.refname_to_id(name).ok().map(ObjectId::from_git2);
        }
        let out = self.ask(&["show-ref", "--verify", name])?;
        ObjectId::from_hex(out.split_whitespace().next()?)
    }

    /// Every ref under `prefix` (`refs/tags/`): its full name and what it points at.
    pub fn refs(&self, prefix: &str) -> Result<Vec<(String, ObjectId)>, String> {
        if let Some(lib) = self.lib() {
            let mut out = Vec::new();
            for r in lib
                .references_glob(&format!("{prefix}*"))
                .map_err(|e| e.message().to_owned())?
            {
                let r = r.map_err(|e| e.message().to_owned())?;
                let Ok(name) = r.name() else { continue };
                let id = r.target().or_else(|| r.resolve().ok()?.target());
                if let Some(id) = id {
                    out.push((name.to_owned(), ObjectId::from_git2(id)));
                }
            }
            return Ok(out);
        }
        let out = self
            .git
            .run(&["for-each-ref", "--format=%(objectname) %(refname)", prefix])
            .map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|l| {
                let (id, name) = l.split_once(' ')?;
                Some((name.to_owned(), ObjectId::from_hex(id)?))
            })
            .collect())
    }

    /// The commit `id` is or (through tags) points at.
    pub fn peel_to_commit(&self, mut id: ObjectId) -> Option<ObjectId> {
        for _ in 0..32 {
            match self.read(id).ok()? {
                (Kind::Commit, _) => return Some(id),
                (Kind::Tag, raw) => id = oid::header_id(&raw, b"object")?,
                _ => return None,
            }
        }
        None
    }

    /// Whether commit `ancestor` is `of` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: ObjectId, of: ObjectId) -> bool {
        if ancestor == of {
            return true;
        }
        if let (Some(lib), Some(a), Some(o)) = (self.lib(), ancestor.to_git2(), of.to_git2()) {
            return lib.graph_descendant_of(o, a).unwrap_or(false);
        }
        let (a, o) = (ancestor.to_string(), of.to_string());
        self.git
            .output(&["merge-base", "--is-ancestor", &a, &o])
            .is_ok_and(|out| out.ok())
    }

    /// The first remote-tracking branch (short name) from which `id` is reachable.
    pub fn remote_branch_containing(&self, id: ObjectId) -> Option<String> {
        if self.lib().is_some() {
            let refs = self.refs("refs/remotes/").ok()?;
            return refs.into_iter().find_map(|(name, tip)| {
                self.is_ancestor(id, tip)
                    .then(|| name.trim_start_matches("refs/remotes/").to_owned())
            });
        }
        let contains = format!("--contains={id}");
        let out = self.ask(&[
            "for-each-ref",
            "--count=1",
            "--format=%(refname:strip=2)",
            &contains,
            "refs/remotes/",
        ])?;
        Some(out.trim_end_matches('\n').to_owned()).filter(|b| !b.is_empty())
    }

    /// The mode and id of `path` (slash-separated) in commit `commit`'s tree.
    pub fn entry_at(&self, commit: ObjectId, path: &str) -> Option<(u32, ObjectId)> {
        let (_, raw) = self.read(commit).ok()?;
        let mut tree = oid::header_id(&raw, b"tree")?;
        let mut parts = path.split('/').filter(|p| !p.is_empty()).peekable();
        while let Some(part) = parts.next() {
            let (kind, bytes) = self.read(tree).ok()?;
            if kind != Kind::Tree {
                return None;
            }
            let found = oid::tree_entry(&bytes, part.as_bytes(), tree.as_bytes().len())?;
            if parts.peek().is_none() {
                return Some(found);
            }
            tree = found.1;
        }
        None
    }

    /// The mode git's index records for `path` (relative to the work tree), if git tracks it.
    pub fn tracked_mode(&self, path: &str) -> Option<u32> {
        let out = self
            .git
            .run(&["--literal-pathspecs", "ls-files", "-s", "-z", "--", path])
            .ok()?;
        let entry = out.split(|&b| b == 0).next()?;
        let (meta, name) = entry.split_at(entry.iter().position(|&b| b == b'\t')?);
        if &name[1..] != path.as_bytes() {
            return None;
        }
        let mode = std::str::from_utf8(meta).ok()?.split(' ').next()?;
        u32::from_str_radix(mode, 8).ok()
    }

    /// The paths whose entries differ between commits `from` and `to`.
    pub fn changed_paths(&self, from: ObjectId, to: ObjectId) -> Option<Vec<String>> {
        let (f, t) = (from.to_string(), to.to_string());
        let out = self
            .git
            .run(&[
                "diff-tree",
                "-r",
                "-z",
                "--name-only",
                "--no-renames",
                &f,
                &t,
            ])
            .ok()?;
        Some(
            out.split(|&b| b == 0)
                .filter(|p| !p.is_empty())
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect(),
        )
    }

    /// How many commits branch `branch`'s upstream has that the branch has not; `None`
    /// without an upstream (or one never fetched).
    pub fn behind_upstream(&self, branch: &str) -> Option<u64> {
        // `NAME@{upstream}` takes the branch's short name (a full ref name is refused).
        let range = format!("refs/heads/{branch}..{branch}@{{upstream}}");
        let out = self.ask(&["rev-list", "--count", "--end-of-options", &range])?;
        out.trim().parse().ok()
    }
}

/// The work tree of a non-bare repository whose git directory is `git_dir`, asked from inside
/// it: a linked worktree's (its `gitdir` file names the worktree's `.git`), `core.worktree`,
/// or the folder holding a `.git` directory.
fn work_tree_of(git: &Git, git_dir: &Path) -> Option<PathBuf> {
    if let Ok(link) = std::fs::read_to_string(git_dir.join("gitdir")) {
        return Path::new(link.trim_end_matches('\n'))
            .parent()
            .map(Path::to_path_buf);
    }
    if let Some(tree) = git
        .run(&["config", "--get", "core.worktree"])
        .ok()
        .and_then(|t| String::from_utf8(t).ok())
    {
        let tree = git_dir.join(tree.trim_end_matches('\n'));
        return tree.canonicalize().ok();
    }
    (git_dir.file_name()? == ".git").then(|| git_dir.parent().map(Path::to_path_buf))?
}

/// Whether every repository is to be read through git (`GIT_SECURE_RELEASE_READER=git`).
pub fn forced_through_git() -> bool {
    std::env::var_os("GIT_SECURE_RELEASE_READER").is_some_and(|v| v == "git")
}
