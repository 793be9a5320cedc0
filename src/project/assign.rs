//! The version assigned in a Python file (`__version__ = "1.2.0"`), following
//! `from ._version import __version__` re-exports to the file that holds it.

use super::layouts::layout_err;
use super::pyfile::{self, Names, PyError};
use super::{Files, ProjectError, Spot};

/// The version assigned in the Python file `path` (as `key` names it), following
/// `from .x import __version__` re-exports when `follow` (as setuptools and flit do).
pub fn assignment(
    files: &mut Files,
    path: &str,
    key: &str,
    names: Names,
    follow: bool,
) -> Result<Spot, ProjectError> {
    let mut path = path.to_owned();
    let hatch = matches!(names, Names::Hatch);
    let mut target = match names {
        Names::Exact(n) => n.to_owned(),
        Names::Hatch => "__version__".to_owned(),
    };
    for _ in 0..8 {
        let names = if hatch {
            Names::Hatch
        } else {
            Names::Exact(&target)
        };
        let (file, text) = files.read(&path, key)?;
        let err = |expected: String, hint: String| ProjectError::Layout {
            file: file.clone(),
            expected,
            hint: Some(hint),
        };
        match pyfile::find_version(text, names) {
            Ok(Some(range)) => {
                return Ok(Spot {
                    file,
                    range,
                    template: None,
                })
            }
            Ok(None) => {
                let Some((module, orig)) = follow.then(|| pyfile::reexport(text, &target)).flatten() else {
                    return Err(err(
                        format!("expected an assignment `{} = \"...\"`; none was found", names.describe()),
                        format!("add `{target} = \"0.1.0\"` to {file}"),
                    ));
                };
                let next = resolve_import(&file, &module).ok_or_else(|| {
                    err(
                        format!("{target} is imported from {module}, which is not in the project"),
                        "write the version in this file instead".into(),
                    )
                })?;
                let package = format!("{}/__init__.py", next.trim_end_matches(".py"));
                path = if !files.exists(&next) && files.exists(&package) { package } else { next };
                target = orig;
            }
            Err(PyError::NotLiteral { line }) => {
                return Err(err(
                    format!("line {line}: {} is not assigned a plain string literal", names.describe()),
                    format!("write it as `{target} = \"1.2.0\"`, so it can be read and rewritten without running code"),
                ))
            }
            Err(PyError::Twice { lines }) => {
                let lines: Vec<String> = lines.iter().map(ToString::to_string).collect();
                return Err(err(
                    format!("{} is assigned more than once (lines {})", names.describe(), lines.join(", ")),
                    "keep a single assignment of the version".into(),
                ));
            }
        }
    }
    Err(layout_err(
        format!("{key}: too many re-exports of the version to follow"),
        None,
    ))
}

/// The file a `from MODULE import` in `file` names: relative (`._version`) from the file's
/// package, absolute (`pkg.about`) from the folder that holds the top-level package.
fn resolve_import(file: &str, module: &str) -> Option<String> {
    let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
    let dots = module.len() - module.trim_start_matches('.').len();
    let rest = module.trim_start_matches('.');
    let mut base: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    if dots == 0 {
        // Absolute: climb until the package named first is found.
        let top = rest.split('.').next()?;
        let at = base.iter().rposition(|p| *p == top)?;
        base.truncate(at);
    } else {
        for _ in 1..dots {
            base.pop()?;
        }
    }
    base.extend(rest.split('.').filter(|p| !p.is_empty()));
    Some(format!("{}.py", base.join("/")))
}

#[cfg(test)]
mod tests {
    use super::resolve_import;

    #[test]
    fn resolves_relative_and_absolute_imports() {
        assert_eq!(
            resolve_import("src/pkg/__init__.py", "._version").as_deref(),
            Some("src/pkg/_version.py")
        );
        assert_eq!(
            resolve_import("src/pkg/sub/__init__.py", "..about").as_deref(),
            Some("src/pkg/about.py")
        );
        assert_eq!(
            resolve_import("src/pkg/__init__.py", "pkg.about").as_deref(),
            Some("src/pkg/about.py")
        );
        assert_eq!(resolve_import("pkg/__init__.py", "other.about"), None);
    }
}
