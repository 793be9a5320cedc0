//! Entry points for the fuzz targets under `fuzz/` (cargo-fuzz): each feeds arbitrary bytes
//! to one reader of outside data and checks what must hold of its answer. Not an API.

use std::path::Path;

use crate::project::pyfile::{self, Names};
use crate::version::{self, Bump, PreKind};

/// PEP 440 parsing and every bump: a parsed version prints as a version that parses to the
/// same, and a bump either refuses or gives a version that parses.
pub fn version(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(v) = version::parse(text) else {
        return;
    };
    let again = version::parse(&v.to_string()).expect("a printed version parses");
    assert_eq!(again, v, "{text:?}");
    for word in [
        "major", "minor", "patch", "stable", "alpha", "beta", "rc", "post", "dev",
    ] {
        let bump = Bump::from_word(word).expect("a bump word");
        for pre in [
            None,
            Some(PreKind::Alpha),
            Some(PreKind::Beta),
            Some(PreKind::Rc),
        ] {
            if let Ok(next) = version::bump(&v, bump, pre) {
                version::parse(&next.to_string()).expect("a bumped version parses");
            }
        }
    }
}

/// A `__version__` file: the range found lies inside the text, on character boundaries.
pub fn version_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for names in [Names::Hatch, Names::Exact("__version__")] {
        if let Ok(Some(range)) = pyfile::find_version(text, names) {
            assert!(text.get(range.clone()).is_some(), "{range:?} in {text:?}");
        }
    }
    let _ = pyfile::reexport(text, "__version__");
}

/// A project folder holding `pyproject` (and `uv_lock` beside it, when given): reading it
/// never panics, and a planned bump names only files inside the project.
pub fn project(dir: &Path, pyproject: &[u8], uv_lock: Option<&[u8]>) {
    let _ = std::fs::remove_file(dir.join("uv.lock"));
    if std::fs::write(dir.join("pyproject.toml"), pyproject).is_err() {
        return;
    }
    if let Some(lock) = uv_lock {
        if std::fs::write(dir.join("uv.lock"), lock).is_err() {
            return;
        }
    }
    let Ok(project) = crate::project::Project::load(dir) else {
        return;
    };
    let Some(current) = project.version() else {
        return;
    };
    let Ok(next) = version::bump(&current, Bump::Patch, None) else {
        return;
    };
    for edit in project.plan_edits(&next) {
        assert!(
            !edit.file.starts_with('/') && !edit.file.contains(".."),
            "{}",
            edit.file
        );
    }
}

/// Signed commits and tags split as git splits them: the payload never holds the
/// signature, and nothing panics on any bytes.
pub fn signed_object(data: &[u8]) {
    for sha256 in [false, true] {
        let s = crate::signing::object::split_commit(data, sha256);
        let _ = s.format();
    }
    let t = crate::signing::object::split_tag(data);
    let _ = t.format();
    // What either repository reader takes out of an object: never a panic.
    use crate::git::oid;
    let _ = (oid::parents(data), oid::committer_time(data));
    let _ = oid::header_id(data, b"object");
    for id_len in [20, 32] {
        let _ = oid::tree_entry(data, b"pyproject.toml", id_len);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = oid::ObjectId::from_hex(text.trim());
    }
}

/// An allowed-signers file: parsing never panics.
pub fn allowed_signers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::signing::allowed_signers::parse(&text);
    let _ = crate::signing::allowed_signers::without_validity(&text);
}

/// gpg's keybox: a well-formed answer is never longer than the file.
pub fn keybox(data: &[u8]) {
    if let Some(blocks) = crate::signing::fast::keybox::blocks_of(data) {
        assert!(blocks.len() <= data.len());
    }
}
