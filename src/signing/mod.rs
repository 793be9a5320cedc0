//! Keys and signatures. The verification engine ([`engine::Engine`]) gives, for one commit or
//! tag, the verdict of contract §2.3: the same one git itself gives, from the raw object bytes
//! as git reads them. gpgme checks OpenPGP and X.509, `ssh-keygen` checks ssh, and pure
//! functions turn each backend's result into a [`Status`].

pub mod allowed_signers;
pub mod armor;
pub mod engine;
pub mod fast;
pub mod gpg;
pub mod keys;
pub mod named;
pub mod object;
pub mod pinentry;
pub mod ssh;
pub mod testsig;

use std::fmt;

/// The verdict on one object, as contract §2.3's table names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Good,
    Unsigned,
    Bad,
    UnknownKey,
    ExpiredKey,
    ExpiredSignature,
    RevokedKey,
    Untrusted,
    Unverifiable,
    TagNameMismatch,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Good => "good",
            Status::Unsigned => "unsigned",
            Status::Bad => "bad",
            Status::UnknownKey => "unknown-key",
            Status::ExpiredKey => "expired-key",
            Status::ExpiredSignature => "expired-signature",
            Status::RevokedKey => "revoked-key",
            Status::Untrusted => "untrusted",
            Status::Unverifiable => "unverifiable",
            Status::TagNameMismatch => "tag-name-mismatch",
        }
    }

    /// Whether an object with this status passes `verify` (expired-key with a warning).
    pub fn passes(self) -> bool {
        matches!(self, Status::Good | Status::ExpiredKey)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The signature format, chosen from the armor line as git chooses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Openpgp,
    X509,
    Ssh,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Openpgp => "openpgp",
            Format::X509 => "x509",
            Format::Ssh => "ssh",
        }
    }

    /// The format of a signature, from its first line (git's `get_format_by_sig`).
    pub fn of_signature(sig: &[u8]) -> Option<Format> {
        const ARMORS: [(&[u8], Format); 4] = [
            (b"-----BEGIN PGP SIGNATURE-----", Format::Openpgp),
            (b"-----BEGIN PGP MESSAGE-----", Format::Openpgp),
            (b"-----BEGIN SIGNED MESSAGE-----", Format::X509),
            (b"-----BEGIN SSH SIGNATURE-----", Format::Ssh),
        ];
        ARMORS
            .iter()
            .find(|(a, _)| sig.starts_with(a))
            .map(|(_, f)| *f)
    }
}

/// A trust level, in git's order (`gpg.minTrustLevel`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trust {
    Undefined,
    Never,
    Marginal,
    Fully,
    Ultimate,
}

impl Trust {
    /// Parse a `gpg.minTrustLevel` value, case-insensitively, as git does.
    pub fn parse(value: &str) -> Option<Trust> {
        match value.to_ascii_lowercase().as_str() {
            "undefined" => Some(Trust::Undefined),
            "never" => Some(Trust::Never),
            "marginal" => Some(Trust::Marginal),
            "fully" => Some(Trust::Fully),
            "ultimate" => Some(Trust::Ultimate),
            _ => None,
        }
    }
}

/// Who made a signature.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Signer {
    pub fingerprint: String,
    pub name: Option<String>,
    pub email: Option<String>,
}

impl fmt::Display for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.name, &self.email) {
            (Some(n), Some(e)) => write!(f, "{n} <{e}>")?,
            (Some(n), None) => write!(f, "{n}")?,
            (None, Some(e)) => write!(f, "<{e}>")?,
            (None, None) => {}
        }
        if self.name.is_some() || self.email.is_some() {
            f.write_str(" ")?;
        }
        write!(f, "[{}]", self.fingerprint)
    }
}

/// The verdict on one object's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub format: Option<Format>,
    pub signer: Option<Signer>,
    pub trust: Option<Trust>,
    /// What was found, in a sentence.
    pub message: String,
    /// Something to point out even though the verdict stands (an expired ssh key, say).
    pub warning: Option<String>,
}

impl Verdict {
    pub fn new(status: Status, format: Option<Format>, message: impl Into<String>) -> Verdict {
        Verdict {
            status,
            format,
            signer: None,
            trust: None,
            message: message.into(),
            warning: None,
        }
    }
}
