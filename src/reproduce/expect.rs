//! What a rebuild is expected to equal: `--expect FILE` (a wheel or sdist, or a
//! `sha256sum`-style list), `--expect HEX`, and the files an index publishes; how an
//! artifact is matched to one (its exact name, else its normalised name and version); and
//! the backend an expected wheel names (`Generator:` in its `WHEEL`), to pin.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use crate::error::UserError;

/// One expectation.
#[derive(Clone, Debug)]
pub struct Expected {
    /// The file name it is for; `None` for a bare SHA-256.
    pub name: Option<String>,
    pub sha256: String,
    /// Where it came from: a file, a list file's line, the command line, an index URL.
    pub source: String,
    /// The file itself, when there is one to compare against.
    pub file: Option<PathBuf>,
}

/// The largest list file or artifact read from `--expect`.
const FILE_LIMIT: u64 = 4 << 30;

/// The SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::hex::encode(&Sha256::digest(bytes))
}

fn is_hex64(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|c| c.is_ascii_hexdigit())
}

/// Whether a file name is a wheel or an sdist.
pub fn is_artifact(name: &str) -> bool {
    name.ends_with(".whl") || name.ends_with(".tar.gz") || name.ends_with(".zip")
}

/// Read one `--expect` argument.
pub fn parse(arg: &str) -> Result<Vec<Expected>, UserError> {
    if is_hex64(arg) {
        return Ok(vec![Expected {
            name: None,
            sha256: arg.to_ascii_lowercase(),
            source: "--expect".to_owned(),
            file: None,
        }]);
    }
    let path = Path::new(arg);
    let bytes = read_file(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if is_artifact(&name) {
        return Ok(vec![Expected {
            name: Some(name),
            sha256: sha256_hex(&bytes),
            source: arg.to_owned(),
            file: Some(path.to_path_buf()),
        }]);
    }
    list(arg, &bytes)
}

fn read_file(path: &Path) -> Result<Vec<u8>, UserError> {
    let shown = crate::report::value(&path.display().to_string()).into_owned();
    let fail = |e: std::io::Error| {
        UserError::refused(format!("--expect {shown}: cannot read it: {e}"))
            .with_hint("name a wheel or sdist file, a sha256sum-style list file, or a SHA-256 of 64 hex digits")
    };
    // A FIFO or a device would block or never end: only regular files (through symlinks).
    let meta = std::fs::metadata(path).map_err(fail)?;
    if !meta.is_file() {
        return Err(fail(std::io::Error::other("it is not a regular file")));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(FILE_LIMIT).read_to_end(&mut bytes))
        .map_err(fail)?;
    Ok(bytes)
}

/// A `sha256sum`-style list: `HEX  NAME` or `HEX *NAME` per line; blank lines and `#`
/// comments skipped.
fn list(arg: &str, bytes: &[u8]) -> Result<Vec<Expected>, UserError> {
    let shown = crate::report::value(arg).into_owned();
    let text = std::str::from_utf8(bytes).map_err(|_| {
        UserError::refused(format!(
            "--expect {shown}: neither a wheel/sdist (by its name) nor a text list of SHA-256 sums"
        ))
        .with_hint("a list has lines `SHA256  FILENAME`, as `sha256sum *.whl *.tar.gz` prints them")
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = line
            .split_once(char::is_whitespace)
            .map(|(h, n)| (h, n.trim_start().trim_start_matches('*')))
            .filter(|(h, n)| is_hex64(h) && !n.is_empty());
        let Some((hex, name)) = parsed else {
            return Err(UserError::refused(format!(
                "--expect {shown}, line {}: not `SHA256  FILENAME`: {}",
                i + 1,
                crate::report::value(line)
            ))
            .with_hint(
                "a list has lines `SHA256  FILENAME`, as `sha256sum *.whl *.tar.gz` prints them",
            ));
        };
        let name = Path::new(name)
            .file_name()
            .map_or_else(|| name.to_owned(), |n| n.to_string_lossy().into_owned());
        out.push(Expected {
            name: Some(name),
            sha256: hex.to_ascii_lowercase(),
            source: format!("{arg}:{}", i + 1),
            file: None,
        });
    }
    if out.is_empty() {
        return Err(UserError::refused(format!(
            "--expect {shown}: the list holds no SHA-256 sums"
        ))
        .with_hint(
            "a list has lines `SHA256  FILENAME`, as `sha256sum *.whl *.tar.gz` prints them",
        ));
    }
    Ok(out)
}

/// A distribution name normalised as file names spell it (PEP 427/625): lower case, runs of
/// `-`, `_` and `.` as one `_`.
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('_');
        }
        sep = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// The normalised name and version of an artifact's file name, and its kind with the wheel
/// tags (`sdist`, or the wheel's `py3-none-any`).
pub fn identity(file: &str) -> Option<(String, String, String)> {
    if let Some(stem) = file.strip_suffix(".whl") {
        let parts: Vec<&str> = stem.split('-').collect();
        if parts.len() < 5 {
            return None;
        }
        let tags = parts[parts.len() - 3..].join("-");
        return Some((normalise(parts[0]), version(parts[1]), tags));
    }
    let stem = file
        .strip_suffix(".tar.gz")
        .or_else(|| file.strip_suffix(".zip"))?;
    let (name, ver) = stem.rsplit_once('-')?;
    Some((normalise(name), version(ver), "sdist".to_owned()))
}

fn version(text: &str) -> String {
    crate::version::parse(text).map_or_else(|_| text.to_owned(), |v| v.to_string())
}

/// Whether the expectation is for the artifact `file`: by exact name, else by normalised
/// name, version and kind.
pub fn same_file(expected: &str, file: &str) -> bool {
    expected == file || (identity(expected).is_some() && identity(expected) == identity(file))
}

/// The backend requirement a wheel's `WHEEL` file names in `Generator:` (`hatchling 1.21.0`
/// → `hatchling==1.21.0`; flit's → `flit_core`; setuptools' `bdist_wheel (0.43.0)` → `wheel`).
pub fn generator_pin(wheel: &[u8]) -> Option<String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(wheel)).ok()?;
    let name = archive
        .file_names()
        .find(|n| n.ends_with(".dist-info/WHEEL") && n.matches('/').count() == 1)?
        .to_owned();
    let mut text = String::new();
    archive
        .by_name(&name)
        .ok()?
        .take(1 << 20)
        .read_to_string(&mut text)
        .ok()?;
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("Generator:"))?
        .trim();
    pin_of(line)
}

fn pin_of(generator: &str) -> Option<String> {
    let mut words = generator.split_whitespace();
    let backend = words.next()?;
    let version = words.next()?.trim_matches(|c| c == '(' || c == ')');
    let backend = match backend {
        "flit" => "flit_core",
        "bdist_wheel" => "wheel",
        other => other,
    };
    let plain = |t: &str| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+' | '!'))
    };
    (plain(backend) && plain(version) && crate::version::parse(version).is_ok())
        .then(|| format!("{backend}=={version}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_exactly_or_normalised() {
        assert!(same_file(
            "My.Pkg-1.0-py3-none-any.whl",
            "my_pkg-1.0-py3-none-any.whl"
        ));
        assert!(same_file("my-pkg-1.0.tar.gz", "my_pkg-1.0.tar.gz"));
        assert!(same_file(
            "my_pkg-1.0.0rc1.tar.gz",
            "My-Pkg-1.0.0.rc1.tar.gz"
        ));
        assert!(!same_file(
            "my_pkg-1.0.tar.gz",
            "my_pkg-1.0-py3-none-any.whl"
        ));
        assert!(!same_file(
            "my_pkg-1.0-py3-none-any.whl",
            "my_pkg-1.1-py3-none-any.whl"
        ));
        assert!(!same_file("other-1.0.tar.gz", "my_pkg-1.0.tar.gz"));
    }

    #[test]
    fn generator_lines_become_pins() {
        assert_eq!(
            pin_of("hatchling 1.21.0").as_deref(),
            Some("hatchling==1.21.0")
        );
        assert_eq!(pin_of("flit 3.9.0").as_deref(), Some("flit_core==3.9.0"));
        assert_eq!(
            pin_of("setuptools (75.1.0)").as_deref(),
            Some("setuptools==75.1.0")
        );
        assert_eq!(
            pin_of("bdist_wheel (0.43.0)").as_deref(),
            Some("wheel==0.43.0")
        );
        assert_eq!(
            pin_of("poetry-core 1.9.0").as_deref(),
            Some("poetry-core==1.9.0")
        );
        assert_eq!(pin_of("evil;rm -rf 1.0"), None);
        assert_eq!(pin_of("hatchling --index-url=http://x"), None);
        assert_eq!(pin_of("hatchling"), None);
    }

    #[test]
    fn lists_are_read_and_bad_lines_named() {
        let hex = "a".repeat(64);
        let good = format!("# sums\n{hex}  dist/p-1.0.tar.gz\n{hex} *p-1.0-py3-none-any.whl\n");
        let got = list("sums.txt", good.as_bytes()).expect("a list");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name.as_deref(), Some("p-1.0.tar.gz"));
        assert_eq!(got[1].source, "sums.txt:3");
        let bad = list("sums.txt", b"zz  p-1.0.tar.gz\n").expect_err("refused");
        assert!(bad.message.contains("line 1"), "{}", bad.message);
        assert!(list("sums.txt", b"\n# none\n").is_err());
    }
}
