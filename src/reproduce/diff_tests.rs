//! The classifier on archives made here: each kind of difference, named with its cause.

use std::io::Write as _;

use super::{first_difference, Setting};

/// 2024-01-02T03:04:05Z, the builds' SOURCE_DATE_EPOCH in these tests.
const EPOCH: i64 = 1_704_164_645;
const NOW: i64 = 1_796_140_800;

fn setting(labels: [&'static str; 2], dirs: &'static [String]) -> Setting<'static> {
    Setting {
        labels,
        epoch: EPOCH,
        now: NOW,
        build_dirs: dirs,
    }
}

/// A wheel-like zip: (name, content, unix time, mode) in order.
fn zip(members: &[(&str, &[u8], i64, u32)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data, time, mode) in members {
        let t = chrono::DateTime::from_timestamp(*time, 0)
            .expect("time")
            .naive_utc();
        use chrono::{Datelike as _, Timelike as _};
        let when = zip::DateTime::from_date_and_time(
            u16::try_from(t.year()).expect("year"),
            u8::try_from(t.month()).expect("month"),
            u8::try_from(t.day()).expect("day"),
            u8::try_from(t.hour()).expect("hour"),
            u8::try_from(t.minute()).expect("minute"),
            u8::try_from(t.second()).expect("second"),
        )
        .expect("a zip time");
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(when)
            .unix_permissions(*mode);
        w.start_file(*name, options).expect("start");
        w.write_all(data).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

const WHEEL: &str = "p-1.0.dist-info/WHEEL";

fn wheel_with(init: &[u8], generator: &str, time: i64, mode: u32) -> Vec<u8> {
    let meta = format!("Wheel-Version: 1.0\nGenerator: {generator}\n");
    zip(&[
        ("p/__init__.py", init, time, mode),
        (WHEEL, meta.as_bytes(), time, 0o644),
        (
            "p-1.0.dist-info/RECORD",
            b"whatever changes with the rest\n",
            time,
            0o644,
        ),
    ])
}

fn check(a: &[u8], b: &[u8], name: &str, s: &Setting<'_>, what: &[&str], cause: &[&str]) {
    let d = first_difference(name, a, b, s);
    for w in what {
        assert!(d.what.contains(w), "what: {w:?} not in {:?}", d.what);
    }
    for c in cause {
        assert!(d.cause.contains(c), "cause: {c:?} not in {:?}", d.cause);
    }
}

#[test]
fn wheel_content_line_endings_generator_and_set() {
    let s = setting(["build 1", "build 2"], &[]);
    let base = wheel_with(b"A = 1\nB = 2\n", "hatchling 1.21.0", EPOCH, 0o644);
    let changed = wheel_with(b"A = 1\nB = 3\n", "hatchling 1.21.0", EPOCH, 0o644);
    check(
        &base,
        &changed,
        "p-1.0-py3-none-any.whl",
        &s,
        &["p/__init__.py", "line 2", "B = 2", "B = 3"],
        &["varies between builds"],
    );
    let crlf = wheel_with(b"A = 1\r\nB = 2\r\n", "hatchling 1.21.0", EPOCH, 0o644);
    check(
        &base,
        &crlf,
        "p-1.0-py3-none-any.whl",
        &s,
        &["line endings"],
        &["autocrlf"],
    );
    let drift = wheel_with(b"A = 1\nB = 2\n", "hatchling 1.27.0", EPOCH, 0o644);
    check(
        &base,
        &drift,
        "p-1.0-py3-none-any.whl",
        &s,
        &["Generator", "1.21.0", "1.27.0"],
        &["backend drift", "pin"],
    );
    let more = zip(&[
        ("p/__init__.py", b"A = 1\nB = 2\n", EPOCH, 0o644),
        ("p/extra.py", b"", EPOCH, 0o644),
    ]);
    check(
        &base,
        &more,
        "p-1.0-py3-none-any.whl",
        &s,
        &["member set", "only in build 2: \"p/extra.py\""],
        &["different files"],
    );
}

#[test]
fn wheel_times_modes_order_and_paths() {
    let s = setting(["built", "expected"], &[]);
    let base = wheel_with(b"A = 1\n", "x 1.0", EPOCH, 0o644);
    // hatchling's fixed date on the published side.
    let fixed = wheel_with(b"A = 1\n", "x 1.0", 1_580_601_600, 0o644);
    check(
        &base,
        &fixed,
        "p-1.0-py3-none-any.whl",
        &s,
        &["p/__init__.py", "time", "2020-02-02"],
        &["published without SOURCE_DATE_EPOCH"],
    );
    let now = wheel_with(b"A = 1\n", "x 1.0", NOW - 60, 0o644);
    check(
        &base,
        &now,
        "p-1.0-py3-none-any.whl",
        &s,
        &["time"],
        &["ignores SOURCE_DATE_EPOCH"],
    );
    let mode = wheel_with(b"A = 1\n", "x 1.0", EPOCH, 0o664);
    check(
        &base,
        &mode,
        "p-1.0-py3-none-any.whl",
        &s,
        &["mode 644", "664"],
        &["umask"],
    );
    let a = zip(&[("a", b"1", EPOCH, 0o644), ("b", b"2", EPOCH, 0o644)]);
    let b = zip(&[("b", b"2", EPOCH, 0o644), ("a", b"1", EPOCH, 0o644)]);
    check(
        &a,
        &b,
        "p-1.0-py3-none-any.whl",
        &s,
        &["another order"],
        &["order"],
    );
    static DIRS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let dirs = DIRS.get_or_init(|| vec!["/tmp/git-secure-release-reproduce.X/1/src".to_owned()]);
    let s = Setting {
        build_dirs: dirs,
        ..setting(["build 1", "build 2"], &[])
    };
    let leak = |dir: &str| {
        zip(&[(
            "p-1.0.dist-info/sboms/p.cyclonedx.json",
            format!("{{\"path\": \"{dir}/Cargo.toml\"}}").as_bytes(),
            EPOCH,
            0o644,
        )])
    };
    let (a, b) = (
        leak("/tmp/git-secure-release-reproduce.X/1/src"),
        leak("/tmp/git-secure-release-reproduce.X/2/src"),
    );
    check(
        &a,
        &b,
        "p-1.0-cp312-cp312-linux_x86_64.whl",
        &s,
        &["sboms", "temporary folder"],
        &["build path leak", "maturin"],
    );
}

/// One tar member: name, content, mtime, PAX mtime, uid.
type TarMember<'a> = (&'a str, &'a [u8], u64, Option<&'a str>, u64);

/// An sdist-like .tar.gz of `members` in order, gzip time `gz`.
fn sdist(members: &[TarMember<'_>], gz: u32) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data, mtime, pax, uid) in members {
        if let Some(p) = pax {
            b.append_pax_extensions([("mtime", p.as_bytes())])
                .expect("pax");
        }
        let mut h = tar::Header::new_ustar();
        h.set_path(name).expect("path");
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(*mtime);
        h.set_uid(*uid);
        h.set_cksum();
        b.append(&h, *data).expect("append");
    }
    let tar = b.into_inner().expect("tar");
    let mut gz_writer = flate2::GzBuilder::new()
        .mtime(gz)
        .write(Vec::new(), flate2::Compression::default());
    gz_writer.write_all(&tar).expect("gzip");
    gz_writer.finish().expect("finish")
}

#[test]
fn sdist_gzip_pax_owner_and_content() {
    let s = setting(["build 1", "build 2"], &[]);
    let t = u64::try_from(EPOCH).expect("positive");
    let epoch32 = u32::try_from(EPOCH).expect("fits");
    let base = sdist(
        &[(
            "p-1.0/PKG-INFO",
            b"Metadata-Version: 2.1\nName: p\n",
            t,
            None,
            0,
        )],
        epoch32,
    );
    let gz = sdist(
        &[(
            "p-1.0/PKG-INFO",
            b"Metadata-Version: 2.1\nName: p\n",
            t,
            None,
            0,
        )],
        1_796_140_000,
    );
    check(
        &base,
        &gz,
        "p-1.0.tar.gz",
        &s,
        &["gzip header", "tar inside is identical"],
        &["ignores SOURCE_DATE_EPOCH"],
    );
    let pax_a = sdist(
        &[("p-1.0/a.py", b"x", t, Some("1704164645.25"), 0)],
        epoch32,
    );
    let pax_b = sdist(
        &[("p-1.0/a.py", b"x", t, Some("1704164645.75"), 0)],
        epoch32,
    );
    check(
        &pax_a,
        &pax_b,
        "p-1.0.tar.gz",
        &s,
        &["p-1.0/a.py", "PAX", ".25", ".75"],
        &["sub-second"],
    );
    let owner = sdist(
        &[(
            "p-1.0/PKG-INFO",
            b"Metadata-Version: 2.1\nName: p\n",
            t,
            None,
            1000,
        )],
        epoch32,
    );
    check(
        &base,
        &owner,
        "p-1.0.tar.gz",
        &s,
        &["tar header fields only", "uid 1000"],
        &["tarfile"],
    );
    let meta = sdist(
        &[(
            "p-1.0/PKG-INFO",
            b"Metadata-Version: 2.3\nName: p\n",
            t,
            None,
            0,
        )],
        epoch32,
    );
    check(
        &base,
        &meta,
        "p-1.0.tar.gz",
        &s,
        &["Metadata-Version", "2.1", "2.3"],
        &["backend drift"],
    );
}

#[test]
fn damaged_archives_are_a_difference_never_a_panic() {
    let s = setting(["built", "expected"], &[]);
    let good = wheel_with(b"A = 1\n", "x 1.0", EPOCH, 0o644);
    for cut in [0, 1, 10, good.len() / 2, good.len() - 1] {
        let d = first_difference("p-1.0-py3-none-any.whl", &good, &good[..cut], &s);
        assert!(
            d.what.contains("cannot be read") || d.what.contains("differ"),
            "{d:?}"
        );
    }
    let t = u64::try_from(EPOCH).expect("positive");
    let tgz = sdist(&[("p-1.0/a", b"x", t, None, 0)], 0);
    for cut in [0, 3, 12, tgz.len() / 2] {
        let d = first_difference("p-1.0.tar.gz", &tgz, &tgz[..cut], &s);
        assert!(d.what.contains("cannot be read"), "{cut}: {d:?}");
    }
    let d = first_difference(
        "p-1.0.tar.gz",
        &tgz,
        b"\x1f\x8b\x08\0\0\0\0\0\0\x03garbage",
        &s,
    );
    assert!(d.what.contains("cannot be read"), "{d:?}");
}
