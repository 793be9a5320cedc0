//! The one process runner. Every program this tool starts (`git`, `gpg`, `gpgsm`,
//! `ssh-keygen`, `ssh-add`, `gpg.ssh.defaultKeyCommand`, and build commands) is started here:
//! an argument vector (never a shell line), traced under `GIT_SECURE_RELEASE_TRACE`,
//! `GIT_TERMINAL_PROMPT=0` where no terminal is attached, standard input from bytes, a file or
//! nothing, and an optional deadline that kills the whole process group the program leads
//! (the program and whatever it started: gpg, a pinentry, an agent's helper).
//!
//! gpgme starts its own gpg processes out of our reach; see `signing::keys` for what that
//! means for time limits.

use std::ffi::{OsStr, OsString};
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

/// What a program gets on its standard input.
#[derive(Debug, Clone, Default)]
pub enum Input {
    /// `/dev/null`.
    #[default]
    Null,
    /// These bytes, then end of file.
    Bytes(Vec<u8>),
    /// This file's content.
    File(PathBuf),
}

/// Why a program did not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot run {program}: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("{program} did not finish within {:.0} s and was stopped", .limit.as_secs_f64())]
    TimedOut { program: String, limit: Duration },
}

impl RunError {
    /// Whether the program itself was not found.
    pub fn not_found(&self) -> bool {
        matches!(self, RunError::Spawn { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// A finished program's exit status and output.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Finished {
    pub fn ok(&self) -> bool {
        self.status.success()
    }

    /// Standard error as text, trimmed.
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).trim().to_owned()
    }
}

/// A program to run: build it, then [`Cmd::run`].
#[derive(Debug, Clone)]
pub struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    dir: Option<PathBuf>,
    env: Vec<(OsString, OsString)>,
    env_remove: Vec<OsString>,
    input: Input,
    deadline: Option<Duration>,
    log: Option<PathBuf>,
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Cmd {
        Cmd {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            dir: None,
            env: Vec::new(),
            env_remove: Vec::new(),
            input: Input::Null,
            deadline: None,
            log: None,
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cmd {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    pub fn dir(mut self, dir: impl AsRef<Path>) -> Cmd {
        self.dir = Some(dir.as_ref().to_path_buf());
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Cmd {
        self.env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Start the program without this variable in its environment.
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Cmd {
        let key = key.as_ref();
        self.env.retain(|(k, _)| k != key);
        self.env_remove.push(key.to_owned());
        self
    }

    /// Send what the program prints, standard output and error interleaved as it wrote
    /// them, to this file (created or truncated) instead of collecting it.
    pub fn log_to(mut self, file: impl AsRef<Path>) -> Cmd {
        self.log = Some(file.as_ref().to_path_buf());
        self
    }

    pub fn input(mut self, input: Input) -> Cmd {
        self.input = input;
        self
    }

    /// Stop the program, and everything it started, when `limit` has passed.
    pub fn deadline(mut self, limit: Duration) -> Cmd {
        self.deadline = Some(limit);
        self
    }

    /// The program with its arguments, folder and environment, not yet started.
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args);
        if let Some(dir) = &self.dir {
            cmd.current_dir(dir);
        }
        if !std::io::stdin().is_terminal() {
            cmd.env("GIT_TERMINAL_PROMPT", "0");
        }
        for key in &self.env_remove {
            cmd.env_remove(key);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    fn display(&self) -> String {
        self.program.to_string_lossy().into_owned()
    }

    /// Run the program to its end (or its deadline) and collect what it printed.
    pub fn run(&self) -> Result<Finished, RunError> {
        crate::report::trace(format_args!(
            "run {:?} {:?}{}",
            self.program,
            self.args,
            self.dir
                .as_ref()
                .map(|d| format!(" in {}", d.display()))
                .unwrap_or_default()
        ));
        let mut cmd = self.command();
        #[cfg(unix)]
        if self.deadline.is_some() {
            // Its own process group, so that the deadline stops all it started.
            std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        }
        let feed = match &self.input {
            Input::Null => {
                cmd.stdin(Stdio::null());
                None
            }
            Input::Bytes(b) => {
                cmd.stdin(Stdio::piped());
                Some(b.clone())
            }
            Input::File(path) => {
                let file = std::fs::File::open(path).map_err(|source| RunError::Spawn {
                    program: format!("{} (its input {})", self.display(), path.display()),
                    source,
                })?;
                cmd.stdin(file);
                None
            }
        };
        match &self.log {
            None => {
                cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
            }
            Some(path) => {
                let spawn_error = |source| RunError::Spawn {
                    program: format!("{} (its log {})", self.display(), path.display()),
                    source,
                };
                let file = std::fs::File::create(path).map_err(spawn_error)?;
                let copy = file.try_clone().map_err(spawn_error)?;
                cmd.stdout(file).stderr(copy);
            }
        }
        let mut child = cmd.spawn().map_err(|source| RunError::Spawn {
            program: self.display(),
            source,
        })?;
        let writer = match (feed, child.stdin.take()) {
            (Some(bytes), Some(mut pipe)) => Some(std::thread::spawn(move || {
                // A program may exit before reading it all; that is its answer, not ours.
                let _ = pipe.write_all(&bytes);
            })),
            _ => None,
        };
        let out_reader = drain(child.stdout.take());
        let err_reader = drain(child.stderr.take());
        let status = match self.deadline {
            None => child.wait().ok(),
            Some(limit) => wait_limited(child, limit),
        };
        let stdout = out_reader.join().unwrap_or_default();
        let stderr = err_reader.join().unwrap_or_default();
        if let Some(w) = writer {
            let _ = w.join();
        }
        match status {
            Some(status) => Ok(Finished {
                status,
                stdout,
                stderr,
            }),
            None => Err(RunError::TimedOut {
                program: self.display(),
                limit: self.deadline.unwrap_or_default(),
            }),
        }
    }
}

impl Cmd {
    /// Start the program with its standard input and output as pipes for the caller (a
    /// long-running reader such as `git cat-file --batch`); standard error is discarded.
    pub fn spawn_piped(&self) -> std::io::Result<std::process::Child> {
        self.start("kept running", Stdio::piped(), Stdio::null())
    }

    /// Run the program, handing each line of its standard output (without the newline) to
    /// `each` as it arrives, so the caller works while the program still writes; standard
    /// error is collected. When `each` returns `false` the program is stopped. No deadline.
    pub fn each_line(&self, mut each: impl FnMut(&[u8]) -> bool) -> Result<Finished, RunError> {
        use std::io::BufRead as _;
        let spawn_error = |source| RunError::Spawn {
            program: self.display(),
            source,
        };
        let mut child = self
            .start("streaming", Stdio::null(), Stdio::piped())
            .map_err(spawn_error)?;
        let err_reader = drain(child.stderr.take());
        if let Some(out) = child.stdout.take() {
            let mut out = std::io::BufReader::with_capacity(64 * 1024, out);
            let mut line = Vec::with_capacity(128);
            loop {
                line.clear();
                match out.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let text = line.strip_suffix(b"\n").unwrap_or(&line);
                        if !each(text) {
                            let _ = child.kill();
                            break;
                        }
                    }
                }
            }
        }
        let status = child.wait().map_err(spawn_error)?;
        Ok(Finished {
            status,
            stdout: Vec::new(),
            stderr: err_reader.join().unwrap_or_default(),
        })
    }

    /// Start the program with `stdin` and `stderr` as given and its standard output piped to
    /// the caller; traced with `how` it runs.
    fn start(
        &self,
        how: &str,
        stdin: Stdio,
        stderr: Stdio,
    ) -> std::io::Result<std::process::Child> {
        crate::report::trace(format_args!(
            "run {:?} {:?} ({how})",
            self.program, self.args
        ));
        let mut cmd = self.command();
        cmd.stdin(stdin).stdout(Stdio::piped()).stderr(stderr);
        cmd.spawn()
    }
}

fn drain<R: std::io::Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

/// Wait for `child` until `limit`; past it, kill its whole process group. `None` when it
/// was killed (or could not be waited for).
fn wait_limited(mut child: std::process::Child, limit: Duration) -> Option<ExitStatus> {
    // Wait in a thread, so the end is seen at once (no polling) and the limit still holds.
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(status)) => Some(status),
        Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => None,
        Err(RecvTimeoutError::Timeout) => {
            kill_group(pid);
            // The waiter thread then reaps the program.
            let _ = rx.recv_timeout(Duration::from_secs(5));
            None
        }
    }
}

/// Kill the process group `pid` leads (the child was started as a group leader).
fn kill_group(pid: u32) {
    #[cfg(unix)]
    if let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_never_a_shell_line() {
        let out = Cmd::new("printf")
            .args(["%s|", "$(touch /nonexistent-x)", "-n", "a b;c"])
            .run()
            .expect("printf runs");
        assert!(out.ok());
        assert_eq!(out.stdout, b"$(touch /nonexistent-x)|-n|a b;c|");
    }

    #[test]
    fn input_from_bytes_and_file() {
        let out = Cmd::new("cat")
            .input(Input::Bytes(b"one\0two".to_vec()))
            .run()
            .expect("cat");
        assert_eq!(out.stdout, b"one\0two");
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("in");
        std::fs::write(&file, vec![b'x'; 300 * 1024]).expect("write");
        let out = Cmd::new("wc")
            .arg("-c")
            .input(Input::File(file))
            .run()
            .expect("wc");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "307200");
    }

    #[test]
    fn the_deadline_stops_the_program_and_what_it_started() {
        let dir = tempfile::tempdir().expect("tempdir");
        let marker = dir.path().join("still-running");
        // The shell starts a grandchild that would write the marker after the deadline.
        let script = format!("(sleep 2; touch '{}') & sleep 30", marker.display());
        let started = std::time::Instant::now();
        let err = Cmd::new("sh")
            .args(["-c", &script])
            .deadline(Duration::from_millis(300))
            .run()
            .expect_err("stopped");
        assert!(matches!(err, RunError::TimedOut { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(2500));
        assert!(!marker.exists(), "the grandchild outlived the deadline");
    }

    #[test]
    fn a_log_gets_both_streams_in_order_and_removed_variables_stay_away() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("build.log");
        let out = Cmd::new("sh")
            .args(["-c", "echo one; echo two >&2; echo \"three${GSR_GONE:-}\""])
            .env("GSR_GONE", "-leaked")
            .env_remove("GSR_GONE")
            .log_to(&log)
            .run()
            .expect("sh runs");
        assert!(out.ok() && out.stdout.is_empty());
        assert_eq!(
            std::fs::read_to_string(&log).expect("log"),
            "one\ntwo\nthree\n"
        );
    }

    #[test]
    fn lines_arrive_one_by_one_and_stop_the_program_when_asked() {
        let mut seen = Vec::new();
        let out = Cmd::new("sh")
            .args(["-c", "printf 'a\\nbb\\n'; echo oops >&2; printf 'last'"])
            .each_line(|l| {
                seen.push(l.to_vec());
                true
            })
            .expect("sh runs");
        assert!(out.ok());
        assert_eq!(seen, [b"a".to_vec(), b"bb".to_vec(), b"last".to_vec()]);
        assert_eq!(out.stderr_text(), "oops");
        let started = std::time::Instant::now();
        let mut n = 0;
        let _ = Cmd::new("sh")
            .args(["-c", "while :; do echo y; done"])
            .each_line(|_| {
                n += 1;
                n < 3
            })
            .expect("sh runs");
        assert_eq!(n, 3);
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_missing_program_is_named() {
        let err = Cmd::new("gsr-no-such-program").run().expect_err("missing");
        assert!(err.not_found());
        assert!(err.to_string().contains("gsr-no-such-program"), "{err}");
    }
}
