//! Keys and signatures made for real in a world: passphrase-less gpg keys (ed25519: fast),
//! ssh keys, a self-signed X.509 certificate, and git's own verdict on an object, to compare
//! ours with.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::World;

pub const EMAIL: &str = "author@example.com";

/// git's own view of one object: `verify-commit`/`verify-tag` exit status, `%G?` (commits),
/// and the `--raw` status lines.
#[derive(Debug)]
pub struct GitVerdict {
    pub ok: bool,
    pub grade: Option<char>,
    pub raw: String,
}

impl World {
    /// The world's own GNUPGHOME (made on first use, mode 700).
    pub fn gnupghome(&self) -> PathBuf {
        let home = self.home().join(".gnupg");
        self.make_gnupghome(&home);
        home
    }

    /// Make a GNUPGHOME folder and remember to stop its agent.
    pub fn make_gnupghome(&self, dir: &Path) {
        if !dir.is_dir() {
            std::fs::create_dir_all(dir).expect("mkdir gnupghome");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                    .expect("chmod");
            }
            self.gnupg_homes.borrow_mut().push(dir.to_path_buf());
        }
    }

    /// Run gpg (or gpgsm) with `home` as GNUPGHOME, in batch mode; stdout.
    pub fn gpg_in(
        &self,
        program: &str,
        home: &Path,
        args: &[&str],
        stdin: Option<&[u8]>,
    ) -> Vec<u8> {
        use std::io::Write as _;
        let mut cmd = Command::new(program);
        cmd.env("GNUPGHOME", home)
            .env("HOME", self.home())
            .env("TZ", "UTC");
        cmd.arg("--batch").args(args);
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("run gpg");
        if let Some(mut pipe) = child.stdin.take() {
            pipe.write_all(stdin.unwrap_or_default()).expect("stdin");
        }
        let out = child.wait_with_output().expect("gpg output");
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Generate a passphrase-less ed25519 signing key in `home`; `extra` goes before the
    /// command (`--faked-system-time …`), `expire` is gpg's expiry (`never`, `1y`).
    pub fn gen_key_in(&self, home: &Path, uid: &str, extra: &[&str], expire: &str) -> String {
        self.gen_algo_key_in(home, uid, "ed25519", extra, expire)
    }

    /// A key "Old <old@example.com>" in `home`, made on 2020-01-01 for one year: expired
    /// since 2021. Returns its fingerprint.
    pub fn expired_key_in(&self, home: &Path) -> String {
        self.gen_key_in(
            home,
            "Old <old@example.com>",
            &["--faked-system-time", "20200101T000000!"],
            "1y",
        )
    }

    /// As [`Self::gen_key_in`], with gpg's algorithm name (`rsa2048`, `ed25519`).
    pub fn gen_algo_key_in(
        &self,
        home: &Path,
        uid: &str,
        algo: &str,
        extra: &[&str],
        expire: &str,
    ) -> String {
        self.make_gnupghome(home);
        let mut args = vec!["--pinentry-mode", "loopback", "--passphrase", ""];
        args.extend(extra);
        args.extend(["--quick-gen-key", uid, algo, "sign", expire]);
        self.gpg_in("gpg", home, &args, None);
        self.fingerprint_in(home, uid)
    }

    /// The fingerprint of the primary key whose user id contains `uid`.
    pub fn fingerprint_in(&self, home: &Path, uid: &str) -> String {
        let out = self.gpg_in("gpg", home, &["--with-colons", "--list-keys", uid], None);
        String::from_utf8_lossy(&out)
            .lines()
            .find_map(|l| {
                l.strip_prefix("fpr:")
                    .map(|r| r.trim_matches(':').to_owned())
            })
            .expect("a fingerprint")
    }

    /// A key in the world's GNUPGHOME, set as git's signing key (`user.signingkey`).
    pub fn signing_key(&self) -> String {
        let fpr = self.gen_key_in(
            &self.gnupghome(),
            &format!("Test Author <{EMAIL}>"),
            &[],
            "never",
        );
        self.git(&["config", "user.signingkey", &fpr]);
        fpr
    }

    /// Export `fpr`'s public key from `from` and import it into the world's keyring.
    pub fn import_public(&self, from: &Path, fpr: &str) {
        let key = self.gpg_in("gpg", from, &["--armor", "--export", fpr], None);
        self.gpg_in("gpg", &self.gnupghome(), &["--import"], Some(&key));
    }

    /// Write an executable script under the world's temp dir.
    pub fn script(&self, name: &str, body: &str) -> PathBuf {
        let path = self.tmp.path().join(name);
        super::write_executable(&path, &format!("#!/bin/sh\n{body}\n"));
        path
    }

    /// Commit a change to `file.txt` with `message`; signed when `sign`. Returns its id.
    pub fn commit(&self, message: &str, sign: bool) -> String {
        self.commit_with(&[], message, sign)
    }

    /// [`World::commit`] with extra environment (another GNUPGHOME, say) or `-c` options.
    pub fn commit_with(&self, env: &[(&str, &str)], message: &str, sign: bool) -> String {
        let path = self.root.join("file.txt");
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        text.push_str(message);
        text.push('\n');
        std::fs::write(&path, text).expect("write");
        self.git(&["add", "file.txt"]);
        let flag = if sign { "-S" } else { "--no-gpg-sign" };
        self.git_with(env, &["commit", "-q", flag, "-m", message], None);
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// A repository with identity set, no commits yet.
    pub fn repo(&self) -> &World {
        self.git(&["init", "-q", "-b", "main"]);
        self.git(&["config", "user.name", "Test Author"]);
        self.git(&["config", "user.email", EMAIL]);
        self
    }

    /// git's verdict on a commit.
    pub fn git_verify_commit(&self, rev: &str) -> GitVerdict {
        let out = self.run_git(&[], &["verify-commit", "--raw", rev], None);
        let grade = self
            .git(&["log", "-1", "--format=%G?", rev])
            .trim()
            .chars()
            .next();
        GitVerdict {
            ok: out.status.success(),
            grade,
            raw: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// git's verdict on a tag.
    pub fn git_verify_tag(&self, rev: &str) -> GitVerdict {
        let out = self.run_git(&[], &["verify-tag", "--raw", rev], None);
        GitVerdict {
            ok: out.status.success(),
            grade: None,
            raw: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Our verdict on `rev`: the one result of `verify --json REV`, the same by both paths
    /// (in-process, and gpg or ssh-keygen per object) down to the message, and the same
    /// whether libgit2 or git itself reads the repository.
    pub fn our_verdict(&self, rev: &str) -> serde_json::Value {
        let fast = self.verdict_by(rev, false, false);
        let slow = self.verdict_by(rev, true, false);
        assert_eq!(
            fast, slow,
            "{rev}: the fast path and the slow path disagree"
        );
        let through_git = self.verdict_by(rev, false, true);
        assert_eq!(
            fast, through_git,
            "{rev}: reading through libgit2 and through git disagree"
        );
        fast
    }

    fn verdict_by(&self, rev: &str, slow: bool, through_git: bool) -> serde_json::Value {
        let mut args = vec!["verify", "--json", rev];
        if slow {
            args.push("--no-fast-path");
        }
        let mut cmd = self.command_reading(if through_git { "git" } else { "libgit2" }, &args);
        let out = assert_cmd::assert::OutputAssertExt::assert(&mut cmd);
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("JSON");
        let result = v["results"][0].clone();
        let passes = matches!(result["status"].as_str(), Some("good" | "expired-key"));
        assert_eq!(
            out.get_output().status.code(),
            Some(if passes { 0 } else { 1 }),
            "{rev}: exit code"
        );
        assert_eq!(v["ok"], passes);
        result
    }

    /// An ssh key pair at `home/<name>` (no passphrase); returns the public key line.
    pub fn ssh_key(&self, name: &str) -> String {
        let path = self.home().join(name);
        self.run(
            "ssh-keygen",
            &[
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                EMAIL,
                "-f",
                &path.to_string_lossy(),
            ],
        );
        let public = std::fs::read_to_string(path.with_extension("pub")).expect("public key");
        public
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Configure git to sign with ssh key `name`, with an allowed-signers file of `lines`.
    pub fn use_ssh(&self, name: &str, allowed: Option<&str>) {
        self.git(&["config", "gpg.format", "ssh"]);
        self.git(&[
            "config",
            "user.signingkey",
            &self.home().join(name).to_string_lossy(),
        ]);
        if let Some(lines) = allowed {
            let file = self.home().join("allowed_signers");
            std::fs::write(&file, lines).expect("allowed signers");
            self.git(&[
                "config",
                "gpg.ssh.allowedSignersFile",
                &file.to_string_lossy(),
            ]);
        }
    }
}
