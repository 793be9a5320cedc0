//! `doctor` (contract §2.2) in hermetic worlds with real gpg and ssh-keygen: each check's
//! failure with its hint, `--fix` (repository and global), and the practice warnings.

use std::path::Path;

use serde_json::Value;

use crate::common::keys::EMAIL;
use crate::common::{json, stderr, World};

const IDS: [&str; 17] = [
    "git",
    "identity",
    "signing.format",
    "signing.key",
    "signing.key-expiry",
    "signing.key-identity",
    "signing.commit-default",
    "signing.tag-default",
    "signing.test",
    "repo.head-signed",
    "repo.tags-signed",
    "repo.version",
    "practice.security-policy",
    "practice.dependabot",
    "practice.publish-workflow",
    "practice.pinned-actions",
    "practice.hashed-requirements",
];

/// Run doctor --json (plus `extra`) and return (exit code, report).
fn doctor(w: &World, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["doctor", "--json"];
    args.extend(extra);
    let out = w.cmd(&args);
    let code = out.get_output().status.code().unwrap_or(-1);
    (code, json(&out))
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id} in {report}"))
}

fn status(report: &Value, id: &str) -> String {
    check(report, id)["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A repository with a pyproject, identity set, and one commit.
fn project_world() -> World {
    let w = World::new();
    w.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\nversion = \"0.1.0\"\n",
    );
    w.repo();
    w
}

#[test]
fn nothing_configured_fails_with_hints_in_contract_order() {
    let w = project_world();
    w.gnupghome();
    w.commit("one", false);
    let (code, report) = doctor(&w, &[]);
    assert_eq!(code, 1);
    assert_eq!(report["ok"], false);
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ids, IDS);
    for c in report["checks"].as_array().expect("checks") {
        let keys: Vec<&str> = c
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 4, "{c}");
        assert!(["pass", "warn", "fail", "skip"].contains(&c["status"].as_str().unwrap_or("")));
    }
    for id in [
        "signing.key",
        "signing.commit-default",
        "signing.tag-default",
        "signing.test",
        "repo.head-signed",
    ] {
        assert_eq!(status(&report, id), "fail", "{id}");
        assert!(
            !check(&report, id)["hint"].as_str().unwrap_or("").is_empty(),
            "{id} has no hint"
        );
    }
    assert!(check(&report, "signing.key")["hint"]
        .as_str()
        .unwrap_or("")
        .contains("gpg --quick-gen-key"));
    assert_eq!(
        check(&report, "signing.commit-default")["hint"],
        "git config commit.gpgsign true"
    );
    assert_eq!(
        check(&report, "signing.tag-default")["hint"],
        "git config tag.gpgSign true"
    );
    assert_eq!(status(&report, "git"), "pass");
    assert_eq!(status(&report, "identity"), "pass");
    assert_eq!(status(&report, "repo.version"), "pass");
    // The text form: a line per check, the hint under each failure.
    let out = w.cmd(&["doctor"]).code(1);
    let text = crate::common::stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("fail signing.commit-default")),
        "{text}"
    );
    assert!(
        text.contains("fix: git config commit.gpgsign true"),
        "{text}"
    );
    assert!(stderr(&out).contains("checks failed"));
}

#[test]
fn fix_then_a_clean_pass() {
    let w = project_world();
    let fpr = w.gen_key_in(
        &w.gnupghome(),
        &format!("Test Author <{EMAIL}>"),
        &[],
        "never",
    );
    w.commit("one", true); // signed with the key found by the committer identity
    let (code, report) = doctor(&w, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        status(&report, "signing.key"),
        "pass",
        "found through the identity: {report}"
    );
    let out = w.cmd(&["doctor", "--fix"]).success();
    let err = stderr(&out);
    assert!(
        err.contains("fixed: commit.gpgsign = true (local)"),
        "{err}"
    );
    assert!(
        err.contains(&format!("fixed: user.signingkey = {fpr} (local)")),
        "{err}"
    );
    assert_eq!(w.git(&["config", "--local", "user.signingkey"]).trim(), fpr);
    assert_eq!(w.git(&["config", "--local", "tag.gpgSign"]).trim(), "true");
    let (code, report) = doctor(&w, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["ok"], true);
    let failing: Vec<&Value> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert!(failing.is_empty(), "{failing:?}");
    // Nothing left to fix the second time.
    let out = w.cmd(&["doctor", "--fix"]).success();
    assert!(stderr(&out).contains("nothing to fix"));
}

#[test]
fn fix_global_writes_the_users_config_not_the_repositorys() {
    let w = project_world();
    w.gen_key_in(
        &w.gnupghome(),
        &format!("Test Author <{EMAIL}>"),
        &[],
        "never",
    );
    w.cmd(&["doctor", "--fix", "--global"]);
    let global =
        std::fs::read_to_string(w.home().join(".gitconfig")).expect("global config written");
    assert!(
        global.contains("gpgsign = true") && global.contains("signingkey"),
        "{global}"
    );
    let local = std::fs::read_to_string(w.root.join(".git/config")).expect("local config");
    assert!(
        !local.contains("gpgsign") && !local.contains("signingkey"),
        "{local}"
    );
    // Outside a repository, --fix needs --global.
    let outside = World::new();
    let out = outside.cmd(&["doctor", "--fix"]).code(1);
    assert!(stderr(&out).contains("--global"), "{}", stderr(&out));
    outside.cmd(&["doctor", "--global"]).code(2);
}

#[test]
fn fix_refuses_to_choose_between_two_keys() {
    let w = project_world();
    let home = w.gnupghome();
    let a = w.gen_key_in(&home, &format!("Test Author <{EMAIL}>"), &[], "never");
    let b = w.gen_key_in(
        &home,
        &format!("Test Author (work) <{EMAIL}>"),
        &[],
        "never",
    );
    let out = w.cmd(&["doctor", "--fix"]);
    let err = stderr(&out);
    assert!(
        err.contains("not fixed: user.signingkey: 2 usable secret keys")
            && err.contains(&a)
            && err.contains(&b),
        "{err}"
    );
    assert!(w
        .run_git(&[], &["config", "user.signingkey"], None)
        .stdout
        .is_empty());
    assert_eq!(
        w.git(&["config", "commit.gpgsign"]).trim(),
        "true",
        "the other fixes still apply"
    );
}

#[test]
fn expired_and_revoked_keys_fail_signing_key() {
    let w = project_world();
    let home = w.gnupghome();
    let old = w.expired_key_in(&home);
    w.git(&["config", "user.signingkey", &old]);
    let (_, report) = doctor(&w, &[]);
    assert_eq!(status(&report, "signing.key"), "fail");
    let message = check(&report, "signing.key")["message"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    assert!(
        message.contains("expired on 2021-01-01") || message.contains("expired on 2020-12-31"),
        "{message}"
    );
    assert!(check(&report, "signing.key")["hint"]
        .as_str()
        .unwrap_or("")
        .contains("--quick-set-expire"));

    let fpr = w.signing_key();
    let cert =
        std::fs::read_to_string(home.join(format!("openpgp-revocs.d/{fpr}.rev"))).expect("cert");
    w.gpg_in(
        "gpg",
        &home,
        &["--import"],
        Some(cert.replace(":-----BEGIN", "-----BEGIN").as_bytes()),
    );
    let (_, report) = doctor(&w, &[]);
    assert_eq!(status(&report, "signing.key"), "fail");
    assert!(check(&report, "signing.key")["message"]
        .as_str()
        .unwrap_or("")
        .contains("revoked"));
    assert_eq!(
        status(&report, "signing.test"),
        "fail",
        "gpg refuses to sign with it too"
    );
}

#[test]
fn key_expiring_soon_and_key_without_the_email_warn() {
    let w = project_world();
    let home = w.gnupghome();
    let soon = w.gen_key_in(&home, &format!("Test Author <{EMAIL}>"), &[], "10d");
    w.git(&["config", "user.signingkey", &soon]);
    let (_, report) = doctor(&w, &[]);
    assert_eq!(status(&report, "signing.key"), "pass");
    assert_eq!(status(&report, "signing.key-expiry"), "warn");
    assert!(
        check(&report, "signing.key-expiry")["message"]
            .as_str()
            .unwrap_or("")
            .contains("in 9 days")
            || check(&report, "signing.key-expiry")["message"]
                .as_str()
                .unwrap_or("")
                .contains("in 10 days")
    );
    assert_eq!(status(&report, "signing.key-identity"), "pass");

    let other = w.gen_key_in(&home, "Someone Else <else@example.org>", &[], "never");
    w.git(&["config", "user.signingkey", &other]);
    let (_, report) = doctor(&w, &[]);
    assert_eq!(status(&report, "signing.key-expiry"), "pass");
    assert_eq!(status(&report, "signing.key-identity"), "warn");
    assert!(check(&report, "signing.key-identity")["hint"]
        .as_str()
        .unwrap_or("")
        .contains("--quick-add-uid"));
}

#[test]
fn ssh_format_with_a_key_file_and_with_a_missing_one() {
    let w = project_world();
    let public = w.ssh_key("id");
    w.use_ssh("id", Some(&format!("{EMAIL} {public}\n")));
    let (_, report) = doctor(&w, &[]);
    assert_eq!(status(&report, "signing.format"), "pass");
    assert_eq!(status(&report, "signing.key"), "pass", "{report}");
    assert_eq!(status(&report, "signing.test"), "pass", "{report}");
    assert_eq!(status(&report, "signing.key-expiry"), "skip");

    w.git(&[
        "config",
        "user.signingkey",
        &w.home().join("missing_key").to_string_lossy(),
    ]);
    let (_, report) = doctor(&w, &[]);
    assert_eq!(status(&report, "signing.key"), "fail");
    assert!(check(&report, "signing.key")["hint"]
        .as_str()
        .unwrap_or("")
        .contains("ssh-keygen -t ed25519"));
    assert_eq!(status(&report, "signing.test"), "fail");

    // Signing works but nothing is configured to verify it.
    w.use_ssh("id", None);
    w.git(&["config", "--unset", "gpg.ssh.allowedSignersFile"]);
    let (_, report) = doctor(&w, &[]);
    assert_eq!(status(&report, "signing.test"), "fail");
    assert!(check(&report, "signing.test")["hint"]
        .as_str()
        .unwrap_or("")
        .contains("allowedSignersFile"));
}

#[test]
fn missing_signing_program_fails_signing_format() {
    let w = project_world();
    w.git(&["config", "gpg.program", "/nonexistent/gpg"]);
    let (_, report) = doctor(&w, &[]);
    assert_eq!(status(&report, "signing.format"), "fail");
    assert!(check(&report, "signing.format")["message"]
        .as_str()
        .unwrap_or("")
        .contains("gpg.program"));
    assert_eq!(status(&report, "signing.key"), "skip");
    w.git(&["config", "gpg.format", "pgp"]);
    let (_, report) = doctor(&w, &[]);
    assert_eq!(status(&report, "signing.format"), "fail");
    assert_eq!(
        check(&report, "signing.format")["hint"],
        "git config gpg.format openpgp"
    );
}

/// A passphrase-protected key ("secret") in the world's keyring, and gpg-agent set to ask
/// for it with `pinentry` (the agent restarted to read it).
fn locked_key(w: &World, pinentry: &Path) {
    let home = w.gnupghome();
    w.gpg_in(
        "gpg",
        &home,
        &[
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "secret",
            "--quick-gen-key",
            &format!("Test Author <{EMAIL}>"),
            "ed25519",
            "sign",
            "never",
        ],
        None,
    );
    std::fs::write(
        home.join("gpg-agent.conf"),
        format!("pinentry-program {}\n", pinentry.display()),
    )
    .expect("conf");
    w.run("gpgconf", &["--kill", "gpg-agent"]);
    w.set_env("GNUPGHOME", &home);
}

#[test]
fn locked_key_without_pinentry_fails_the_test_signature_fast() {
    let w = project_world();
    locked_key(&w, Path::new("/nonexistent/pinentry"));
    let (_, report) = doctor(&w, &[]);
    assert_eq!(status(&report, "signing.key"), "pass");
    assert_eq!(status(&report, "signing.test"), "fail", "{report}");
    let test = check(&report, "signing.test");
    assert!(
        test["message"].as_str().unwrap_or("").contains("pinentry"),
        "{test}"
    );
    assert!(
        test["hint"].as_str().unwrap_or("").contains("pinentry"),
        "{test}"
    );
}

#[test]
fn a_signing_program_that_hangs_is_stopped_at_the_time_limit() {
    let w = project_world();
    w.signing_key();
    // Like gpg waiting for a passphrase: it answers everything but a signature.
    let hang = w.script(
        "gpg-hang",
        "case \"$*\" in *-bsau*) sleep 60 ;; esac\nexec gpg \"$@\"",
    );
    w.git(&["config", "gpg.program", &hang.to_string_lossy()]);
    w.set_env("GIT_SECURE_RELEASE_SIGN_TIMEOUT", "1");
    let (_, report) = doctor(&w, &[]);
    let test = check(&report, "signing.test");
    assert_eq!(test["status"], "fail");
    assert!(
        test["message"]
            .as_str()
            .unwrap_or("")
            .contains("did not finish within 1 s"),
        "{test}"
    );
    assert!(
        test["hint"].as_str().unwrap_or("").contains("GPG_TTY"),
        "{test}"
    );
}

/// A locked key and a pinentry that waits for a person (records its pid, then blocks on
/// GETPIN; SIGINT ends it, as a real pinentry): `(world, folder of pid files)`.
fn waiting_pinentry_world() -> (World, std::path::PathBuf) {
    let w = project_world();
    let pids = w.tmp.path().join("pinentries");
    std::fs::create_dir_all(&pids).expect("mkdir");
    let pinentry = w.script(
        "pinentry-waits",
        &format!(
            "exec python3 -c 'import os, sys, time\nopen(os.path.join(sys.argv[1], str(os.getpid())), \"w\").close()\nprint(\"OK ready\", flush=True)\nfor line in sys.stdin:\n    if line.startswith(\"GETPIN\"):\n        time.sleep(600)\n    print(\"OK\", flush=True)\n' {}",
            pids.display()
        ),
    );
    locked_key(&w, &pinentry);
    // Long enough for gpg-agent to start and open its dialog on a loaded machine.
    w.set_env("GIT_SECURE_RELEASE_SIGN_TIMEOUT", "5");
    (w, pids)
}

/// The pinentries started so far (by pid) and whether each still runs.
fn pinentries(pids: &std::path::Path) -> Vec<(u32, bool)> {
    let mut out: Vec<(u32, bool)> = std::fs::read_dir(pids)
        .expect("pids")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .map(|pid: u32| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let state = stat
                .rsplit(')')
                .next()
                .and_then(|r| r.split_whitespace().next());
            (pid, matches!(state, Some(s) if s != "Z" && s != "X"))
        })
        .collect();
    out.sort_unstable();
    out
}

fn agent_pid(w: &World) -> String {
    w.run("gpg-connect-agent", &["GETINFO pid", "/bye"])
        .lines()
        .find_map(|l| l.strip_prefix("D ").map(str::to_owned))
        .expect("the agent's pid")
}

// Regression (#15): the pinentry that gpg-agent opened for a timed-out test signature stayed
// on the screen after we gave up. Linux only: the dialog is found through /proc.
#[test]
fn the_passphrase_dialog_of_a_timed_out_signature_is_closed_and_only_ours() {
    let (w, pids) = waiting_pinentry_world();
    w.git(&["config", "user.signingkey", EMAIL]);
    let agent = agent_pid(&w);
    let (_, report) = doctor(&w, &[]);
    let test = check(&report, "signing.test");
    assert_eq!(test["status"], "fail", "{test}");
    let message = test["message"].as_str().unwrap_or("");
    assert!(message.contains("did not finish within 5 s"), "{test}");
    assert!(
        message.contains("the passphrase dialog it opened is closed"),
        "{test}"
    );
    let seen = pinentries(&pids);
    assert_eq!(seen.len(), 1, "one dialog was opened: {seen:?}");
    assert!(!seen[0].1, "the dialog is still open: {seen:?}");
    assert_eq!(
        agent_pid(&w),
        agent,
        "the agent (and its cached passphrases) lives on"
    );

    // A dialog someone else opened (another gpg, waiting for a person) is never closed: ours
    // waits behind it for the agent's one pinentry, and gives up without touching it.
    let mut other = std::process::Command::new("gpg");
    other
        .args(["--batch", "--clearsign", "--local-user", EMAIL])
        .env("GNUPGHOME", w.gnupghome())
        .env("HOME", w.home())
        .env("PINENTRY_USER_DATA", "someone else")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut other = other.spawn().expect("another gpg");
    // gpg reads all it signs before it asks for the passphrase.
    drop(other.stdin.take());
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while pinentries(&pids).len() < 2 && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let theirs = pinentries(&pids)
        .into_iter()
        .find(|p| p.0 != seen[0].0)
        .expect("their dialog");
    assert!(theirs.1, "their dialog is open");
    let (_, report) = doctor(&w, &[]);
    let message = check(&report, "signing.test")["message"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    assert!(!message.contains("is closed"), "{message}");
    let after = pinentries(&pids);
    assert!(
        after.contains(&(theirs.0, true)),
        "their dialog was closed: {after:?}"
    );
    let _ = other.kill();
    let _ = other.wait();
    let _ = std::process::Command::new("kill")
        .arg(theirs.0.to_string())
        .status();
    std::thread::sleep(std::time::Duration::from_millis(300));

    // The user's own PINENTRY_USER_DATA (a pinentry wrapper reads it) reaches the pinentry
    // unchanged; then no dialog can be told apart as ours, and none is closed.
    w.set_env("PINENTRY_USER_DATA", "USE_CURSES=1");
    let before = pinentries(&pids).len();
    let (_, report) = doctor(&w, &[]);
    let message = check(&report, "signing.test")["message"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    assert!(message.contains("did not finish"), "{message}");
    assert!(!message.contains("is closed"), "{message}");
    let after = pinentries(&pids);
    assert_eq!(after.len(), before + 1, "{after:?}");
    let newest = after.iter().find(|p| p.1).expect("the dialog stays open");
    let env = std::fs::read(format!("/proc/{}/environ", newest.0)).unwrap_or_default();
    assert!(
        env.split(|&b| b == 0)
            .any(|e| e == b"PINENTRY_USER_DATA=USE_CURSES=1"),
        "the user's value did not reach the pinentry"
    );
    let _ = std::process::Command::new("kill")
        .arg(newest.0.to_string())
        .status();
}

#[test]
fn outside_a_repository_the_repo_checks_skip() {
    let w = World::new();
    w.gnupghome();
    std::fs::write(
        w.home().join(".gitconfig"),
        "[user]\n\tname = Test Author\n\temail = author@example.com\n",
    )
    .expect("write");
    let (code, report) = doctor(&w, &[]);
    assert_eq!(code, 1);
    for id in ["repo.head-signed", "repo.tags-signed", "repo.version"] {
        assert_eq!(status(&report, id), "skip", "{id}");
    }
    assert_eq!(status(&report, "identity"), "pass");
    assert_eq!(
        check(&report, "signing.commit-default")["hint"],
        "git config --global commit.gpgsign true"
    );
}

#[test]
fn repo_checks_follow_signatures_and_the_version() {
    let w = project_world();
    w.signing_key();
    w.commit("one", true);
    w.git(&["tag", "-s", "v0.1.0", "-m", "Release 0.1.0"]);
    w.git(&["tag", "v0.0.9"]);
    let (_, report) = doctor(&w, &[]);
    assert_eq!(status(&report, "repo.head-signed"), "pass");
    assert_eq!(status(&report, "repo.tags-signed"), "fail");
    assert!(check(&report, "repo.tags-signed")["message"]
        .as_str()
        .unwrap_or("")
        .contains("v0.0.9 (lightweight)"));
    assert_eq!(status(&report, "repo.version"), "pass");
    w.git(&["tag", "-d", "v0.0.9"]);
    w.git(&["tag", "-s", "v0.2.0", "-m", "Release 0.2.0"]);
    let (_, report) = doctor(&w, &[]);
    assert_eq!(status(&report, "repo.tags-signed"), "pass");
    assert_eq!(
        status(&report, "repo.version"),
        "fail",
        "0.1.0 is behind v0.2.0"
    );
    assert!(check(&report, "repo.version")["message"]
        .as_str()
        .unwrap_or("")
        .contains("v0.2.0"));
}

const GOOD_WORKFLOW: &str = "on:\n  push:\n    tags: ['v*']\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    environment: pypi\n    permissions:\n      id-token: write\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4\n";

#[test]
fn practice_warnings_and_their_passes() {
    let w = project_world();
    let (_, report) = doctor(&w, &[]);
    for id in [
        "practice.security-policy",
        "practice.dependabot",
        "practice.publish-workflow",
    ] {
        assert_eq!(status(&report, id), "warn", "{id}");
    }
    w.write(
        ".github/workflows/release.yml",
        GOOD_WORKFLOW
            .replace("    environment: pypi\n", "")
            .replace("11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2", "v4"),
    );
    w.write(
        "requirements/dev.txt",
        "pytest==8.0.0 \\\n    --hash=sha256:aaa\nruff==0.5.0\n",
    );
    let (code, report) = doctor(&w, &[]);
    assert_ne!(code, 2);
    let publish = check(&report, "practice.publish-workflow");
    assert_eq!(publish["status"], "warn");
    assert!(publish["message"].as_str().unwrap_or("").contains(".github/workflows/release.yml:5: job publish publishes to PyPI but lacks an `environment`"), "{publish}");
    let pins = check(&report, "practice.pinned-actions");
    assert_eq!(pins["status"], "warn");
    assert!(
        pins["message"]
            .as_str()
            .unwrap_or("")
            .contains(".github/workflows/release.yml:10: actions/checkout@v4"),
        "{pins}"
    );
    let hashes = check(&report, "practice.hashed-requirements");
    assert_eq!(hashes["status"], "warn");
    assert!(
        hashes["message"]
            .as_str()
            .unwrap_or("")
            .contains("requirements/dev.txt:3"),
        "{hashes}"
    );

    w.write("SECURITY.md", "Report privately.\n");
    w.write(".github/dependabot.yml", "version: 2\nupdates: []\n");
    w.write(".github/workflows/release.yml", GOOD_WORKFLOW);
    w.write(
        "requirements/dev.txt",
        "pytest==8.0.0 --hash=sha256:aaa\nruff==0.5.0 --hash=sha256:bbb\n",
    );
    // Regression: examples', tests' and docs' requirements were taken for the project's.
    for dir in ["examples/demo", "tests", "docs"] {
        w.write(&format!("{dir}/requirements.txt"), "sphinx==7.0.0\n");
    }
    let (_, report) = doctor(&w, &[]);
    for id in IDS.iter().filter(|i| i.starts_with("practice.")) {
        assert_eq!(status(&report, id), "pass", "{id}: {}", check(&report, id));
    }
    assert!(check(&report, "practice.security-policy")["message"]
        .as_str()
        .unwrap_or("")
        .contains("SECURITY.md"));
    // Warnings alone never fail the doctor: they are not failures.
    assert!(report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "fail")
        .all(|c| !c["id"].as_str().unwrap_or("").starts_with("practice.")));
}

// Regression: `doctor --fix` turned on commit.gpgsign with no usable key, after which every
// `git commit` failed.
#[test]
fn fix_never_turns_signing_on_without_a_usable_key() {
    let w = World::new();
    w.repo();
    w.gnupghome();
    let out = w.cmd(&["doctor", "--fix"]).code(1);
    let err = stderr(&out);
    assert!(err.contains("commit.gpgsign: not turned on"), "{err}");
    assert_eq!(
        w.run_git(&[], &["config", "--get", "commit.gpgsign"], None)
            .status
            .code(),
        Some(1)
    );
    w.commit("still possible", false);
}

// Regression: for an `unknown-key` HEAD (a co-maintainer's key, GitHub's web-flow key) and
// for a HEAD already on origin, doctor said to amend HEAD; for published tags it said to
// re-sign them and force-push. The fix for a missing key is to import it; shared history is
// never rewritten.
#[test]
fn fixes_never_rewrite_shared_history_or_others_signatures() {
    let w = World::new();
    w.repo();
    w.signing_key();
    let other = w.home().join("other-gnupg");
    let stranger = w.gen_key_in(&other, "Co Maintainer <co@example.com>", &[], "never");
    let other_s = other.to_string_lossy().into_owned();
    w.commit_with(
        &[
            ("GNUPGHOME", &other_s),
            ("GIT_CONFIG_COUNT", "1"),
            ("GIT_CONFIG_KEY_0", "user.signingkey"),
            ("GIT_CONFIG_VALUE_0", &stranger),
        ],
        "by a co-maintainer",
        true,
    );
    let (_, report) = doctor(&w, &[]);
    let head = check(&report, "repo.head-signed");
    assert_eq!(head["status"], "fail", "{head}");
    let hint = head["hint"].as_str().unwrap_or_default();
    assert!(
        hint.contains(&format!("gpg --recv-keys {stranger}")),
        "{hint}"
    );
    assert!(!hint.contains("amend"), "{hint}");

    w.commit("unsigned", false);
    w.bare_origin();
    let (_, report) = doctor(&w, &[]);
    let hint = check(&report, "repo.head-signed")["hint"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        hint.contains("already on origin/main") && !hint.contains("--amend"),
        "{hint}"
    );

    for i in 0..12 {
        w.git(&["tag", &format!("v0.{i}.0")]);
    }
    let (_, report) = doctor(&w, &[]);
    let tags = check(&report, "repo.tags-signed");
    let message = tags["message"].as_str().unwrap_or_default();
    assert!(message.contains("… and 7 more"), "{message}");
    let hint = tags["hint"].as_str().unwrap_or_default();
    assert!(
        !hint.contains("--force") && !hint.contains("tag -f"),
        "published tags are left: {hint}"
    );
}

// Regression: the allowed-signers fix failed when pasted (no ~/.config/git/, and it named
// ~/.ssh/id_ed25519.pub instead of the configured key). Pasted here into a shell, it works.
#[test]
fn the_ssh_allowed_signers_fix_works_when_pasted() {
    let w = World::new();
    w.repo();
    w.ssh_key("work");
    w.use_ssh("work", None);
    let (_, report) = doctor(&w, &[]);
    let test = check(&report, "signing.test");
    assert_eq!(test["status"], "fail", "{test}");
    let hint = test["hint"].as_str().unwrap_or_default().to_owned();
    assert!(!hint.contains("id_ed25519"), "{hint}");
    w.run("bash", &["-c", &hint]);
    let (_, report) = doctor(&w, &[]);
    assert_eq!(
        check(&report, "signing.test")["status"],
        "pass",
        "{}",
        check(&report, "signing.test")
    );
}
