//! `git secure-release version` (contract §2.1a) end to end: output, tags, colour, and every
//! bad input of the foundation issue refused with exit 1 (or 2), nothing written.

use crate::common::{json, stderr, stdout, World};

const STATIC: &str = "[project]\nname = \"demo\"\nversion = \"0.7.1\"\n";

#[test]
fn json_shape_and_bump() {
    let w = World::new();
    w.write("pyproject.toml", STATIC);
    let got = json(&w.cmd(&["version", "--json"]).success());
    assert_eq!(
        got,
        serde_json::json!({"version": "0.7.1", "layout": "static", "files": ["pyproject.toml"], "tag_prefix": "v"})
    );
    let got = json(
        &w.cmd(&["version", "--json", "--bump", "minor", "--pre", "rc"])
            .success(),
    );
    assert_eq!(got["next"], "0.8.0rc1");
    let got = json(&w.cmd(&["version", "--bump", "post", "--json"]).success());
    assert_eq!(got["next"], "0.7.1.post1");
}

#[test]
fn text_output_names_every_field() {
    let w = World::new();
    w.write("pyproject.toml", STATIC);
    let out = stdout(&w.cmd(&["version", "--bump", "major"]).success());
    insta::assert_snapshot!(out, @r"
    version:    0.7.1
    layout:     static
    files:      pyproject.toml
    tag prefix: v
    next:       1.0.0
    ");
}

#[test]
fn works_from_a_subfolder_and_outside_git() {
    let w = World::new();
    w.write("pyproject.toml", STATIC)
        .write("src/pkg/deep/x.txt", "");
    let got = json(&w.cmd_in("src/pkg/deep", &["version", "--json"]).success());
    assert_eq!(got["version"], "0.7.1");
    assert_eq!(got["files"], serde_json::json!(["pyproject.toml"]));
}

#[test]
fn tag_prefix_comes_from_config_then_newest_release_tag() {
    let w = World::new();
    w.write("pyproject.toml", STATIC).git_init();
    w.git(&["tag", "release-0.7.0"]);
    w.git(&["tag", "v0.6.0"]);
    w.git(&["tag", "nightly"]);
    let got = json(&w.cmd(&["version", "--json"]).success());
    assert_eq!(got["tag_prefix"], "release-");
    w.write(
        "pyproject.toml",
        format!("{STATIC}[tool.secure-release]\ntag-prefix = \"pkg/v\"\n"),
    );
    let got = json(&w.cmd(&["version", "--json"]).success());
    assert_eq!(got["tag_prefix"], "pkg/v");
}

#[test]
fn tag_derived_version_is_the_newest_release_tag() {
    let w = World::new();
    w.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\ndynamic = [\"version\"]\n[tool.hatch.version]\nsource = \"vcs\"\n",
    );
    let e = w.cmd(&["version", "--bump", "patch"]).code(1);
    assert!(stderr(&e).contains("no release tag"), "{}", stderr(&e));
    w.git_init();
    w.git(&["tag", "1.4.0"]);
    w.git(&["tag", "1.10.0rc2"]);
    let got = json(&w.cmd(&["version", "--json", "--bump", "rc"]).success());
    assert_eq!(got["version"], "1.10.0rc2");
    assert_eq!(got["layout"], "scm");
    assert_eq!(got["files"], serde_json::json!([]));
    assert_eq!(got["tag_prefix"], "");
    assert_eq!(got["next"], "1.10.0rc3");
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let w = World::new();
    w.write("pyproject.toml", STATIC);
    assert!(
        !stdout(&w.cmd(&["version"]).success()).contains('\x1b'),
        "not a terminal: no colour"
    );
    assert!(stdout(&w.cmd(&["version", "--color", "always"]).success()).contains('\x1b'));
    assert!(!stdout(&w.cmd(&["--color", "never", "version"]).success()).contains('\x1b'));
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("git-secure-release"));
    cmd.current_dir(&w.root)
        .env("NO_COLOR", "1")
        .args(["version", "--color", "always"]);
    let out = cmd.output().expect("run");
    assert!(out.status.success());
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains('\x1b'),
        "NO_COLOR wins"
    );
}

#[test]
fn help_and_version_flags() {
    let w = World::new();
    let out = stdout(&w.cmd(&["--version"]).success());
    assert_eq!(
        out.trim(),
        format!("git-secure-release {}", env!("CARGO_PKG_VERSION"))
    );
    for args in [
        &["-h"][..],
        &["--help"],
        &["version", "-h"],
        &["help", "version"],
    ] {
        let out = stdout(&w.cmd(args).success());
        assert!(out.contains("Usage: git secure-release"), "{args:?}: {out}");
    }
}

#[test]
fn bad_command_lines_exit_2() {
    let w = World::new();
    w.write("pyproject.toml", STATIC);
    for args in [
        &["version", "--frobnicate"][..],
        &["version", "--bump", "huge"],
        &["version", "--pre", "rc"],
        &["version", "--bump", "post", "--pre", "rc"],
        &["--color", "sometimes", "version"],
        &["nonsense"],
    ] {
        let out = w.cmd(args).code(2);
        assert!(!stderr(&out).is_empty(), "{args:?} says nothing");
        assert!(stdout(&out).is_empty(), "{args:?} printed data");
    }
}

/// A bad-input case: its name, the files of its project, the command's arguments.
type BadCase = (
    &'static str,
    Vec<(&'static str, &'static str)>,
    &'static [&'static str],
);

/// Each bad input of the foundation issue: exit 1, a message naming the file or key and the
/// reason, and nothing written. The messages are snapshotted together.
#[test]
fn bad_inputs_are_refused_clearly() {
    let cases: Vec<BadCase> = vec![
        ("no pyproject.toml", vec![("README.md", "hi")], &["version"]),
        ("invalid TOML", vec![("pyproject.toml", "[project]\nname = \"x\nversion = 1\n")], &["version"]),
        ("no version, not dynamic", vec![("pyproject.toml", "[project]\nname = \"x\"\n")], &["version"]),
        (
            "dynamic with nothing to follow",
            vec![("pyproject.toml", "[project]\nname = \"x\"\ndynamic = [\"version\"]\n[build-system]\nbuild-backend = \"some_backend.api\"\n")],
            &["version"],
        ),
        (
            "__version__ not a literal",
            vec![
                ("pyproject.toml", "[project]\nname = \"x\"\ndynamic = [\"version\"]\n[tool.hatch.version]\npath = \"x/__init__.py\"\n"),
                ("x/__init__.py", "import importlib.metadata\n__version__ = importlib.metadata.version(\"x\")\n"),
            ],
            &["version"],
        ),
        ("not PEP 440", vec![("pyproject.toml", "[project]\nname = \"x\"\nversion = \"1.0-foo\"\n")], &["version"]),
        ("impossible bump", vec![("pyproject.toml", "[project]\nname = \"x\"\nversion = \"1.0\"\n")], &["version", "--bump", "dev"]),
        (
            "two assignments",
            vec![
                ("pyproject.toml", "[project]\nname = \"x\"\ndynamic = [\"version\"]\n[build-system]\nbuild-backend = \"flit_core.buildapi\"\n"),
                ("x.py", "__version__ = \"1.0\"\nif True:\n    __version__ = \"1.1\"\n"),
            ],
            &["version"],
        ),
        (
            "path outside the project",
            vec![("pyproject.toml", "[project]\nname = \"x\"\ndynamic = [\"version\"]\n[tool.hatch.version]\npath = \"../outside.py\"\n")],
            &["version"],
        ),
        (
            "missing version file",
            vec![("pyproject.toml", "[project]\nname = \"x\"\ndynamic = [\"version\"]\n[tool.pdm.version]\nsource = \"file\"\npath = \"x/__init__.py\"\n")],
            &["version"],
        ),
        (
            "unknown config key",
            vec![("pyproject.toml", "[project]\nname = \"x\"\nversion = \"1.0\"\n[tool.secure-release]\ntag_prefix = \"v\"\n")],
            &["version"],
        ),
        (
            "config of the wrong type",
            vec![("pyproject.toml", "[project]\nname = \"x\"\nversion = \"1.0\"\n[tool.secure-release]\nallow-branch = \"main\"\n")],
            &["version"],
        ),
        (
            "extra-file pattern matches nothing",
            vec![
                ("pyproject.toml", "[project]\nname = \"x\"\nversion = \"1.0\"\n[tool.secure-release]\nfiles = [{path = \"README.md\", search = \"v{current_version}\"}]\n"),
                ("README.md", "version 1.0\n"),
            ],
            &["version"],
        ),
        (
            "uv.lock disagrees",
            vec![
                ("pyproject.toml", "[project]\nname = \"x\"\nversion = \"1.1\"\n"),
                ("uv.lock", "version = 1\n[[package]]\nname = \"x\"\nversion = \"1.0\"\nsource = { editable = \".\" }\n"),
            ],
            &["version"],
        ),
        (
            "both static and dynamic",
            vec![("pyproject.toml", "[project]\nname = \"x\"\nversion = \"1.0\"\ndynamic = [\"version\"]\n")],
            &["version"],
        ),
    ];
    let mut report = String::new();
    for (name, files, args) in cases {
        let w = World::new();
        std::fs::write(w.tmp.path().join("outside.py"), "__version__ = \"9.9\"\n").expect("write");
        for (path, text) in &files {
            w.write(path, text);
        }
        let before = w.snapshot();
        let out = w.cmd(args).code(1);
        let err = stderr(&out).replace(&w.root.display().to_string(), "[ROOT]");
        assert!(err.starts_with("error: "), "{name}: {err}");
        assert!(stdout(&out).is_empty(), "{name}: printed data on stdout");
        assert_eq!(w.snapshot(), before, "{name}: wrote something");
        report.push_str(&format!("--- {name}\n{err}"));
    }
    insta::assert_snapshot!(report);
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_project_is_refused() {
    let w = World::new();
    std::fs::write(w.tmp.path().join("outside.py"), "__version__ = \"9.9\"\n").expect("write");
    w.write("pyproject.toml", "[project]\nname = \"x\"\ndynamic = [\"version\"]\n[tool.hatch.version]\npath = \"pkg/v.py\"\n");
    std::fs::create_dir_all(w.root.join("pkg")).expect("mkdir");
    std::os::unix::fs::symlink(w.tmp.path().join("outside.py"), w.root.join("pkg/v.py"))
        .expect("symlink");
    let out = w.cmd(&["version"]).code(1);
    let err = stderr(&out);
    assert!(
        err.contains("tool.hatch.version.path") && err.contains("symbolic link"),
        "{err}"
    );
    // A link whose target stays inside the project is followed.
    std::fs::remove_file(w.root.join("pkg/v.py")).expect("rm");
    w.write("pkg/real.py", "__version__ = \"2.0\"\n");
    std::os::unix::fs::symlink(w.root.join("pkg/real.py"), w.root.join("pkg/v.py"))
        .expect("symlink");
    assert_eq!(
        json(&w.cmd(&["version", "--json"]).success())["version"],
        "2.0"
    );
}

// Regression: maturin projects (the version lives in Cargo.toml) got the list of Python
// backends and the hint to set a static version; setuptools_scm's own project (an in-tree
// backend through backend-path) got "module not found". Each now names its cause.
#[test]
fn unsupported_backends_name_their_cause() {
    for (pyproject, needle) in [
        (
            "[build-system]\nrequires = [\"maturin>=1\"]\nbuild-backend = \"maturin\"\n[project]\nname = \"x\"\ndynamic = [\"version\"]\n",
            "maturin, which takes the version from Cargo.toml",
        ),
        (
            "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"_own_version_helper\"\nbackend-path = [\".\", \"src\"]\n[project]\nname = \"setuptools-scm\"\ndynamic = [\"version\"]\n[tool.setuptools_scm]\n",
            "is the project's own code (build-system.backend-path)",
        ),
    ] {
        let w = World::new();
        w.write("pyproject.toml", pyproject);
        let out = w.cmd(&["version"]).code(1);
        let err = crate::common::stderr(&out);
        assert!(err.contains(needle), "{err}");
        assert!(!err.contains("module"), "{err}");
    }
}
