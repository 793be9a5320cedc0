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
            EngineError::ProgramMissing { key, .. } if *key == "gpg.x509.program" => {
                format!("install gpgsm (apt-get install gpgsm), or point {key} at a gpgsm: git config {key} /usr/bin/gpgsm")
            }
            EngineError::ProgramMissing { key, .. } => {
                format!("install GnuPG (apt-get install gnupg), or point {key} at gpg: git config {key} /usr/bin/gpg")
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

/// Whether `program` is the reference itself (`gpg`, `ssh-keygen`), not a wrapper around it:
/// its real file is named as one of `names` and is not a script. Only then may the fast path
/// answer for it; a wrapper may apply a policy of its own (refuse a key, a date, anything),
/// so each signature goes to it, as git sends it.
fn is_reference(program: &Path, names: &[&str]) -> bool {
    let real = std::fs::canonicalize(program).unwrap_or_else(|_| program.to_path_buf());
    let named = real
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| names.contains(&n));
    let mut head = [0u8; 2];
    let script = std::fs::File::open(&real)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .map_or(true, |()| head == *b"#!");
    named && !script
}

/// Find a program as git's run-command would: a path as is, a name on PATH.
fn resolve((program, key): &(String, &'static str)) -> Result<PathBuf, EngineError> {
    which::which(program).map_err(|_| EngineError::ProgramMissing {
        key,
        program: program.clone(),
    })
}

/// What the fast path knows, learned once: shared read-only by the threads that check
/// many objects at once.
#[derive(Debug, Default)]
pub struct Fast {
    /// The keyring (`Err`: it could not be learned, and OpenPGP goes to gpg).
    keyring: Option<Result<Keyring, String>>,
    ssh_files: Option<SshFiles>,
    min_trust: Option<Trust>,
}

impl Fast {
    /// The verdict on `object` when the fast path is certain of it (the engine has prepared
    /// it with [`Engine::prepare`]); `None` leaves it to the slow path.
    pub fn check(&self, object: &Signed) -> Option<Verdict> {
        if let Some(v) = precheck(object) {
            return Some(v);
        }
        let signature = object.signature.as_deref()?;
        let verdict = match object.format()? {
            Format::Openpgp => {
                let Some(Ok(keyring)) = &self.keyring else {
                    return None;
                };
                let facts = keyring.check(&object.payload, signature)?;
                classify(Format::Openpgp, &[facts], self.min_trust)
            }
            Format::Ssh => {
                self.ssh_files
                    .as_ref()?
                    .check(&object.payload, signature, object.timestamp?)?
            }
            Format::X509 => return None,
        };
        Some(hold_ssh_to_min_trust(verdict, self.min_trust))
    }
}

/// The verdicts decided before any signature is looked at.
fn precheck(object: &Signed) -> Option<Verdict> {
    if object.signature.is_none() {
        return Some(Verdict::new(Status::Unsigned, None, "no signature"));
    }
    let Some(format) = object.format() else {
        return Some(Verdict::new(
            Status::Bad,
            None,
            "the signature is not in a format git knows",
        ));
    };
    if object.timestamp.is_none() {
        return Some(Verdict::new(
            Status::Bad,
            Some(format),
            "the object has no committer or tagger line, so git cannot check its signature",
        ));
    }
    // Two signatures in any form: bad by both paths, as git never accepts them.
    let signature = object.signature.as_deref().unwrap_or_default();
    super::armor::multiple(signature).map(|why| Verdict::new(Status::Bad, Some(format), why))
}

/// git holds ssh signers to gpg.minTrustLevel too: an allowed signer counts as "fully".
fn hold_ssh_to_min_trust(mut verdict: Verdict, min_trust: Option<Trust>) -> Verdict {
    if let (Some(Format::Ssh), Status::Good, Some(min), Some(trust)) =
        (verdict.format, verdict.status, min_trust, verdict.trust)
    {
        if trust < min {
            verdict.status = Status::Untrusted;
            verdict.message =
                format!("valid signature, but an ssh allowed signer counts as fully trusted, below gpg.minTrustLevel {min:?}").to_lowercase();
        }
    }
    verdict
}

/// Verifies commits and tags; one per run.
#[derive(Debug)]
pub struct Engine {
    config: VerifyConfig,
    openpgp: Option<GpgVerifier>,
    x509: Option<GpgVerifier>,
    ssh: Option<SshConfig>,
    fast: Fast,
    /// The OpenPGP keyring being loaded in another thread ([`Engine::preload`]).
    loading: Option<std::thread::JoinHandle<Result<Keyring, String>>>,
}

impl Engine {
    pub fn new(config: VerifyConfig) -> Engine {
        let fast = Fast {
            min_trust: config.min_trust,
            ..Fast::default()
        };
        Engine {
            config,
            openpgp: None,
            x509: None,
            ssh: None,
            fast,
            loading: None,
        }
    }

    /// Start learning, in another thread, what [`Engine::prepare`] would learn for `object`
    /// (the OpenPGP keyring: gpg runs), so that it overlaps other work; `prepare` waits for
    /// it (ssh's signer files are read at once). Nothing is started when the fast path is off
    /// or the program is missing (then `prepare` says so).
    pub fn preload(&mut self, object: &Signed) {
        if object.format() == Some(Format::Ssh) {
            // Two small files, read here and now; a missing program is `prepare`'s to report.
            let _ = self.prepare(object);
            return;
        }
        if !self.config.fast
            || precheck(object).is_some()
            || object.format() != Some(Format::Openpgp)
            || self.fast.keyring.is_some()
            || self.loading.is_some()
        {
            return;
        }
        if let Some(program) = resolve(&self.config.openpgp_program)
            .ok()
            .filter(|p| is_reference(p, &["gpg", "gpg2"]))
        {
            self.loading = Some(std::thread::spawn(move || {
                let keyring = Keyring::load(&program);
                crate::report::trace("keyring loaded");
                keyring
            }));
        }
    }

    /// Wait for the keyring being loaded by [`Engine::preload`], if it is. Call it before
    /// starting a program whose output is read while the engine is used: gpgme's pipes are
    /// inheritable, and a program started while gpgme waits on one holds it open, so gpgme
    /// would wait for that program, and that program for us (found by a deadlock of
    /// `verify --commits` with `git rev-list`).
    pub fn settle(&mut self) {
        if let Some(loading) = self.loading.take() {
            self.fast.keyring = Some(
                loading
                    .join()
                    .unwrap_or_else(|_| Err("loading the keyring stopped".into())),
            );
        }
    }

    /// Use the fast path or not (`verify --no-fast-path`).
    pub fn set_fast(&mut self, fast: bool) {
        self.config.fast = fast;
    }

    /// The fast path, when it is on.
    pub fn fast(&self) -> Option<&Fast> {
        self.config.fast.then_some(&self.fast)
    }

    /// Learn what the fast path needs for `object`'s format (once per run). Fails when the
    /// program git would run for it is missing: then there is no verdict to give.
    pub fn prepare(&mut self, object: &Signed) -> Result<(), EngineError> {
        if !self.config.fast || precheck(object).is_some() {
            return Ok(());
        }
        match object.format() {
            Some(Format::Openpgp) if self.fast.keyring.is_none() => {
                // A missing program is the slow path's verdict (unverifiable).
                let Ok(program) = resolve(&self.config.openpgp_program) else {
                    return Ok(());
                };
                if !is_reference(&program, &["gpg", "gpg2"]) {
                    self.fast.keyring = Some(Err(format!(
                        "{} is not gpg itself: each signature goes to it",
                        self.config.openpgp_program.1
                    )));
                    return Ok(());
                }
                // The keyring preloaded in another thread, else learned here.
                self.settle();
                if self.fast.keyring.is_none() {
                    self.fast.keyring = Some(Keyring::load(&program));
                }
            }
            Some(Format::Ssh) if self.fast.ssh_files.is_none() => {
                // git would run this program: when it is missing, the slow path says so.
                match resolve(&self.config.ssh_program) {
                    Ok(p) if is_reference(&p, &["ssh-keygen"]) => {}
                    // Missing: the slow path says so. A wrapper: it decides each one.
                    _ => return Ok(()),
                }
                let (allowed, revocation) = (
                    self.config.allowed_signers.as_deref(),
                    self.config.revocation_file.as_deref(),
                );
                self.fast.ssh_files = Some(SshFiles::new(allowed, revocation));
            }
            _ => {}
        }
        Ok(())
    }

    /// The verdict on one split object: the fast path's when it is certain, else gpg's or
    /// ssh-keygen's. An error means the check could not be made at all (a program missing):
    /// never a false verdict.
    pub fn verify(&mut self, object: &Signed) -> Result<Verdict, EngineError> {
        self.prepare(object)?;
        if let Some(v) = self.fast().and_then(|f| f.check(object)) {
            return Ok(v);
        }
        self.verify_slow(object)
    }

    /// The verdict of gpg (through gpgme) or ssh-keygen, one process per object.
    pub fn verify_slow(&mut self, object: &Signed) -> Result<Verdict, EngineError> {
        match self.verify_slow_or_missing(object) {
            // No program to check it with is a verdict on this object, not on the run.
            Err(e @ EngineError::ProgramMissing { .. }) => Ok(Verdict::new(
                Status::Unverifiable,
                object.format(),
                format!(
                    "{e}, so nothing here can check this signature; {}",
                    e.hint()
                ),
            )),
            other => other,
        }
    }

    fn verify_slow_or_missing(&mut self, object: &Signed) -> Result<Verdict, EngineError> {
        if let Some(v) = precheck(object) {
            return Ok(v);
        }
        let (Some(signature), Some(format)) = (&object.signature, object.format()) else {
            return Ok(Verdict::new(Status::Bad, None, "no signature to check"));
        };
        let min_trust = self.config.min_trust;
        let verdict = match format {
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
                verifier.verify(&object.payload, signature, min_trust)
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
                    .map_err(EngineError::Backend)?
            }
        };
        Ok(hold_ssh_to_min_trust(verdict, min_trust))
    }
}
