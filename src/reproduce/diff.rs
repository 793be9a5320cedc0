//! The first difference between two builds of one artifact (a wheel or an sdist), and its
//! likely cause, read from the archives themselves: the member set, a member's content
//! (first differing line, line endings compared raw), its time, its mode, the gzip header,
//! the backend version (`Generator`, `Metadata-Version`), a build folder's path inside a
//! member, and tar header fields.
//!
//! Archives may come from an index, so they are data: every read is bounded, and a damaged
//! archive is a difference ("cannot be read"), never a panic.

use std::collections::BTreeSet;
use std::io::Read as _;

use super::archive::{tar_member, tar_members, zip_member, zip_members, Member, MEMBER_LIMIT};

/// The first difference found, and what most likely caused it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Difference {
    pub what: String,
    pub cause: String,
}

/// What the comparison knows besides the two archives.
#[derive(Debug)]
pub struct Setting<'a> {
    /// What to call the two sides ("build 1"/"build 2", "built"/"expected").
    pub labels: [&'a str; 2],
    /// The SOURCE_DATE_EPOCH the builds were made with.
    pub epoch: i64,
    /// Now, in seconds since 1970.
    pub now: i64,
    /// The temporary folders the builds ran in: a member holding one leaks a build path.
    pub build_dirs: &'a [String],
}

/// Dates backends write when SOURCE_DATE_EPOCH is unset (zip's first day; pdm-backend's and
/// poetry-core's 2016-01-01; hatchling's 2020-02-02).
const FIXED_DATES: [i64; 3] = [315_532_800, 1_451_606_400, 1_580_601_600];

/// The first difference between `a` and `b`, two versions of the artifact `name`.
pub fn first_difference(name: &str, a: &[u8], b: &[u8], s: &Setting<'_>) -> Difference {
    if name.ends_with(".tar.gz") {
        sdist(a, b, s)
    } else {
        wheel(a, b, s)
    }
}

fn unreadable(label: &str, e: &str) -> Difference {
    Difference {
        what: format!("the {label} archive cannot be read: {e}"),
        cause: "a damaged or truncated file (download it again)".to_owned(),
    }
}

fn wheel(a: &[u8], b: &[u8], s: &Setting<'_>) -> Difference {
    let read = |bytes: &[u8], label: &str| {
        zip_members(bytes).map_err(|e| unreadable(label, &e.to_string()))
    };
    let (ma, mb) = match (read(a, s.labels[0]), read(b, s.labels[1])) {
        (Ok(ma), Ok(mb)) => (ma, mb),
        (Err(d), _) | (_, Err(d)) => return d,
    };
    let content = |member: &str| -> Option<(Vec<u8>, Vec<u8>)> {
        Some((zip_member(a, member)?, zip_member(b, member)?))
    };
    members(&ma, &mb, s, &content).unwrap_or_else(|| Difference {
        what: "only the zip headers differ (compression, extra fields or the central directory)"
            .to_owned(),
        cause: "another zip writer or compression level (a different Python or zlib)".to_owned(),
    })
}

fn sdist(a: &[u8], b: &[u8], s: &Setting<'_>) -> Difference {
    let unzip = |bytes: &[u8], label: &str| {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(MEMBER_LIMIT)
            .read_to_end(&mut out)
            .map(|_| out)
            .map_err(|e| unreadable(label, &format!("not gzip: {e}")))
    };
    let (ta, tb) = match (unzip(a, s.labels[0]), unzip(b, s.labels[1])) {
        (Ok(ta), Ok(tb)) => (ta, tb),
        (Err(d), _) | (_, Err(d)) => return d,
    };
    if ta == tb {
        return gzip_header(a, b, s);
    }
    let read = |bytes: &[u8], label: &str| {
        tar_members(bytes).map_err(|e| unreadable(label, &format!("not a tar archive: {e}")))
    };
    let (ma, mb) = match (read(&ta, s.labels[0]), read(&tb, s.labels[1])) {
        (Ok(ma), Ok(mb)) => (ma, mb),
        (Err(d), _) | (_, Err(d)) => return d,
    };
    let content = |member: &str| Some((tar_member(&ta, member)?, tar_member(&tb, member)?));
    members(&ma, &mb, s, &content).unwrap_or_else(|| Difference {
        what: "only tar header fields differ (format, padding or header layout)".to_owned(),
        cause: "another tar writer: a different Python's tarfile built it".to_owned(),
    })
}

/// The gzip headers of two streams whose content is equal.
fn gzip_header(a: &[u8], b: &[u8], s: &Setting<'_>) -> Difference {
    let time = |g: &[u8]| {
        g.get(4..8).map_or(0, |t| {
            i64::from(u32::from_le_bytes([t[0], t[1], t[2], t[3]]))
        })
    };
    let (t1, t2) = (time(a), time(b));
    if t1 != t2 {
        return Difference {
            what: format!(
                "the gzip header's time: {} ({}) vs {} ({}); the tar inside is identical",
                t1, s.labels[0], t2, s.labels[1]
            ),
            cause: time_cause(t1, t2, s, "the gzip header"),
        };
    }
    Difference {
        what: "the gzip stream differs (header fields or compression); the tar inside is identical"
            .to_owned(),
        cause: "another gzip writer or compression level (a different Python or zlib), or the file name stored in the gzip header".to_owned(),
    }
}

type Contents<'c> = dyn Fn(&str) -> Option<(Vec<u8>, Vec<u8>)> + 'c;

/// The first difference between two member lists, in the order a person would fix them.
fn members(
    a: &[Member],
    b: &[Member],
    s: &Setting<'_>,
    content: &Contents<'_>,
) -> Option<Difference> {
    if let Some(d) = member_set(a, b, s) {
        return Some(d);
    }
    let find = |name: &str| b.iter().find(|m| m.name == name);
    let pairs: Vec<(&Member, &Member)> = a
        .iter()
        .filter_map(|m| find(&m.name).map(|n| (m, n)))
        .collect();
    // The backend's own record of itself explains the rest, so it comes first; RECORD lists
    // the others' hashes and differs whenever they do, so it comes last.
    let rank = |m: &Member| {
        if m.name.ends_with(".dist-info/WHEEL") {
            0
        } else if m.name.ends_with(".dist-info/METADATA") || m.name.ends_with("/PKG-INFO") {
            1
        } else if m.name.ends_with(".dist-info/RECORD") {
            3
        } else {
            2
        }
    };
    let changed = pairs
        .iter()
        .filter(|(x, y)| x.digest != y.digest)
        .min_by_key(|(x, _)| rank(x));
    if let Some((x, _)) = changed {
        let (ca, cb) = content(&x.name)?;
        return Some(member_content(&x.name, &ca, &cb, s));
    }
    let first = |f: &dyn Fn(&Member, &Member) -> bool| pairs.iter().find(|(x, y)| f(x, y));
    if let Some((x, y)) = first(&|x, y| x.time != y.time || x.pax_time != y.pax_time) {
        return Some(member_time(x, y, s));
    }
    if let Some((x, y)) = first(&|x, y| x.mode != y.mode) {
        let mode = |m: &Member| {
            m.mode
                .map_or("none".to_owned(), |m| format!("{:o}", m & 0o7777))
        };
        return Some(Difference {
            what: format!(
                "{}: mode {} ({}) vs {} ({})",
                x.name,
                mode(x),
                s.labels[0],
                mode(y),
                s.labels[1]
            ),
            cause: "the file modes of the checkout that built it: another umask (builds here run under umask 022) or a file's executable bit".to_owned(),
        });
    }
    if let Some((x, y)) = first(&|x, y| x.owner != y.owner) {
        return Some(Difference {
            what: format!(
                "{}: tar header fields only: {} vs {}",
                x.name, x.owner, y.owner
            ),
            cause: "another tar writer: a different Python's tarfile, or another user's ids"
                .to_owned(),
        });
    }
    if a.iter().map(|m| &m.name).ne(b.iter().map(|m| &m.name)) {
        return Some(Difference {
            what: "the same members in another order".to_owned(),
            cause: "the backend lists the files in the order the file system returns them"
                .to_owned(),
        });
    }
    None
}

fn member_set(a: &[Member], b: &[Member], s: &Setting<'_>) -> Option<Difference> {
    let names = |m: &[Member]| m.iter().map(|m| m.name.clone()).collect::<BTreeSet<_>>();
    let (na, nb) = (names(a), names(b));
    if na == nb {
        return None;
    }
    let list = |only: Vec<&String>| {
        let mut shown: Vec<String> = only.iter().take(3).map(|n| format!("{n:?}")).collect();
        if only.len() > 3 {
            shown.push(format!("and {} more", only.len() - 3));
        }
        shown.join(", ")
    };
    let mut parts = Vec::new();
    let only_a: Vec<&String> = na.difference(&nb).collect();
    let only_b: Vec<&String> = nb.difference(&na).collect();
    if !only_a.is_empty() {
        parts.push(format!("only in {}: {}", s.labels[0], list(only_a)));
    }
    if !only_b.is_empty() {
        parts.push(format!("only in {}: {}", s.labels[1], list(only_b)));
    }
    Some(Difference {
        what: format!("the member set differs: {}", parts.join("; ")),
        cause: "the builds packed different files: a file the build generates, one left over in the folder that built it, or another backend version's file selection".to_owned(),
    })
}

fn member_content(name: &str, a: &[u8], b: &[u8], s: &Setting<'_>) -> Difference {
    let is_meta = name.ends_with(".dist-info/WHEEL")
        || name.ends_with(".dist-info/METADATA")
        || name.ends_with("PKG-INFO");
    if is_meta {
        for field in ["Generator", "Metadata-Version"] {
            let (fa, fb) = (header(a, field), header(b, field));
            if fa != fb {
                return Difference {
                    what: format!(
                        "{name}: {field}: {} ({}) vs {} ({})",
                        fa.as_deref().unwrap_or("none"),
                        s.labels[0],
                        fb.as_deref().unwrap_or("none"),
                        s.labels[1]
                    ),
                    cause: "backend drift: another version of the build backend made it; pin the version that built the published wheel (`--expect` that wheel, and the pin is made from its Generator line)".to_owned(),
                };
            }
        }
    }
    for dir in s.build_dirs.iter().filter(|d| !d.is_empty()) {
        if contains(a, dir.as_bytes()) || contains(b, dir.as_bytes()) {
            return Difference {
                what: format!("{name} holds the path of the temporary folder that built it ({dir})"),
                cause: "a build path leak: the backend writes the absolute build folder into the archive (maturin's SBOM does: set `[tool.maturin.sbom] rust = false`)".to_owned(),
            };
        }
    }
    if a == b {
        // Both were cut at the comparison limit and agree that far.
        return Difference {
            what: format!("{name}: the content differs past its first 64 MiB"),
            cause: "the member's content varies between builds: a time, a path, a random or unordered value written at build time".to_owned(),
        };
    }
    if strip_cr(a) == strip_cr(b) {
        return Difference {
            what: format!("{name}: line endings: the same lines, ending in CRLF on one side and LF on the other"),
            cause: "line endings changed by the checkout that built it (core.autocrlf, or an eol setting in .gitattributes)".to_owned(),
        };
    }
    let (line, la, lb) = first_line_difference(a, b);
    Difference {
        what: format!(
            "{name}: line {line}: {la} ({}) vs {lb} ({})",
            s.labels[0], s.labels[1]
        ),
        cause: "the member's content varies between builds: a time, a path, a random or unordered value written at build time".to_owned(),
    }
}

fn member_time(x: &Member, y: &Member, s: &Setting<'_>) -> Difference {
    let show = |m: &Member| match &m.pax_time {
        Some(p) => format!("{p} (PAX)"),
        None => date(m.time),
    };
    let cause = if x.time == y.time {
        "sub-second file times from the checkout, kept in PAX headers: the backend copies the files' times instead of SOURCE_DATE_EPOCH".to_owned()
    } else {
        time_cause(x.time, y.time, s, "a member's time")
    };
    Difference {
        what: format!(
            "{}: time {} ({}) vs {} ({})",
            x.name,
            show(x),
            s.labels[0],
            show(y),
            s.labels[1]
        ),
        cause,
    }
}

/// Why two times differ: a fixed default date, the time of the build, or the checkout's.
fn time_cause(t1: i64, t2: i64, s: &Setting<'_>, what: &str) -> String {
    let near_now = |t: i64| (t - s.now).abs() < 2 * 86_400 && (s.epoch - s.now).abs() >= 2 * 86_400;
    let fixed = |t: i64| FIXED_DATES.iter().any(|d| (t - d).abs() <= 86_400);
    let default_side = [t1, t2].iter().position(|&t| fixed(t));
    if let Some(i) = default_side {
        return format!(
            "{} was built without SOURCE_DATE_EPOCH: {what} is a backend's fixed default date{}",
            s.labels[i],
            if s.labels[i] == "expected" {
                " (published without SOURCE_DATE_EPOCH)"
            } else {
                ""
            }
        );
    }
    if near_now(t1) || near_now(t2) {
        return format!("the backend ignores SOURCE_DATE_EPOCH: {what} is the time of the build");
    }
    if (t1 - s.epoch).abs() <= 2 || (t2 - s.epoch).abs() <= 2 {
        return format!("one side took SOURCE_DATE_EPOCH and the other did not: {what} is another time (another SOURCE_DATE_EPOCH, or the checkout's file times)");
    }
    format!("{what} comes from the checkout's file times, not SOURCE_DATE_EPOCH")
}

fn header(text: &[u8], field: &str) -> Option<String> {
    let text = String::from_utf8_lossy(text);
    text.lines().take_while(|l| !l.is_empty()).find_map(|l| {
        l.split_once(':')
            .filter(|(k, _)| k.eq_ignore_ascii_case(field))
            .map(|(_, v)| v.trim().to_owned())
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

fn strip_cr(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().copied().filter(|&c| c != b'\r').collect()
}

/// The first line (1-based) where `a` and `b` differ, and both lines, quoted and cut short.
/// Lines are compared raw, their line endings included.
fn first_line_difference(a: &[u8], b: &[u8]) -> (usize, String, String) {
    let split = |t: &[u8]| -> Vec<Vec<u8>> {
        t.split_inclusive(|&c| c == b'\n')
            .map(<[u8]>::to_vec)
            .collect()
    };
    let (la, lb) = (split(a), split(b));
    let n = la.iter().zip(&lb).take_while(|(x, y)| x == y).count();
    let show = |l: Option<&Vec<u8>>| match l {
        None => "end of file".to_owned(),
        Some(l) => {
            let text = String::from_utf8_lossy(l);
            let cut: String = text.chars().take(160).collect();
            format!("{cut:?}")
        }
    };
    (n + 1, show(la.get(n)), show(lb.get(n)))
}

fn date(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).map_or_else(
        || t.to_string(),
        |d| d.format("%Y-%m-%d %H:%M:%S").to_string(),
    )
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
