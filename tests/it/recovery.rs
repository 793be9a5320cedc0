//! Recovery that touches only what is provably the release's own (contract §2.1, the undo
//! and recovery paragraph): kills at random moments with `--abort` and `--continue`, a user's
//! commit after an interruption, another worktree's tag, a damaged journal, a hook that
//! stages another file.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{stderr, write_executable, World};
use crate::release::{state, world, RepoState};

/// [`state`] and what else of the git directory a release may leave: `COMMIT_EDITMSG`,
/// every lock file (git's and ours), the journal's folder.
#[derive(Debug, PartialEq, Eq)]
struct FullState {
    repo: RepoState,
    commit_editmsg: Option<Vec<u8>>,
    locks: Vec<String>,
}

fn full_state(w: &World) -> FullState {
    let git = w.root.join(".git");
    let mut locks = Vec::new();
    let mut stack = vec![git.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "lock") {
                locks.push(p.strip_prefix(&git).expect("inside").display().to_string());
            }
        }
    }
    locks.sort();
    FullState {
        repo: state(w),
        commit_editmsg: std::fs::read(git.join("COMMIT_EDITMSG")).ok(),
        locks,
    }
}

/// [`full_state`] less our own lock file, which a killed release leaves and the next run
/// (refused or not) takes over and removes.
fn state_but_our_lock(w: &World) -> FullState {
    let mut s = full_state(w);
    s.locks.retain(|l| l != "secure-release.lock");
    s
}

fn slow_signing(w: &World) {
    // Only signing waits (git signs with `-bsau KEY`); verifying goes through it too.
    let script = w.script(
        "gpg-slow",
        "case \"$*\" in *-bsau*) sleep 0.15;; esac\nexec gpg \"$@\"",
    );
    w.git(&["config", "gpg.program", &script.to_string_lossy()]);
}

/// Run a release in a process group of its own and kill the whole group `after` its start
/// (or, with `from_journal`, `after` its journal appeared). Returns whether it had finished
/// by itself.
fn release_killed_after(w: &World, args: &[&str], after: Duration, from_journal: bool) -> bool {
    use std::os::unix::process::CommandExt as _;
    let mut cmd = w.command(args);
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    let mut child = cmd.spawn().expect("spawn");
    let pid = child.id();
    let journal = w.root.join(".git/secure-release/journal.json");
    while from_journal && !journal.exists() {
        if child.try_wait().expect("wait").is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let until = Instant::now() + after;
    while Instant::now() < until {
        if child.try_wait().expect("wait").is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .status();
    let _ = child.wait();
    false
}

/// A small deterministic generator, so that a failing run can be repeated by its seed.
fn next(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *seed >> 33
}

fn assert_released(w: &World, tag: &str, version: &str) {
    assert!(w.git_verify_tag(tag).ok, "git verify-tag {tag}");
    assert!(
        w.git_verify_commit(&format!("{tag}^{{}}")).ok,
        "git verify-commit"
    );
    let file = w.git(&["show", &format!("{tag}^{{}}:pyproject.toml")]);
    assert!(file.contains(&format!("version = \"{version}\"")), "{file}");
    assert_eq!(
        w.git(&["rev-parse", "refs/heads/main"]),
        w.git(&["rev-parse", &format!("{tag}^{{}}")])
    );
    assert!(!w.root.join(".git/secure-release").exists());
}

// Regression: after kills of the whole process group during `git commit`, git's locks were
// left (27 of 146 runs), `--abort` said "as it was" while git was blocked, `--continue`
// undid the release instead of finishing it (21 of 95), COMMIT_EDITMSG was never restored.
#[test]
fn killed_at_random_moments_abort_restores_and_continue_finishes() {
    // How long a whole release takes here, to spread the kills over it.
    let probe = world();
    slow_signing(&probe);
    let started = Instant::now();
    assert!(release_killed_after(
        &probe,
        &["minor"],
        Duration::from_secs(60),
        false
    ));
    let span = started.elapsed();
    // GSR_KILL_SEED and GSR_KILL_ROUNDS repeat a failing run or run many more.
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let mut seed = env("GSR_KILL_SEED").unwrap_or(0x5eed);
    let rounds = u32::try_from(env("GSR_KILL_ROUNDS").unwrap_or(16)).unwrap_or(16);
    eprintln!("kill loop: GSR_KILL_SEED={seed} GSR_KILL_ROUNDS={rounds}");
    let (mut aborted, mut continued) = (0, 0);
    for round in 0..rounds {
        let w = world();
        slow_signing(&w);
        std::fs::write(
            w.root.join(".git/COMMIT_EDITMSG"),
            "the user's last message\n",
        )
        .expect("write");
        let before = full_state(&w);
        let at =
            span.mul_f64(f64::from(u32::try_from(next(&mut seed) % 1000).expect("small")) / 1000.0);
        // A quarter of the rounds from the start, the rest from the moment the journal is in
        // place (within the first half of a release's time after it), so that most kills
        // land mid-release however long the preflight takes under load.
        let from_journal = round % 4 != 0;
        let at = if from_journal { at / 2 } else { at };
        let finished = release_killed_after(&w, &["minor"], at, from_journal);
        let journal = w.root.join(".git/secure-release/journal.json").exists();
        if !journal {
            // Killed before the journal was in place, or after it was removed: the next
            // command clears what is left (our lock file, a half-made journal folder).
            if !finished {
                w.cmd(&["--abort"]).code(1);
            }
            if w.git(&["tag", "-l", "v0.2.0"]).trim() == "v0.2.0" {
                assert_released(&w, "v0.2.0", "0.2.0");
            } else {
                assert_eq!(full_state(&w), before, "round {round} at {at:?}");
            }
            continue;
        }
        if round % 2 == 0 {
            let out = w.cmd(&["--abort"]);
            let err = stderr(&out);
            assert!(
                out.get_output().status.success(),
                "round {round} at {at:?}: {err}"
            );
            assert_eq!(full_state(&w), before, "round {round} at {at:?}: {err}");
            aborted += 1;
        } else {
            let out = w.cmd(&["--continue"]);
            let err = stderr(&out);
            assert!(
                out.get_output().status.success(),
                "round {round} at {at:?}: {err}"
            );
            assert_released(&w, "v0.2.0", "0.2.0");
            let locks = full_state(&w).locks;
            assert!(locks.is_empty(), "round {round}: {locks:?}");
            continued += 1;
        }
    }
    assert!(
        aborted + continued >= 3,
        "too few kills landed mid-release: {aborted} + {continued}"
    );
}

/// A release killed by its own pre-commit hook: files bumped, journal written, no commit.
fn killed_before_its_commit(w: &World) {
    write_executable(
        &w.root.join(".git/hooks/pre-commit"),
        "#!/bin/sh\nkill -9 $(ps -o ppid= -p $PPID)\nexit 1\n",
    );
    w.cmd(&["minor"]);
    // The orphaned `git commit` ends on its own (the hook failed): wait for its locks to go,
    // as a user would before running anything else.
    let deadline = Instant::now() + Duration::from_secs(20);
    while full_state(w)
        .locks
        .iter()
        .any(|l| l != "secure-release.lock")
    {
        assert!(Instant::now() < deadline, "git's locks never went");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::remove_file(w.root.join(".git/hooks/pre-commit")).expect("rm hook");
    assert!(w.root.join(".git/secure-release/journal.json").is_file());
}

// Regression: after an interrupted release the user committed on the branch; `--continue`
// tagged the user's commit as the release and `--abort` dropped the user's commit.
#[test]
fn a_users_commit_after_an_interruption_is_never_touched() {
    let w = world();
    killed_before_its_commit(&w);
    w.git(&["checkout", "--", "pyproject.toml"]);
    let users = w.commit("the user's own work", true);
    let before = state_but_our_lock(&w);
    for args in [&["--continue"][..], &["--abort"]] {
        let err = stderr(&w.cmd(args).code(1));
        assert!(err.contains("has moved on"), "{args:?}: {err}");
        assert!(err.contains("--forget-journal"), "{err}");
        assert_eq!(state_but_our_lock(&w), before, "{args:?} changed something");
    }
    assert_eq!(w.git(&["rev-parse", "refs/heads/main"]).trim(), users);
    assert_eq!(w.git(&["tag", "-l", "v0.2.0"]), "");
    let out = w.cmd(&["--abort", "--forget-journal"]).success();
    assert!(
        stderr(&out).contains("nothing else was touched"),
        "{}",
        stderr(&out)
    );
    assert!(!w.root.join(".git/secure-release").exists());
    assert_eq!(w.git(&["rev-parse", "refs/heads/main"]).trim(), users);
}

// Regression: `--abort` in one worktree deleted another worktree's release tag.
#[test]
fn abort_never_deletes_a_tag_it_did_not_make() {
    let w = world();
    let other = w.linked_worktree("other");
    killed_before_its_commit(&w);
    // In the other worktree, somebody makes the tag the interrupted release planned.
    let tag = Command::new("git")
        .current_dir(&other)
        .env("GIT_CONFIG_GLOBAL", w.home().join(".gitconfig"))
        .env("GNUPGHOME", w.home().join(".gnupg"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["tag", "-s", "v0.2.0", "-m", "Release 0.2.0"])
        .output()
        .expect("git tag");
    assert!(
        tag.status.success(),
        "{}",
        String::from_utf8_lossy(&tag.stderr)
    );
    let theirs = w.git(&["rev-parse", "refs/tags/v0.2.0"]);
    let out = w.cmd(&["--abort"]).success();
    assert!(stderr(&out).contains("undone"), "{}", stderr(&out));
    assert_eq!(
        w.git(&["rev-parse", "refs/tags/v0.2.0"]),
        theirs,
        "their tag is kept"
    );
    assert_eq!(w.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_damaged_journal_has_one_way_out_that_touches_nothing_else() {
    let w = world();
    killed_before_its_commit(&w);
    std::fs::write(
        w.root.join(".git/secure-release/journal.json"),
        "{ \"plan\": tru",
    )
    .expect("damage");
    let before = state_but_our_lock(&w);
    for args in [&["patch"][..], &["--abort"], &["--continue"]] {
        let err = stderr(&w.cmd(args).code(1));
        assert!(
            err.contains("git secure-release --abort --forget-journal"),
            "{args:?}: {err}"
        );
        assert_eq!(state_but_our_lock(&w), before, "{args:?} changed something");
    }
    w.cmd(&["--abort", "--forget-journal"]).success();
    let mut after = state_but_our_lock(&w);
    assert!(!w.root.join(".git/secure-release").exists());
    after.repo.journal = true;
    assert_eq!(after, before, "only the journal went");
}

// Regression: a pre-commit hook that `git add`s another file got it into the release commit.
#[test]
fn a_hook_that_stages_another_file_is_refused_and_undone() {
    let w = world();
    w.write("other.txt", "mine\n");
    w.git(&["add", "other.txt"]);
    w.git(&["commit", "-q", "-S", "-m", "other"]);
    w.git(&["status", "--porcelain"]);
    write_executable(
        &w.root.join(".git/hooks/pre-commit"),
        "#!/bin/sh\necho added-by-hook >> other.txt\ngit add other.txt\n",
    );
    let before = full_state(&w);
    let err = stderr(&w.cmd(&["patch"]).code(1));
    assert!(
        err.contains("a hook added files beyond the release's"),
        "{err}"
    );
    assert!(err.contains("other.txt"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(full_state(&w), before);
}
