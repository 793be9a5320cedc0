//! Detect which layout of contract §3 a pyproject.toml uses and find the version's bytes.
//! The build backend decides where it names one; otherwise the configuration tables do.
//! Anything we cannot follow is an error naming the file and what we expected, never a guess.

use toml_edit::{Document, Item, TableLike};

use super::assign::assignment;
use super::pyfile::Names;
use super::{tomlspan, Files, Found, Layout, ProjectError, Spot};

const PYPROJECT: &str = "pyproject.toml";

pub(super) fn layout_err(expected: impl Into<String>, hint: Option<&str>) -> ProjectError {
    ProjectError::Layout {
        file: PYPROJECT.into(),
        expected: expected.into(),
        hint: hint.map(str::to_owned),
    }
}

/// The distribution name: `[project] name`, else `[tool.poetry] name`.
pub fn project_name(doc: &Document<&str>) -> Option<String> {
    tomlspan::get_str(doc, &["project", "name"])
        .or_else(|| tomlspan::get_str(doc, &["tool", "poetry", "name"]))
        .map(str::to_owned)
}

/// Find the layout and the spot that holds the version (none for a tag-derived layout).
pub fn detect(
    doc: &Document<&str>,
    files: &mut Files,
    name: Option<&str>,
) -> Result<Found, ProjectError> {
    let Some(project) = tomlspan::get(doc, &["project"]) else {
        if let Some(version) = tomlspan::get(doc, &["tool", "poetry", "version"]) {
            if tomlspan::get(doc, &["tool", "poetry-dynamic-versioning"]).is_some() {
                return Ok(scm());
            }
            return toml_spot(doc, version, "[tool.poetry] version", Layout::Poetry);
        }
        return Err(layout_err(
            "expected a [project] table with a version (or [tool.poetry] version); found neither",
            Some("add `version = \"0.1.0\"` under [project]"),
        ));
    };
    let table = project
        .as_table_like()
        .ok_or_else(|| layout_err("expected [project] to be a table", None))?;
    let dynamic = dynamic_version(table)?;
    match (table.get("version"), dynamic) {
        (Some(_), true) => Err(layout_err(
            "[project] sets version and also lists \"version\" in dynamic; PEP 621 allows one or the other",
            Some("remove \"version\" from dynamic, or remove the static version"),
        )),
        (Some(version), false) => toml_spot(doc, version, "[project] version", Layout::Static),
        (None, false) => Err(layout_err(
            "[project] has no version and does not list \"version\" in dynamic",
            Some("add `version = \"0.1.0\"` under [project], or `dynamic = [\"version\"]` with a backend that provides it"),
        )),
        (None, true) => dynamic_layout(doc, files, name),
    }
}

fn dynamic_version(table: &dyn TableLike) -> Result<bool, ProjectError> {
    let Some(item) = table.get("dynamic") else {
        return Ok(false);
    };
    let array = item.as_array().ok_or_else(|| {
        layout_err(
            "expected [project] dynamic to be a list of field names",
            None,
        )
    })?;
    Ok(array.iter().any(|v| v.as_str() == Some("version")))
}

fn scm() -> Found {
    Found {
        layout: Layout::Scm,
        spots: Vec::new(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Backend {
    Hatch,
    Pdm,
    Setuptools,
    Flit,
    Poetry,
    Other,
}

fn backend(doc: &Document<&str>) -> Backend {
    let name = tomlspan::get_str(doc, &["build-system", "build-backend"]).unwrap_or("");
    match name {
        n if n.starts_with("hatchling.") => Backend::Hatch,
        n if n.starts_with("pdm.backend") || n.starts_with("pdm.pep517") => Backend::Pdm,
        n if n.starts_with("setuptools.") => Backend::Setuptools,
        n if n.starts_with("flit_core.") || n.starts_with("flit.") => Backend::Flit,
        n if n.starts_with("poetry.") => Backend::Poetry,
        _ => Backend::Other,
    }
}

/// `dynamic = ["version"]`: follow the backend's own configuration.
fn dynamic_layout(
    doc: &Document<&str>,
    files: &mut Files,
    name: Option<&str>,
) -> Result<Found, ProjectError> {
    let has = |path: &[&str]| tomlspan::get(doc, path).is_some();
    let in_tree = has(&["build-system", "backend-path"]);
    let maturin = tomlspan::get_str(doc, &["build-system", "build-backend"])
        .is_some_and(|b| b.starts_with("maturin"));
    let backend = match backend(doc) {
        // A backend whose own code (or Cargo.toml) decides: nothing else is followed.
        Backend::Other if in_tree || maturin => return Err(other_backend(doc)),
        Backend::Other if has(&["tool", "hatch", "version"]) => Backend::Hatch,
        Backend::Other if has(&["tool", "pdm", "version"]) => Backend::Pdm,
        Backend::Other
            if has(&["tool", "setuptools", "dynamic", "version"])
                || has(&["tool", "setuptools_scm"]) =>
        {
            Backend::Setuptools
        }
        Backend::Other if has(&["tool", "poetry", "version"]) => Backend::Poetry,
        b => b,
    };
    match backend {
        Backend::Hatch => hatch(doc, files),
        Backend::Pdm => pdm(doc, files),
        Backend::Setuptools => setuptools(doc, files),
        Backend::Flit => flit(doc, files, name),
        Backend::Poetry => match tomlspan::get(doc, &["tool", "poetry", "version"]) {
            _ if has(&["tool", "poetry-dynamic-versioning"]) => Ok(scm()),
            Some(version) => toml_spot(doc, version, "[tool.poetry] version", Layout::Poetry),
            None => Err(layout_err(
                "dynamic version with poetry, but [tool.poetry] has no version",
                None,
            )),
        },
        Backend::Other => Err(other_backend(doc)),
    }
}

/// Why a dynamic version with a backend we do not follow cannot be read, naming its cause.
fn other_backend(doc: &Document<&str>) -> ProjectError {
    let name = tomlspan::get_str(doc, &["build-system", "build-backend"]).unwrap_or("");
    if name.starts_with("maturin") {
        // Regression: maturin projects got the list of Python backends and the hint to set
        // a static version, where the version lives in Cargo.toml.
        return layout_err(
            "the build backend is maturin, which takes the version from Cargo.toml ([package] version); Cargo.toml is not a layout this program follows",
            Some("bump Cargo.toml's version by hand (or with cargo-release) and release the tag alone, or set a static `version` under [project]"),
        );
    }
    if tomlspan::get(doc, &["build-system", "backend-path"]).is_some() {
        // An in-tree backend (setuptools_scm's own project): its code decides the version.
        return layout_err(
            format!("the build backend {name:?} is the project's own code (build-system.backend-path): the version it computes is not read without running it"),
            Some("set a static `version` under [project], or release the tag alone if the version comes from tags"),
        );
    }
    layout_err(
        "[project] lists \"version\" in dynamic, but there is no backend configuration to follow: expected [tool.hatch.version], [tool.pdm.version], [tool.setuptools.dynamic] version, [tool.setuptools_scm], or flit's __version__",
        Some("set a static `version` under [project], or configure one of the backends above"),
    )
}

/// A version written in pyproject.toml itself.
fn toml_spot(
    doc: &Document<&str>,
    item: &Item,
    what: &str,
    layout: Layout,
) -> Result<Found, ProjectError> {
    let value = item.as_value().ok_or_else(|| {
        layout_err(
            format!("expected {what} to be a string, found {}", item.type_name()),
            Some("write the version as a plain quoted string, such as version = \"1.2.0\""),
        )
    })?;
    let range = tomlspan::string_inner(doc.raw(), value).map_err(|e| {
        layout_err(
            format!("{what}: {e}"),
            Some("write the version as a plain quoted string, such as version = \"1.2.0\""),
        )
    })?;
    Ok(Found {
        layout,
        spots: vec![Spot {
            file: PYPROJECT.into(),
            range,
            template: None,
        }],
    })
}

fn hatch(doc: &Document<&str>, files: &mut Files) -> Result<Found, ProjectError> {
    let get = |k: &str| tomlspan::get(doc, &["tool", "hatch", "version", k]);
    if tomlspan::get(doc, &["tool", "hatch", "version"]).is_none() {
        return Err(layout_err(
            "hatchling builds a dynamic version, but [tool.hatch.version] is missing",
            Some("add [tool.hatch.version] with `path = \"src/pkg/__about__.py\"`"),
        ));
    }
    match get("source").and_then(Item::as_str).unwrap_or("regex") {
        "vcs" => return Ok(scm()),
        "regex" => {}
        other => {
            return Err(layout_err(
                format!("[tool.hatch.version] source = {other:?} is not followed; expected the default regex source with `path`, or \"vcs\""),
                None,
            ))
        }
    }
    if get("pattern").is_some() {
        return Err(layout_err(
            "[tool.hatch.version] pattern: a custom pattern is not followed; expected hatch's default `__version__ = \"...\"`",
            Some("remove `pattern` and write the version as `__version__ = \"1.2.0\"`"),
        ));
    }
    let path = get("path").and_then(Item::as_str).ok_or_else(|| {
        layout_err(
            "[tool.hatch.version] needs `path = FILE` (or source = \"vcs\")",
            None,
        )
    })?;
    let spot = assignment(files, path, "tool.hatch.version.path", Names::Hatch, false)?;
    Ok(Found {
        layout: Layout::Hatch,
        spots: vec![spot],
    })
}

fn pdm(doc: &Document<&str>, files: &mut Files) -> Result<Found, ProjectError> {
    let item = tomlspan::get(doc, &["tool", "pdm", "version"]).ok_or_else(|| {
        layout_err(
            "pdm builds a dynamic version, but [tool.pdm.version] is missing",
            Some("add `[tool.pdm.version]` with `source = \"file\"` and `path = \"src/pkg/__init__.py\"`"),
        )
    })?;
    let table = item
        .as_table_like()
        .ok_or_else(|| layout_err("expected [tool.pdm.version] to be a table", None))?;
    let str_of = |k: &str| table.get(k).and_then(Item::as_str);
    if table.get("use_scm").and_then(Item::as_bool) == Some(true) {
        return Ok(scm());
    }
    let path = match (str_of("source"), str_of("from")) {
        (Some("scm"), _) => return Ok(scm()),
        (Some("file"), _) => str_of("path").ok_or_else(|| layout_err("[tool.pdm.version] source = \"file\" needs `path`", None))?,
        (None, Some(from)) => from,
        (other, _) => {
            return Err(layout_err(
                format!("[tool.pdm.version] source = {:?} is not followed; expected \"file\" with `path`, or \"scm\"", other.unwrap_or("")),
                None,
            ))
        }
    };
    let spot = assignment(
        files,
        path,
        "tool.pdm.version.path",
        Names::Exact("__version__"),
        false,
    )?;
    Ok(Found {
        layout: Layout::PdmFile,
        spots: vec![spot],
    })
}

fn setuptools(doc: &Document<&str>, files: &mut Files) -> Result<Found, ProjectError> {
    let Some(item) = tomlspan::get(doc, &["tool", "setuptools", "dynamic", "version"]) else {
        let requires_scm = tomlspan::get(doc, &["build-system", "requires"])
            .and_then(Item::as_array)
            .is_some_and(|a| {
                a.iter().filter_map(|v| v.as_str()).any(|r| {
                    let r = r.to_ascii_lowercase().replace('-', "_");
                    r.starts_with("setuptools_scm")
                })
            });
        if requires_scm || tomlspan::get(doc, &["tool", "setuptools_scm"]).is_some() {
            return Ok(scm());
        }
        return Err(layout_err(
            "setuptools builds a dynamic version, but [tool.setuptools.dynamic] has no version (and setuptools_scm is not configured)",
            Some("add `version = {attr = \"pkg.__version__\"}` under [tool.setuptools.dynamic]"),
        ));
    };
    let table = item.as_table_like().ok_or_else(|| {
        layout_err(
            "expected [tool.setuptools.dynamic] version to be {attr = ...} or {file = ...}",
            None,
        )
    })?;
    if let Some(attr) = table.get("attr").and_then(Item::as_str) {
        let (module, name) = attr.rsplit_once('.').ok_or_else(|| {
            layout_err(
                format!("[tool.setuptools.dynamic] version attr = {attr:?}: expected MODULE.NAME"),
                None,
            )
        })?;
        let bases = setuptools_bases(doc, module);
        let file = find_module(files, &bases, module).ok_or_else(|| {
            layout_err(
                format!("[tool.setuptools.dynamic] version attr = {attr:?}: module {module} not found (looked in {})", show_bases(&bases)),
                Some("set [tool.setuptools] package-dir or [tool.setuptools.packages.find] where to the folder that holds the package"),
            )
        })?;
        let key = "tool.setuptools.dynamic.version.attr";
        let spot = assignment(files, &file, key, Names::Exact(name), true)?;
        return Ok(Found {
            layout: Layout::SetuptoolsAttr,
            spots: vec![spot],
        });
    }
    let file = match table.get("file") {
        Some(f) if f.as_str().is_some() => f.as_str().unwrap_or_default().to_owned(),
        Some(f) => match f.as_array().map(|a| a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>()) {
            Some(list) if list.len() == 1 => list[0].to_owned(),
            _ => {
                return Err(layout_err(
                    "[tool.setuptools.dynamic] version file: expected one file that holds the version",
                    None,
                ))
            }
        },
        None => {
            return Err(layout_err(
                "expected [tool.setuptools.dynamic] version to be {attr = \"pkg.__version__\"} or {file = \"VERSION\"}",
                None,
            ))
        }
    };
    let (name, text) = files.read(&file, "tool.setuptools.dynamic.version.file")?;
    let trimmed = text.trim();
    let start = text.len() - text.trim_start().len();
    if trimmed.is_empty() || trimmed.contains('\n') {
        return Err(ProjectError::Layout {
            file: name,
            expected: "expected the file to hold the version alone, on one line".into(),
            hint: None,
        });
    }
    Ok(Found {
        layout: Layout::SetuptoolsFile,
        spots: vec![Spot {
            file: name,
            range: start..start + trimmed.len(),
            template: None,
        }],
    })
}

/// The folders setuptools would find a top-level package in, best first.
fn setuptools_bases(doc: &Document<&str>, module: &str) -> Vec<String> {
    let top = module.split('.').next().unwrap_or(module);
    let mut bases = Vec::new();
    if let Some(dirs) =
        tomlspan::get(doc, &["tool", "setuptools", "package-dir"]).and_then(Item::as_table_like)
    {
        if let Some(dir) = dirs.get(top).and_then(Item::as_str) {
            // `{pkg = "lib/pkg"}` maps the package itself to that folder.
            bases.push(format!("@{dir}"));
        }
        if let Some(dir) = dirs.get("").and_then(Item::as_str) {
            bases.push(dir.to_owned());
        }
    }
    if let Some(wheres) = tomlspan::get(doc, &["tool", "setuptools", "packages", "find", "where"])
        .and_then(Item::as_array)
    {
        bases.extend(wheres.iter().filter_map(|v| v.as_str()).map(str::to_owned));
    }
    if bases.is_empty() {
        bases = vec!["src".into(), ".".into()];
    }
    bases
}

fn show_bases(bases: &[String]) -> String {
    bases
        .iter()
        .map(|b| b.trim_start_matches('@'))
        .map(|b| {
            if b.is_empty() || b == "." {
                "the project folder".to_owned()
            } else {
                format!("{b}/")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The file of `module` (`pkg.sub`) under one of `bases`: `pkg/sub/__init__.py` or
/// `pkg/sub.py`. A base written `@DIR` is the folder of the top-level package itself.
fn find_module(files: &Files, bases: &[String], module: &str) -> Option<String> {
    let parts: Vec<&str> = module.split('.').collect();
    for base in bases {
        let (dir, rest) = match base.strip_prefix('@') {
            Some(pkg_dir) => (pkg_dir.trim_end_matches('/').to_owned(), &parts[1..]),
            None => (base.trim_end_matches('/').to_owned(), &parts[..]),
        };
        let mut path = if dir.is_empty() || dir == "." {
            String::new()
        } else {
            format!("{dir}/")
        };
        path.push_str(&rest.join("/"));
        let path = path.trim_end_matches('/');
        let candidates = [format!("{path}/__init__.py"), format!("{path}.py")];
        if let Some(found) = candidates
            .into_iter()
            .find(|c| !c.starts_with('/') && files.exists(c))
        {
            return Some(found);
        }
    }
    None
}

fn flit(
    doc: &Document<&str>,
    files: &mut Files,
    name: Option<&str>,
) -> Result<Found, ProjectError> {
    let module = tomlspan::get_str(doc, &["tool", "flit", "module", "name"])
        .map(str::to_owned)
        .or_else(|| name.map(|n| n.replace(['-', '.'], "_")))
        .ok_or_else(|| {
            layout_err(
                "flit needs [project] name (or [tool.flit.module] name) to find the module",
                None,
            )
        })?;
    let bases = vec!["".to_owned(), "src".to_owned()];
    let file = find_module(files, &bases, &module)
        .or_else(|| find_module(files, &bases, &module.to_ascii_lowercase()))
        .ok_or_else(|| {
            layout_err(
                format!("flit reads __version__ from module {module}, but neither {module}/__init__.py, {module}.py nor their src/ forms exist"),
                Some("set [tool.flit.module] name to the import name of the package"),
            )
        })?;
    let spot = assignment(
        files,
        &file,
        "[tool.flit.module] name",
        Names::Exact("__version__"),
        true,
    )?;
    Ok(Found {
        layout: Layout::Flit,
        spots: vec![spot],
    })
}
