//! A throw-away signature made exactly as git makes one (`git commit-tree -S` with the user's
//! whole configuration: gpg.format, gpg.program, user.signingkey, ssh, x509), under a time
//! limit, so that a locked key, a missing pinentry or agent is found before anything is
//! written. The commit goes to a temporary object directory: the repository is not touched.

use std::path::Path;
use std::time::Duration;

use super::pinentry::Marker;
use crate::process::{Cmd, Finished, RunError};

/// Why no test signature could be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignFailure {
    pub message: String,
    pub hint: String,
}

/// The time limit: `GIT_SECURE_RELEASE_SIGN_TIMEOUT` seconds, else 10, or 300 when a person
/// can answer a passphrase prompt (a terminal on stdin and stderr, contract §2.1).
pub fn time_limit() -> Duration {
    limit_for(
        std::env::var("GIT_SECURE_RELEASE_SIGN_TIMEOUT")
            .ok()
            .as_deref(),
        interactive(),
    )
}

/// Whether a person is at a terminal to answer a pinentry.
fn interactive() -> bool {
    use std::io::IsTerminal as _;
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

fn limit_for(setting: Option<&str>, interactive: bool) -> Duration {
    let secs = setting
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0 && s.is_finite())
        .unwrap_or(if interactive { 300.0 } else { 10.0 });
    Duration::from_secs_f64(secs.min(86_400.0))
}

/// What a test signature that ran out of time most likely waited for; `closed` passphrase
/// dialogs it had opened were closed.
fn timed_out(limit: Duration, interactive: bool, closed: usize) -> SignFailure {
    let secs = limit.as_secs_f64();
    let closed = if closed > 0 {
        " (the passphrase dialog it opened is closed)"
    } else {
        ""
    };
    if interactive {
        SignFailure {
            message: format!("signing did not finish within {secs:.0} s: a passphrase was being waited for (gpg's pinentry, or ssh) and none was given{closed}"),
            hint: "run it again and answer the pinentry, or unlock the key first: echo test | gpg --clearsign > /dev/null (ssh: ssh-add); GIT_SECURE_RELEASE_SIGN_TIMEOUT sets the limit".into(),
        }
    } else {
        SignFailure {
            message: format!("signing did not finish within {secs:.0} s: gpg or ssh is most likely waiting for a passphrase nobody can type{closed}"),
            hint: "unlock the key in a terminal first (echo test | gpg --clearsign > /dev/null), or add it to the agent (ssh-add), and export GPG_TTY=$(tty)".into(),
        }
    }
}

/// Name the cause of a failed signature from what git and the signing program said.
pub fn diagnose(stderr: &str) -> SignFailure {
    let lower = stderr.to_ascii_lowercase();
    // The telling line, not git's whole stderr: gpg's (or ssh's) own reason, and git's
    // summary when there is one.
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("[GNUPG:]"))
        .collect();
    let last = |f: &dyn Fn(&str) -> bool| lines.iter().rev().find(|l| f(l)).copied();
    let reason =
        last(&|l| l.contains("signing failed") || l.starts_with("gpg:") || l.starts_with("gpgsm:"))
            .or_else(|| last(&|l| l.contains("ssh") || l.starts_with("error:")))
            .or(lines.last().copied());
    let detail = reason.map_or_else(String::new, str::to_owned);
    let (message, hint) = if lower.contains("inappropriate ioctl") {
        (
            "gpg needs a passphrase but has no terminal to ask on",
            "in your shell: export GPG_TTY=$(tty)   (and add it to your shell's profile)",
        )
    } else if lower.contains("no pinentry") || lower.contains("pinentry") {
        (
            "gpg needs a passphrase but cannot start a pinentry to ask for it",
            "install a pinentry (apt-get install pinentry-curses) or set pinentry-program in ~/.gnupg/gpg-agent.conf, then: gpgconf --kill gpg-agent",
        )
    } else if lower.contains("bad passphrase")
        || lower.contains("operation cancelled")
        || lower.contains("canceled")
    {
        (
            "the key's passphrase was not given",
            "unlock the key once in a terminal, so gpg-agent caches it: echo test | gpg --clearsign > /dev/null",
        )
    } else if lower.contains("no secret key")
        || lower.contains("secret key not available")
        || lower.contains("unusable secret key")
    {
        (
            "gpg has no usable secret key for user.signingkey",
            "list your keys with `gpg --list-secret-keys --keyid-format=long`, then: git config user.signingkey <fingerprint>",
        )
    } else if lower.contains("please tell me who you are") || lower.contains("empty ident") {
        (
            "git has no committer identity",
            "git config user.name \"Your Name\" && git config user.email you@example.com",
        )
    } else if lower.contains("user.signingkey needs to be set") {
        (
            "ssh signing needs user.signingkey",
            "git config user.signingkey ~/.ssh/id_ed25519.pub   (the public key of the key you sign with)",
        )
    } else if lower.contains("agent")
        && (lower.contains("refused") || lower.contains("no such") || lower.contains("could not"))
    {
        (
            "the ssh or gpg agent could not be reached",
            "start the agent and add the key: eval \"$(ssh-agent)\" && ssh-add  (or: gpgconf --launch gpg-agent)",
        )
    } else if lower.contains("cannot run") || lower.contains("no such file") {
        (
            "the signing program could not be run",
            "check gpg.program (or gpg.ssh.program, gpg.x509.program): git config --get gpg.program",
        )
    } else {
        (
            "git could not make a signature",
            "try it by hand to see the full error: git commit --allow-empty -S -m test  (in a scratch repository)",
        )
    };
    SignFailure {
        message: if detail.is_empty() {
            message.to_owned()
        } else {
            format!("{message}: {detail}")
        },
        hint: hint.to_owned(),
    }
}

/// Run `cmd` to the end, or stop it and everything it started when `limit` passes.
/// A passphrase dialog the agent opened for it is closed too (see [`super::pinentry`]).
fn run_limited(cmd: Cmd, limit: Duration, marker: &Marker) -> Result<Finished, SignFailure> {
    marker
        .apply(cmd)
        .deadline(limit)
        .run()
        .map_err(|e| match e {
            RunError::Spawn { .. } => SignFailure {
                message: format!("cannot run git: {e}"),
                hint: "install git and make sure it is on PATH".into(),
            },
            RunError::TimedOut { .. } => timed_out(limit, interactive(), marker.close_dialogs()),
        })
}

/// The empty tree as a loose object: zlib's compression of `tree 0\0`, the same bytes under
/// either object format; only its name differs.
const EMPTY_TREE_LOOSE: &[u8] = &[120, 156, 43, 41, 74, 77, 85, 48, 96, 0, 0, 10, 44, 2, 1];
const EMPTY_TREE_SHA1: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const EMPTY_TREE_SHA256: &str = "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321";

/// Store the empty tree in `objects` under both object formats' names (no process).
fn write_empty_tree(objects: &Path) -> std::io::Result<()> {
    for id in [EMPTY_TREE_SHA1, EMPTY_TREE_SHA256] {
        let dir = objects.join(&id[..2]);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(&id[2..]), EMPTY_TREE_LOOSE)?;
    }
    Ok(())
}

/// Make a signed commit of the empty tree with git, as `git commit -S` would sign it, and
/// return its raw bytes. `repo_dir` is the work tree (its configuration applies; `sha256`
/// says its object format); outside a repository, a scratch repository is used.
pub fn make(
    repo_dir: Option<&Path>,
    git_dir: Option<&Path>,
    sha256: bool,
    limit: Duration,
) -> Result<Vec<u8>, SignFailure> {
    let scratch = tempfile::Builder::new()
        .prefix("gsr-sign")
        .tempdir()
        .map_err(|e| SignFailure {
            message: format!("cannot make a temporary folder: {e}"),
            hint: "check that TMPDIR is writable".into(),
        })?;
    let objects = scratch.path().join("objects");
    std::fs::create_dir_all(&objects).map_err(|e| SignFailure {
        message: format!("cannot make a temporary folder: {e}"),
        hint: "check that TMPDIR is writable".into(),
    })?;
    let (dir, tree_id) = match repo_dir {
        Some(d) => {
            write_empty_tree(&objects).map_err(|e| SignFailure {
                message: format!("cannot write to a temporary folder: {e}"),
                hint: "check that TMPDIR is writable".into(),
            })?;
            let id = if sha256 {
                EMPTY_TREE_SHA256
            } else {
                EMPTY_TREE_SHA1
            };
            (d.to_path_buf(), Some(id.to_owned()))
        }
        None => {
            let repo = scratch.path().join("repo");
            let init = Cmd::new("git").args(["init", "-q"]).arg(&repo).run();
            if !init.is_ok_and(|o| o.ok()) {
                return Err(SignFailure {
                    message: "cannot make a scratch repository for the test signature".into(),
                    hint: "check that git works: git --version".into(),
                });
            }
            (repo, None)
        }
    };
    let marker = Marker::fresh();
    let git = |args: &[&str]| {
        let cmd = Cmd::new("git")
            .dir(&dir)
            .args(args)
            .env("GIT_OBJECT_DIRECTORY", &objects)
            .env("GIT_TERMINAL_PROMPT", "0");
        match git_dir.map(|g| g.join("objects")) {
            Some(alternates) => cmd.env("GIT_ALTERNATE_OBJECT_DIRECTORIES", alternates),
            None => cmd,
        }
    };
    let tree_id = match tree_id {
        Some(id) => id,
        None => {
            // The scratch repository's format is whatever git's defaults make it.
            let tree = run_limited(git(&["mktree"]), limit, &marker)?;
            let id = String::from_utf8_lossy(&tree.stdout).trim().to_owned();
            if !tree.ok() || id.is_empty() {
                return Err(diagnose(&tree.stderr_text()));
            }
            id
        }
    };
    let commit = run_limited(
        git(&[
            "commit-tree",
            "-S",
            &tree_id,
            "-m",
            "git secure-release: test signature",
        ]),
        limit,
        &marker,
    )?;
    let commit_id = String::from_utf8_lossy(&commit.stdout).trim().to_owned();
    if !commit.ok() || commit_id.is_empty() {
        return Err(diagnose(&commit.stderr_text()));
    }
    // Read it back from the scratch object folder (no process), a loose object of either
    // hash; its name is git's own output, checked to be an object name first.
    let read = || -> std::io::Result<Vec<u8>> {
        if crate::git::oid::ObjectId::from_hex(&commit_id).is_none() {
            return Err(std::io::Error::other(format!(
                "git printed {commit_id:?}, not an object name"
            )));
        }
        let file = objects.join(&commit_id[..2]).join(&commit_id[2..]);
        Ok(crate::git::oid::read_loose(&file)?.1)
    };
    read().map_err(|e| SignFailure {
        message: format!("the test signature was made but cannot be read back: {e}"),
        hint: "check that TMPDIR is writable".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_empty_tree_reads_back_under_its_sha1_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_empty_tree(dir.path()).expect("written");
        let odb = git2::Odb::new().expect("odb");
        odb.add_disk_alternate(&dir.path().to_string_lossy())
            .expect("alternate");
        let object = odb
            .read(git2::Oid::from_str(EMPTY_TREE_SHA1).expect("oid"))
            .expect("readable, and its hash checks");
        assert_eq!(object.kind(), git2::ObjectType::Tree);
        assert!(object.data().is_empty());
        assert!(dir
            .path()
            .join(&EMPTY_TREE_SHA256[..2])
            .join(&EMPTY_TREE_SHA256[2..])
            .exists());
    }

    // Regression: a passphrase-protected key at a terminal got 10 seconds to type, then a
    // message saying nobody could type.
    #[test]
    fn a_person_at_a_terminal_gets_minutes_and_the_truth() {
        assert_eq!(limit_for(None, false), Duration::from_secs(10));
        assert_eq!(limit_for(None, true), Duration::from_secs(300));
        assert_eq!(limit_for(Some("2.5"), true), Duration::from_secs_f64(2.5));
        assert_eq!(limit_for(Some("nope"), false), Duration::from_secs(10));
        assert_eq!(limit_for(Some("inf"), false), Duration::from_secs(10));
        let at_terminal = timed_out(Duration::from_secs(300), true, 0);
        assert!(
            at_terminal
                .message
                .contains("a passphrase was being waited for"),
            "{at_terminal:?}"
        );
        assert!(timed_out(Duration::from_secs(10), false, 0)
            .message
            .contains("nobody can type"));
        assert!(timed_out(Duration::from_secs(10), false, 1)
            .message
            .contains("the passphrase dialog it opened is closed"));
    }

    #[test]
    fn names_the_cause_of_common_failures() {
        let cases = [
            ("error: gpg failed to sign the data:\ngpg: signing failed: Inappropriate ioctl for device", "GPG_TTY"),
            ("gpg: signing failed: No pinentry", "pinentry"),
            ("gpg: skipped \"X\": No secret key", "list-secret-keys"),
            ("*** Please tell me who you are.", "user.email"),
            ("something new", "scratch repository"),
        ];
        for (stderr, hint) in cases {
            assert!(
                diagnose(stderr).hint.contains(hint),
                "{stderr}: {:?}",
                diagnose(stderr)
            );
        }
        assert!(diagnose("gpg: signing failed: No pinentry")
            .message
            .contains("No pinentry"));
        // Regression: git's whole stderr was pasted, joined by "; ".
        let noisy = "gpg: skipped \"ABC\": No secret key\n[GNUPG:] INV_SGNR 9 ABC\ngpg: signing failed: No secret key\nerror: gpg failed to sign the data\nfatal: failed to write commit object";
        let m = diagnose(noisy).message;
        assert!(
            !m.contains("; ") && m.ends_with("gpg: signing failed: No secret key"),
            "{m}"
        );
    }
}
