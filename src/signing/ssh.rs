//! ssh signatures, checked by running `ssh-keygen -Y` exactly as git does: find the
//! principals for the signature in `gpg.ssh.allowedSignersFile` at the object's own date,
//! verify against each (with `gpg.ssh.revocationFile`), else `check-novalidate`. The
//! parsing of ssh-keygen's answer is the pure [`parse_good`].

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::process::{Cmd, Input};

use super::{Format, Signer, Status, Trust, Verdict};

/// Where ssh signatures are checked against, from git's configuration.
#[derive(Clone, Debug, Default)]
pub struct SshConfig {
    pub program: PathBuf,
    pub allowed_signers: Option<PathBuf>,
    pub revocation_file: Option<PathBuf>,
}

/// ssh-keygen's first line for a good signature: the principal (when the key is an allowed
/// signer) and the key's fingerprint, as git's `parse_ssh_output` reads them.
pub fn parse_good(output: &str) -> Option<(Option<String>, String)> {
    let line = output.lines().next()?;
    let (principal, rest) = if let Some(rest) = line.strip_prefix("Good \"git\" signature for ") {
        let at = rest.rfind(" with ")?;
        (Some(rest[..at].to_owned()), &rest[at + 1..])
    } else {
        (None, line.strip_prefix("Good \"git\" signature with ")?)
    };
    let key = rest.find("key ").map(|i| rest[i + 4..].trim().to_owned())?;
    Some((principal, key))
}

fn verify_time(timestamp: Option<i64>) -> Option<String> {
    use chrono::TimeZone as _;
    let t = chrono::Local.timestamp_opt(timestamp?, 0).single()?;
    Some(format!("-Overify-time={}", t.format("%Y%m%d%H%M%S")))
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn run(program: &Path, args: &[&str], stdin: Option<&[u8]>) -> Result<Run, String> {
    let input = stdin.map_or(Input::Null, |b| Input::Bytes(b.to_vec()));
    let out = Cmd::new(program)
        .args(args)
        .input(input)
        .run()
        .map_err(|e| e.to_string())?;
    Ok(Run {
        ok: out.ok(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

pub(crate) fn signer(principal: Option<String>, fingerprint: String) -> Signer {
    Signer {
        fingerprint,
        email: principal.clone().filter(|p| p.contains('@')),
        name: principal,
    }
}

/// The verdicts of ssh verification, shared by the slow path (ssh-keygen) and the fast one
/// (in-process), so that both say exactly the same.
pub mod verdicts {
    use super::{signer, Format, Status, Trust, Verdict};

    const SSH: Option<Format> = Some(Format::Ssh);

    pub fn not_configured() -> Verdict {
        Verdict::new(
            Status::Unverifiable,
            SSH,
            "ssh signature, but gpg.ssh.allowedSignersFile is not configured: set it to a file of `<email> <public key>` lines",
        )
    }

    pub fn missing_file(path: &std::path::Path) -> Verdict {
        Verdict::new(
            Status::Unverifiable,
            SSH,
            format!(
                "ssh signature, but gpg.ssh.allowedSignersFile {} does not exist",
                path.display()
            ),
        )
    }

    pub fn good(principal: Option<String>, key: String, ended_since: bool) -> Verdict {
        let mut v = Verdict::new(Status::Good, SSH, "valid signature");
        v.signer = Some(signer(principal, key));
        v.trust = Some(Trust::Fully);
        if ended_since {
            v.warning = Some("the key's validity in gpg.ssh.allowedSignersFile has ended since this signature was made".into());
        }
        v
    }

    pub fn outside_validity(principal: Option<String>, key: String) -> Verdict {
        let mut v = Verdict::new(
            Status::Untrusted,
            SSH,
            "valid signature, but the object's date is outside the key's validity in gpg.ssh.allowedSignersFile (git does not accept it)",
        );
        v.signer = Some(signer(principal, key));
        v.trust = Some(Trust::Undefined);
        v
    }

    pub fn not_allowed(key: String) -> Verdict {
        let mut v = Verdict::new(
            Status::Untrusted,
            SSH,
            "valid signature, but the key is not an allowed signer in gpg.ssh.allowedSignersFile",
        );
        v.signer = Some(signer(None, key));
        v.trust = Some(Trust::Undefined);
        v
    }

    pub fn revoked(revocation: &str, principal: Option<String>, key: String) -> Verdict {
        let mut v = Verdict::new(
            Status::RevokedKey,
            SSH,
            format!("signed by a key listed in gpg.ssh.revocationFile ({revocation})"),
        );
        v.signer = Some(signer(principal, key));
        v
    }
}

/// The verdict on a signature whose key no allowed signer has at the object's date: bad
/// when it does not match, else outside its validity (allowed at some other time) or not
/// allowed at all.
fn unlisted(
    config: &SshConfig,
    allowed: &Path,
    sig_path: &str,
    time: Option<&str>,
    payload: &[u8],
) -> Result<Verdict, String> {
    let mut check = vec!["-Y", "check-novalidate", "-n", "git", "-s", sig_path];
    check.extend(time);
    let checked = run(&config.program, &check, Some(payload))?;
    let Some((_, key)) = parse_good(&checked.stdout) else {
        return Ok(Verdict::new(
            Status::Bad,
            Some(Format::Ssh),
            first_line(&checked.stderr, "the signature does not match the object"),
        ));
    };
    Ok(match allowed_at_any_time(config, allowed, sig_path)? {
        Some(principal) => verdicts::outside_validity(Some(principal), key),
        None => verdicts::not_allowed(key),
    })
}

/// Verify an ssh `signature` over `payload`, made at `timestamp` (the object's date).
/// Errors only when ssh-keygen itself cannot be run.
pub fn verify(
    config: &SshConfig,
    payload: &[u8],
    signature: &[u8],
    timestamp: Option<i64>,
) -> Result<Verdict, String> {
    let format = Some(Format::Ssh);
    let Some(allowed) = &config.allowed_signers else {
        return Ok(verdicts::not_configured());
    };
    if !allowed.is_file() {
        return Ok(verdicts::missing_file(allowed));
    }
    let mut sig_file = tempfile::Builder::new()
        .prefix(".gsr-sig")
        .tempfile()
        .map_err(|e| format!("cannot write a temporary file: {e}"))?;
    sig_file
        .write_all(signature)
        .and_then(|()| sig_file.flush())
        .map_err(|e| format!("cannot write a temporary file: {e}"))?;
    let sig_path = sig_file.path().to_string_lossy().into_owned();
    let allowed_s = allowed.to_string_lossy().into_owned();
    let time = verify_time(timestamp);

    let mut find = vec!["-Y", "find-principals", "-f", &allowed_s, "-s", &sig_path];
    find.extend(time.as_deref());
    let found = run(&config.program, &find, None)?;
    if found.stderr.contains("usage:") {
        return Err(format!(
            "{} cannot verify signatures (OpenSSH 8.2p1 or later is needed)",
            config.program.display()
        ));
    }
    let principals: Vec<&str> = found
        .stdout
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.is_empty())
        .collect();
    if !found.ok || principals.is_empty() {
        return unlisted(config, allowed, &sig_path, time.as_deref(), payload);
    }
    let revocation = config
        .revocation_file
        .as_ref()
        .filter(|r| r.is_file())
        .map(|r| r.to_string_lossy().into_owned());
    let mut last = None;
    for principal in &principals {
        let mut args = vec![
            "-Y", "verify", "-n", "git", "-f", &allowed_s, "-I", principal, "-s", &sig_path,
        ];
        args.extend(time.as_deref());
        if let Some(r) = &revocation {
            args.extend(["-r", r.as_str()]);
        }
        let out = run(&config.program, &args, Some(payload))?;
        if out.ok && out.stdout.starts_with("Good") {
            let Some((principal, key)) = parse_good(&out.stdout) else {
                return Ok(Verdict::new(
                    Status::Bad,
                    format,
                    "ssh-keygen's answer was not understood",
                ));
            };
            let now = run(
                &config.program,
                &["-Y", "find-principals", "-f", &allowed_s, "-s", &sig_path],
                None,
            )?;
            let ended = !now.ok || now.stdout.trim().is_empty();
            return Ok(verdicts::good(principal, key, ended));
        }
        last = Some(out);
    }
    let out = last
        .map(|o| format!("{}{}", o.stdout, o.stderr))
        .unwrap_or_default();
    if let Some(revocation) = &revocation {
        // ssh-keygen says only "Could not verify signature." for a revoked key: ask again
        // without the revocation file to tell a revoked key from a bad signature.
        let principal = principals.first().copied().unwrap_or_default();
        let mut args = vec![
            "-Y", "verify", "-n", "git", "-f", &allowed_s, "-I", principal, "-s", &sig_path,
        ];
        args.extend(time.as_deref());
        let unrevoked = run(&config.program, &args, Some(payload))?;
        if unrevoked.ok && unrevoked.stdout.starts_with("Good") {
            if let Some((p, k)) = parse_good(&unrevoked.stdout) {
                return Ok(verdicts::revoked(revocation, p, k));
            }
        }
    }
    Ok(Verdict::new(
        Status::Bad,
        format,
        first_line(&out, "the signature does not match the object"),
    ))
}

/// The first principal the allowed-signers file would allow for this signature if its
/// validity options were removed: the key is allowed, only not at the object's date.
fn allowed_at_any_time(
    config: &SshConfig,
    allowed: &Path,
    sig_path: &str,
) -> Result<Option<String>, String> {
    let text = std::fs::read_to_string(allowed)
        .map_err(|e| format!("cannot read {}: {e}", allowed.display()))?;
    let stripped = super::allowed_signers::without_validity(&text);
    let mut file = tempfile::Builder::new()
        .prefix(".gsr-allowed")
        .tempfile()
        .map_err(|e| format!("cannot write a temporary file: {e}"))?;
    file.write_all(stripped.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| format!("cannot write a temporary file: {e}"))?;
    let path = file.path().to_string_lossy().into_owned();
    let found = run(
        &config.program,
        &["-Y", "find-principals", "-f", &path, "-s", sig_path],
        None,
    )?;
    Ok(found
        .ok
        .then(|| found.stdout.lines().next().map(str::to_owned))
        .flatten()
        .filter(|p| !p.is_empty()))
}

fn first_line(text: &str, default: &str) -> String {
    text.lines().find(|l| !l.trim().is_empty()).map_or_else(
        || default.to_owned(),
        |l| format!("{default} ({})", l.trim()),
    )
}

#[cfg(test)]
mod tests {
    use super::parse_good;

    #[test]
    fn reads_ssh_keygen_answers_like_git() {
        assert_eq!(
            parse_good("Good \"git\" signature for a b@x with ED25519 key SHA256:abc\n"),
            Some((Some("a b@x".into()), "SHA256:abc".into()))
        );
        assert_eq!(
            parse_good("Good \"git\" signature for x with y with RSA key SHA256:k"),
            Some((Some("x with y".into()), "SHA256:k".into()))
        );
        assert_eq!(
            parse_good("Good \"git\" signature with ED25519 key SHA256:z"),
            Some((None, "SHA256:z".into()))
        );
        assert_eq!(parse_good("Could not verify signature."), None);
        assert_eq!(parse_good(""), None);
    }
}
