//! Resolve: the repository, git's configuration and the project, read once into a
//! [`Context`]; the release lock taken before any of it; the test signature started first.

use std::path::{Path, PathBuf};

use crate::git::oid::{Kind, ObjectId as Oid};
use crate::git::Repository;

use super::journal::JournalFiles;
use super::lock;
use crate::error::UserError;
use crate::git::config::GitConfig;
use crate::git::runner::Git;
use crate::git::tags::{self, ReleaseTag};
use crate::project::{Config, Project};
use crate::signing::engine::{Engine, VerifyConfig};
use crate::signing::testsig;

/// The repository and project, read once.
pub struct Context {
    pub repo: Repository,
    pub workdir: PathBuf,
    pub git: Git,
    pub config: GitConfig,
    pub project: Result<Project, crate::project::ProjectError>,
    pub head: Option<Oid>,
    /// The branch HEAD is on (short name), if it is on one.
    pub branch: Option<String>,
    pub tags: Vec<ReleaseTag>,
    /// The newest release tag reachable from HEAD (index into `tags`).
    newest: Option<usize>,
    /// A greater release tag that HEAD cannot reach (a release on a maintenance line).
    pub newest_elsewhere: Option<ReleaseTag>,
    default_config: Config,
}

impl Context {
    /// Open the repository and read the project; errors only when there is no work tree.
    pub fn resolve() -> Result<Context, UserError> {
        let repo = crate::git::discover_checked()?.ok_or_else(|| {
            UserError::refused("not inside a git repository")
                .with_hint("run it in your project's work tree")
        })?;
        let workdir = repo.workdir().map(Path::to_path_buf).ok_or_else(|| {
            UserError::refused("not inside a work tree (this is a bare repository)")
                .with_hint("run it in a clone with a work tree")
        })?;
        let git = Git::new(&workdir);
        let config = GitConfig::load(&git).map_err(|e| UserError::refused(e.to_string()))?;
        let cwd = std::env::current_dir().unwrap_or_else(|_| workdir.clone());
        let (start, top) = crate::git::project_search(Some(&repo), &cwd);
        let project = Project::discover_within(&start, top.as_deref());
        let crate::git::repo::Head { id: head, branch } = repo.head();
        let tags = tags::release_tags(&repo).unwrap_or_default();
        let (newest, elsewhere) = tags::newest_reachable(&repo, &tags, head);
        let newest = newest.and_then(|n| tags.iter().position(|t| t == n));
        let newest_elsewhere = elsewhere.cloned();
        Ok(Context {
            repo,
            workdir,
            git,
            config,
            project,
            head,
            branch,
            tags,
            newest,
            newest_elsewhere,
            default_config: Config::default(),
        })
    }

    pub fn project_config(&self) -> &Config {
        self.project
            .as_ref()
            .map_or(&self.default_config, |p| &p.config)
    }

    /// The newest release tag reachable from HEAD (contract §2.1 "Which release tag
    /// counts").
    pub fn newest_tag(&self) -> Option<&ReleaseTag> {
        self.newest.map(|i| &self.tags[i])
    }

    pub fn sha256(&self) -> bool {
        self.repo.sha256()
    }

    pub fn raw_typed(&self, oid: Oid) -> Option<(Kind, Vec<u8>)> {
        self.repo.read(oid).ok()
    }

    pub fn raw(&self, oid: Oid) -> Option<Vec<u8>> {
        self.raw_typed(oid).map(|(_, r)| r)
    }

    pub fn tag_oid(&self, name: &str) -> Option<Oid> {
        self.repo.ref_id(&format!("refs/tags/{name}"))
    }

    pub fn journal(&self) -> JournalFiles {
        JournalFiles::new(self.repo.git_dir())
    }

    pub fn index_path(&self) -> PathBuf {
        self.repo.git_dir().join("index")
    }

    pub fn engine(&self) -> Result<Engine, UserError> {
        Ok(Engine::new(VerifyConfig::from_git(
            &self.config,
            &self.workdir,
        )?))
    }
}

/// Take the repository's release lock (see [`super::lock`]) before anything is read; `None`
/// outside a repository (the preflight then refuses anyway). A lock left by a release that
/// died before writing its journal is taken over with a line saying so; one whose journal
/// is in another worktree sends the user there.
pub fn take_lock() -> Result<Option<lock::Lock>, UserError> {
    let Some(repo) = crate::git::discover() else {
        return Ok(None);
    };
    let lock = lock::Lock::acquire(repo.common_dir(), repo.git_dir()).map_err(|e| {
        let hint = match &e {
            lock::LockError::Held { .. } => {
                "wait for it to finish (or stop it), then run this again"
            }
            lock::LockError::Io { .. } => "check the permissions of the git directory",
        };
        UserError::refused(e.to_string()).with_hint(hint)
    })?;
    if let Some(prev) = &lock.previous {
        let journal = JournalFiles::new(&prev.git_dir);
        let here = same_dir(&prev.git_dir, repo.git_dir());
        if !journal.exists() {
            crate::report::note(&format!(
                "note: removed the release lock left by {}, which ended before it changed anything",
                prev.describe()
            ));
        } else if !here {
            return Err(UserError::refused(format!(
                "a release interrupted in another worktree ({}) left its journal at {}",
                prev.describe(),
                journal.path().display()
            ))
            .with_hint(format!(
                "in that worktree: git secure-release --abort (or --continue); its git directory is {}",
                prev.git_dir.display()
            )));
        }
    }
    Ok(Some(lock))
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// A test signature being made in another thread (see [`testsig::make`]).
pub type TestSignature = std::thread::JoinHandle<Result<Vec<u8>, testsig::SignFailure>>;

/// Start the throw-away test signature in the repository git would use here; `None` outside
/// a work tree (the preflight then refuses anyway).
pub fn start_test_signature() -> Option<TestSignature> {
    let repo = crate::git::discover()?;
    let workdir = repo.workdir()?.to_path_buf();
    let git_dir = repo.git_dir().to_path_buf();
    let sha256 = repo.sha256();
    Some(std::thread::spawn(move || {
        let made = testsig::make(
            Some(&workdir),
            Some(&git_dir),
            sha256,
            testsig::time_limit(),
        );
        crate::report::trace("preflight: test signature made");
        made
    }))
}
