//! `reproduce` (contract §2.5), tier 1: no network, no backend. A stand-in build command
//! (tests/data/standin_build.py: the standard library's zipfile and tarfile) makes a wheel and
//! an sdist, identical across builds or differing in one chosen way; a 127.0.0.1 server plays
//! a PEP 691 index. The real backends are in `reproduce_backends`.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use crate::common::{json, stderr, stdout, write_executable, World};

pub(crate) const PYPROJECT: &str = "[project]\nname = \"demo-pkg\"\nversion = \"1.0.0\"\n";

/// A repository with a project and an annotated tag v1.0.0; temporary folders inside the world.
pub(crate) fn world() -> World {
    let w = World::new();
    w.set_env("TMPDIR", w.tmp.path());
    w.write("pyproject.toml", PYPROJECT);
    w.write("src/demo_pkg/__init__.py", "VALUE = 1\n");
    w.git_init();
    w.git(&["tag", "-a", "v1.0.0", "-m", "Release 1.0.0"]);
    w
}

fn standin() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/standin_build.py")
        .to_string_lossy()
        .into_owned()
}

/// `--build` for the stand-in in `mode`, its counter in the world.
fn build(w: &World, mode: &str) -> String {
    let counter = w.tmp.path().join(format!("counter-{mode}"));
    format!("python3 {} {mode} {}", standin(), counter.display())
}

fn reproduce(w: &World, mode: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    let b = build(w, mode);
    let mut args = vec!["reproduce", "--json", "--build", &b];
    args.extend(extra);
    w.cmd(&args)
}

fn artifact<'a>(v: &'a serde_json::Value, suffix: &str) -> &'a serde_json::Value {
    v["artifacts"]
        .as_array()
        .expect("artifacts")
        .iter()
        .find(|a| a["name"].as_str().is_some_and(|n| n.ends_with(suffix)))
        .unwrap_or_else(|| panic!("no artifact *{suffix} in {v}"))
}

/// The command's stderr names `needle`.
fn err_has(out: &assert_cmd::assert::Assert, needle: &str) {
    let err = stderr(out);
    assert!(err.contains(needle), "{needle:?} not in: {err}");
}

/// A row's first difference and cause name every one of `needles`.
fn says(row: &serde_json::Value, needles: &[&str]) {
    let text = what(row);
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} not in: {text}");
    }
}

fn what(a: &serde_json::Value) -> String {
    format!("{} / {}", a["difference"]["what"], a["difference"]["cause"])
}

#[test]
fn identical_builds_pass_and_leave_nothing_behind() {
    let w = world();
    let out = reproduce(&w, "deterministic", &[]).success();
    let v = json(&out);
    assert_eq!(v["ok"], true);
    assert_eq!(v["tag"], "v1.0.0");
    assert_eq!(v["commit"], w.git(&["rev-parse", "HEAD"]).trim());
    assert_eq!(v["source_date_epoch"], 1_704_164_645);
    assert_eq!(v["date"], "2024-01-02T03:04:05Z");
    assert_eq!(v["signature"]["status"], "unsigned");
    assert_eq!(v["build"]["frontend"], "other");
    assert!(v["kept"].is_null());
    for suffix in [".whl", ".tar.gz"] {
        let a = artifact(&v, suffix);
        assert_eq!(a["verdict"], "reproducible", "{a}");
        assert_eq!(a["sha256"].as_str().map(str::len), Some(64));
        assert!(a["difference"].is_null());
    }
    let left: Vec<_> = std::fs::read_dir(w.tmp.path())
        .expect("tmp")
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("git-secure-release-reproduce")
        })
        .collect();
    assert!(
        left.is_empty(),
        "the temporary folder stays behind: {left:?}"
    );
    // The text report names the same facts.
    let b = build(&w, "deterministic");
    let text = stdout(&w.cmd(&["reproduce", "--build", &b]).success());
    for needle in [
        "v1.0.0",
        "SOURCE_DATE_EPOCH=1704164645",
        "2024-01-02T03:04:05Z",
        "reproducible",
        "demo_pkg-1.0.0.tar.gz",
        "standin_build.py",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

#[test]
fn a_time_dependent_member_is_named_and_the_builds_kept() {
    let w = world();
    let out = reproduce(&w, "time", &[]).code(1);
    let v = json(&out);
    assert_eq!(v["ok"], false);
    let wheel = artifact(&v, ".whl");
    assert_eq!(wheel["verdict"], "differs");
    assert_ne!(wheel["sha256"], wheel["sha256_second"]);
    says(wheel, &["_build.py", "BUILD = 0"]);
    assert_eq!(artifact(&v, ".tar.gz")["verdict"], "reproducible");
    let kept = PathBuf::from(v["kept"].as_str().expect("kept"));
    assert!(kept.join("1/src/dist").is_dir() && kept.join("2/src/dist").is_dir());
    assert!(kept.join("build-1.log").is_file());
    // Without --json: the rows, and the error naming the kept folder.
    let b = build(&w, "time");
    let out = w.cmd(&["reproduce", "--build", &b]).code(1);
    assert!(
        stdout(&out).contains("first difference"),
        "{}",
        stdout(&out)
    );
    err_has(&out, "kept in");
}

#[test]
fn gzip_header_mode_and_time_differences_are_told_apart() {
    let w = world();
    let v = json(&reproduce(&w, "gzip", &[]).code(1));
    let sdist = artifact(&v, ".tar.gz");
    assert_eq!(sdist["verdict"], "differs");
    says(sdist, &["gzip header"]);
    assert_eq!(artifact(&v, ".whl")["verdict"], "reproducible");

    let v = json(&reproduce(&w, "mode", &[]).code(1));
    let wheel = artifact(&v, ".whl");
    says(wheel, &["mode 644", "664"]);
    says(wheel, &["umask"]);

    let v = json(&reproduce(&w, "nosde", &[]).code(1));
    let wheel = artifact(&v, ".whl");
    says(wheel, &["time"]);
    says(wheel, &["ignores SOURCE_DATE_EPOCH"]);
}

#[test]
fn an_artifact_from_one_build_only_is_missing() {
    let w = world();
    let v = json(&reproduce(&w, "once", &[]).code(1));
    let sdist = artifact(&v, ".tar.gz");
    assert_eq!(sdist["verdict"], "missing");
    says(sdist, &["only the first build"]);
}

/// The artifacts of one deterministic build and of one `time` build (whose wheel differs),
/// copied out of a kept folder.
fn reference_files(w: &World) -> (PathBuf, PathBuf, PathBuf) {
    let v = json(&reproduce(w, "time", &[]).code(1));
    let kept = PathBuf::from(v["kept"].as_str().expect("kept"));
    let dir = w.tmp.path().join("published");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let copy = |from: PathBuf, to: &str| {
        std::fs::copy(&from, dir.join(to)).expect("copy");
        dir.join(to)
    };
    let sdist = copy(
        kept.join("1/src/dist/demo_pkg-1.0.0.tar.gz"),
        "demo_pkg-1.0.0.tar.gz",
    );
    let other_wheel = copy(
        kept.join("1/src/dist/demo_pkg-1.0.0-py3-none-any.whl"),
        "demo_pkg-1.0.0-py3-none-any.whl",
    );
    (dir, sdist, other_wheel)
}

#[test]
fn expectations_by_file_hex_and_list() {
    let w = world();
    let (dir, sdist, other_wheel) = reference_files(&w);
    let sdist_s = sdist.to_string_lossy().into_owned();
    let v = json(&reproduce(&w, "deterministic", &["--expect", &sdist_s]).success());
    assert_eq!(artifact(&v, ".tar.gz")["verdict"], "matches");
    assert_eq!(artifact(&v, ".whl")["verdict"], "reproducible");
    let sdist_sha = artifact(&v, ".tar.gz")["sha256"]
        .as_str()
        .expect("sha")
        .to_owned();

    // A wheel that is not what the build makes: mismatch, and where they differ.
    let wheel_s = other_wheel.to_string_lossy().into_owned();
    let v = json(&reproduce(&w, "deterministic", &["--expect", &wheel_s]).code(1));
    let wheel = artifact(&v, ".whl");
    assert_eq!(wheel["verdict"], "mismatch");
    says(wheel, &["_build.py", "expected"]);
    assert_eq!(v["build"]["pin"]["requirements"][0], "standin==1.0", "{v}");

    // A bare SHA-256: it matches the artifact that has it; one nobody has is a mismatch row.
    let v = json(&reproduce(&w, "deterministic", &["--expect", &sdist_sha]).success());
    assert_eq!(artifact(&v, ".tar.gz")["verdict"], "matches");
    let wrong = "0".repeat(64);
    let v = json(&reproduce(&w, "deterministic", &["--expect", &wrong, "--no-pin"]).code(1));
    let row = artifact(&v, &wrong);
    assert_eq!(row["verdict"], "mismatch");

    // A sha256sum list, by normalised name too.
    let list = dir.join("SHA256SUMS");
    std::fs::write(&list, format!("{sdist_sha}  demo-pkg-1.0.0.tar.gz\n")).expect("write");
    let list_s = list.to_string_lossy().into_owned();
    let v = json(&reproduce(&w, "deterministic", &["--expect", &list_s]).success());
    assert_eq!(artifact(&v, ".tar.gz")["verdict"], "matches");
    std::fs::write(&list, format!("{wrong}  demo_pkg-1.0.0.tar.gz\n")).expect("write");
    let v = json(&reproduce(&w, "deterministic", &["--expect", &list_s]).code(1));
    let sdist = artifact(&v, ".tar.gz");
    assert_eq!(sdist["verdict"], "mismatch");
    says(sdist, &["--expect FILE"]);
    // A list line that is not one, and a file that cannot be read.
    std::fs::write(&list, "not a sum\n").expect("write");
    let out = reproduce(&w, "deterministic", &["--expect", &list_s]).code(1);
    assert!(json(&out)["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("line 1")));
    // A FIFO would block for ever: refused without opening it.
    let fifo = dir.join("fifo.whl");
    w.run("mkfifo", &[&fifo.to_string_lossy()]);
    let out = w
        .cmd(&[
            "reproduce",
            "--build",
            "true",
            "--expect",
            &fifo.to_string_lossy(),
        ])
        .code(1);
    err_has(&out, "not a regular file");
    let gone = dir.join("nope.whl").to_string_lossy().into_owned();
    let out = w
        .cmd(&["reproduce", "--build", "true", "--expect", &gone])
        .code(1);
    err_has(&out, "nope.whl");
    err_has(&out, "cannot read");
}

#[test]
fn the_work_tree_refs_and_hooks_are_untouched() {
    let w = world();
    let marker = w.tmp.path().join("hook-ran");
    for hook in ["post-checkout", "post-merge", "reference-transaction"] {
        write_executable(
            &w.root.join(".git/hooks").join(hook),
            &format!("#!/bin/sh\necho {hook} >> '{}'\n", marker.display()),
        );
    }
    w.write("src/demo_pkg/__init__.py", "VALUE = 2  # not committed\n");
    w.write("untracked.txt", "must not reach the wheel\n");
    let before = (w.snapshot(), git_state(&w));
    let spy = w.tmp.path().join("spy");
    w.set_env("STANDIN_SPY", &spy);
    w.set_env("SETUPTOOLS_SCM_PRETEND_VERSION", "9.9.9");
    w.set_env("SETUPTOOLS_SCM_PRETEND_VERSION_FOR_DEMO_PKG", "9.9.9");
    w.set_env("PYTHONPATH", "/nonexistent");
    w.set_env("SOURCE_DATE_EPOCH", "1");
    w.write("../home/.gitconfig", "[core]\n\tautocrlf = true\n");
    let v = json(&reproduce(&w, "deterministic", &[]).success());
    let removed = v["build"]["removed_env"].to_string();
    for name in [
        "PYTHONPATH",
        "SETUPTOOLS_SCM_PRETEND_VERSION",
        "SOURCE_DATE_EPOCH",
    ] {
        assert!(
            removed.contains(name),
            "{name} not named as removed: {removed}"
        );
    }
    assert!(
        !marker.exists(),
        "a hook of the user's ran: {:?}",
        std::fs::read_to_string(&marker)
    );
    assert_eq!(
        (w.snapshot(), git_state(&w)),
        before,
        "the work tree or the repository changed"
    );
    let seen = std::fs::read_to_string(&spy).expect("the build ran");
    assert!(seen.contains("SETUPTOOLS_SCM_PRETEND_VERSION=\n"), "{seen}");
    assert!(seen.contains("PYTHONPATH=\n"), "{seen}");
    assert!(seen.contains("SOURCE_DATE_EPOCH=1704164645\n"), "{seen}");
    assert!(seen.contains("umask=022"), "{seen}");
    assert!(
        !seen.contains("untracked.txt"),
        "an untracked file reached the build: {seen}"
    );
    // The checkout's bytes are the commit's (no CRLF from the global autocrlf): the same
    // wheel as without that configuration and without the dirty tree.
    let with = artifact(&v, ".whl")["sha256"].clone();
    std::fs::remove_file(w.home().join(".gitconfig")).expect("rm");
    w.git(&["stash", "-q", "-u"]);
    let v = json(&reproduce(&w, "deterministic", &[]).success());
    assert_eq!(artifact(&v, ".whl")["sha256"], with);
}

/// Everything in `.git` but the files git rewrites on reading (none should change at all).
fn git_state(w: &World) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![w.root.join(".git")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir)
            .expect("read .git")
            .filter_map(Result::ok)
        {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap_or_default(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_signed_tag_is_verified_and_shown() {
    let w = world();
    w.signing_key();
    w.git(&["tag", "-s", "v1.1.0", "-m", "Release 1.1.0"]);
    let v = json(&reproduce(&w, "deterministic", &["v1.1.0"]).success());
    assert_eq!(v["tag"], "v1.1.0");
    assert_eq!(v["signature"]["status"], "good", "{v}");
    let b = build(&w, "deterministic");
    let out = w.cmd(&["reproduce", "--build", &b]).success();
    assert!(
        stdout(&out).contains("v1.1.0  (good: signed by Test Author"),
        "{}",
        stdout(&out)
    );
    // The unsigned v1.0.0 is rebuilt too, with a warning.
    let out = w.cmd(&["reproduce", "--build", &b, "v1.0.0"]).success();
    err_has(&out, "not validly signed");
    // A ref v1.2.0 holding the tag object made as v1.1.0 (replayed) is no good signature of
    // v1.2.0: the rule verify applies (it was shown as good here).
    let object = w.git(&["rev-parse", "refs/tags/v1.1.0"]).trim().to_owned();
    w.git(&["update-ref", "refs/tags/v1.2.0", &object]);
    let v = json(&reproduce(&w, "deterministic", &["v1.2.0"]).success());
    assert_eq!(v["signature"]["status"], "tag-name-mismatch", "{v}");
    let message = v["signature"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("a replayed tag"), "{v}");
}

#[test]
fn bad_input_is_refused_clearly() {
    let w = world();
    let b = build(&w, "deterministic");
    w.git(&["tag", "not-a-release"]);
    let cases: [(&[&str], i32, &str); 5] = [
        (&["--build", &b, "not-a-release"], 1, "not a release tag"),
        (&["--build", &b, "v9.9.9"], 1, "there is no tag"),
        (&["--build", &b, "--", "-v1.0.0"], 2, "not a tag name"),
        (&["--build", ""], 2, "not a command"),
        (&["--build", "'unclosed"], 2, "not a command"),
    ];
    for (extra, code, needle) in cases {
        let mut args = vec!["reproduce"];
        args.extend(extra);
        let out = w.cmd(&args).code(code);
        assert!(stderr(&out).contains(needle), "{extra:?}: {}", stderr(&out));
    }
    // A build program that is not there: said before anything is checked out.
    let out = w
        .cmd(&["reproduce", "--build", "gsr-no-such-builder --x"])
        .code(1);
    err_has(&out, "no program gsr-no-such-builder on PATH");
    assert!(!stderr(&out).contains("kept in"), "{}", stderr(&out));
    // A build that fails: its last lines, and the folder kept.
    let out = w.cmd(&["reproduce", "--build", &build(&w, "fail")]).code(1);
    let err = stderr(&out);
    assert!(
        err.contains("the compiler exploded") && err.contains("kept in"),
        "{err}"
    );
    // No build tool at all.
    let bin = w.tmp.path().join("onlygit");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let git = which_git();
    std::os::unix::fs::symlink(git, bin.join("git")).expect("symlink");
    let out = w
        .command(&["reproduce", "--json"])
        .env("PATH", &bin)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["ok"], false);
    assert!(
        v["error"]["hint"]
            .as_str()
            .is_some_and(|h| h.contains("pip install build")),
        "{v}"
    );
    // A tag whose trailer disagrees with its commit.
    w.git(&[
        "tag",
        "-a",
        "v1.2.0",
        "-m",
        "Release 1.2.0\n\nSource-Date-Epoch: 5",
    ]);
    let out = w.cmd(&["reproduce", "--build", &b, "v1.2.0"]).code(1);
    err_has(&out, "Source-Date-Epoch: 5");
}

fn which_git() -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("git"))
        .find(|p| p.is_file())
        .expect("git on PATH")
}

#[test]
fn submodules_are_refused_for_now() {
    let w = world();
    w.write(
        ".gitmodules",
        "[submodule \"x\"]\n\tpath = x\n\turl = ./x\n",
    );
    w.git(&["add", ".gitmodules"]);
    w.git(&["commit", "-q", "-m", "sub"]);
    w.git(&["tag", "-a", "v1.1.0", "-m", "Release 1.1.0"]);
    let out = w
        .cmd(&["reproduce", "--build", &build(&w, "deterministic")])
        .code(1);
    err_has(&out, "submodules");
}

/// A PEP 691 index on 127.0.0.1 serving `files` (name, bytes, the sha256 it claims) for
/// demo-pkg; its base URL. It answers until the test ends.
fn index_server(files: Vec<(String, Vec<u8>, String)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}/simple/", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = std::io::BufReader::new(stream.try_clone().expect("clone"));
            let mut request = read_request(&mut reader);
            if request.starts_with("CONNECT ") {
                // Asked as a proxy: the tunnel, then the request inside it.
                let _ = stream.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                request = read_request(&mut reader);
            }
            let path = request.split_whitespace().nth(1).unwrap_or("").to_owned();
            // As a proxy it sees absolute URLs: only the path counts.
            let (status, kind, body) = if path.ends_with("/simple/demo-pkg/") {
                let list: Vec<_> = files
                    .iter()
                    .map(|(n, _, h)| serde_json::json!({"filename": n, "url": format!("../../files/{n}"), "hashes": {"sha256": h}}))
                    .collect();
                let page = serde_json::json!({"meta": {"api-version": "1.0"}, "name": "demo-pkg", "files": list});
                (
                    "200 OK",
                    "application/vnd.pypi.simple.v1+json",
                    page.to_string().into_bytes(),
                )
            } else if let Some((_, bytes, _)) = files
                .iter()
                .find(|(n, _, _)| path.ends_with(&format!("/files/{n}")))
            {
                ("200 OK", "application/octet-stream", bytes.clone())
            } else {
                ("404 Not Found", "text/plain", b"no".to_vec())
            };
            let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = stream.write_all(&body);
        }
    });
    base
}

/// One request's first line; its headers read and dropped.
fn read_request(reader: &mut impl std::io::BufRead) -> String {
    let mut request = String::new();
    let _ = reader.read_line(&mut request);
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    request
}

fn sha256_of(bytes: &[u8]) -> String {
    let out = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().expect("stdin").write_all(bytes)?;
            c.wait_with_output()
        })
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)[..64].to_owned()
}

#[test]
fn the_index_is_asked_by_pep_691() {
    let w = world();
    let (_, sdist, other_wheel) = reference_files(&w);
    let mut sdist_bytes = Vec::new();
    std::fs::File::open(&sdist)
        .and_then(|mut f| f.read_to_end(&mut sdist_bytes))
        .expect("read");
    let wheel_bytes = std::fs::read(&other_wheel).expect("read");
    let files = vec![
        (
            "demo_pkg-1.0.0.tar.gz".to_owned(),
            sdist_bytes.clone(),
            sha256_of(&sdist_bytes),
        ),
        (
            "demo_pkg-0.9.0.tar.gz".to_owned(),
            b"older".to_vec(),
            sha256_of(b"older"),
        ),
    ];
    let url = index_server(files);
    let v = json(&reproduce(&w, "deterministic", &["--index", &url]).success());
    assert_eq!(artifact(&v, ".tar.gz")["verdict"], "matches", "{v}");
    assert_eq!(v["index"], url);
    // The index's wheel is another build: mismatch, with where it differs.
    let url = index_server(vec![(
        "demo_pkg-1.0.0-py3-none-any.whl".to_owned(),
        wheel_bytes.clone(),
        sha256_of(&wheel_bytes),
    )]);
    let v = json(&reproduce(&w, "deterministic", &["--index", &url]).code(1));
    assert_eq!(artifact(&v, ".whl")["verdict"], "mismatch");
    assert!(what(artifact(&v, ".whl")).contains("_build.py"));
    // Through a proxy (HTTPS_PROXY): the index's host does not even resolve.
    let proxy = url
        .trim_start_matches("http://")
        .trim_end_matches("/simple/")
        .to_owned();
    let out = w
        .command(&[
            "reproduce",
            "--json",
            "--build",
            &build(&w, "deterministic"),
            "--index",
            "http://pypi.invalid/simple/",
        ])
        .env("HTTPS_PROXY", format!("http://{proxy}"))
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(artifact(&v, ".whl")["verdict"], "mismatch", "{v}");
    let out = w
        .cmd(&[
            "reproduce",
            "--build",
            &build(&w, "deterministic"),
            "v1.0.0",
            "--index",
            "pypi.org",
        ])
        .code(2);
    err_has(&out, "not an http");
    // PIP_INDEX_URL is the default index.
    w.set_env("PIP_INDEX_URL", url.trim_end_matches('/'));
    let v = json(&reproduce(&w, "deterministic", &["--index"]).code(1));
    assert_eq!(v["index"], url);
    // `--index TAG`: the value is no URL, so it is the tag.
    let v = json(
        &w.cmd(&[
            "reproduce",
            "--json",
            "--build",
            &build(&w, "deterministic"),
            "--index",
            "v1.0.0",
        ])
        .code(1),
    );
    assert_eq!(
        (&v["tag"], &v["index"]),
        (&"v1.0.0".into(), &url.clone().into())
    );
}

/// What the index serves is data: a file unlike its listed hash, a missing version, no index.
#[test]
fn index_failures_are_clear_errors() {
    let w = world();
    let sdist_bytes = b"a published sdist".to_vec();
    // A file that is not what the index says it is; an index without the version; none.
    let url = index_server(vec![(
        "demo_pkg-1.0.0.tar.gz".to_owned(),
        sdist_bytes,
        "1".repeat(64),
    )]);
    let out = reproduce(&w, "deterministic", &["--index", &url]).code(1);
    assert!(
        json(&out)["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("index lists")),
        "{}",
        stdout(&out)
    );
    let url = index_server(vec![(
        "demo_pkg-0.9.0.tar.gz".to_owned(),
        b"x".to_vec(),
        sha256_of(b"x"),
    )]);
    let out = w
        .cmd(&[
            "reproduce",
            "--build",
            &build(&w, "deterministic"),
            "--index",
            &url,
        ])
        .code(1);
    err_has(&out, "no files of demo-pkg 1.0.0");
    let closed = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let out = w
        .cmd(&[
            "reproduce",
            "--build",
            &build(&w, "deterministic"),
            "--index",
            &format!("http://{closed}/simple/"),
        ])
        .code(1);
    err_has(&out, "cannot reach the index");
}

/// From a linked worktree, and from a project in a subfolder: the build runs in that
/// subfolder of the checkout, and the common repository's tags count.
#[test]
fn a_linked_worktree_and_a_project_in_a_subfolder() {
    let w = World::new();
    w.set_env("TMPDIR", w.tmp.path());
    w.write("README", "monorepo\n");
    w.write("pkg/pyproject.toml", PYPROJECT.replace("1.0.0", "2.0.0"));
    w.git_init();
    w.git(&["tag", "-a", "v2.0.0", "-m", "Release 2.0.0"]);
    let spy = w.tmp.path().join("spy");
    w.set_env("STANDIN_SPY", &spy);
    let b = build(&w, "deterministic");
    let v = crate::common::json(
        &w.cmd_in("pkg", &["reproduce", "--json", "--build", &b])
            .success(),
    );
    assert_eq!(
        artifact(&v, ".whl")["name"],
        "demo_pkg-2.0.0-py3-none-any.whl"
    );
    let seen = std::fs::read_to_string(&spy).expect("spy");
    assert!(
        seen.contains("files=pyproject.toml\n"),
        "the build ran outside pkg/: {seen}"
    );
    let tree = w.linked_worktree("side");
    let out = w
        .command(&["reproduce", "--json", "--build", &b, "v2.0.0"])
        .current_dir(tree.join("pkg"))
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["tag"], "v2.0.0");
}

/// A repository owned by someone else that the user marked safe (`safe.directory`, as CI
/// containers do): the clean clone, which runs without the user's configuration, still
/// reads it.
#[test]
fn a_repository_marked_safe_is_cloned() {
    let w = world();
    let owner = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(&w.root)
        .status();
    if !owner.is_ok_and(|s| s.success()) {
        #[allow(clippy::print_stderr)] // how a test says it was skipped, and why
        {
            eprintln!(
                "SKIPPED a_repository_marked_safe_is_cloned: chown to another user needs root here"
            );
        }
        return;
    }
    let b = build(&w, "deterministic");
    // Owned by another user and not marked safe: git itself refuses it, and so do we.
    let out = w.cmd(&["reproduce", "--build", &b]).code(1);
    err_has(&out, "dubious ownership");
    err_has(&out, "safe.directory");
    w.write(
        "../home/.gitconfig",
        format!("[safe]\n\tdirectory = {}\n", w.root.display()),
    );
    let v = json(&w.cmd(&["reproduce", "--json", "--build", &b]).success());
    assert_eq!(artifact(&v, ".whl")["verdict"], "reproducible", "{v}");
}

/// A SHA-256 and a reftable repository (read through git, cloned by git) rebuild as any.
#[test]
fn sha256_and_reftable_repositories_rebuild() {
    for flag in ["--object-format=sha256", "--ref-format=reftable"] {
        let w = World::new();
        w.set_env("TMPDIR", w.tmp.path());
        w.write("pyproject.toml", PYPROJECT);
        w.write("src/demo_pkg/__init__.py", "VALUE = 1\n");
        w.git(&["init", "-q", "-b", "main", flag]);
        w.git(&["add", "-A"]);
        w.git(&["commit", "-q", "-m", "initial"]);
        w.git(&["tag", "-a", "v1.0.0", "-m", "Release 1.0.0"]);
        let v = json(&reproduce(&w, "deterministic", &[]).success());
        assert_eq!(v["commit"], w.git(&["rev-parse", "HEAD"]).trim(), "{flag}");
        assert_eq!(v["source_date_epoch"], 1_704_164_645, "{flag}");
        for suffix in [".whl", ".tar.gz"] {
            assert_eq!(artifact(&v, suffix)["verdict"], "reproducible", "{flag}");
        }
    }
}

// Found by hand: in a partial clone `git checkout` leaves the missing files out and exits 0,
// so the build ran in an empty folder. The checkout is now checked to be complete.
#[test]
fn a_partial_clone_missing_files_is_refused_until_they_are_fetched() {
    let origin = world();
    let w = World::new();
    w.set_env("TMPDIR", w.tmp.path());
    w.partial_clone_of(&origin.root);
    let missing = w.git(&["rev-list", "--objects", "--missing=print", "v1.0.0"]);
    assert!(missing.contains('?'), "blobs left out: {missing}");
    let out = reproduce(&w, "deterministic", &["v1.0.0"]).code(1);
    err_has(&out, "is incomplete");
    err_has(&out, "pyproject.toml");
    err_has(&out, "git archive");
    assert_eq!(
        w.git(&["rev-list", "--objects", "--missing=print", "v1.0.0"]),
        missing,
        "reproduce fetched nothing itself"
    );
    w.run("sh", &["-c", "git archive v1.0.0 > /dev/null"]);
    let v = json(&reproduce(&w, "deterministic", &["v1.0.0"]).success());
    assert_eq!(artifact(&v, ".whl")["verdict"], "reproducible", "{v}");
}
