//! Secret keys as gpgme lists them, with the reason a key cannot sign. gpgme's `can_sign()`
//! is true for expired and revoked keys, so expiry and revocation of the key and of its
//! signing subkey are checked here.

use std::path::Path;
use std::time::SystemTime;

use super::Format;

/// A secret key that might sign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    pub fingerprint: String,
    /// (name, email) of each user id; an X.509 certificate's name is its DN.
    pub uids: Vec<(Option<String>, Option<String>)>,
    /// When signing with it stops working: the earlier of the key's and its best signing
    /// subkey's expiry.
    pub expires: Option<SystemTime>,
    /// Why it cannot sign; `None` when it can.
    pub problem: Option<String>,
}

impl KeyInfo {
    pub fn usable(&self) -> bool {
        self.problem.is_none()
    }

    /// Whether a user id carries `email` (case-insensitive).
    pub fn has_email(&self, email: &str) -> bool {
        self.uids
            .iter()
            .any(|(_, e)| e.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(email)))
    }

    /// The first user id as `Name <email>`.
    pub fn label(&self) -> String {
        match self.uids.first() {
            Some((Some(n), Some(e))) => format!("{n} <{e}>"),
            Some((Some(n), None)) => n.clone(),
            Some((None, Some(e))) => format!("<{e}>"),
            _ => self.fingerprint.clone(),
        }
    }
}

/// A date as YYYY-MM-DD.
pub fn date(t: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t)
        .format("%Y-%m-%d")
        .to_string()
}

/// A user id's name and email; an X.509 certificate's user id is its subject DN (taken as
/// the name) or `<email>` (taken without the brackets).
pub fn uid_parts(uid: &gpgme::UserId<'_>) -> (Option<String>, Option<String>) {
    let name = uid.name().ok().filter(|n| !n.is_empty());
    let name = name.or_else(|| {
        uid.id()
            .ok()
            .filter(|i| !i.starts_with('<') && !i.is_empty())
    });
    let email = uid
        .email()
        .ok()
        .map(|e| e.trim_start_matches('<').trim_end_matches('>'))
        .filter(|e| !e.is_empty());
    (name.map(str::to_owned), email.map(str::to_owned))
}

/// The name and email a signer is shown with: the first user id that has each.
pub fn signer_parts(key: &gpgme::Key) -> (Option<String>, Option<String>) {
    key.user_ids()
        .map(|u| uid_parts(&u))
        .fold((None, None), |a, b| (a.0.or(b.0), a.1.or(b.1)))
}

fn describe(key: &gpgme::Key) -> KeyInfo {
    let uids: Vec<_> = key.user_ids().map(|u| uid_parts(&u)).collect();
    let primary_expiry = key.primary_key().and_then(|k| k.expiration_time());
    let signing: Vec<_> = key.subkeys().filter(|s| s.can_sign()).collect();
    let usable: Vec<_> = signing
        .iter()
        .filter(|s| {
            !s.is_expired()
                && !s.is_revoked()
                && !s.is_invalid()
                && !s.is_disabled()
                && s.is_secret()
        })
        .collect();
    let problem = if key.is_revoked() {
        Some("it has been revoked".to_owned())
    } else if key.is_expired() {
        Some(format!(
            "it expired on {}",
            primary_expiry.map_or_else(|| "an earlier date".into(), date)
        ))
    } else if key.is_disabled() {
        Some("it is disabled".to_owned())
    } else if key.is_invalid() {
        Some("gpg considers it invalid".to_owned())
    } else if signing.is_empty() {
        Some("it has no subkey that can sign".to_owned())
    } else if usable.is_empty() {
        let expired = signing.iter().filter_map(|s| s.expiration_time()).max();
        if signing.iter().all(|s| s.is_revoked()) {
            Some("its signing subkey has been revoked".to_owned())
        } else if let Some(t) = expired.filter(|_| signing.iter().any(|s| s.is_expired())) {
            Some(format!("its signing subkey expired on {}", date(t)))
        } else {
            Some("the secret part of its signing subkey is not available".to_owned())
        }
    } else {
        None
    };
    let best_sign = usable.iter().map(|s| s.expiration_time()).max_by_key(|t| {
        t.unwrap_or(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(u32::MAX.into()))
    });
    let expires = match (primary_expiry, best_sign.flatten()) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    KeyInfo {
        fingerprint: key.fingerprint().unwrap_or_default().to_owned(),
        uids,
        expires,
        problem,
    }
}

/// [`secret_keys`], given up after `limit`: gpgme runs the program (even for `--version`),
/// and a program that hangs must not hang the caller.
///
/// Not stoppable: gpgme starts gpg itself, out of reach of the process runner's deadline, so
/// past `limit` the caller goes on without the answer while the listing thread waits for gpg
/// to end (a key listing never asks for a passphrase; a gpg that hangs here hangs for any
/// caller) and at the latest ends with this process.
pub fn secret_keys_limited(
    format: Format,
    program: &Path,
    pattern: Option<&str>,
    limit: std::time::Duration,
) -> Result<Vec<KeyInfo>, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let program_owned = program.to_path_buf();
    let pattern_owned = pattern.map(str::to_owned);
    std::thread::spawn(move || {
        let _ = tx.send(secret_keys(
            format,
            &program_owned,
            pattern_owned.as_deref(),
        ));
    });
    rx.recv_timeout(limit).unwrap_or_else(|_| {
        Err(format!(
            "{} did not answer within {:.0} s",
            program.display(),
            limit.as_secs_f64()
        ))
    })
}

/// The secret keys `pattern` names (as gpg reads a key specification), or all of them.
pub fn secret_keys(
    format: Format,
    program: &Path,
    pattern: Option<&str>,
) -> Result<Vec<KeyInfo>, String> {
    let mut ctx = super::gpg::context(format, program)?;
    let keys = match pattern {
        Some(p) => ctx
            .find_secret_keys([p])
            .map_err(|e| e.to_string())?
            .collect::<Vec<_>>(),
        None => ctx
            .secret_keys()
            .map_err(|e| e.to_string())?
            .collect::<Vec<_>>(),
    };
    Ok(keys
        .into_iter()
        .filter_map(Result::ok)
        .map(|k| describe(&k))
        .collect())
}
