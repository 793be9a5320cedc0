//! `git secure-release reproduce` (contract §2.5): a release tag rebuilt twice from two clean
//! checkouts with SOURCE_DATE_EPOCH from its commit, and compared with itself and with what
//! was published. The stages, each in its own file: `checkout` (clean clones), `build` (the
//! command and its environment), `expect` and `index` (what it must equal), `compare` (one
//! row per artifact) and `diff` (the first difference inside two archives, and its cause).

mod archive;
pub mod build;
pub mod checkout;
pub mod compare;
pub mod diff;
pub mod expect;
pub mod index;

use std::path::{Path, PathBuf};

use crate::commands::repo::Repo;
use crate::error::UserError;
use crate::signing::{Signer, Status};
use build::{Builder, Frontend};
use compare::Row;
use expect::Expected;

/// What the user asked for.
#[derive(Debug)]
pub struct Request<'a> {
    pub expect: &'a [String],
    /// `--index`: `Some("")` for the default index.
    pub index: Option<&'a str>,
    pub build: Option<&'a str>,
    pub pin: bool,
}

/// The release being rebuilt.
#[derive(Debug)]
pub struct Release {
    pub tag: String,
    pub version: String,
    pub commit: String,
    pub epoch: i64,
    pub signature: Signature,
}

/// The tag's signature, as `verify` gives it.
#[derive(Debug, serde::Serialize)]
pub struct Signature {
    pub status: Status,
    pub message: String,
    pub signer: Option<Signer>,
}

/// The facts the report prints; `--json` prints them as one object.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    pub ok: bool,
    pub tag: String,
    pub commit: String,
    pub source_date_epoch: i64,
    pub date: String,
    pub signature: Signature,
    pub build: BuildFacts,
    pub index: Option<String>,
    pub artifacts: Vec<Row>,
    /// The folder the builds are kept in, when something differs.
    pub kept: Option<String>,
}

#[derive(Debug, serde::Serialize)]
pub struct BuildFacts {
    pub command: Vec<String>,
    pub frontend: Frontend,
    pub python: Option<String>,
    pub removed_env: Vec<String>,
    pub pin: Option<Pin>,
}

#[derive(Debug, serde::Serialize)]
pub struct Pin {
    pub requirements: Vec<String>,
    pub variables: Vec<String>,
    /// The expected wheels whose `Generator` named them.
    pub from: Vec<String>,
}

/// Builds run under this umask, whatever the user's (file modes end up in archives).
const UMASK: u32 = 0o022;

/// The process's umask, set for the builds and put back when dropped.
struct Umask(rustix::fs::Mode);

impl Umask {
    fn set(mask: u32) -> Umask {
        Umask(rustix::process::umask(rustix::fs::Mode::from_raw_mode(
            mask,
        )))
    }
}

impl Drop for Umask {
    fn drop(&mut self) {
        rustix::process::umask(self.0);
    }
}

/// Rebuild `release` twice and compare; the report, whatever the verdict.
pub fn reproduce(repo: &Repo, release: Release, req: &Request<'_>) -> Result<Report, UserError> {
    let mut expected = Vec::new();
    for arg in req.expect {
        expected.extend(expect::parse(arg)?);
    }
    let mut builder = Builder::choose(req.build, release.epoch)?;
    refuse_submodules(repo, &release)?;
    let work = tempfile::Builder::new()
        .prefix("git-secure-release-reproduce.")
        .tempdir()
        .map_err(|e| temp_error("make a temporary folder", &e))?;
    let _umask = Umask::set(UMASK);
    let dirs = [work.path().join("1"), work.path().join("2")].map(|d| d.join("src"));
    let config = checkout::config(repo.repo.common_dir(), &work.path().join("gitconfig"))?;
    let sub = project_folder(repo);
    let mut projects = Vec::new();
    for dir in &dirs {
        made(std::fs::create_dir_all(dir.parent().unwrap_or(dir)), dir)?;
        checkout::checkout(repo.repo.common_dir(), &release.commit, dir, &config)?;
        projects.push(find_project(dir, &sub));
        crate::report::trace(format_args!("reproduce: checked out {}", dir.display()));
    }
    let index = match req.index {
        None => None,
        Some(given) => {
            let url = index::choose(given);
            let name = project_name(&projects[0], &release.tag)?;
            let into = work.path().join("expected");
            made(std::fs::create_dir_all(&into), &into)?;
            expected.extend(index::fetch(&url, &name, &release.version, &into)?);
            Some(url)
        }
    };
    let pin = if req.pin {
        pins(&expected, builder.frontend)
    } else {
        None
    };
    if let Some(p) = &pin {
        builder.pin(&p.requirements, work.path())?;
    }
    let mut built = Vec::new();
    for (i, dir) in projects.iter().enumerate() {
        let log = work.path().join(format!("build-{}.log", i + 1));
        match builder.build(dir, &log) {
            Ok(a) => {
                crate::report::trace(format_args!(
                    "reproduce: build {} made {} files",
                    i + 1,
                    a.len()
                ));
                built.push(a);
            }
            Err(e) => {
                let kept = work.keep();
                let hint = e.hint.clone().unwrap_or_default();
                return Err(e.with_hint(format!(
                    "{hint}; the checkouts and logs are kept in {}",
                    kept.display()
                )));
            }
        }
    }
    let build_dirs = dirs.map(|d| d.to_string_lossy().into_owned());
    let setting = diff::Setting {
        labels: ["build 1", "build 2"],
        epoch: release.epoch,
        now: chrono::Utc::now().timestamp(),
        build_dirs: &build_dirs,
    };
    let started = std::time::Instant::now();
    let artifacts = compare::compare(&built[0], &built[1], &expected, &setting);
    crate::report::trace(format_args!(
        "reproduce: compared {} artifacts in {:.1} ms",
        artifacts.len(),
        started.elapsed().as_secs_f64() * 1000.0
    ));
    let ok = artifacts.iter().all(|r| r.verdict.passes());
    let kept = (!ok).then(|| work.keep().to_string_lossy().into_owned());
    Ok(Report {
        ok,
        date: crate::release::record::rfc3339(release.epoch),
        tag: release.tag,
        commit: release.commit,
        source_date_epoch: release.epoch,
        signature: release.signature,
        build: BuildFacts {
            command: builder.argv.clone(),
            frontend: builder.frontend,
            python: builder.python.clone(),
            removed_env: builder.removed.clone(),
            pin,
        },
        index,
        artifacts,
        kept,
    })
}

fn made(result: std::io::Result<()>, dir: &Path) -> Result<(), UserError> {
    result.map_err(|e| temp_error(&format!("make {}", dir.display()), &e))
}

/// What could not be done in the temporary folder (`what`: "write FILE", …), and its fix.
pub(crate) fn temp_error(what: &str, e: &std::io::Error) -> UserError {
    UserError::refused(format!("cannot {what}: {e}"))
        .with_hint("set TMPDIR to a writable folder with room for two builds")
}

/// Submodules are not checked out (yet): say so rather than build without them.
fn refuse_submodules(repo: &Repo, release: &Release) -> Result<(), UserError> {
    let has = crate::git::oid::ObjectId::from_hex(&release.commit)
        .and_then(|id| repo.repo.entry_at(id, ".gitmodules"))
        .is_some();
    if !has {
        return Ok(());
    }
    Err(UserError::refused(format!(
        "{} has submodules (.gitmodules): reproduce does not check them out yet",
        crate::report::value(&release.tag)
    ))
    .with_hint("build it by hand from a clone made with `git clone --recurse-submodules`, with SOURCE_DATE_EPOCH from `git secure-release epoch`"))
}

/// Where the project sits in the work tree: the current folder's path below the top.
fn project_folder(repo: &Repo) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    let (start, top) = crate::git::project_search(Some(&repo.repo), &cwd);
    top.and_then(|top| start.strip_prefix(top).ok().map(Path::to_path_buf))
        .unwrap_or_default()
}

/// The folder of the checkout to build: the nearest one at or above `sub` with a
/// `pyproject.toml` (or `setup.py`), else the checkout's top.
fn find_project(checkout: &Path, sub: &Path) -> PathBuf {
    let mut here = checkout.join(sub);
    while here.starts_with(checkout) {
        if here.join("pyproject.toml").is_file() || here.join("setup.py").is_file() {
            return here;
        }
        if !here.pop() {
            break;
        }
    }
    checkout.to_path_buf()
}

/// The project's name, which the index lists it under.
fn project_name(dir: &Path, tag: &str) -> Result<String, UserError> {
    crate::project::Project::load(dir)
        .ok()
        .and_then(|p| p.name)
        .ok_or_else(|| {
            UserError::refused(format!(
                "{}: pyproject.toml at the tag names no project (`[project] name`), so the index cannot be asked for it",
                crate::report::value(tag)
            ))
            .with_hint("compare with files you have instead: --expect FILE")
        })
}

/// The backend pins the expected wheels' `Generator:` lines name.
fn pins(expected: &[Expected], frontend: Frontend) -> Option<Pin> {
    let mut pin = Pin {
        requirements: Vec::new(),
        variables: frontend
            .pin_variables()
            .iter()
            .map(|v| (*v).to_owned())
            .collect(),
        from: Vec::new(),
    };
    for e in expected {
        let (Some(name), Some(file)) = (&e.name, &e.file) else {
            continue;
        };
        if !name.ends_with(".whl") {
            continue;
        }
        let Some(req) = std::fs::read(file)
            .ok()
            .and_then(|b| expect::generator_pin(&b))
        else {
            continue;
        };
        let backend = req.split("==").next().unwrap_or_default().to_owned();
        if !pin
            .requirements
            .iter()
            .any(|r| r.starts_with(&format!("{backend}==")))
        {
            pin.requirements.push(req);
            pin.from.push(name.clone());
        }
    }
    (!pin.requirements.is_empty()).then_some(pin)
}
