//! The passphrase dialog of a test signature we gave up on. gpg-agent, not gpg, starts the
//! pinentry, so stopping git and gpg at the deadline leaves the dialog on the screen
//! (gpg-agent 2.2 does not close it when its client goes). To close exactly our own dialog
//! and no other, the signing git runs with a marker in `PINENTRY_USER_DATA`, which gpg hands
//! to the agent and the agent puts in the pinentry's environment; at the deadline a process
//! of ours whose parent is a `gpg-agent` and whose environment holds that marker is asked to
//! close (SIGINT, as the agent itself cancels a pinentry; SIGTERM a second later). The agent
//! lives on, with every cached passphrase. Where the user sets `PINENTRY_USER_DATA`
//! themselves (a pinentry wrapper reads it) no marker is put in, and nothing is closed.
//! Linux only (it reads `/proc`); elsewhere nothing is closed.

use std::time::{Duration, Instant};

use crate::process::Cmd;

/// The marker of one signing attempt, `None` when the user's own value must stay.
#[derive(Debug, Clone)]
pub struct Marker(Option<String>);

const KEY: &str = "PINENTRY_USER_DATA";

impl Marker {
    pub fn fresh() -> Marker {
        if std::env::var_os(KEY).is_some() {
            return Marker(None);
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Marker(Some(format!(
            "git-secure-release-test-signature:{}:{nanos}",
            std::process::id()
        )))
    }

    /// `cmd` with the marker in its environment.
    pub fn apply(&self, cmd: Cmd) -> Cmd {
        match &self.0 {
            Some(value) => cmd.env(KEY, value),
            None => cmd,
        }
    }

    /// Close the dialogs this attempt opened; how many there were.
    pub fn close_dialogs(&self) -> usize {
        let Some(value) = &self.0 else {
            return 0;
        };
        let dialogs = find(&format!("{KEY}={value}"));
        for &pid in &dialogs {
            signal(pid, rustix::process::Signal::INT);
        }
        let until = Instant::now() + Duration::from_secs(1);
        while Instant::now() < until && dialogs.iter().any(|&p| alive(p)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        for &pid in dialogs.iter().filter(|&&p| alive(p)) {
            signal(pid, rustix::process::Signal::TERM);
        }
        dialogs.len()
    }
}

/// Our processes whose parent is a gpg-agent and whose environment holds `entry` exactly.
fn find(entry: &str) -> Vec<i32> {
    use std::os::unix::fs::MetadataExt as _;
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let me = rustix::process::geteuid().as_raw();
    procs
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .parse::<i32>()
                .ok()
                .map(|p| (p, e.path()))
        })
        .filter(|(_, dir)| dir.metadata().is_ok_and(|m| m.uid() == me))
        .filter(|(_, dir)| {
            std::fs::read(dir.join("environ"))
                .is_ok_and(|env| env.split(|&b| b == 0).any(|e| e == entry.as_bytes()))
        })
        .filter(|(pid, _)| {
            parent(*pid).is_some_and(|pp| command_name(pp).as_deref() == Some("gpg-agent"))
        })
        .map(|(pid, _)| pid)
        .collect()
}

/// The parent of `pid`, from `/proc/PID/stat` (the field after the command's closing paren).
fn parent(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(1)?.parse().ok()
}

fn command_name(pid: i32) -> Option<String> {
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    Some(comm.trim_end().to_owned())
}

/// Whether `pid` is still running (not gone, not a zombie).
fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        s.rfind(')')
            .and_then(|i| s[i + 1..].split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X")
    })
}

fn signal(pid: i32, sig: rustix::process::Signal) {
    if let Some(pid) = rustix::process::Pid::from_raw(pid) {
        let _ = rustix::process::kill_process(pid, sig);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_processes_parent_and_state_are_read_and_no_stranger_matches() {
        // This process's own entry: its parent is the test harness's parent, some process.
        let me = i32::try_from(std::process::id()).expect("pid");
        assert!(super::parent(me).is_some_and(|p| p > 0));
        assert!(super::alive(me));
        assert!(super::find("PINENTRY_USER_DATA=no such marker").is_empty());
    }
}
