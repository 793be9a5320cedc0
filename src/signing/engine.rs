//! The verification engine: one per run, configured from git's own configuration. It keeps
//! one gpgme context per format for the whole run, so a design that verifies many objects
//! pays start-up once per run where the backend allows it.

use std::path::{Path, PathBuf};

use super::fast::openpgp::Keyring;
use super::fast::ssh::SshFiles;
use super::gpg::{classify, GpgVerifier};
use super::object::Signed;
use super::ssh::{self, SshConfig};
use super::{Format, Status, Trust, Verdict};
use crate::git::config::GitConfig;

/// What verification needs from git's configuration.
#[derive(Clone, Debug)]
pub struct VerifyConfig {
    /// (`gpg.program`, the configured or default value) and likewise for x509.
    pub openpgp_program: (String, &'static str),
    pub x509_program: (String, &'static str),
    pub ssh_program: (String, &'static str),
    pub allowed_signers: Option<PathBuf>,
    pub revocation_file: Option<PathBuf>,
    pub min_trust: Option<Trust>,
    /// Decide what can be decided in-process (the fast path) before asking gpg or ssh-keygen.
    pub fast: bool,
}

/// A configuration value git would refuse, or a program that cannot be found.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("gpg.minTrustLevel = {0:?} is not a trust level")]
    BadTrustLevel(String),
    #[error("{key} = {program:?}: the program is not found")]
    ProgramMissing { key: &'static str, program: String },
    #[error("{0}")]
    Backend(String),
}

impl EngineError {
    pub fn hint(&self) -> String {
        match self {
            EngineError::BadTrustLevel(_) => {
                "set it to undefined, never, marginal, fully or ultimate: git config gpg.minTrustLevel fully".into()
            }
            EngineError::ProgramMissing { key, program } if *key == "gpg.ssh.program" => {
                format!("install OpenSSH's ssh-keygen, or point {key} at it (git config {key} /usr/bin/ssh-keygen); {program} was looked for on PATH")
            }
            EngineError::ProgramMissing { key, .. } => {
                format!("install GnuPG (gpg, gpgsm), or point {key} at the program: git config {key} /usr/bin/gpg")
            }
            EngineError::Backend(_) => "check that GnuPG works: gpg --version".into(),
        }
    }
}

impl VerifyConfig {
    /// Read it from git's configuration; `base` resolves relative paths (the work tree).
    pub fn from_git(config: &GitConfig, base: &Path) -> Result<VerifyConfig, EngineError> {
        let program = |keys: &[&'static str], default: &str| {
            let key = keys
                .iter()
                .rev()
                .find(|k| config.get(k).is_some_and(|v| !v.is_empty()));
            match key {
                Some(k) => (config.get(k).unwrap_or(default).to_owned(), *k),
                None => (default.to_owned(), keys[0]),
            }
        };
        let min_trust = match config.get("gpg.minTrustLevel") {
            None => None,
            Some(v) => {
                Some(Trust::parse(v).ok_or_else(|| EngineError::BadTrustLevel(v.to_owned()))?)
            }
        };
        Ok(VerifyConfig {
            openpgp_program: program(&["gpg.program", "gpg.openpgp.program"], "gpg"),
            x509_program: program(&["gpg.x509.program"], "gpgsm"),
            ssh_program: program(&["gpg.ssh.program"], "ssh-keygen"),
            allowed_signers: config.get_path("gpg.ssh.allowedSignersFile", base),
            revocation_file: config.get_path("gpg.ssh.revocationFile", base),
            min_trust,
            fast: std::env::var_os("GIT_SECURE_RELEASE_NO_FAST_PATH")
                .is_none_or(|v| v.is_empty() || v == "0"),
        })
    }
}

/// Find a program as git's run-command would: a path as is, a name on PATH.
fn resolve((program, key): &(String, &'static str)) -> Result<PathBuf, EngineError> {
    which::which(program).map_err(|_| EngineError::ProgramMissing {
        key,
        program: program.clone(),
    })
}

impl Engine {
    /// git holds ssh signers to gpg.minTrustLevel too: an allowed signer counts as "fully".
    fn hold_ssh_to_min_trust(&self, mut verdict: Verdict) -> Verdict {
        if let (Some(Format::Ssh), Status::Good, Some(min), Some(trust)) = (
            verdict.format,
            verdict.status,
            self.config.min_trust,
            verdict.trust,
        ) {
            if trust < min {
                verdict.status = Status::Untrusted;
                verdict.message =
                    format!("valid signature, but an ssh allowed signer counts as fully trusted, below gpg.minTrustLevel {min:?}").to_lowercase();
            }
        }
        verdict
    }
}

/// Verifies commits and tags; one per run.
#[derive(Debug)]
pub struct Engine {
    config: VerifyConfig,
    openpgp: Option<GpgVerifier>,
    x509: Option<GpgVerifier>,
    ssh: Option<SshConfig>,
    /// The fast path's keyring (`Err`: it could not be learned; everything goes to gpg).
    keyring: Option<Result<Keyring, String>>,
    ssh_files: Option<SshFiles>,
}

impl Engine {
    pub fn new(config: VerifyConfig) -> Engine {
        Engine {
            config,
            openpgp: None,
            x509: None,
            ssh: None,
            keyring: None,
            ssh_files: None,
        }
    }

    /// Use the fast path or not (`verify --no-fast-path`).
    pub fn set_fast(&mut self, fast: bool) {
        self.config.fast = fast;
    }

    /// The fast path's verdict, when it is certain of one.
    fn fast(
        &mut self,
        format: Format,
        object: &Signed,
        signature: &[u8],
    ) -> Result<Option<Verdict>, EngineError> {
        match format {
            Format::Openpgp => {
                if self.keyring.is_none() {
                    let program = resolve(&self.config.openpgp_program)?;
                    self.keyring = Some(Keyring::load(&program));
                }
                let Some(Ok(keyring)) = &self.keyring else {
                    return Ok(None);
                };
                Ok(keyring
                    .check(&object.payload, signature)
                    .map(|facts| classify(format, &[facts], self.config.min_trust)))
            }
            Format::Ssh => {
                // git would run this program: when it is missing, so is the verdict.
                resolve(&self.config.ssh_program)?;
                let config = &self.config;
                let files = self.ssh_files.get_or_insert_with(|| {
                    SshFiles::new(
                        config.allowed_signers.as_deref(),
                        config.revocation_file.as_deref(),
                    )
                });
                Ok(object
                    .timestamp
                    .and_then(|t| files.check(&object.payload, signature, t)))
            }
            Format::X509 => Ok(None),
        }
    }

    /// The verdict on one split object. An error means the check could not be made at all
    /// (a program missing): never a false verdict.
    pub fn verify(&mut self, object: &Signed) -> Result<Verdict, EngineError> {
        let verdict = self.verify_any(object)?;
        Ok(self.hold_ssh_to_min_trust(verdict))
    }

    fn verify_any(&mut self, object: &Signed) -> Result<Verdict, EngineError> {
        let Some(signature) = &object.signature else {
            return Ok(Verdict::new(Status::Unsigned, None, "no signature"));
        };
        let Some(format) = object.format() else {
            return Ok(Verdict::new(
                Status::Bad,
                None,
                "the signature is not in a format git knows",
            ));
        };
        if object.timestamp.is_none() {
            return Ok(Verdict::new(
                Status::Bad,
                Some(format),
                "the object has no committer or tagger line, so git cannot check its signature",
            ));
        }
        let min_trust = self.config.min_trust;
        if self.config.fast {
            if let Some(verdict) = self.fast(format, object, signature)? {
                return Ok(verdict);
            }
        }
        match format {
            Format::Openpgp | Format::X509 => {
                let (slot, program) = if format == Format::Openpgp {
                    (&mut self.openpgp, &self.config.openpgp_program)
                } else {
                    (&mut self.x509, &self.config.x509_program)
                };
                if slot.is_none() {
                    let path = resolve(program)?;
                    *slot = Some(GpgVerifier::new(format, &path).map_err(EngineError::Backend)?);
                }
                let verifier = slot
                    .as_mut()
                    .ok_or_else(|| EngineError::Backend("no verifier".into()))?;
                Ok(verifier.verify(&object.payload, signature, min_trust))
            }
            Format::Ssh => {
                if self.ssh.is_none() {
                    self.ssh = Some(SshConfig {
                        program: resolve(&self.config.ssh_program)?,
                        allowed_signers: self.config.allowed_signers.clone(),
                        revocation_file: self.config.revocation_file.clone(),
                    });
                }
                let config = self
                    .ssh
                    .as_ref()
                    .ok_or_else(|| EngineError::Backend("no ssh".into()))?;
                ssh::verify(config, &object.payload, signature, object.timestamp)
                    .map_err(EngineError::Backend)
            }
        }
    }
}
