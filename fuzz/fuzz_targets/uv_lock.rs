#![no_main]
//! A uv.lock of arbitrary bytes beside a static pyproject.toml.

use std::sync::OnceLock;

static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();

const PYPROJECT: &[u8] = b"[project]\nname = \"demo-pkg\"\nversion = \"0.1.0\"\n";

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("tempdir"));
    git_secure_release::fuzz::project(dir.path(), PYPROJECT, Some(data));
});
