//! `reproduce` (contract §2.5), tier 2: real build backends through the default command
//! (`python3 -m build`, isolated: pip fetches the backend from the package index). The
//! frontend and backends come from the virtual environment `scripts/test` makes
//! (GSR_TEST_VENV); without it these tests say so and are skipped.

use std::path::{Path, PathBuf};

use crate::common::{json, World};

/// The test environment's bin folder, or `None` (said on stderr) when it was not made.
#[allow(clippy::print_stderr)] // how a test says it was skipped, and why
fn venv(test: &str) -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("GSR_TEST_VENV").map(PathBuf::from) else {
        eprintln!("SKIPPED {test}: GSR_TEST_VENV is not set (scripts/test makes it: a virtual environment with build and the backends, from the package index)");
        return None;
    };
    Some(dir.join("bin"))
}

/// A repository with `files`, tagged v1.0.0, whose `python3` is the test environment's.
fn project(bin: &Path, files: &[(&str, &str)]) -> World {
    let w = World::new();
    w.set_env("TMPDIR", w.tmp.path());
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    w.set_env("PATH", std::env::join_paths(dirs).expect("PATH"));
    // One download cache for every test's isolated builds.
    let cache = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/pip-cache");
    w.set_env("PIP_CACHE_DIR", &cache);
    for (rel, text) in files {
        w.write(rel, text);
    }
    w.git_init();
    w.git(&["tag", "-a", "v1.0.0", "-m", "Release 1.0.0"]);
    w
}

fn verdicts(v: &serde_json::Value) -> Vec<(String, String)> {
    v["artifacts"]
        .as_array()
        .expect("artifacts")
        .iter()
        .map(|a| {
            let name = a["name"].as_str().unwrap_or("");
            let kind = if name.ends_with(".whl") {
                "wheel"
            } else {
                "sdist"
            };
            (
                kind.to_owned(),
                a["verdict"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

const INIT: (&str, &str) = (
    "src/demo_pkg/__init__.py",
    "\"\"\"A demo.\"\"\"\n\n__version__ = \"1.0.0\"\n",
);

fn rebuilt(test: &str, files: &[(&str, &str)]) -> Option<serde_json::Value> {
    let bin = venv(test)?;
    let w = project(&bin, files);
    let out = w.cmd(&["reproduce", "--json"]);
    let v = json(&out);
    assert_eq!(v["build"]["frontend"], "build", "{v}");
    assert!(
        v["build"]["command"][0]
            .as_str()
            .is_some_and(|c| c.contains("python")),
        "{v}"
    );
    Some(v)
}

#[test]
fn hatchling_rebuilds_bit_for_bit() {
    let pyproject = "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"demo-pkg\"\nversion = \"1.0.0\"\n\n[tool.hatch.build.targets.wheel]\npackages = [\"src/demo_pkg\"]\n";
    let Some(v) = rebuilt("hatchling", &[("pyproject.toml", pyproject), INIT]) else {
        return;
    };
    assert_eq!(
        verdicts(&v),
        [
            ("wheel".into(), "reproducible".into()),
            ("sdist".into(), "reproducible".into())
        ],
        "{v}"
    );
    assert_eq!(v["ok"], true);
}

#[test]
fn flit_core_rebuilds_bit_for_bit() {
    let pyproject = "[build-system]\nrequires = [\"flit_core>=3.4\"]\nbuild-backend = \"flit_core.buildapi\"\n\n[project]\nname = \"demo_pkg\"\nversion = \"1.0.0\"\ndescription = \"A demo.\"\n";
    let Some(v) = rebuilt(
        "flit_core",
        &[
            ("pyproject.toml", pyproject),
            ("demo_pkg/__init__.py", INIT.1),
        ],
    ) else {
        return;
    };
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(verdicts(&v).len(), 2, "{v}");
}

#[test]
fn poetry_core_rebuilds_bit_for_bit() {
    let pyproject = "[build-system]\nrequires = [\"poetry-core>=1.0.0\"]\nbuild-backend = \"poetry.core.masonry.api\"\n\n[tool.poetry]\nname = \"demo-pkg\"\nversion = \"1.0.0\"\ndescription = \"A demo.\"\nauthors = [\"A <a@example.com>\"]\npackages = [{ include = \"demo_pkg\", from = \"src\" }]\n";
    let Some(v) = rebuilt("poetry-core", &[("pyproject.toml", pyproject), INIT]) else {
        return;
    };
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(verdicts(&v).len(), 2, "{v}");
}

#[test]
fn setuptools_sdist_differs_by_time_and_its_wheel_does_not() {
    let pyproject = "[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"demo-pkg\"\nversion = \"1.0.0\"\n";
    let Some(v) = rebuilt("setuptools", &[("pyproject.toml", pyproject), INIT]) else {
        return;
    };
    assert_eq!(v["ok"], false, "{v}");
    let rows = v["artifacts"].as_array().expect("artifacts");
    let sdist = rows
        .iter()
        .find(|a| a["name"].as_str().is_some_and(|n| n.ends_with(".tar.gz")))
        .expect("an sdist");
    let wheel = rows
        .iter()
        .find(|a| a["name"].as_str().is_some_and(|n| n.ends_with(".whl")))
        .expect("a wheel");
    assert_eq!(wheel["verdict"], "reproducible", "{v}");
    assert_eq!(sdist["verdict"], "differs", "{v}");
    let what = format!(
        "{} {}",
        sdist["difference"]["what"], sdist["difference"]["cause"]
    );
    assert!(what.contains("time") || what.contains("gzip"), "{what}");
    assert!(
        what.contains("SOURCE_DATE_EPOCH") || what.contains("checkout"),
        "{what}"
    );
}

/// The published wheel was built by an older hatchling: matched through the pin its
/// Generator names, and a mismatch (backend drift) without it.
#[test]
fn an_older_hatchling_wheel_is_matched_through_the_pin() {
    let Some(bin) = venv("hatchling pin") else {
        return;
    };
    let pyproject = "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"demo-pkg\"\nversion = \"1.0.0\"\n\n[tool.hatch.build.targets.wheel]\npackages = [\"src/demo_pkg\"]\n";
    let w = project(&bin, &[("pyproject.toml", pyproject), INIT]);
    // Publish as a maintainer did with hatchling 1.21.0: a clean clone, the commit's time.
    let publish = w.tmp.path().join("publish");
    w.git(&[
        "clone",
        "-q",
        &w.root.to_string_lossy(),
        &publish.to_string_lossy(),
    ]);
    let constraints = w.tmp.path().join("old.txt");
    std::fs::write(&constraints, "hatchling==1.21.0\n").expect("write");
    let epoch = w.git(&["log", "-1", "--format=%ct"]).trim().to_owned();
    let out = std::process::Command::new(bin.join("python3"))
        .args(["-m", "build", "--wheel"])
        .current_dir(&publish)
        .env("SOURCE_DATE_EPOCH", &epoch)
        .env("PIP_CONSTRAINT", &constraints)
        .env(
            "PIP_CACHE_DIR",
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/pip-cache"),
        )
        .output()
        .expect("python -m build");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wheel = publish.join("dist/demo_pkg-1.0.0-py2.py3-none-any.whl");
    let wheel_s = wheel.to_string_lossy().into_owned();

    let v = json(
        &w.cmd(&["reproduce", "--json", "--expect", &wheel_s])
            .success(),
    );
    assert_eq!(
        v["build"]["pin"]["requirements"][0], "hatchling==1.21.0",
        "{v}"
    );
    assert_eq!(v["build"]["pin"]["variables"][0], "PIP_CONSTRAINT", "{v}");
    let row = |v: &serde_json::Value| {
        v["artifacts"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|a| a["name"] == "demo_pkg-1.0.0-py2.py3-none-any.whl")
            .cloned()
            .expect("the wheel")
    };
    assert_eq!(row(&v)["verdict"], "matches", "{v}");

    let v = json(
        &w.cmd(&["reproduce", "--json", "--no-pin", "--expect", &wheel_s])
            .code(1),
    );
    assert!(v["build"]["pin"].is_null());
    let wheel_row = row(&v);
    assert_eq!(wheel_row["verdict"], "mismatch", "{v}");
    let what = wheel_row["difference"]["what"].as_str().unwrap_or("");
    assert!(
        what.contains("Generator") && what.contains("1.21.0"),
        "{what}"
    );
    assert!(wheel_row["difference"]["cause"]
        .as_str()
        .is_some_and(|c| c.contains("backend drift")));
}
