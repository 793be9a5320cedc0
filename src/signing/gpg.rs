//! OpenPGP and X.509 signatures through gpgme, with the program git would use
//! (`gpg.program`, `gpg.x509.program`). The mapping from gpgme's answer to a [`Verdict`] is
//! the pure [`classify`], so the rules can be tested without gpg.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use gpgme::{Context, Protocol, Validity};

use super::{Format, Signer, Status, Trust, Verdict};

/// What gpgme said of one signature in a verification result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Good,
    Bad,
    NoPubkey,
    SigExpired,
    KeyExpired,
    Revoked,
    /// Any other error, with gpgme's text.
    Error(String),
}

/// One signature of a verification result, reduced to what the verdict needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigFacts {
    pub outcome: Outcome,
    pub trust: Trust,
    pub signer: Signer,
}

/// The verdict git would give for a gpg verification result: one signature only (two are
/// `bad`, as git's "exclusive status" rule has it), its outcome, and its trust against
/// `gpg.minTrustLevel`.
pub fn classify(format: Format, sigs: &[SigFacts], min_trust: Option<Trust>) -> Verdict {
    let Some(sig) = sigs.first() else {
        return Verdict::new(
            Status::Bad,
            Some(format),
            "the signature holds no signature packet git can check",
        );
    };
    if sigs.len() > 1 {
        return Verdict::new(
            Status::Bad,
            Some(format),
            format!(
                "{} signatures in one armor; git accepts exactly one",
                sigs.len()
            ),
        );
    }
    let key = &sig.signer.fingerprint;
    let (status, message) = match &sig.outcome {
        Outcome::Good => match min_trust {
            Some(min) if sig.trust < min => (
                Status::Untrusted,
                format!("valid signature, but the key's trust is {:?}, below gpg.minTrustLevel {:?}", sig.trust, min).to_lowercase(),
            ),
            _ => (Status::Good, "valid signature".to_owned()),
        },
        Outcome::Bad => (Status::Bad, "the signature does not match the object".to_owned()),
        Outcome::NoPubkey => (
            Status::UnknownKey,
            format!("signed by key {key}, which is not in the keyring; import the public key to check it"),
        ),
        Outcome::SigExpired => (Status::ExpiredSignature, "the signature has expired".to_owned()),
        Outcome::KeyExpired => (Status::ExpiredKey, "valid signature by a key that has since expired".to_owned()),
        Outcome::Revoked => (Status::RevokedKey, "signed by a key that has been revoked".to_owned()),
        Outcome::Error(e) => (Status::Bad, format!("the signature cannot be checked: {e}")),
    };
    let mut verdict = Verdict::new(status, Some(format), message);
    verdict.signer = Some(sig.signer.clone());
    verdict.trust = Some(sig.trust);
    verdict
}

static CONTEXT_MADE: AtomicBool = AtomicBool::new(false);

/// Tell gpgme, before its first context, that this run needs no X.509: then it does not run
/// gpgconf (three processes) nor `gpgsm --version` to learn where every engine lives, which
/// is most of what its start costs — but it then knows no gpgsm at all, so only a command
/// that knows every format it will meet (the release does) may ask. Returns whether it took
/// effect.
pub fn without_x509() -> bool {
    !CONTEXT_MADE.load(Ordering::SeqCst) && gpgme::set_flag("disable-gpgconf", "1").is_ok()
}

/// A gpgme context for `format` running `program` (gpg.program or gpg.x509.program, already
/// resolved), offline: the one way this crate talks to GnuPG.
pub fn context(format: Format, program: &Path) -> Result<Context, String> {
    let protocol = if format == Format::X509 {
        Protocol::Cms
    } else {
        Protocol::OpenPgp
    };
    CONTEXT_MADE.store(true, Ordering::SeqCst);
    let mut ctx =
        Context::from_protocol(protocol).map_err(|e| format!("gpgme cannot start: {e}"))?;
    // gpgme already knows (and has run `--version` on) its default engine: naming that same
    // program again would only run it once more.
    let known = ctx
        .engine_info()
        .path()
        .ok()
        .is_some_and(|p| Path::new(p) == program);
    if !known {
        ctx.set_engine_path(program.to_string_lossy().as_ref())
            .map_err(|e| format!("gpgme cannot use {}: {e}", program.display()))?;
    }
    ctx.set_offline(true);
    Ok(ctx)
}

/// Verifies OpenPGP or X.509 signatures through one gpgme context, kept for the whole run.
pub struct GpgVerifier {
    format: Format,
    ctx: Context,
    /// The program git would run (gpg.program, gpg.x509.program).
    program: std::path::PathBuf,
    /// What each signing key's listing says, looked up once per key per run.
    keys: HashMap<String, Option<KeyFacts>>,
}

/// The parts of a key listing a verdict needs.
#[derive(Clone, Debug)]
struct KeyFacts {
    primary: String,
    name: Option<String>,
    email: Option<String>,
    owner_ultimate: bool,
}

impl KeyFacts {
    fn of(key: &gpgme::Key) -> KeyFacts {
        let mut facts = KeyFacts {
            primary: key.fingerprint().unwrap_or_default().to_owned(),
            name: None,
            email: None,
            owner_ultimate: key.owner_trust() == Validity::Ultimate,
        };
        (facts.name, facts.email) = super::keys::signer_parts(key);
        facts
    }
}

impl std::fmt::Debug for GpgVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpgVerifier")
            .field("format", &self.format)
            .finish()
    }
}

impl GpgVerifier {
    /// A verifier running `program` (already resolved to a path).
    pub fn new(format: Format, program: &Path) -> Result<GpgVerifier, String> {
        let ctx = context(format, program)?;
        Ok(GpgVerifier {
            format,
            ctx,
            program: program.to_path_buf(),
            keys: HashMap::new(),
        })
    }

    /// Check `signature` over `payload`.
    pub fn verify(
        &mut self,
        payload: &[u8],
        signature: &[u8],
        min_trust: Option<Trust>,
    ) -> Verdict {
        let facts = match self.ctx.verify_detached(signature, payload) {
            Ok(result) => result
                .signatures()
                .map(|s| {
                    let fpr = s.fingerprint().unwrap_or_default().to_owned();
                    let outcome = match s.status() {
                        Ok(()) => Outcome::Good,
                        Err(e) => match e.code() {
                            c if c == gpgme::Error::BAD_SIGNATURE.code() => Outcome::Bad,
                            c if c == gpgme::Error::NO_PUBKEY.code() => Outcome::NoPubkey,
                            c if c == gpgme::Error::SIG_EXPIRED.code() => Outcome::SigExpired,
                            c if c == gpgme::Error::KEY_EXPIRED.code() => Outcome::KeyExpired,
                            c if c == gpgme::Error::CERT_REVOKED.code() => Outcome::Revoked,
                            _ => Outcome::Error(e.to_string()),
                        },
                    };
                    (fpr, outcome, s.validity())
                })
                .collect::<Vec<_>>(),
            Err(e) => {
                return Verdict::new(
                    Status::Bad,
                    Some(self.format),
                    format!("the signature cannot be read: {e}"),
                );
            }
        };
        let sigs: Vec<SigFacts> = facts
            .into_iter()
            .map(|(fpr, outcome, validity)| self.facts(fpr, outcome, validity))
            .collect();
        let verdict = classify(self.format, &sigs, min_trust);
        if verdict.status == Status::Good {
            if let Some(failure) = self.exits_non_zero(payload, signature) {
                return Verdict {
                    status: Status::Bad,
                    message: failure,
                    ..verdict
                };
            }
        }
        verdict
    }

    /// git's own rule: a signature is good only when the program, run as git runs it
    /// (`--status-fd=1 --verify SIGFILE -`), exits 0, whatever its status lines say. gpgme
    /// does not tell the exit status, so a good verdict is held to one run of the program.
    fn exits_non_zero(&self, payload: &[u8], signature: &[u8]) -> Option<String> {
        use std::io::Write as _;
        let mut file = tempfile::Builder::new()
            .prefix(".gsr-sig")
            .tempfile()
            .ok()?;
        file.write_all(signature).and_then(|()| file.flush()).ok()?;
        let out = crate::process::Cmd::new(&self.program)
            .args(["--status-fd=1", "--verify"])
            .arg(file.path())
            .arg("-")
            .input(crate::process::Input::Bytes(payload.to_vec()))
            .run();
        match out {
            Ok(out) if out.ok() => None,
            Ok(out) => Some(format!(
                "{} exited with status {} although it reported a good signature, so git does not accept it: {}",
                self.program.display(),
                out.status.code().map_or_else(|| "(a signal)".to_owned(), |c| c.to_string()),
                out.stderr_text().lines().find(|l| !l.trim().is_empty()).unwrap_or("")
            )),
            Err(e) => Some(e.to_string()),
        }
    }

    /// Look the key up for the signer's name and for trust gpgme does not report: it folds
    /// ultimate into full, so an ultimately owner-trusted key is read from the key itself.
    fn facts(&mut self, fpr: String, outcome: Outcome, validity: Validity) -> SigFacts {
        let mut trust = match validity {
            Validity::Never => Trust::Never,
            Validity::Marginal => Trust::Marginal,
            Validity::Full => Trust::Fully,
            Validity::Ultimate => Trust::Ultimate,
            _ => Trust::Undefined,
        };
        let key = if outcome == Outcome::NoPubkey {
            None
        } else {
            let ctx = &mut self.ctx;
            self.keys
                .entry(fpr.clone())
                .or_insert_with(|| ctx.get_key(fpr.as_str()).ok().map(|k| KeyFacts::of(&k)))
                .clone()
        };
        let mut signer = Signer {
            fingerprint: fpr,
            ..Signer::default()
        };
        if let Some(key) = key {
            if trust == Trust::Fully && key.owner_ultimate {
                trust = Trust::Ultimate;
            }
            if !key.primary.is_empty() {
                signer.fingerprint = key.primary;
            }
            signer.name = key.name;
            signer.email = key.email;
        }
        SigFacts {
            outcome,
            trust,
            signer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(outcome: Outcome, trust: Trust) -> SigFacts {
        SigFacts {
            outcome,
            trust,
            signer: Signer {
                fingerprint: "ABCD".into(),
                ..Signer::default()
            },
        }
    }

    #[test]
    fn outcomes_map_to_the_contract_statuses() {
        let table = [
            (Outcome::Good, Trust::Ultimate, None, Status::Good),
            (Outcome::Good, Trust::Undefined, None, Status::Good),
            (Outcome::Good, Trust::Never, None, Status::Good),
            (
                Outcome::Good,
                Trust::Undefined,
                Some(Trust::Marginal),
                Status::Untrusted,
            ),
            (
                Outcome::Good,
                Trust::Marginal,
                Some(Trust::Marginal),
                Status::Good,
            ),
            (
                Outcome::Good,
                Trust::Fully,
                Some(Trust::Ultimate),
                Status::Untrusted,
            ),
            (
                Outcome::Good,
                Trust::Ultimate,
                Some(Trust::Ultimate),
                Status::Good,
            ),
            (Outcome::Bad, Trust::Ultimate, None, Status::Bad),
            (
                Outcome::NoPubkey,
                Trust::Undefined,
                None,
                Status::UnknownKey,
            ),
            (
                Outcome::SigExpired,
                Trust::Ultimate,
                None,
                Status::ExpiredSignature,
            ),
            (
                Outcome::KeyExpired,
                Trust::Ultimate,
                None,
                Status::ExpiredKey,
            ),
            (Outcome::Revoked, Trust::Ultimate, None, Status::RevokedKey),
            (
                Outcome::Error("x".into()),
                Trust::Undefined,
                None,
                Status::Bad,
            ),
        ];
        for (outcome, trust, min, want) in table {
            let v = classify(Format::Openpgp, &[facts(outcome.clone(), trust)], min);
            assert_eq!(v.status, want, "{outcome:?} {trust:?} {min:?}");
        }
    }

    #[test]
    fn two_signatures_are_bad_and_none_is_bad() {
        let two = [
            facts(Outcome::Good, Trust::Ultimate),
            facts(Outcome::Good, Trust::Ultimate),
        ];
        assert_eq!(classify(Format::Openpgp, &two, None).status, Status::Bad);
        assert_eq!(classify(Format::X509, &[], None).status, Status::Bad);
    }
}
