//! `signing.key` for ssh signing: the configured key file (or `gpg.ssh.defaultKeyCommand`,
//! or ssh-agent's first key), its private half beside it or in the agent.

use std::path::{Path, PathBuf};

use super::signing::SigningSetup;
use super::{Check, World};

/// ssh: `user.signingkey` is a key file, or a literal key held by ssh-agent.
pub fn ssh_key(world: &World, setup: &SigningSetup) -> Vec<Check> {
    let cmd = world.config_cmd();
    let tail = || {
        vec![
            Check::skip("signing.key-expiry", "ssh keys do not expire"),
            Check::skip("signing.key-identity", "ssh keys carry no user id"),
        ]
    };
    let mut out = Vec::new();
    let key = setup
        .signing_key
        .clone()
        .or_else(|| default_key_command(world));
    let Some(key) = key else {
        out.push(Check::fail(
            "signing.key",
            "user.signingkey is not set; ssh signing needs it",
            format!(
                "{cmd} user.signingkey ~/.ssh/id_ed25519.pub   (make one: ssh-keygen -t ed25519)"
            ),
        ));
        out.extend(tail());
        return out;
    };
    let literal = key
        .strip_prefix("key::")
        .or_else(|| key.starts_with("ssh-").then_some(key.as_str()));
    let check = if let Some(literal) = literal {
        if agent_has(literal) {
            Check::pass("signing.key", "a literal key, held by ssh-agent")
        } else {
            Check::fail(
                "signing.key",
                "user.signingkey is a literal public key, but ssh-agent does not hold it",
                "ssh-add ~/.ssh/id_ed25519   (the private key of that public key)",
            )
        }
    } else {
        let path = crate::git::config::expand_path(&key, &world.cwd);
        file_key(&path, &key, cmd)
    };
    out.push(check);
    out.extend(tail());
    out
}

fn file_key(path: &Path, key: &str, cmd: &str) -> Check {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Check::fail(
            "signing.key",
            format!("user.signingkey = {key}: no such key file"),
            format!(
                "ssh-keygen -t ed25519 -f {}   (or {cmd} user.signingkey <path of your key>)",
                key.trim_end_matches(".pub")
            ),
        );
    };
    if text.starts_with("-----BEGIN") {
        return Check::pass(
            "signing.key",
            format!("private key file {}", path.display()),
        );
    }
    let private = PathBuf::from(path.to_string_lossy().trim_end_matches(".pub").to_owned());
    if private != path && private.is_file() {
        return Check::pass(
            "signing.key",
            format!("{} (private key beside it)", path.display()),
        );
    }
    if agent_has(text.trim()) {
        return Check::pass(
            "signing.key",
            format!("{} (private key in ssh-agent)", path.display()),
        );
    }
    Check::fail(
        "signing.key",
        format!(
            "{} is a public key whose private key is neither beside it nor in ssh-agent",
            path.display()
        ),
        format!("ssh-add {}", private.display()),
    )
}

fn default_key_command(world: &World) -> Option<String> {
    let command = world.config.get("gpg.ssh.defaultKeyCommand")?;
    let mut words = command.split_whitespace();
    let out = crate::process::Cmd::new(words.next()?)
        .args(words)
        .deadline(crate::signing::testsig::time_limit())
        .run()
        .ok()?;
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()?
        .trim()
        .to_owned();
    (out.status.success() && !first.is_empty()).then_some(first)
}

/// Whether ssh-agent holds the key whose public form (`type base64 [comment]`) is `public`.
fn agent_has(public: &str) -> bool {
    let blob = public
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let Ok(out) = crate::process::Cmd::new("ssh-add")
        .arg("-L")
        .deadline(crate::signing::testsig::time_limit())
        .run()
    else {
        return false;
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.starts_with(&blob))
}
