//! ssh signatures checked in-process (the ssh-key crate's SSHSIG), with the allowed-signers
//! and revocation files read once, and the object's own date as check time, as git has
//! ssh-keygen do. Only what is certain is answered: certificates, principal patterns,
//! namespaces options, KRLs and failed signatures are left to ssh-keygen.

use std::path::{Path, PathBuf};

use ssh_key::{HashAlg, PublicKey, SshSig};

use crate::signing::allowed_signers;
use crate::signing::ssh::verdicts;
use crate::signing::Verdict;

/// One allowed signer, ready to compare.
#[derive(Debug)]
struct Signer {
    principals: String,
    key: PublicKey,
    after: Option<i64>,
    before: Option<i64>,
}

/// The files git's configuration names, read once.
#[derive(Debug)]
pub struct SshFiles {
    allowed: Option<Result<Vec<Signer>, ()>>,
    allowed_path: Option<PathBuf>,
    /// `None`: no revocation file; `Some(Err)`: one we cannot read in-process (a KRL).
    revoked: Option<Result<Vec<PublicKey>, ()>>,
    revocation_path: Option<String>,
}

/// `YYYYMMDD[HHMM[SS]][Z]` as ssh-keygen reads it: local time unless it ends with Z.
pub fn parse_time(text: &str) -> Option<i64> {
    use chrono::TimeZone as _;
    let (digits, utc) = match text.strip_suffix(['Z', 'z']) {
        Some(d) => (d, true),
        None => (text, false),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let padded = match digits.len() {
        8 => format!("{digits}000000"),
        12 => format!("{digits}00"),
        14 => digits.to_owned(),
        _ => return None,
    };
    let naive = chrono::NaiveDateTime::parse_from_str(&padded, "%Y%m%d%H%M%S").ok()?;
    if utc {
        Some(naive.and_utc().timestamp())
    } else {
        chrono::Local
            .from_local_datetime(&naive)
            .single()
            .map(|t| t.timestamp())
    }
}

fn read_allowed(path: &Path) -> Result<Vec<Signer>, ()> {
    let text = std::fs::read_to_string(path).map_err(|_| ())?;
    let mut out = Vec::new();
    for entry in allowed_signers::parse(&text) {
        if entry.principals.contains(['*', '?', '!', ',']) {
            return Err(()); // patterns and lists: ssh-keygen's word
        }
        let (mut after, mut before) = (None, None);
        for option in &entry.options {
            let (name, value) = option.split_once('=').unwrap_or((option, ""));
            let value = value.trim_matches('"');
            match name.to_ascii_lowercase().as_str() {
                "valid-after" => after = Some(parse_time(value).ok_or(())?),
                "valid-before" => before = Some(parse_time(value).ok_or(())?),
                _ => return Err(()), // cert-authority, namespaces, …
            }
        }
        let key = PublicKey::from_openssh(&format!("{} {}", entry.key_type, entry.key))
            .map_err(|_| ())?;
        out.push(Signer {
            principals: entry.principals,
            key,
            after,
            before,
        });
    }
    Ok(out)
}

fn read_revoked(path: &Path) -> Result<Vec<PublicKey>, ()> {
    let text = std::fs::read_to_string(path).map_err(|_| ())?;
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| PublicKey::from_openssh(l).map_err(|_| ()))
        .collect()
}

impl SshFiles {
    pub fn new(allowed: Option<&Path>, revocation: Option<&Path>) -> SshFiles {
        SshFiles {
            allowed: allowed.filter(|p| p.is_file()).map(read_allowed),
            allowed_path: allowed.map(Path::to_path_buf),
            revoked: revocation.filter(|p| p.is_file()).map(read_revoked),
            revocation_path: revocation
                .filter(|p| p.is_file())
                .map(|p| p.to_string_lossy().into_owned()),
        }
    }

    /// The verdict ssh-keygen would lead git to, when certain.
    pub fn check(&self, payload: &[u8], signature: &[u8], timestamp: i64) -> Option<Verdict> {
        let Some(path) = &self.allowed_path else {
            return Some(verdicts::not_configured());
        };
        let Some(allowed) = &self.allowed else {
            return Some(verdicts::missing_file(path));
        };
        let allowed = allowed.as_ref().ok()?;
        let text = std::str::from_utf8(signature).ok()?;
        let sig = SshSig::from_pem(text.trim_end()).ok()?;
        if sig.namespace() != "git" {
            return None;
        }
        let key = PublicKey::from(sig.public_key().clone());
        if key.verify("git", payload, &sig).is_err() {
            return None; // bad, or an algorithm not built in: ssh-keygen's word
        }
        let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
        let valid_at =
            |s: &Signer, t: i64| s.after.is_none_or(|a| t >= a) && s.before.is_none_or(|b| t <= b);
        let mine: Vec<&Signer> = allowed
            .iter()
            .filter(|s| s.key.key_data() == key.key_data())
            .collect();
        let Some(signer) = mine.iter().find(|s| valid_at(s, timestamp)) else {
            return Some(match mine.first() {
                Some(s) => verdicts::outside_validity(Some(s.principals.clone()), fingerprint),
                None => verdicts::not_allowed(fingerprint),
            });
        };
        match &self.revoked {
            Some(Err(())) => return None,
            Some(Ok(revoked)) if revoked.iter().any(|r| r.key_data() == key.key_data()) => {
                return Some(verdicts::revoked(
                    self.revocation_path.as_deref().unwrap_or(""),
                    Some(signer.principals.clone()),
                    fingerprint,
                ));
            }
            _ => {}
        }
        let now = chrono::Utc::now().timestamp();
        let ended = !mine.iter().any(|s| valid_at(s, now));
        Some(verdicts::good(
            Some(signer.principals.clone()),
            fingerprint,
            ended,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn ssh_times() {
        assert_eq!(parse_time("20200101Z"), Some(1_577_836_800));
        assert_eq!(parse_time("202001010000Z"), Some(1_577_836_800));
        assert_eq!(parse_time("20200101000001Z"), Some(1_577_836_801));
        assert!(parse_time("2020").is_none());
        assert!(parse_time("2020-01-01").is_none());
        assert!(parse_time("20200101").is_some());
    }
}
