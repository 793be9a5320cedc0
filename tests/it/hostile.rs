//! Hostile input (contract §4.1): nothing from a repository runs a command, escapes the work
//! tree, or reaches the terminal raw; a closed pipe keeps the verdict; what would fail later
//! is refused in preflight. Each test is a hole that was reproduced on the earlier code.

use std::path::PathBuf;
use std::process::Stdio;

use crate::common::{stderr, stdout, World};
use crate::release::{assert_released, refused, state, world, world_with, PYPROJECT};

/// A `gpg.program` that signs as gpg does, and notes every signature of a release commit
/// or tag (a payload with a `Release ` line) in the returned log file: a refusal in
/// preflight leaves it empty.
fn count_release_signatures(w: &World) -> PathBuf {
    let log = w.tmp.path().join("release-signatures.log");
    let script = w.script(
        "gpg-counting",
        &format!(
            // Only signing counts (git signs with `-bsau KEY`); verifying goes through it too.
            "tmp=$(mktemp)\ncat > \"$tmp\"\ncase \"$*\" in *-bsau*) if grep -q '^Release ' \"$tmp\"; then echo signed >> '{}'; fi;; esac\ngpg \"$@\" < \"$tmp\"\nrc=$?\nrm -f \"$tmp\"\nexit $rc",
            log.display()
        ),
    );
    w.git(&["config", "gpg.program", &script.to_string_lossy()]);
    log
}

fn no_release_signature(log: &PathBuf) {
    assert!(
        !log.exists(),
        "a release commit or tag was signed: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

/// The configuration of `w` with `extra` appended to pyproject.toml, committed.
fn configure(w: &World, extra: &str) {
    w.write("pyproject.toml", format!("{PYPROJECT}{extra}"));
    w.git(&["commit", "-q", "-S", "-am", "configure"]);
    w.git(&["status", "--porcelain"]);
}

// Regression: a committed `push = "--receive-pack=CMD"` ran CMD during `patch`.
#[test]
fn a_push_remote_that_is_an_option_is_refused_and_never_runs() {
    let w = world();
    let marker = w.tmp.path().join("pwned");
    let payload = format!("--receive-pack=touch {}", marker.display());
    configure(
        &w,
        &format!("\n[tool.secure-release]\npush = \"{payload}\"\n"),
    );
    let log = count_release_signatures(&w);
    refused(
        &w,
        &["patch"],
        &["[tool.secure-release] push", "starts with \"-\""],
    );
    refused(
        &w,
        &["patch", &format!("--push={payload}")],
        &["--push", "starts with \"-\""],
    );
    assert!(!marker.exists(), "the injected command ran");
    no_release_signature(&log);
}

#[test]
fn a_push_remote_that_is_no_remote_is_refused_naming_its_key() {
    let w = world();
    refused(
        &w,
        &["patch", "--push=nosuchremote"],
        &[
            "--push = \"nosuchremote\" is not a configured remote",
            "git remote add nosuchremote",
        ],
    );
    w.git(&["config", "branch.main.remote", "-x"]);
    refused(
        &w,
        &["patch"],
        &["branch.main.remote = \"-x\" starts with \"-\""],
    );
}

// Regression: `files = [{ path = ".git/config", … }]` let a replace add core.fsmonitor.
#[test]
fn files_inside_the_git_directory_are_refused() {
    let w = world();
    let marker = w.tmp.path().join("pwned");
    // A line git's config parser would take; the search pattern matches the bare version.
    let config = std::fs::read_to_string(w.root.join(".git/config")).expect("config");
    std::fs::write(w.root.join(".git/config"), format!("{config}# 0.1.0\n")).expect("write");
    configure(
        &w,
        &format!(
            "\n[tool.secure-release]\nfiles = [{{ path = \".git/config\", search = \"# {{current_version}}\", replace = \"[core]\\n\\tfsmonitor = touch {}\\n# {{new_version}}\" }}]\n",
            marker.display()
        ),
    );
    let before = std::fs::read(w.root.join(".git/config")).expect("config");
    let log = count_release_signatures(&w);
    let after_log_setup = std::fs::read(w.root.join(".git/config")).expect("config");
    let err = refused(
        &w,
        &["patch"],
        &[
            ".git/config",
            "[tool.secure-release] files",
            "inside a git directory",
        ],
    );
    assert!(!err.contains("fsmonitor"), "{err}");
    assert!(!marker.exists(), "the injected command ran");
    assert_eq!(
        std::fs::read(w.root.join(".git/config")).expect("config"),
        after_log_setup
    );
    assert!(
        before.len() < after_log_setup.len(),
        "only gpg.program was added"
    );
    no_release_signature(&log);
}

#[test]
fn files_that_are_links_untracked_or_inside_a_submodule_git_file_are_refused() {
    let w = world_with(&[("pyproject.toml", PYPROJECT), ("VERSION.txt", "0.1.0\n")]);
    #[cfg(unix)]
    std::os::unix::fs::symlink(w.root.join("VERSION.txt"), w.root.join("link.txt")).expect("link");
    w.write("untracked.txt", "0.1.0\n");
    w.write("sub/.git", "gitdir: ../.git\n0.1.0\n");
    configure(
        &w,
        "\n[tool.secure-release]\nfiles = [{ path = \"link.txt\" }, { path = \"untracked.txt\" }, { path = \"sub/.git\" }]\n",
    );
    refused(
        &w,
        &["patch"],
        &[
            "link.txt (named by [tool.secure-release] files) is, or lies behind, a symbolic link",
            "untracked.txt (named by [tool.secure-release] files) is not tracked by git",
            "git add -- untracked.txt",
            "sub/.git (named by [tool.secure-release] files) is inside a git directory",
        ],
    );
}

// Regression: a repository without pyproject.toml took one from a folder above it.
#[test]
fn pyproject_above_the_work_tree_is_not_the_projects() {
    let w = World::new();
    w.write("README.md", "no project here\n");
    w.repo();
    w.signing_key();
    w.git(&["add", "-A"]);
    w.git(&["commit", "-q", "-S", "-m", "initial"]);
    let above = w.tmp.path().join("pyproject.toml");
    std::fs::write(&above, PYPROJECT).expect("write");
    let out = w.cmd(&["version"]).code(1);
    assert!(
        stderr(&out).contains("no pyproject.toml"),
        "{}",
        stderr(&out)
    );
    let out = w.cmd_in("", &["0.2.0"]).code(1);
    assert!(
        stderr(&out).contains("no pyproject.toml"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&above).expect("read"), PYPROJECT);
    // Outside any repository, the nearest parent's is still found.
    std::fs::remove_dir_all(w.root.join(".git")).expect("rm .git");
    let out = w.cmd(&["version"]).success();
    assert!(stdout(&out).contains("0.1.0"), "{}", stdout(&out));
}

/// Run the program under a pseudo-terminal (`script`), so that it writes as to a person;
/// returns everything it wrote there.
fn on_a_terminal(w: &World, args: &[&str]) -> String {
    let bin = assert_cmd::cargo::cargo_bin!("git-secure-release");
    let mut line = bin.to_string_lossy().into_owned();
    for a in args {
        line.push_str(&format!(" '{a}'"));
    }
    let out = w.run_any("script", &["-qec", &line, "/dev/null"]);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// No escape sequence but plain colours (`ESC [ digits ; m`), no BEL, no bare CR, no
/// invisible or bidirectional character.
fn assert_no_raw_controls(text: &str) {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == 0x1b {
            let rest = &bytes[i + 1..];
            let end = rest.iter().position(|&c| c == b'm');
            let sgr = rest.first() == Some(&b'[')
                && end.is_some_and(|e| rest[1..e].iter().all(|c| c.is_ascii_digit() || *c == b';'));
            assert!(sgr, "a raw escape sequence at {i}: {text:?}");
            let params = &rest[1..end.unwrap_or(1)];
            assert!(
                !params.is_empty() && params != b"8" && params != b"2J",
                "{text:?}"
            );
        }
        assert!(b != 0x07, "a raw BEL: {text:?}");
        assert!(
            b != b'\r' || bytes.get(i + 1) == Some(&b'\n'),
            "a bare CR: {text:?}"
        );
    }
    for c in ['\u{200b}', '\u{202e}', '\u{2066}', '\u{feff}'] {
        assert!(!text.contains(c), "{c:?} raw in {text:?}");
    }
}

const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[8m";

// Regression: raw ESC/OSC/BEL from a signer's user id, a workflow line, a TOML error and a
// file name reached the terminal; a zero-width space made v\u200b9.9.9 look like v9.9.9.
#[test]
fn hostile_text_is_escaped_on_a_terminal() {
    let w = World::new();
    w.write("pyproject.toml", PYPROJECT);
    w.write(
        ".github/workflows/ci.yml",
        format!("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: evil/act@v1{HOSTILE}\n"),
    );
    w.repo();
    let fpr = w.gen_key_in(
        &w.gnupghome(),
        &format!("Evil{HOSTILE} <author@example.com>"),
        &[],
        "never",
    );
    w.git(&["config", "user.signingkey", &fpr]);
    w.git(&["add", "-A"]);
    w.git(&["commit", "-q", "-S", "-m", "initial"]);
    w.git(&["tag", "-s", "v\u{200b}9.9.9", "-m", "look-alike"]);
    w.git(&["tag", "-s", "v\u{202e}1.0.0", "-m", "reversed"]);

    let verify = on_a_terminal(&w, &["verify"]);
    assert!(verify.contains("Evil\\e]0;pwned\\x07"), "{verify}");
    assert!(verify.contains("v\\u{200b}9.9.9"), "{verify}");
    assert_no_raw_controls(&verify);

    let doctor = on_a_terminal(&w, &["doctor"]);
    assert!(doctor.contains("evil/act@v1\\e]0;pwned"), "{doctor}");
    assert_no_raw_controls(&doctor);

    w.write(
        "pyproject.toml",
        format!("[project]\nname = \"x{HOSTILE}\nversion = 1\n"),
    );
    let toml = on_a_terminal(&w, &["version"]);
    assert!(toml.contains("\\e]0;pwned"), "{toml}");
    assert_no_raw_controls(&toml);

    let name = format!("v{HOSTILE}.py");
    w.write(&name, "__version__ = \"0.3.0\"\n");
    w.write(
        "pyproject.toml",
        "[project]\nname = \"x\"\ndynamic = [\"version\"]\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n[tool.hatch.version]\npath = \"v\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[8m.py\"\n",
    );
    let files = on_a_terminal(&w, &["version"]);
    assert!(
        files.contains("0.3.0") && files.contains("v\\e]0;pwned"),
        "{files}"
    );
    assert_no_raw_controls(&files);
}

/// Run the program with stdout a pipe whose reader is gone before it writes.
fn exit_code_with_closed_stdout(w: &World, args: &[&str]) -> i32 {
    let mut cmd = w.command(args);
    cmd.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = cmd.spawn().expect("spawn");
    drop(child.stdout.take());
    child.wait().expect("wait").code().expect("an exit code")
}

// Regression: `verify | head -c1` and `doctor | head -c1` exited 0 with unsigned objects.
#[test]
fn a_closed_pipe_keeps_the_verdict() {
    let w = world();
    w.commit("unsigned", false);
    for _ in 0..5 {
        assert_eq!(exit_code_with_closed_stdout(&w, &["verify"]), 1);
        assert_eq!(exit_code_with_closed_stdout(&w, &["verify", "--json"]), 1);
        assert_eq!(exit_code_with_closed_stdout(&w, &["doctor"]), 1);
    }
    let head = w.git(&["rev-parse", "HEAD~1"]);
    assert_eq!(
        exit_code_with_closed_stdout(&w, &["verify", head.trim()]),
        0,
        "a good verdict stays 0"
    );
}

// Regression: each of these was caught only after the signed release commit was made.
#[test]
fn what_would_fail_later_is_refused_in_preflight() {
    let w = world();
    let log = count_release_signatures(&w);
    refused(
        &w,
        &["patch", "-m", " \n\t "],
        &["the message (-m) is empty"],
    );
    let nul = w.tmp.path().join("nul-message");
    std::fs::write(&nul, "Release\0 with a NUL").expect("write");
    refused(
        &w,
        &["patch", "-F", &nul.to_string_lossy()],
        &["the message (-F) holds a NUL byte"],
    );
    let prefix = "p".repeat(300);
    refused(
        &w,
        &["patch", "--tag-prefix", &prefix],
        &["file systems take at most 255"],
    );
    std::fs::write(w.root.join(".git/index.lock"), "").expect("lock");
    refused(&w, &["patch"], &["index.lock exists", "rm -f"]);
    std::fs::remove_file(w.root.join(".git/index.lock")).expect("unlock");
    w.set_env("GITHUB_ENV", w.tmp.path().join("no/such/folder/env"));
    refused(
        &w,
        &["patch"],
        &["GITHUB_ENV names", "cannot be written", "unset GITHUB_ENV"],
    );
    no_release_signature(&log);
}

#[test]
fn a_message_of_300_kib_from_a_file_releases() {
    let w = world();
    let file = w.tmp.path().join("long-message");
    let body = "a line of the release notes, long enough to count\n".repeat(6200);
    assert!(body.len() > 300 * 1024);
    std::fs::write(&file, format!("Release {{version}}\n\n{body}")).expect("write");
    let out = w.cmd(&["patch", "-F", &file.to_string_lossy()]).success();
    assert!(
        stdout(&out).starts_with("released 0.1.1 as v0.1.1"),
        "{}",
        stdout(&out)
    );
    assert!(w.git_verify_tag("v0.1.1").ok && w.git_verify_commit("v0.1.1^{}").ok);
    let message = w.git(&["log", "-1", "--format=%B", "v0.1.1^{}"]);
    assert_eq!(message, format!("Release 0.1.1\n\n{body}\n"));
    let epoch = w.git(&["log", "-1", "--format=%ct", "v0.1.1^{}"]);
    let tag = w.git(&["tag", "-l", "--format=%(contents)", "v0.1.1"]);
    assert!(
        tag.starts_with(&format!(
            "Release 0.1.1\n\n{body}\nSource-Date-Epoch: {}",
            epoch.trim()
        )),
        "{}",
        &tag[tag.len() - 200..]
    );
}

// Regression: `git push --atomic origin main v0.1.1` was ambiguous with a tag `main` or a
// branch `v0.1.1`, and --push failed.
#[test]
fn a_tag_named_like_the_branch_and_a_branch_named_like_the_tag_push_correctly() {
    let w = world();
    let remote = w.bare_origin();
    w.git(&["branch", "v0.1.1"]);
    w.git(&["tag", "-s", "main", "-m", "a tag named like the branch"]);
    let before = state(&w);
    let out = w.cmd(&["patch", "--push"]).success();
    crate::release::assert_pushed_release(&w, &remote, &out);
    assert_eq!(
        crate::common::at_remote(&remote, "refs/heads/v0.1.1"),
        "",
        "the branch v0.1.1 was not pushed"
    );
    assert_ne!(before, state(&w));
}

// A file the release writes is a name, never a pathspec: `git commit -- '*.txt'` would
// have taken every modified .txt file into the release commit.
#[test]
fn a_file_named_like_a_pathspec_commits_only_itself() {
    let w = world_with(&[
        ("pyproject.toml", PYPROJECT),
        ("*.txt", "0.1.0\n"),
        ("notes.txt", "mine\n"),
    ]);
    configure(
        &w,
        "\n[tool.secure-release]\nfiles = [{ path = \"*.txt\" }]\n",
    );
    w.write("notes.txt", "mine, not the release's\n");
    let out = w.cmd(&["patch", "--allow-dirty"]).success();
    assert_released(&w, &out, "0.1.1", "v0.1.1");
    assert_eq!(
        w.git(&["show", "--format=", "--name-only", "v0.1.1^{}"]),
        "*.txt\npyproject.toml\n"
    );
    assert_eq!(w.read("notes.txt"), b"mine, not the release's\n");
}
