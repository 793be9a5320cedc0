#![no_main]
//! A pyproject.toml of arbitrary bytes, in a project folder made once.

use std::sync::OnceLock;

static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("tempdir"));
    git_secure_release::fuzz::project(dir.path(), data, None);
});
