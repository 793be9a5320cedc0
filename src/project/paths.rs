//! Files named by the project's configuration must resolve inside the project: no absolute
//! path, no `..` out of it, no symlink that leads out of it.

use std::path::{Component, Path, PathBuf};

use super::{PathProblem, ProjectError};

/// Resolve `rel` (as written in the configuration key `key`) against `root`. Returns the
/// name to show (root-relative, with `/`) and the path to read and write.
pub fn inside(
    root: &Path,
    canonical_root: &Path,
    rel: &str,
    key: &str,
) -> Result<(String, PathBuf), ProjectError> {
    let err = |problem: PathProblem| ProjectError::Path {
        key: key.to_owned(),
        path: rel.to_owned(),
        problem,
    };
    let given = Path::new(rel);
    if rel.is_empty()
        || given.is_absolute()
        || rel.starts_with('\\')
        || rel.contains(':') && cfg!(windows)
    {
        return Err(err(PathProblem::NotRelative));
    }
    let mut parts = Vec::new();
    for c in given.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err(err(PathProblem::Escapes));
                }
            }
            Component::RootDir | Component::Prefix(_) => return Err(err(PathProblem::NotRelative)),
        }
    }
    let name = parts.join("/");
    let path = root.join(&name);
    let canonical = path.canonicalize().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            err(PathProblem::Missing)
        } else {
            err(PathProblem::Unreadable)
        }
    })?;
    if !canonical.starts_with(canonical_root) {
        return Err(err(PathProblem::LinkEscapes));
    }
    if !canonical.is_file() {
        return Err(err(PathProblem::NotAFile));
    }
    Ok((name, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("proj");
        std::fs::create_dir_all(root.join("pkg")).expect("mkdir");
        std::fs::write(root.join("pkg/v.py"), "x").expect("write");
        std::fs::write(dir.path().join("outside.py"), "x").expect("write");
        let canon = root.canonicalize().expect("canon");
        let ok = inside(&root, &canon, "./pkg/../pkg/v.py", "k").expect("inside");
        assert_eq!(ok.0, "pkg/v.py");
        for bad in [
            "../outside.py",
            "/etc/passwd",
            "pkg/../../outside.py",
            "",
            "missing.py",
            "pkg",
        ] {
            assert!(inside(&root, &canon, bad, "k").is_err(), "{bad} accepted");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("outside.py"), root.join("link.py"))
                .expect("link");
            let e = inside(&root, &canon, "link.py", "tool.hatch.version.path").unwrap_err();
            assert!(e.to_string().contains("symbolic link"), "{e}");
            assert!(e.to_string().contains("tool.hatch.version.path"), "{e}");
        }
    }
}
