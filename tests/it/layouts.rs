//! Every layout of contract §3, read and rewritten: each case is a set of file templates in
//! which `{V}` marks the version. The expected bytes after a bump are the template with the
//! new version put in, computed here, independently of the code under test; every file not
//! named must not change at all.

use std::str::FromStr;

use git_secure_release::project::{Layout, Project};
use git_secure_release::version::Version;

use crate::common::World;

const OLD: &str = "1.2.3";
const NEW: &str = "1.3.0";

struct Case {
    name: &'static str,
    layout: Layout,
    /// (path, template); `{V}` is the version, `{W}` a version text that must never change.
    files: Vec<(&'static str, String)>,
    /// The files that hold the version, in the order `version` lists them.
    holds: Vec<&'static str>,
}

fn render(template: &str, v: &str) -> String {
    template.replace("{V}", v).replace("{W}", OLD)
}

fn check(case: &Case) {
    let world = World::new();
    for (path, template) in &case.files {
        world.write(path, render(template, OLD));
    }
    let project = Project::load(&world.root).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    assert_eq!(project.layout, case.layout, "{}", case.name);
    assert_eq!(project.files(), case.holds, "{}", case.name);
    let got = crate::common::json(&world.cmd(&["version", "--json"]).success());
    assert_eq!(got["layout"], case.layout.name(), "{}", case.name);
    assert_eq!(got["files"], serde_json::json!(case.holds), "{}", case.name);
    let want = if case.layout == Layout::Scm {
        serde_json::Value::Null
    } else {
        OLD.into()
    };
    assert_eq!(got["version"], want, "{}", case.name);
    if case.layout == Layout::Scm {
        assert_eq!(project.version_text, None, "{}", case.name);
        assert!(project
            .plan_edits(&Version::from_str(NEW).expect("v"))
            .is_empty());
        return;
    }
    assert_eq!(project.version_text.as_deref(), Some(OLD), "{}", case.name);
    let edits = project.plan_edits(&Version::from_str(NEW).expect("version"));
    let edited: Vec<&str> = edits.iter().map(|e| e.file.as_str()).collect();
    assert_eq!(edited, case.holds, "{}: edited files", case.name);
    for (path, template) in &case.files {
        let old = render(template, OLD);
        assert_eq!(
            world.read(path),
            old.as_bytes(),
            "{}: loading wrote {path}",
            case.name
        );
        if let Some(edit) = edits.iter().find(|e| e.file == *path) {
            assert_eq!(edit.old, old.as_bytes(), "{}: {path} old bytes", case.name);
            let want = render(template, NEW);
            assert_eq!(
                String::from_utf8_lossy(&edit.new),
                want,
                "{}: {path} must change only in its version bytes",
                case.name
            );
        }
    }
}

/// A pyproject.toml `[project]` table around `version_line`, with non-ASCII text, comments,
/// a decoy dependency pinned to the same version, CRLF when asked, and no final newline.
fn pyproject(head: &str, tail: &str, crlf: bool) -> String {
    let text = format!(
        "# Ünïcödé comment ✓\n[project]\nname = \"démo-pkg\"\n{head}\ndescription = \"A package — with “quotes”\"\ndependencies = [\"other=={{W}}\"]  # same version, must stay\n{tail}"
    );
    let text = text.trim_end_matches('\n').to_owned();
    if crlf {
        text.replace('\n', "\r\n")
    } else {
        text
    }
}

#[test]
fn static_layout_in_every_quoting_and_line_ending() {
    for (quote, crlf) in [("\"", false), ("'", true), ("\"\"\"", false), ("'''", true)] {
        check(&Case {
            name: "static",
            layout: Layout::Static,
            files: vec![(
                "pyproject.toml",
                pyproject(
                    &format!("version   =   {quote}{{V}}{quote}   # the version"),
                    "",
                    crlf,
                ),
            )],
            holds: vec!["pyproject.toml"],
        });
    }
}

#[test]
fn poetry_layout_leaves_dependency_versions_alone() {
    let text = "[tool.poetry]\r\nname = \"demo\"\r\nversion = \"{V}\"\r\n\r\n[tool.poetry.dependencies]\r\npython = \"^3.8\"\r\nrequests = { version = \"{W}\" }\r\n";
    check(&Case {
        name: "poetry",
        layout: Layout::Poetry,
        files: vec![("pyproject.toml", text.into())],
        holds: vec!["pyproject.toml"],
    });
}

#[test]
fn hatch_layout_rewrites_the_version_file_only() {
    let head = "dynamic = [\"version\"]";
    let tail = "\n[build-system]\nbuild-backend = \"hatchling.build\"\n\n[tool.hatch.version]\npath = \"src/pkg/__about__.py\"\n";
    for (module, crlf) in [
        ("# -*- coding: utf-8 -*-\n\"\"\"Ä docstring: __version__ = \"{W}\".\"\"\"\n__version__ = \"{V}\"\n", false),
        ("VERSION = 'v{V}'\r\n__all__ = ['VERSION']\r\n", true),
        ("__version__ = \"{V}\"", false),
    ] {
        check(&Case {
            name: "hatch",
            layout: Layout::Hatch,
            files: vec![("pyproject.toml", pyproject(head, tail, crlf)), ("src/pkg/__about__.py", module.into())],
            holds: vec!["src/pkg/__about__.py"],
        });
    }
}

#[test]
fn setuptools_attr_layout_with_package_dir_and_find() {
    for tail in [
        "[build-system]\nbuild-backend = \"setuptools.build_meta\"\n[tool.setuptools]\npackage-dir = {\"\" = \"src\"}\n[tool.setuptools.dynamic]\nversion = {attr = \"pkg.__version__\"}\n",
        "[build-system]\nbuild-backend = \"setuptools.build_meta\"\n[tool.setuptools.packages.find]\nwhere = [\"src\"]\n[tool.setuptools.dynamic]\nversion = {attr = \"pkg.__version__\"}\n",
        "[tool.setuptools.dynamic]\nversion = {attr = \"pkg.__version__\"}\n",
    ] {
        check(&Case {
            name: "setuptools-attr",
            layout: Layout::SetuptoolsAttr,
            files: vec![
                ("pyproject.toml", pyproject("dynamic = [\"version\", \"readme\"]", tail, false)),
                ("src/pkg/__init__.py", "from pkg.core import *  # noqa\n__version__: str = '{V}'\n".into()),
            ],
            holds: vec!["src/pkg/__init__.py"],
        });
    }
    check(&Case {
        name: "setuptools-attr submodule",
        layout: Layout::SetuptoolsAttr,
        files: vec![
            (
                "pyproject.toml",
                pyproject(
                    "dynamic = [\"version\"]",
                    "[tool.setuptools.dynamic]\nversion = {attr = \"pkg.about.VERSION\"}\n",
                    true,
                ),
            ),
            ("pkg/__init__.py", "".into()),
            (
                "pkg/about.py",
                "VERSION = \"{V}\"\r\nOTHER = \"{W}\"  # not the target\r\n".into(),
            ),
        ],
        holds: vec!["pkg/about.py"],
    });
}

#[test]
fn setuptools_file_layout() {
    for content in ["{V}\n", "{V}", "  {V}  \r\n"] {
        check(&Case {
            name: "setuptools-file",
            layout: Layout::SetuptoolsFile,
            files: vec![
                (
                    "pyproject.toml",
                    pyproject(
                        "dynamic = [\"version\"]",
                        "[tool.setuptools.dynamic]\nversion = {file = \"VERSION\"}\n",
                        false,
                    ),
                ),
                ("VERSION", content.into()),
            ],
            holds: vec!["VERSION"],
        });
    }
}

#[test]
fn flit_layout_finds_module_and_follows_reexport() {
    let tail = "[build-system]\nbuild-backend = \"flit_core.buildapi\"\n";
    check(&Case {
        name: "flit single module",
        layout: Layout::Flit,
        files: vec![
            (
                "pyproject.toml",
                pyproject("dynamic = [\"version\", \"description\"]", tail, false),
            )
                .clone(),
            (
                "démo_pkg.py",
                "\"\"\"Démo.\"\"\"\n__version__ = \"\"\"{V}\"\"\"\n".into(),
            ),
        ],
        holds: vec!["démo_pkg.py"],
    });
    let tail = "[build-system]\nbuild-backend = \"flit_core.buildapi\"\n[tool.flit.module]\nname = \"pkg\"\n";
    check(&Case {
        name: "flit re-export",
        layout: Layout::Flit,
        files: vec![
            (
                "pyproject.toml",
                pyproject("dynamic = [\"version\"]", tail, true),
            ),
            (
                "src/pkg/__init__.py",
                "from ._version import __version__ as __version__  # noqa: F401\r\n".into(),
            ),
            (
                "src/pkg/_version.py",
                "__version__: str = \"{V}\"\r\n".into(),
            ),
        ],
        holds: vec!["src/pkg/_version.py"],
    });
}

#[test]
fn pdm_file_layout_old_and_new_spelling() {
    for config in [
        "[tool.pdm.version]\nsource = \"file\"\npath = \"pkg/__init__.py\"\n",
        "[tool.pdm]\nversion = { source = \"file\", path = \"pkg/__init__.py\" }\n",
        "[tool.pdm]\nversion = {from = \"pkg/__init__.py\"}\n",
    ] {
        let tail = format!("[build-system]\nbuild-backend = \"pdm.backend\"\n{config}");
        check(&Case {
            name: "pdm-file",
            layout: Layout::PdmFile,
            files: vec![
                (
                    "pyproject.toml",
                    pyproject("dynamic = [\"version\"]", &tail, false),
                ),
                (
                    "pkg/__init__.py",
                    "__version__ = \"{V}\"\n\ndef f():\n    return '{W}'\n".into(),
                ),
            ],
            holds: vec!["pkg/__init__.py"],
        });
    }
}

#[test]
fn tag_derived_layouts_write_nothing() {
    for tail in [
        "[build-system]\nrequires = [\"setuptools\", \"setuptools-scm>=8\"]\nbuild-backend = \"setuptools.build_meta\"\n",
        "[build-system]\nbuild-backend = \"setuptools.build_meta\"\n[tool.setuptools_scm]\n",
        "[build-system]\nbuild-backend = \"hatchling.build\"\n[tool.hatch.version]\nsource = \"vcs\"\n",
        "[build-system]\nbuild-backend = \"pdm.backend\"\n[tool.pdm.version]\nsource = \"scm\"\n",
        "[build-system]\nbuild-backend = \"pdm.pep517.api\"\n[tool.pdm]\nversion = {use_scm = true}\n",
    ] {
        check(&Case {
            name: "scm",
            layout: Layout::Scm,
            files: vec![("pyproject.toml", pyproject("dynamic = [\"version\"]", tail, false))],
            holds: vec![],
        });
    }
}

fn uv_lock(version_line: &str) -> String {
    format!(
        "version = 1\nrevision = 3\n\n[[package]]\nname = \"other\"\nversion = \"{{W}}\"\nsource = {{ registry = \"https://pypi.org/simple\" }}\n\n[[package]]\nname = \"démo-pkg\"\n{version_line}source = {{ editable = \".\" }}\ndependencies = [\n    {{ name = \"other\" }},\n]\n"
    )
}

#[test]
fn uv_lock_beside_a_layout_changes_only_its_own_entry() {
    check(&Case {
        name: "static + uv.lock",
        layout: Layout::Static,
        files: vec![
            ("pyproject.toml", pyproject("version = \"{V}\"", "", false)),
            ("uv.lock", uv_lock("version = \"{V}\"\n")),
        ],
        holds: vec!["pyproject.toml", "uv.lock"],
    });
    // A dynamic version is not recorded by uv: the lock stays as it is.
    check(&Case {
        name: "hatch + uv.lock without version",
        layout: Layout::Hatch,
        files: vec![
            (
                "pyproject.toml",
                pyproject(
                    "dynamic = [\"version\"]",
                    "[tool.hatch.version]\npath = \"v.py\"\n",
                    false,
                ),
            ),
            ("v.py", "__version__ = \"{V}\"\n".into()),
            ("uv.lock", uv_lock("")),
        ],
        holds: vec!["v.py"],
    });
}

#[test]
fn extra_files_from_configuration() {
    let tail = "[tool.secure-release]\nfiles = [\n  { path = \"README.md\" },\n  { path = \"docs/conf.py\", search = \"release = '{current_version}'\", replace = \"release = '{new_version}'\" },\n]\n";
    check(&Case {
        name: "extra files",
        layout: Layout::Static,
        files: vec![
            (
                "pyproject.toml",
                pyproject("version = \"{V}\"", tail, false),
            ),
            (
                "README.md",
                "Install {V}:\n\n    pip install demo=={V}\n".into(),
            ),
            ("docs/conf.py", "version = '{W}'\nrelease = '{V}'\n".into()),
        ],
        holds: vec!["pyproject.toml", "README.md", "docs/conf.py"],
    });
}
