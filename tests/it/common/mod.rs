//! Hermetic worlds: a temp folder with its own HOME, git configuration and files, and the
//! program run inside it. Nothing here reads the user's own configuration or keyring.

#![allow(dead_code)]

pub mod keys;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// A throw-away project folder (`root`) under a temp dir that also holds HOME (with its own
/// GNUPGHOME at `home/.gnupg`). Every gpg-agent started in it is stopped when it is dropped.
pub struct World {
    pub tmp: TempDir,
    pub root: PathBuf,
    /// Extra environment for every git and program run (set with `set_env`).
    extra_env: RefCell<Vec<(String, String)>>,
    /// GNUPGHOMEs whose agents to stop at the end.
    gnupg_homes: RefCell<Vec<PathBuf>>,
}

impl Drop for World {
    fn drop(&mut self) {
        for home in self.gnupg_homes.borrow().iter() {
            let _ = Command::new("gpgconf")
                .args(["--kill", "all"])
                .env("GNUPGHOME", home)
                .output();
        }
    }
}

impl World {
    pub fn new() -> World {
        let tmp = tempfile::Builder::new()
            .prefix("gsr")
            .tempdir()
            .expect("tempdir");
        let root = tmp.path().join("proj");
        std::fs::create_dir_all(&root).expect("mkdir");
        std::fs::create_dir_all(tmp.path().join("home")).expect("mkdir home");
        World {
            tmp,
            root,
            extra_env: RefCell::new(Vec::new()),
            gnupg_homes: RefCell::new(Vec::new()),
        }
    }

    pub fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    /// Set an environment variable for every command run in this world from now on.
    pub fn set_env(&self, key: &str, value: impl AsRef<std::ffi::OsStr>) {
        self.extra_env.borrow_mut().push((
            key.to_owned(),
            value.as_ref().to_string_lossy().into_owned(),
        ));
    }

    /// Write `content` to `rel` under the project root, making folders.
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> &World {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(path, content).expect("write");
        self
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.root.join(rel)).expect("read")
    }

    fn env(&self, cmd: &mut Command) {
        let home = self.tmp.path().join("home");
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
            .env("GIT_CEILING_DIRECTORIES", self.tmp.path())
            .env("GNUPGHOME", home.join(".gnupg"))
            .env("GIT_AUTHOR_NAME", "Test Author")
            .env("GIT_AUTHOR_EMAIL", "author@example.com")
            .env("GIT_COMMITTER_NAME", "Test Author")
            .env("GIT_COMMITTER_EMAIL", "author@example.com")
            .env("GIT_AUTHOR_DATE", "2024-01-02T03:04:05Z")
            .env("GIT_COMMITTER_DATE", "2024-01-02T03:04:05Z")
            .env("LC_ALL", "C")
            .env("TZ", "UTC");
        // `GIT_SECURE_RELEASE_READER=git cargo test` runs the whole suite through git's reader.
        if let Some(reader) = std::env::var_os("GIT_SECURE_RELEASE_READER") {
            cmd.env("GIT_SECURE_RELEASE_READER", reader);
        }
        for (k, v) in self.extra_env.borrow().iter() {
            cmd.env(k, v);
        }
    }

    /// The program, run in `dir` (relative to the root) with the world's environment.
    pub fn cmd_in(&self, dir: &str, args: &[&str]) -> assert_cmd::assert::Assert {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("git-secure-release"));
        self.env(&mut cmd);
        cmd.current_dir(self.root.join(dir)).args(args);
        assert_cmd::assert::OutputAssertExt::assert(&mut cmd)
    }

    /// The program at the project root with the world's environment, not yet run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("git-secure-release"));
        self.env(&mut cmd);
        cmd.current_dir(&self.root).args(args);
        cmd
    }

    /// Run any program in the world's environment at the root, whatever its exit status.
    pub fn run_any(&self, program: &str, args: &[&str]) -> std::process::Output {
        let mut cmd = Command::new(program);
        self.env(&mut cmd);
        cmd.current_dir(&self.root)
            .args(args)
            .output()
            .expect("run program")
    }

    /// The program, run at the project root.
    pub fn cmd(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        self.cmd_in("", args)
    }

    /// Run real git at the project root; panics with its stderr when it fails.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_with(&[], args, None)
    }

    /// Run real git with extra environment and optional stdin; panics when it fails.
    pub fn git_with(&self, env: &[(&str, &str)], args: &[&str], stdin: Option<&[u8]>) -> String {
        let out = self.run_git(env, args, stdin);
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Run real git, whatever its exit status.
    pub fn run_git(
        &self,
        env: &[(&str, &str)],
        args: &[&str],
        stdin: Option<&[u8]>,
    ) -> std::process::Output {
        use std::io::Write as _;
        use std::process::Stdio;
        let mut cmd = Command::new("git");
        self.env(&mut cmd);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.current_dir(&self.root).args(args);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("run git");
        if let Some(mut pipe) = child.stdin.take() {
            pipe.write_all(stdin.unwrap_or_default()).expect("stdin");
        }
        child.wait_with_output().expect("git output")
    }

    /// Run any program in the world's environment at the root; panics when it fails.
    pub fn run(&self, program: &str, args: &[&str]) -> String {
        let mut cmd = Command::new(program);
        self.env(&mut cmd);
        let out = cmd
            .current_dir(&self.root)
            .args(args)
            .output()
            .expect("run program");
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `git init` with one commit of everything written so far.
    pub fn git_init(&self) -> &World {
        self.git(&["init", "-q", "-b", "main"]);
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", "initial"]);
        self
    }

    /// Store `raw` as an object of type `kind` exactly as it is (`git hash-object
    /// --literally`: hostile and malformed objects included); its id.
    pub fn hash_literally(&self, kind: &str, raw: &[u8]) -> String {
        let args = ["hash-object", "-t", kind, "-w", "--literally", "--stdin"];
        self.git_with(&[], &args, Some(raw)).trim().to_owned()
    }

    /// Make the root a blob:none partial clone of the repository `origin` (its work tree
    /// not checked out), which git then reads without the blobs of older commits.
    pub fn partial_clone_of(&self, origin: &Path) {
        let at = origin.to_str().expect("utf-8 path");
        self.git(&["-C", at, "config", "uploadpack.allowFilter", "true"]);
        let url = format!("file://{at}");
        let root = self.root.to_str().expect("utf-8 path");
        self.git(&[
            "clone",
            "-q",
            "--filter=blob:none",
            "--no-checkout",
            &url,
            root,
        ]);
    }

    /// The program with `args` run to its end with `GIT_SECURE_RELEASE_TRACE=1`: its
    /// standard error holds every program it started and each step.
    pub fn traced(&self, args: &[&str]) -> std::process::Output {
        self.command(args)
            .env("GIT_SECURE_RELEASE_TRACE", "1")
            .output()
            .expect("run")
    }

    /// The program with `args`, reading the repository through `reader` (`"git"`: git
    /// itself; anything else: libgit2 where it can), not yet run.
    pub fn command_reading(&self, reader: &str, args: &[&str]) -> Command {
        let mut cmd = self.command(args);
        if reader == "git" {
            cmd.env("GIT_SECURE_RELEASE_READER", "git");
        } else {
            cmd.env_remove("GIT_SECURE_RELEASE_READER");
        }
        cmd
    }

    /// A bare repository `remote.git` beside the project, added as `origin`, with `main`
    /// pushed to it and tracked; its path.
    pub fn bare_origin(&self) -> PathBuf {
        let remote = self.tmp.path().join("remote.git");
        self.git(&["init", "-q", "--bare", &remote.to_string_lossy()]);
        self.git(&["remote", "add", "origin", &remote.to_string_lossy()]);
        self.git(&["push", "-q", "-u", "origin", "main"]);
        remote
    }

    /// A linked worktree `name` beside the project, on a new branch `side`; its path.
    pub fn linked_worktree(&self, name: &str) -> PathBuf {
        let dir = self.tmp.path().join(name);
        self.git(&[
            "worktree",
            "add",
            "-q",
            "-b",
            "side",
            &dir.to_string_lossy(),
        ]);
        dir
    }

    /// Every file under the root with its bytes (the `.git` folder left out).
    pub fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        walk(&self.root, &self.root, &mut out);
        out.sort();
        out
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let rel = path.strip_prefix(root).expect("under root").to_path_buf();
            out.push((rel, std::fs::read(&path).unwrap_or_default()));
        }
    }
}

/// Write `text` to `path` (making folders) and make it executable: scripts and hooks.
pub fn write_executable(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

/// What `reference` names in the bare repository `remote` (empty when nothing).
pub fn at_remote(remote: &Path, reference: &str) -> String {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(remote)
        .args(["rev-parse", "--verify", "-q", reference])
        .output()
        .expect("git");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Run `cmd` to its end, or kill it after `limit` (then `None`): for tests of hangs.
pub fn output_within(
    cmd: &mut Command,
    limit: std::time::Duration,
) -> Option<std::process::Output> {
    use std::process::Stdio;
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => Some(out.expect("output")),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            None
        }
    }
}

/// stdout of a finished command, as text.
pub fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

/// stderr of a finished command, as text.
pub fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

/// The JSON object a `--json` command printed.
pub fn json(a: &assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_slice(&a.get_output().stdout).expect("stdout is one JSON object")
}

/// Assert that `new` is `old` with exactly one occurrence of `old_v` replaced by `new_v`,
/// every other byte the same (an independent check of an edit: it does not ask the code
/// under test where the version is).
pub fn assert_only_version_changed(file: &str, old: &[u8], new: &[u8], old_v: &str, new_v: &str) {
    let (ov, nv) = (old_v.as_bytes(), new_v.as_bytes());
    assert_eq!(
        old.len() + nv.len(),
        new.len() + ov.len(),
        "{file}: lengths differ by more than the version"
    );
    let common = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let ok = (0..=common.min(old.len())).any(|p| {
        old[p..].starts_with(ov)
            && new[p..].starts_with(nv)
            && old[..p] == new[..p]
            && old[p + ov.len()..] == new[p + nv.len()..]
    });
    assert!(
        ok,
        "{file}: not just {old_v} -> {new_v}:\n--- old\n{}\n--- new\n{}",
        String::from_utf8_lossy(old),
        String::from_utf8_lossy(new)
    );
}
