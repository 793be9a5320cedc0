//! The release (contract §2.1) with real git and gpg (and ssh): a release per layout, bump
//! words, dry runs, every preflight refusal, faults injected at each step with the whole
//! repository compared byte for byte before and after, a killed process with --abort and
//! --continue, and --push to a local bare repository.

use crate::common::keys::EMAIL;
use crate::common::{assert_only_version_changed, json, stderr, stdout, World};

/// Everything a release could change: refs, HEAD, the index's bytes, the work tree's
/// bytes, and whether a journal is left.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct RepoState {
    refs: String,
    head: String,
    index: Vec<u8>,
    files: Vec<(std::path::PathBuf, Vec<u8>)>,
    pub(crate) journal: bool,
}

pub(crate) fn state(w: &World) -> RepoState {
    RepoState {
        refs: w.git(&["for-each-ref", "--format=%(refname) %(objectname)"]),
        head: [
            &["symbolic-ref", "-q", "HEAD"][..],
            &["rev-parse", "-q", "--verify", "HEAD"],
        ]
        .iter()
        .map(|args| String::from_utf8_lossy(&w.run_git(&[], args, None).stdout).into_owned())
        .collect(),
        index: std::fs::read(w.root.join(".git/index")).unwrap_or_default(),
        files: w.snapshot(),
        journal: w.root.join(".git/secure-release").exists(),
    }
}

pub(crate) const PYPROJECT: &str = "[project]\nname = \"demo\"\nversion = \"0.1.0\"  # keep\n";

/// A repository with a signing key, `files`, one signed commit and a signed tag v0.1.0.
pub(crate) fn world_with(files: &[(&str, &str)]) -> World {
    let w = World::new();
    for (path, text) in files {
        w.write(path, text);
    }
    w.repo();
    w.signing_key();
    w.git(&["add", "-A"]);
    w.git(&["commit", "-q", "-S", "-m", "initial"]);
    w.git(&["tag", "-s", "v0.1.0", "-m", "Release 0.1.0"]);
    w.git(&["status", "--porcelain"]); // settle the index's stat data before any snapshot
    w
}

pub(crate) fn world() -> World {
    world_with(&[("pyproject.toml", PYPROJECT)])
}

/// Assert a finished release of `version` as `tag`: signed commit and tag by git's own
/// checks, the trailer equal to the commit time, the last stdout line, no journal.
pub(crate) fn assert_released(
    w: &World,
    out: &assert_cmd::assert::Assert,
    version: &str,
    tag: &str,
) -> String {
    let text = stdout(out);
    let epoch = w
        .git(&["log", "-1", "--pretty=%ct", &format!("{tag}^{{}}")])
        .trim()
        .to_owned();
    assert_eq!(
        text.lines().last(),
        Some(format!("SOURCE_DATE_EPOCH={epoch}").as_str()),
        "{text}"
    );
    assert!(w.git_verify_tag(tag).ok, "git verify-tag {tag}");
    assert!(
        w.git_verify_commit(&format!("{tag}^{{}}")).ok,
        "git verify-commit"
    );
    let tag_body = w.git(&["tag", "-l", "--format=%(contents)", tag]);
    assert!(
        tag_body.starts_with(&format!(
            "Release {version}\n\nSource-Date-Epoch: {epoch}\n"
        )),
        "{tag_body}"
    );
    assert!(
        !w.root.join(".git/secure-release").exists(),
        "journal left behind"
    );
    epoch
}

#[test]
fn release_static_layout_with_uv_lock_and_github_files() {
    let lock = "version = 1\n\n[[package]]\nname = \"demo\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\n";
    let w = world_with(&[("pyproject.toml", PYPROJECT), ("uv.lock", lock)]);
    let (env_file, out_file) = (w.tmp.path().join("env"), w.tmp.path().join("out"));
    w.set_env("GITHUB_ENV", &env_file);
    w.set_env("GITHUB_OUTPUT", &out_file);
    let before_py = w.read("pyproject.toml");
    let before_lock = w.read("uv.lock");
    let out = w.cmd(&["minor"]).success();
    let epoch = assert_released(&w, &out, "0.2.0", "v0.2.0");
    assert_eq!(w.git(&["log", "-1", "--format=%s"]).trim(), "Release 0.2.0");
    assert_eq!(
        w.git(&["diff", "--name-only", "HEAD~1", "HEAD"]),
        "pyproject.toml\nuv.lock\n"
    );
    assert_only_version_changed(
        "pyproject.toml",
        &before_py,
        &w.read("pyproject.toml"),
        "0.1.0",
        "0.2.0",
    );
    assert_only_version_changed(
        "uv.lock",
        &before_lock,
        &w.read("uv.lock"),
        "0.1.0",
        "0.2.0",
    );
    assert_eq!(
        std::fs::read_to_string(env_file).expect("env"),
        format!("SOURCE_DATE_EPOCH={epoch}\n")
    );
    assert_eq!(
        std::fs::read_to_string(out_file).expect("out"),
        format!("version=0.2.0\ntag=v0.2.0\nsource-date-epoch={epoch}\n")
    );
    assert!(stdout(&out)
        .contains("push it with: git push --atomic origin refs/heads/main refs/tags/v0.2.0"));
    assert_eq!(
        w.git(&["status", "--porcelain"]),
        "",
        "the work tree is clean after a release"
    );
}

#[test]
fn release_in_every_dynamic_layout_changes_only_the_version_bytes() {
    type Layout = (
        &'static str,
        Vec<(&'static str, &'static str)>,
        &'static str,
    );
    let layouts: Vec<Layout> = vec![
        ("poetry", vec![("pyproject.toml", "[tool.poetry]\nname = \"demo\"\nversion = '0.1.0'\n")], "pyproject.toml"),
        (
            "hatch",
            vec![
                ("pyproject.toml", "[project]\nname = \"demo\"\ndynamic = [\"version\"]\n[tool.hatch.version]\npath = \"src/demo/__about__.py\"\n"),
                ("src/demo/__about__.py", "# about\r\n__version__ = \"0.1.0\"\r\n"),
            ],
            "src/demo/__about__.py",
        ),
        (
            "setuptools-attr",
            vec![
                ("pyproject.toml", "[project]\nname = \"demo\"\ndynamic = [\"version\"]\n[tool.setuptools.dynamic]\nversion = {attr = \"demo.__version__\"}\n"),
                ("src/demo/__init__.py", "from ._v import __version__ as __version__\n"),
                ("src/demo/_v.py", "__version__: str = '0.1.0'"),
            ],
            "src/demo/_v.py",
        ),
        (
            "setuptools-file",
            vec![
                ("pyproject.toml", "[project]\nname = \"demo\"\ndynamic = [\"version\"]\n[tool.setuptools.dynamic]\nversion = {file = \"VERSION\"}\n"),
                ("VERSION", "0.1.0\n"),
            ],
            "VERSION",
        ),
        (
            "flit",
            vec![
                ("pyproject.toml", "[project]\nname = \"demo\"\ndynamic = [\"version\"]\n[build-system]\nbuild-backend = \"flit_core.buildapi\"\n"),
                ("demo.py", "\"\"\"Démo.\"\"\"\n__version__ = \"\"\"0.1.0\"\"\"\n"),
            ],
            "demo.py",
        ),
        (
            "pdm-file",
            vec![
                ("pyproject.toml", "[project]\nname = \"demo\"\ndynamic = [\"version\"]\n[tool.pdm.version]\nsource = \"file\"\npath = \"demo/__init__.py\"\n"),
                ("demo/__init__.py", "__version__ = '0.1.0'\n"),
            ],
            "demo/__init__.py",
        ),
    ];
    for (layout, files, holds) in layouts {
        let w = world_with(&files);
        let before = w.read(holds);
        let out = w.cmd(&["minor", "--pre", "rc"]).success();
        assert_released(&w, &out, "0.2.0rc1", "v0.2.0rc1");
        assert_eq!(
            w.git(&["diff", "--name-only", "HEAD~1", "HEAD"]),
            format!("{holds}\n"),
            "{layout}"
        );
        assert_only_version_changed(holds, &before, &w.read(holds), "0.1.0", "0.2.0rc1");
    }
}

#[test]
fn tag_derived_layout_tags_head_without_a_commit() {
    let w = world_with(&[(
        "pyproject.toml",
        "[project]\nname = \"demo\"\ndynamic = [\"version\"]\n[tool.hatch.version]\nsource = \"vcs\"\n",
    )]);
    let head = w.git(&["rev-parse", "HEAD"]);
    let v = json(&w.cmd(&["patch", "--json"]).success());
    assert_eq!(v["version"], "0.1.1");
    assert_eq!(v["files"], serde_json::json!([]));
    assert_eq!(v["commit"], head.trim());
    assert_eq!(w.git(&["rev-parse", "HEAD"]), head, "no commit is made");
    assert!(w.git_verify_tag("v0.1.1").ok);
}

#[test]
fn files_already_at_the_version_tag_head() {
    let w = world_with(&[("pyproject.toml", PYPROJECT)]);
    w.git(&["tag", "-d", "v0.1.0"]);
    let head = w.git(&["rev-parse", "HEAD"]);
    let out = w.cmd(&["0.1.0"]).success();
    assert_released(&w, &out, "0.1.0", "v0.1.0");
    assert_eq!(w.git(&["rev-parse", "HEAD"]), head);
}

#[test]
fn json_output_and_bump_words() {
    let w = world();
    let v = json(
        &w.cmd(&["patch", "--json", "-m", "Ship {version}"])
            .success(),
    );
    let keys: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["commit", "files", "source_date_epoch", "tag", "version"]
    );
    assert_eq!(
        (v["version"].as_str(), v["tag"].as_str()),
        (Some("0.1.1"), Some("v0.1.1"))
    );
    assert_eq!(v["files"], serde_json::json!(["pyproject.toml"]));
    assert_eq!(v["commit"], w.git(&["rev-parse", "HEAD"]).trim());
    assert_eq!(v["source_date_epoch"], 1_704_164_645);
    assert_eq!(w.git(&["log", "-1", "--format=%s"]).trim(), "Ship 0.1.1");
    for (word, expected) in [
        ("major", "1.0.0"),
        ("post", "1.0.0.post1"),
        ("2.0.0b1", "2.0.0b1"),
        ("beta", "2.0.0b2"),
        ("stable", "2.0.0"),
    ] {
        let v = json(&w.cmd(&[word, "--json"]).success());
        assert_eq!(v["version"], expected, "{word}");
    }
}

#[test]
fn dry_run_changes_nothing_and_shows_the_plan() {
    let w = world();
    let before = state(&w);
    let out = w.cmd(&["minor", "--dry-run"]).success();
    assert_eq!(state(&w), before);
    let text = stdout(&out);
    assert!(
        text.contains("--- a/pyproject.toml\n+++ b/pyproject.toml\n"),
        "{text}"
    );
    assert!(
        text.contains("-version = \"0.1.0\"  # keep\n+version = \"0.2.0\"  # keep\n"),
        "{text}"
    );
    assert!(text.contains("commit (signed): Release 0.2.0"));
    assert!(text.contains("tag (signed, annotated): v0.2.0"));
    assert!(text.contains("Source-Date-Epoch:"));
    let v = json(&w.cmd(&["minor", "-n", "--json"]).success());
    assert_eq!(v["commit"], serde_json::Value::Null);
    assert_eq!(state(&w), before);
}

/// Run a release that must be refused; assert exit 1, nothing changed, and the message.
pub(crate) fn refused(w: &World, args: &[&str], needles: &[&str]) -> String {
    let before = state(w);
    let out = w.cmd(args).code(1);
    let err = stderr(&out);
    for n in needles {
        assert!(err.contains(n), "{args:?}: expected {n:?} in:\n{err}");
    }
    assert!(stdout(&out).is_empty(), "{args:?} printed on stdout");
    assert_eq!(state(w), before, "{args:?} changed the repository");
    err
}

#[test]
fn preflight_refusals_one_by_one() {
    let w = world();
    refused(
        &w,
        &["0.1.0"],
        &["not greater than the newest release tag v0.1.0"],
    );
    refused(&w, &["0.0.9"], &["not greater than"]);
    refused(&w, &["dev"], &["does not increase the version"]);
    w.git(&["tag", "-s", "v0.2.0", "-m", "pre-existing", "HEAD"]);
    w.git(&["tag", "-d", "v0.1.0"]);
    refused(
        &w,
        &["0.1.5"],
        &["not greater than the newest release tag v0.2.0"],
    );
    w.git(&["tag", "-d", "v0.2.0"]);
    w.git(&["tag", "-s", "v0.1.0", "-m", "Release 0.1.0"]);
    w.git(&["tag", "-s", "v0.2.0rc1", "-m", "an existing pre-release"]);
    refused(&w, &["0.2.0rc1"], &["not greater"]);
    w.git(&["tag", "-d", "v0.2.0rc1"]);
    w.git(&["tag", "-s", "v0.2.0", "-m", "Release 0.2.0", "HEAD"]);
    w.git(&["tag", "-d", "v0.2.0"]);
    refused(
        &w,
        &["0.2.0", "--tag-prefix", "bad prefix "],
        &["tag prefix"],
    );
    refused(
        &w,
        &["0.2.0", "-F", "/nonexistent/message"],
        &["cannot read the message file"],
    );

    // Dirty tracked files.
    w.write("pyproject.toml", format!("{PYPROJECT}# local edit\n"));
    w.git(&["status", "--porcelain"]);
    refused(
        &w,
        &["patch"],
        &["uncommitted changes: pyproject.toml", "--allow-dirty"],
    );
    refused(
        &w,
        &["patch", "--allow-dirty"],
        &["files the release rewrites have uncommitted changes"],
    );
    w.git(&["checkout", "--", "pyproject.toml"]);
    w.git(&["status", "--porcelain"]);

    // Branch not allowed, and behind its upstream.
    w.write(
        "pyproject.toml",
        format!("{PYPROJECT}[tool.secure-release]\nallow-branch = [\"release/*\"]\n"),
    );
    w.git(&["commit", "-q", "-S", "-am", "allow-branch"]);
    w.git(&["status", "--porcelain"]);
    // Regression: the fix was `git switch release/`, which names no branch.
    let err = refused(&w, &["patch"], &["branch main is not one", "release/*"]);
    assert!(
        err.contains("whose name matches release/*: git switch -c <name>"),
        "{err}"
    );
    w.git(&["branch", "release/1.x"]);
    refused(
        &w,
        &["patch"],
        &["fix: switch to an allowed branch: git switch release/1.x"],
    );
}

/// The release runs the signing checks that cost processes (the key listing, `git
/// --version`) only when the test signature fails; then they say why, with doctor's ids.
#[test]
fn a_failed_test_signature_is_explained_by_the_signing_checks() {
    let w = world();
    let home = w.gnupghome();
    let old = w.expired_key_in(&home);
    w.git(&["config", "user.signingkey", &old]);
    let err = refused(
        &w,
        &["patch"],
        &[
            "signing.key",
            "expired on 202",
            "--quick-set-expire",
            "signing.test",
        ],
    );
    assert!(!err.contains("signing.commit-default"), "{err}");

    w.git(&[
        "config",
        "user.signingkey",
        "0123456789ABCDEF0123456789ABCDEF01234567",
    ]);
    refused(&w, &["patch"], &["signing.key", "signing.test"]);
}

#[test]
fn refusals_of_the_repository_state() {
    let w = world();
    w.git(&["checkout", "-q", "--detach"]);
    w.git(&["status", "--porcelain"]);
    refused(&w, &["patch"], &["HEAD is detached"]);
    w.git(&["checkout", "-q", "main"]);

    // Behind the upstream as git last saw it.
    let remote = w.tmp.path().join("remote.git");
    w.git(&["init", "-q", "--bare", &remote.to_string_lossy()]);
    w.git(&["remote", "add", "origin", &remote.to_string_lossy()]);
    w.git(&["push", "-q", "-u", "origin", "main"]);
    w.commit("ahead", true);
    w.git(&["push", "-q", "origin", "main"]);
    w.git(&["reset", "-q", "--hard", "HEAD~1"]);
    w.git(&["status", "--porcelain"]);
    refused(
        &w,
        &["patch"],
        &["1 commit(s) behind its upstream", "git pull --ff-only"],
    );

    let unborn = World::new();
    unborn.write("pyproject.toml", PYPROJECT);
    unborn.repo();
    unborn.signing_key();
    refused(&unborn, &["patch"], &["HEAD is unborn"]);

    let bare = World::new();
    bare.git(&["init", "-q", "--bare"]);
    let out = bare.cmd(&["patch"]).code(1);
    assert!(
        stderr(&out).contains("not inside a work tree"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unsigned_head_and_tag_are_refused_unless_allowed() {
    let w = world();
    w.commit("unsigned work", false);
    w.git(&["tag", "-d", "v0.1.0"]);
    w.git(&["tag", "v0.1.0", "HEAD~1"]);
    w.git(&["status", "--porcelain"]);
    let err = refused(
        &w,
        &["patch"],
        &[
            "HEAD",
            "not validly signed: unsigned",
            "v0.1.0 is not validly signed",
            "--allow-unsigned",
        ],
    );
    assert!(err.contains("(2 problems)"), "{err}");
    let out = w.cmd(&["patch", "--allow-unsigned"]).success();
    assert!(
        stderr(&out).contains("warning:") && stderr(&out).contains("--allow-unsigned"),
        "{}",
        stderr(&out)
    );
    assert!(w.git_verify_tag("v0.1.1").ok);
}

#[test]
fn several_problems_are_reported_together() {
    let w = world();
    w.write(
        "pyproject.toml",
        format!("{PYPROJECT}[tool.secure-release]\nallow-branch = [\"main\"]\n"),
    );
    w.git(&["commit", "-q", "--no-gpg-sign", "-am", "unsigned"]);
    w.git(&["switch", "-q", "-c", "feature"]);
    w.write("other.txt", "x");
    w.git(&["add", "other.txt"]);
    w.git(&["commit", "-q", "-S", "-m", "tracked"]);
    w.write("other.txt", "dirty");
    w.git(&["config", "gpg.program", "/nonexistent/gpg"]);
    w.git(&["status", "--porcelain"]);
    let err = refused(
        &w,
        &["patch"],
        &[
            "uncommitted changes: other.txt",
            "branch feature is not one",
            "signing.format",
            "gpg.program",
        ],
    );
    assert!(err.contains("problems):"), "{err}");
    assert!(err.matches("\n  - ").count() >= 3, "{err}");
}

#[test]
fn bad_command_lines_exit_2() {
    let w = world();
    let before = state(&w);
    for args in [
        &["bogus"][..],
        &["1.0.0", "--pre", "rc"],
        &["post", "--pre", "rc"],
        &["--abort", "1.0.0"],
        &[],
        &["patch", "--frob"],
    ] {
        let out = w.cmd(args).code(2);
        assert!(!stderr(&out).is_empty(), "{args:?}");
        assert_eq!(state(&w), before);
    }
}

/// A gpg.program that fails (or tampers) only for the payload whose first line starts with
/// `first`: the test signature (and other signatures) still work.
fn gpg_fault(w: &World, first: &str, action: &str) {
    let script = w.script(
        "gpg-fault",
        &format!(
            // Only signing (git signs with `-bsau KEY`); verifying goes through it too.
            "tmp=$(mktemp)\ncat > \"$tmp\"\ncase \"$*\" in *-bsau*) if head -n1 \"$tmp\" | grep -q '^{first} ' && grep -q '^Release ' \"$tmp\"; then\n{action}\nfi;; esac\ngpg \"$@\" < \"$tmp\"\nrc=$?\nrm -f \"$tmp\"\nexit $rc"
        ),
    );
    w.git(&["config", "gpg.program", &script.to_string_lossy()]);
}

fn assert_failed_cleanly(w: &World, args: &[&str], needle: &str) {
    w.git(&["status", "--porcelain"]);
    let before = state(w);
    let out = w.cmd(args).code(1);
    let err = stderr(&out);
    assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
    assert!(
        err.contains("nothing was changed: the repository is as it was"),
        "{err}"
    );
    assert_eq!(state(w), before, "the repository is not as it was");
}

#[test]
fn commit_signature_refused_rolls_back() {
    let w = world();
    gpg_fault(
        &w,
        "tree",
        "echo 'gpg: signing failed: Card removed' >&2; exit 2",
    );
    assert_failed_cleanly(&w, &["minor"], "the signed release commit");
}

#[test]
fn tag_signature_refused_rolls_back() {
    let w = world();
    gpg_fault(
        &w,
        "object",
        "echo 'gpg: signing failed: No secret key' >&2; exit 2",
    );
    assert_failed_cleanly(&w, &["minor"], "the signed tag");
}

#[test]
fn post_check_failure_rolls_back() {
    let w = world();
    gpg_fault(&w, "object", "echo tampered >> \"$tmp\"");
    assert_failed_cleanly(&w, &["minor"], "post-check: tag v0.2.0 is bad");
}

#[test]
fn failing_hooks_roll_back_and_no_verify_skips_them() {
    for hook in ["pre-commit", "commit-msg"] {
        let w = world();
        crate::common::write_executable(
            &w.root.join(format!(".git/hooks/{hook}")),
            "#!/bin/sh\necho 'hook says no' >&2\nexit 1\n",
        );
        assert_failed_cleanly(&w, &["minor"], "hook says no");
        let out = w.cmd(&["minor", "--no-verify"]).success();
        assert_released(&w, &out, "0.2.0", "v0.2.0");
    }
}

/// A pre-commit hook that rewrites and deletes other tracked files (as formatters and
/// fixers do) and then fails: the undo puts those files back too, byte for byte.
#[test]
fn what_a_failing_hook_changed_in_other_files_is_undone() {
    let w = world_with(&[
        ("pyproject.toml", PYPROJECT),
        ("README.md", "# demo  \r\n"),
        ("src/demo/__init__.py", "x = 1\n"),
    ]);
    crate::common::write_executable(
        &w.root.join(".git/hooks/pre-commit"),
        "#!/bin/sh\nprintf '# demo\\n' > README.md\nrm src/demo/__init__.py\necho 'fixed trailing whitespace' >&2\nexit 1\n",
    );
    assert_failed_cleanly(&w, &["minor"], "fixed trailing whitespace");

    // With --allow-dirty, a file that already had changes of its own keeps them: the undo
    // does not touch it, and restores the clean ones.
    w.write("notes.txt", "kept\n");
    w.git(&["add", "notes.txt"]);
    w.git(&["commit", "-q", "-S", "--no-verify", "-m", "notes"]);
    w.write("notes.txt", "kept\nmy own unfinished line\n");
    let out = w.cmd(&["minor", "--allow-dirty"]).code(1);
    assert!(
        stderr(&out).contains("nothing was changed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(w.read("README.md"), b"# demo  \r\n");
    assert_eq!(w.read("src/demo/__init__.py"), b"x = 1\n");
    assert_eq!(w.read("notes.txt"), b"kept\nmy own unfinished line\n");
    assert!(!w.root.join(".git/secure-release").exists());
}

/// A commit-msg hook that kills the release's own process (git's parent), then lets git
/// finish the commit: the release is interrupted after the commit, before the tag.
fn interrupted_world() -> World {
    let w = world();
    crate::common::write_executable(
        &w.root.join(".git/hooks/commit-msg"),
        "#!/bin/sh\nkill -9 $(ps -o ppid= -p $PPID)\nexit 0\n",
    );
    w.git(&["status", "--porcelain"]);
    w
}

/// After the kill, the orphaned `git commit` finishes on its own: wait for it (the branch
/// moves and the index lock goes), as a user would before running --abort or --continue.
fn wait_for_orphaned_commit(w: &World, before: &str) {
    for _ in 0..500 {
        let tip = w.git(&["rev-parse", "refs/heads/main"]);
        if tip != before && !w.root.join(".git/index.lock").exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("the interrupted commit never finished");
}

#[test]
fn killed_release_then_abort_puts_everything_back() {
    let w = interrupted_world();
    let before = state(&w);
    let tip = w.git(&["rev-parse", "refs/heads/main"]);
    let out = w.cmd(&["minor"]);
    assert_eq!(out.get_output().status.code(), None, "killed by a signal");
    wait_for_orphaned_commit(&w, &tip);
    assert!(
        w.root.join(".git/secure-release/journal.json").is_file(),
        "the journal is left"
    );
    // Every later release refuses to start, naming both ways out.
    let err = stderr(&w.cmd(&["patch"]).code(1));
    assert!(
        err.contains("--abort") && err.contains("--continue"),
        "{err}"
    );
    let out = w.cmd(&["--abort"]).success();
    assert!(stderr(&out).contains("undone"));
    assert_eq!(state(&w), before);
    w.cmd(&["--abort"]).code(1);
}

#[test]
fn killed_release_then_continue_finishes_it() {
    let w = interrupted_world();
    let tip = w.git(&["rev-parse", "refs/heads/main"]);
    w.cmd(&["minor"]);
    wait_for_orphaned_commit(&w, &tip);
    assert!(w.root.join(".git/secure-release/journal.json").is_file());
    std::fs::remove_file(w.root.join(".git/hooks/commit-msg")).expect("rm hook");
    let out = w.cmd(&["--continue"]).success();
    assert_released(&w, &out, "0.2.0", "v0.2.0");
    assert_eq!(
        w.git(&["log", "--format=%s", "-2"]),
        "Release 0.2.0\ninitial\n"
    );
    w.cmd(&["--continue"]).code(1);
}

/// A `patch --push` on `main` released v0.1.1, said it pushed with full ref names, and the
/// bare `remote` holds the branch and the tag as they are here.
pub(crate) fn assert_pushed_release(
    w: &World,
    remote: &std::path::Path,
    out: &assert_cmd::assert::Assert,
) {
    assert_released(w, out, "0.1.1", "v0.1.1");
    assert!(
        stdout(out).contains("pushed: git push --atomic origin refs/heads/main refs/tags/v0.1.1"),
        "{}",
        stdout(out)
    );
    for r in ["refs/heads/main", "refs/tags/v0.1.1"] {
        assert_eq!(
            crate::common::at_remote(remote, r),
            w.git(&["rev-parse", r]).trim(),
            "{r} at the remote"
        );
    }
}

#[test]
fn push_to_a_bare_remote_and_a_refused_push() {
    let w = world();
    let remote = w.bare_origin();
    let out = w.cmd(&["patch", "--push"]).success();
    assert_pushed_release(&w, &remote, &out);
    let at_remote = |r: &str| crate::common::at_remote(&remote, r);

    let hook = remote.join("hooks/pre-receive");
    crate::common::write_executable(
        &hook,
        "#!/bin/sh\necho 'remote: no releases today' >&2\nexit 1\n",
    );
    let out = w.cmd(&["patch", "--push", "origin"]).code(1);
    let err = stderr(&out);
    assert!(
        err.contains("v0.1.2 is released locally, but the push was refused")
            && err.contains("no releases today"),
        "{err}"
    );
    assert!(w.git_verify_tag("v0.1.2").ok, "the local release stays");
    assert_eq!(
        at_remote("refs/heads/main"),
        w.git(&["rev-parse", "HEAD~1"]).trim(),
        "atomic: nothing arrived"
    );
    assert!(stdout(&out)
        .lines()
        .last()
        .is_some_and(|l| l.starts_with("SOURCE_DATE_EPOCH=")));
}

#[test]
fn ssh_signing_end_to_end() {
    let w = World::new();
    w.write("pyproject.toml", PYPROJECT);
    w.repo();
    let public = w.ssh_key("id");
    w.use_ssh("id", Some(&format!("{EMAIL} {public}\n")));
    w.git(&["add", "-A"]);
    w.git(&["commit", "-q", "-S", "-m", "initial"]);
    let out = w.cmd(&["minor"]).success();
    assert_released(&w, &out, "0.2.0", "v0.2.0");
    assert!(w
        .git(&["cat-file", "tag", "v0.2.0"])
        .contains("-----BEGIN SSH SIGNATURE-----"));
}

#[test]
fn tag_prefix_comes_from_existing_tags() {
    for (existing, next) in [("release-1.2.0", "release-1.3.0"), ("1.2.0", "1.3.0")] {
        let w = World::new();
        w.write(
            "pyproject.toml",
            "[project]\nname = \"demo\"\nversion = \"1.2.0\"\n",
        );
        w.repo();
        w.signing_key();
        w.git(&["add", "-A"]);
        w.git(&["commit", "-q", "-S", "-m", "initial"]);
        w.git(&["tag", "-s", existing, "-m", "Release 1.2.0"]);
        let out = w.cmd(&["minor"]).success();
        assert_released(&w, &out, "1.3.0", next);
    }
    let w = world();
    let out = w.cmd(&["patch", "--tag-prefix", "pkg/v"]).success();
    assert_released(&w, &out, "0.1.1", "pkg/v0.1.1");
}

// Regression: `--json` failures printed nothing on stdout, so a script had nothing to parse.
#[test]
fn json_failures_are_one_json_object_on_stdout() {
    let w = world();
    let before = state(&w);
    let out = w.cmd(&["0.2.0", "--json", "-m", " ", "--push=-x"]).code(1);
    let v = json(&out);
    assert_eq!(v["ok"], false, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("refused"),
        "{v}"
    );
    let problems = v["problems"].as_array().expect("problems");
    assert_eq!(problems.len(), 2, "{v}");
    assert!(problems.iter().all(|p| p["hint"].is_string()), "{v}");
    assert_eq!(state(&w), before);
    let v = json(&w.cmd(&["verify", "--json", "no-such-rev"]).code(1));
    assert_eq!(v["ok"], false);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("no-such-rev"),
        "{v}"
    );
    // A verdict that fails is the report itself: one object, no second one.
    w.commit("unsigned", false);
    let out = w.cmd(&["verify", "--json"]).code(1);
    let v = json(&out);
    assert!(v.get("error").is_none() && v["results"].is_array(), "{v}");
    let v = json(&w.cmd(&["epoch", "--format", "json", "nope"]).code(1));
    assert_eq!(v["ok"], false);
}

// Regression: when only a tag was made, the closing line said "commit … signed and
// verified" even for an unsigned HEAD.
#[test]
fn a_tag_only_release_gives_heads_own_verdict() {
    let w = world_with(&[("pyproject.toml", PYPROJECT)]);
    w.git(&["tag", "-d", "v0.1.0"]);
    w.commit("unsigned work", false);
    let out = w.cmd(&["0.1.0", "--allow-unsigned"]).success();
    let text = stdout(&out);
    assert!(!text.contains("signed and verified"), "{text}");
    assert!(
        text.contains("whose own signature is unsigned; no commit was made"),
        "{text}"
    );
    assert!(w.git_verify_tag("v0.1.0").ok);
    let out = w.cmd(&["patch", "--allow-unsigned"]).success();
    assert!(
        stdout(&out).contains("signed and verified"),
        "a release commit is: {}",
        stdout(&out)
    );
}

// Regression: "the newest release tag" was the greatest anywhere, so on a maintenance
// branch `patch` planned 0.2.1 and an explicit 0.1.1 was refused.
#[test]
fn a_maintenance_branch_releases_from_its_own_newest_tag() {
    let w = world();
    w.write("pyproject.toml", PYPROJECT.replace("0.1.0", "0.2.0"));
    w.git(&["commit", "-q", "-S", "-am", "Release 0.2.0"]);
    w.git(&["tag", "-s", "v0.2.0", "-m", "Release 0.2.0"]);
    w.git(&["switch", "-q", "-c", "0.1.x", "v0.1.0"]);
    w.commit("a backported fix", true);
    w.git(&["status", "--porcelain"]);
    let out = w.cmd(&["patch"]).success();
    assert_released(&w, &out, "0.1.1", "v0.1.1");
    assert!(
        stderr(&out).contains("v0.2.0 is greater and HEAD cannot reach it"),
        "{}",
        stderr(&out)
    );
    let v = json(&w.cmd(&["version", "--json", "--bump", "patch"]).success());
    assert_eq!(v["next"], "0.1.2", "{v}");
    // --json carries the note too.
    let v = json(&w.cmd(&["patch", "--json"]).success());
    assert_eq!(v["version"], "0.1.2", "{v}");
    assert!(
        v["warnings"][0]
            .as_str()
            .is_some_and(|m| m.contains("maintenance line")),
        "{v}"
    );
    refused(&w, &["0.2.0"], &["tag v0.2.0 already exists"]);
    // Back on main, the newest is v0.2.0 again, and no note.
    w.git(&["switch", "-q", "main"]);
    let out = w.cmd(&["patch"]).success();
    assert_released(&w, &out, "0.2.1", "v0.2.1");
    assert!(!stderr(&out).contains("maintenance"), "{}", stderr(&out));
}
