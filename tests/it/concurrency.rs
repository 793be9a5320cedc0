//! Concurrency is a fault like any other (contract §2.1 "One release at a time"): two
//! releases at once, in one repository or two linked worktrees, and `--abort` while a
//! release waits in a hook. Each race is run many times.

use std::process::{Child, Command, Stdio};

use crate::common::{stderr, World};
use crate::release::{state, world};

/// A `gpg.program` that waits `seconds` before signing, so that runs overlap.
fn slow_signing(w: &World, seconds: &str) {
    // Only signing waits (git signs with `-bsau KEY`); verifying goes through it too.
    let script = w.script(
        "gpg-slow",
        &format!("case \"$*\" in *-bsau*) sleep {seconds};; esac\nexec gpg \"$@\""),
    );
    w.git(&["config", "gpg.program", &script.to_string_lossy()]);
}

fn spawn(w: &World, dir: &std::path::Path, args: &[&str]) -> Child {
    let mut cmd = w.command(args);
    cmd.current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.spawn().expect("spawn")
}

/// Both outcomes of a race: (exit code, stderr) each.
fn race(
    w: &World,
    a: (&std::path::Path, &[&str]),
    b: (&std::path::Path, &[&str]),
) -> [(i32, String); 2] {
    let first = spawn(w, a.0, a.1);
    let second = spawn(w, b.0, b.1);
    [first, second].map(|c| {
        let out = c.wait_with_output().expect("wait");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
}

/// The tag `tag` is git-verified, on a commit whose pyproject.toml holds `version`, and the
/// branch points at that commit.
fn assert_one_good_release(w: &World, dir: &std::path::Path, tag: &str, version: &str) {
    assert!(w.git_verify_tag(tag).ok, "git verify-tag {tag}");
    let tree = w.git(&["show", &format!("{tag}^{{}}:pyproject.toml")]);
    assert!(tree.contains(&format!("version = \"{version}\"")), "{tree}");
    let tip = Command::new("git")
        .current_dir(dir)
        .args(["rev-parse", "HEAD"])
        .output()
        .expect("git");
    assert_eq!(
        String::from_utf8_lossy(&tip.stdout).trim(),
        w.git(&["rev-parse", &format!("{tag}^{{}}")]).trim()
    );
}

// Regression: two releases at once took no lock; in 28 runs none ended "one released, one
// refused" (a good tag on the pre-release commit, a release undone by the other).
#[test]
fn two_releases_at_once_one_wins_the_other_changes_nothing() {
    for round in 0..8 {
        let w = world();
        slow_signing(&w, "0.2");
        let root = w.root.clone();
        let results = race(&w, (&root, &["0.1.1"]), (&root, &["0.1.1"]));
        let wins = results.iter().filter(|(c, _)| *c == 0).count();
        assert_eq!(wins, 1, "round {round}: {results:?}");
        let (_, loser) = results.iter().find(|(c, _)| *c != 0).expect("a loser");
        assert!(
            loser.contains("another release is running") || loser.contains("already exists"),
            "round {round}: {loser}"
        );
        assert!(!loser.contains("putting the repository back"), "{loser}");
        assert_one_good_release(&w, &root, "v0.1.1", "0.1.1");
        assert_eq!(w.git(&["status", "--porcelain"]), "");
        assert!(!root.join(".git/secure-release").exists());
        assert!(!root.join(".git/secure-release.lock").exists());
    }
}

// Regression: in 20 of 20 runs across two linked worktrees the loser's undo deleted the
// winner's tag.
#[test]
fn two_worktrees_releasing_at_once_share_one_lock() {
    for round in 0..6 {
        let w = world();
        slow_signing(&w, "0.2");
        let other = w.linked_worktree("other");
        let root = w.root.clone();
        let results = race(&w, (&root, &["0.1.1"]), (&other, &["0.1.1"]));
        let wins: Vec<usize> = (0..2).filter(|&i| results[i].0 == 0).collect();
        assert_eq!(wins.len(), 1, "round {round}: {results:?}");
        let winner = if wins[0] == 0 { &root } else { &other };
        assert_one_good_release(&w, winner, "v0.1.1", "0.1.1");
    }
}

// Regression: `--abort` from a second terminal while a release waited in a slow hook said
// "undone", and the first run then committed and tagged anyway.
#[test]
fn abort_continue_and_a_second_release_are_refused_while_one_runs() {
    let w = world();
    let marker = w.tmp.path().join("in-hook");
    crate::common::write_executable(
        &w.root.join(".git/hooks/pre-commit"),
        &format!("#!/bin/sh\ntouch '{}'\nsleep 3\n", marker.display()),
    );
    let root = w.root.clone();
    let running = spawn(&w, &root, &["0.1.1"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !marker.exists() {
        assert!(std::time::Instant::now() < deadline, "the hook never ran");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let before = state(&w);
    for args in [&["--abort"][..], &["--continue"], &["0.1.2"]] {
        let out = w.cmd(args).code(1);
        let err = stderr(&out);
        assert!(
            err.contains("another release is running"),
            "{args:?}: {err}"
        );
        assert!(err.contains("pid "), "{err}");
        assert_eq!(state(&w), before, "{args:?} changed something");
    }
    let out = running.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_one_good_release(&w, &root, "v0.1.1", "0.1.1");
}
