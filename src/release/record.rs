//! What a release records of `SOURCE_DATE_EPOCH`, written and read in one place: the
//! `Source-Date-Epoch: N` trailer of the tag message (read back by `epoch` and
//! `reproduce`), and the lines appended to `$GITHUB_ENV` and `$GITHUB_OUTPUT` (by the
//! release and by `epoch --format github`).

use std::io::Write as _;
use std::path::Path;

use crate::error::UserError;

const TRAILER: &str = "Source-Date-Epoch";

/// The tag message: `message`, a blank line, and the trailer.
pub fn tag_message(message: &str, epoch: i64) -> String {
    format!("{}\n\n{TRAILER}: {epoch}\n", message.trim_end())
}

/// The trailer a release tag records, if its message has one: `Source-Date-Epoch: N` in
/// the last paragraph.
pub fn trailer(message: &[u8]) -> Option<Result<i64, String>> {
    let text = String::from_utf8_lossy(message);
    let last_paragraph = text.trim_end().rsplit("\n\n").next().unwrap_or("");
    last_paragraph.lines().rev().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(TRAILER).then(|| {
            value.trim().parse::<i64>().map_err(|_| {
                format!(
                    "{TRAILER}: {:?} is not a number of seconds",
                    crate::report::value(value.trim())
                )
            })
        })
    })
}

/// `epoch` as an RFC 3339 date in UTC (`2023-11-14T22:13:20Z`).
pub fn rfc3339(epoch: i64) -> String {
    chrono::DateTime::from_timestamp(epoch, 0)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// The line for `$GITHUB_ENV` and stdout: `SOURCE_DATE_EPOCH=N`.
pub fn env_line(epoch: i64) -> String {
    format!("SOURCE_DATE_EPOCH={epoch}")
}

/// Append `text` to the file the environment variable `var` names, when it names one.
pub fn append_to(var: &str, text: &str) -> Result<(), UserError> {
    let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.flush()))
        .map_err(|e| {
            UserError::refused(format!(
                "{var} ({}) cannot be written: {e}",
                Path::new(&path).display()
            ))
            .with_hint(format!("point {var} at a writable file, or unset it"))
        })
}

/// After a release: `SOURCE_DATE_EPOCH=N` to `$GITHUB_ENV`; `version=`, `tag=` and
/// `source-date-epoch=` to `$GITHUB_OUTPUT`.
pub fn github(version: &str, tag: &str, epoch: i64) -> Result<(), UserError> {
    let made = |e: UserError| UserError {
        message: format!("the release is made, but {}", e.message),
        ..e
    };
    append_to("GITHUB_ENV", &format!("{}\n", env_line(epoch))).map_err(made)?;
    append_to(
        "GITHUB_OUTPUT",
        &format!("version={version}\ntag={tag}\nsource-date-epoch={epoch}\n"),
    )
    .map_err(made)
}

/// Whether `path` can be appended to (or made), without writing anything: checked in
/// preflight, so that the record never fails after the release is made.
pub fn writable(path: &Path) -> Result<(), String> {
    match path.metadata() {
        Ok(m) if m.is_dir() => Err("it is a folder".into()),
        Ok(_) => std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map(drop)
            .map_err(|e| e.to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            rustix::fs::access(parent, rustix::fs::Access::WRITE_OK)
                .map_err(|e| format!("its folder {} is not writable ({e})", parent.display()))
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trailer_written_is_the_trailer_read() {
        let m = tag_message("Release 1.0\n\nnotes  \n", 1_704_164_645);
        assert_eq!(m, "Release 1.0\n\nnotes\n\nSource-Date-Epoch: 1704164645\n");
        assert_eq!(trailer(m.as_bytes()), Some(Ok(1_704_164_645)));
        assert_eq!(trailer(b"Release 1.0\n"), None);
        assert!(trailer(b"x\n\nsource-date-epoch: soon\n").is_some_and(|r| r.is_err()));
    }

    #[test]
    fn a_record_file_that_cannot_be_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(writable(&dir.path().join("new")).is_ok());
        assert!(writable(dir.path()).is_err(), "a folder");
        assert!(writable(&dir.path().join("missing/x")).is_err());
    }
}
