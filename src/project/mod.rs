//! Where a Python project keeps its version (contract §3): find the layout, read the current
//! version, and plan a new one as exact byte-range replacements, so that every other byte of
//! every file stays as it was.
//!
//! Loading reads every file it needs once; planning is pure.

mod assign;
mod config;
mod layouts;
mod paths;
pub(crate) mod pyfile;
mod tomlspan;
mod uvlock;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

pub use config::Config;

use crate::version::{self, Version};

/// How the project declares its version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// `[project] version`
    Static,
    /// `[tool.poetry] version`
    Poetry,
    /// `[tool.hatch.version] path = FILE`
    Hatch,
    /// `[tool.setuptools.dynamic] version = {attr = ...}`
    SetuptoolsAttr,
    /// `[tool.setuptools.dynamic] version = {file = ...}`
    SetuptoolsFile,
    /// flit: `__version__` in the module
    Flit,
    /// `[tool.pdm.version] source = "file"`
    PdmFile,
    /// derived from tags: nothing is written
    Scm,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::Static => "static",
            Layout::Poetry => "poetry",
            Layout::Hatch => "hatch",
            Layout::SetuptoolsAttr => "setuptools-attr",
            Layout::SetuptoolsFile => "setuptools-file",
            Layout::Flit => "flit",
            Layout::PdmFile => "pdm-file",
            Layout::Scm => "scm",
        }
    }
}

/// Why the project's version could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("no pyproject.toml in {} or any parent folder", .0.display())]
    NoPyproject(PathBuf),
    #[error("cannot read {file}: {reason}")]
    Read { file: String, reason: String },
    #[error("{file} is not valid TOML: {reason}")]
    InvalidToml { file: String, reason: String },
    /// A layout we cannot follow: the file, and what we expected in it.
    #[error("{file}: {expected}")]
    Layout {
        file: String,
        expected: String,
        hint: Option<String>,
    },
    #[error("{file}: {reason}")]
    BadVersion { file: String, reason: String },
    #[error("{file}: [tool.secure-release] {key}: {reason}")]
    Config {
        file: String,
        key: String,
        reason: String,
    },
    #[error("{key} = {path:?} {problem}")]
    Path {
        key: String,
        path: String,
        problem: PathProblem,
    },
    #[error("{file} says {found} but {primary} says {expected}")]
    Disagree {
        file: String,
        found: String,
        primary: String,
        expected: String,
    },
}

impl ProjectError {
    /// The next thing to do.
    pub fn hint(&self) -> Option<String> {
        match self {
            ProjectError::NoPyproject(_) => {
                Some("run it from the project's folder, the one that holds pyproject.toml".into())
            }
            ProjectError::Layout { hint, .. } => Some(hint.clone().unwrap_or_else(|| {
                "see \"Where the version lives\" in the README for the layouts that are followed; a static `version` under [project] always works".into()
            })),
            ProjectError::Path { problem, .. } => Some(problem.hint().into()),
            ProjectError::InvalidToml { file, .. } => Some(format!("fix the syntax of {file} at the place shown")),
            ProjectError::Config { key, .. } if key == "files" => {
                Some("check the `search` pattern and `path` of that entry against the file's text".into())
            }
            ProjectError::Config { .. } => Some(
                "[tool.secure-release] takes tag-prefix (string), message (string), allow-branch (list of globs), files (list of {path, search, replace}) and push (string)".into(),
            ),
            ProjectError::Disagree { file, .. } if file.ends_with("uv.lock") => {
                Some("run `uv lock` so the lock file carries the project's version".into())
            }
            ProjectError::Disagree { file, .. } => {
                Some(format!("make {file} carry the same version, then try again"))
            }
            ProjectError::BadVersion { .. } => Some(
                "write the version as a PEP 440 version, such as 1.2.0, 1.2.0rc1 or 1.2.0.post1".into(),
            ),
            _ => None,
        }
    }
}

/// What is wrong with a path the configuration names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PathProblem {
    #[error("must be a path relative to the project folder")]
    NotRelative,
    #[error("leaves the project folder")]
    Escapes,
    #[error("goes through a symbolic link that leaves the project folder")]
    LinkEscapes,
    #[error("does not exist")]
    Missing,
    #[error("is not a file")]
    NotAFile,
    #[error("cannot be read")]
    Unreadable,
}

impl PathProblem {
    fn hint(self) -> &'static str {
        match self {
            PathProblem::Missing | PathProblem::NotAFile => {
                "create the file, or correct the path (it is relative to the folder of pyproject.toml)"
            }
            PathProblem::Unreadable => "check the file's permissions",
            _ => "name a file inside the project folder, relative to pyproject.toml, not through a link that leaves it",
        }
    }
}

/// One place that holds the version text.
#[derive(Clone, Debug)]
pub struct Spot {
    /// The file, relative to the project root, with `/`.
    pub file: String,
    /// The bytes to replace.
    pub range: Range<usize>,
    /// What to write there: `None` is the new version itself; `Some(t)` is a template of an
    /// extra file's `replace` pattern (`{current_version}`, `{new_version}`).
    pub template: Option<String>,
}

/// A planned change to one file: its whole old and new bytes. The release's plan (and its
/// journal) holds these as they are, `path` set to where the file is in the work tree.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct FileEdit {
    /// Relative to the work tree's top, with `/`: what is written and committed (the same
    /// as `file` until the release places the project in its work tree).
    pub path: String,
    /// Relative to the project root (the folder of pyproject.toml), as `version` lists it.
    pub file: String,
    #[serde(with = "crate::hex")]
    pub old: Vec<u8>,
    #[serde(with = "crate::hex")]
    pub new: Vec<u8>,
}

/// A Python project as read from disk.
#[derive(Debug)]
pub struct Project {
    /// The folder that holds `pyproject.toml`.
    pub root: PathBuf,
    pub layout: Layout,
    /// The project's distribution name, if it declares one.
    pub name: Option<String>,
    /// The current version as the primary file writes it (`None` for a tag-derived layout).
    pub version_text: Option<String>,
    pub config: Config,
    /// Where the version is written: the layout's own place first, then `uv.lock`, then
    /// the configured extra files.
    pub spots: Vec<Spot>,
    /// The bytes of every file a spot points into, as read.
    contents: BTreeMap<String, Vec<u8>>,
}

/// What a layout found: the version spot(s) and the files behind them.
pub(crate) struct Found {
    pub layout: Layout,
    pub spots: Vec<Spot>,
}

/// The files read while resolving a project, by their root-relative name.
#[derive(Default)]
pub(crate) struct Files {
    root: PathBuf,
    canonical_root: PathBuf,
    pub contents: BTreeMap<String, Vec<u8>>,
}

impl Files {
    /// Read `rel` (relative to the root) once, refusing a path that leaves the project.
    /// `key` names the setting that pointed at it.
    pub fn read(&mut self, rel: &str, key: &str) -> Result<(String, &str), ProjectError> {
        let (name, path) = paths::inside(&self.root, &self.canonical_root, rel, key)?;
        if !self.contents.contains_key(&name) {
            let bytes = std::fs::read(&path).map_err(|e| ProjectError::Read {
                file: name.clone(),
                reason: e.to_string(),
            })?;
            self.contents.insert(name.clone(), bytes);
        }
        let bytes = &self.contents[&name];
        let text = std::str::from_utf8(bytes).map_err(|_| ProjectError::Read {
            file: name.clone(),
            reason: "it is not UTF-8 text".into(),
        })?;
        Ok((name, text))
    }

    /// Whether `rel` exists as a file inside the project.
    pub fn exists(&self, rel: &str) -> bool {
        self.root.join(rel).is_file()
    }
}

impl Project {
    /// Find `pyproject.toml` in `start` or a parent folder up to `top` and no further (a
    /// work tree's top: a file above it is not the repository's); with no `top`, up to the
    /// file system's root. A `start` outside `top` searches `top` alone.
    pub fn discover_within(start: &Path, top: Option<&Path>) -> Result<Project, ProjectError> {
        let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let start = canonical(start);
        let top = top.map(canonical);
        let start = match &top {
            Some(t) if !start.starts_with(t) => t.clone(),
            _ => start,
        };
        let mut found = None;
        for dir in start.ancestors() {
            if dir.join("pyproject.toml").is_file() {
                found = Some(dir);
                break;
            }
            if top.as_deref() == Some(dir) {
                break;
            }
        }
        let root = found.ok_or_else(|| ProjectError::NoPyproject(start.clone()))?;
        Project::load(root)
    }

    /// Read the project whose `pyproject.toml` is in `root`.
    pub fn load(root: &Path) -> Result<Project, ProjectError> {
        let canonical_root = root.canonicalize().map_err(|e| ProjectError::Read {
            file: root.display().to_string(),
            reason: e.to_string(),
        })?;
        let mut files = Files {
            root: root.to_path_buf(),
            canonical_root,
            contents: BTreeMap::new(),
        };
        let (_, text) = files.read("pyproject.toml", "pyproject.toml")?;
        let text = text.to_owned();
        let doc =
            toml_edit::Document::parse(text.as_str()).map_err(|e| ProjectError::InvalidToml {
                file: "pyproject.toml".into(),
                reason: e.to_string().trim_end().replace('\n', "\n  "),
            })?;
        let config = config::parse(&doc)?;
        let name = layouts::project_name(&doc);
        let found = layouts::detect(&doc, &mut files, name.as_deref())?;

        let mut spots = found.spots;
        let version_text = spots.first().map(|s| spot_text(&files.contents, s));
        let primary = spots.first().map(|s| s.file.clone());
        if let (Some(current), Some(primary)) = (&version_text, &primary) {
            let current_version =
                version::parse(current).map_err(|reason| ProjectError::BadVersion {
                    file: primary.clone(),
                    reason,
                })?;
            if let Some(name) = &name {
                if let Some(lock) = uvlock::find(&mut files, name)? {
                    check_agrees(&files.contents, &lock, &current_version, current, primary)?;
                    spots.push(lock);
                }
            }
            for extra in &config.files {
                spots.extend(config::extra_spots(extra, &mut files, current)?);
            }
        } else if !config.files.is_empty() {
            return Err(ProjectError::Config {
                file: "pyproject.toml".into(),
                key: "files".into(),
                reason: "the version comes from tags, so there is no current version to find in extra files".into(),
            });
        }
        Ok(Project {
            root: root.to_path_buf(),
            layout: found.layout,
            name,
            version_text,
            config,
            spots,
            contents: files.contents,
        })
    }

    /// The current version, parsed (`None` for a tag-derived layout).
    pub fn version(&self) -> Option<Version> {
        self.version_text
            .as_deref()
            .and_then(|t| version::parse(t).ok())
    }

    /// The files that hold the version, relative to the root, each once, in spot order.
    pub fn files(&self) -> Vec<String> {
        let mut seen = Vec::<String>::new();
        for s in &self.spots {
            if !seen.contains(&s.file) {
                seen.push(s.file.clone());
            }
        }
        seen
    }

    /// The edit of each file that writes `new` in place of the current version.
    pub fn plan_edits(&self, new: &Version) -> Vec<FileEdit> {
        let new_text = new.to_string();
        let current = self.version_text.clone().unwrap_or_default();
        self.files()
            .into_iter()
            .map(|file| {
                let old = self.contents[&file].clone();
                let mut spots: Vec<&Spot> = self.spots.iter().filter(|s| s.file == file).collect();
                spots.sort_by_key(|s| std::cmp::Reverse(s.range.start));
                let mut bytes = old.clone();
                for s in spots {
                    let text = match &s.template {
                        None => new_text.clone(),
                        Some(t) => t
                            .replace("{current_version}", &current)
                            .replace("{new_version}", &new_text),
                    };
                    bytes.splice(s.range.clone(), text.into_bytes());
                }
                FileEdit {
                    path: file.clone(),
                    file,
                    old,
                    new: bytes,
                }
            })
            .collect()
    }
}

fn spot_text(contents: &BTreeMap<String, Vec<u8>>, spot: &Spot) -> String {
    String::from_utf8_lossy(&contents[&spot.file][spot.range.clone()]).into_owned()
}

/// A second place (uv.lock) must hold the same version as the primary one.
fn check_agrees(
    contents: &BTreeMap<String, Vec<u8>>,
    spot: &Spot,
    current: &Version,
    current_text: &str,
    primary: &str,
) -> Result<(), ProjectError> {
    let found = spot_text(contents, spot);
    let agrees = version::parse(&found).is_ok_and(|v| v == *current);
    if agrees {
        Ok(())
    } else {
        Err(ProjectError::Disagree {
            file: spot.file.clone(),
            found,
            primary: primary.to_owned(),
            expected: current_text.to_owned(),
        })
    }
}
