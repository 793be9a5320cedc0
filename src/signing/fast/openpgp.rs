//! OpenPGP signatures checked in-process (rPGP), against the keyring's state learned once per
//! run from gpg through gpgme: a key listing (validity, owner trust, expiry, revocation,
//! capabilities) and the public keys' material (read from gpg's own keybox file where it is
//! plainly the one gpg reads, else exported by gpg). Only what is certain is answered; the
//! rest (two signatures, unsupported algorithms, a bad signature, ambiguous key states) is
//! left to gpg.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use gpgme::{ExportMode, Validity};
use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{
    PublicKey, PublicSubkey, SignatureType, SignatureVersion, Subpacket, SubpacketData,
};
use pgp::types::{KeyDetails, PublicKeyTrait};

use super::rsa::{modulus_of, Modulus, Quick};
use crate::signing::gpg::{Outcome, SigFacts};
use crate::signing::{Signer, Trust};

/// What gpg's listing says of one key and its subkeys.
#[derive(Debug, Clone)]
struct KeyState {
    primary: String,
    name: Option<String>,
    email: Option<String>,
    revoked: bool,
    expired: bool,
    unusable: bool,
    /// The validity of the key's user ids; `None` when they disagree (left to gpg).
    trust: Option<Trust>,
}

#[derive(Debug, Clone)]
struct SubState {
    key: usize,
    revoked: bool,
    expired: bool,
    can_sign: bool,
}

/// Public key material, by fingerprint, with an RSA key's modulus prepared.
enum Material {
    Primary(PublicKey, Option<Modulus>),
    Sub(PublicSubkey, Option<Modulus>),
}

/// The keyring, learned once.
pub struct Keyring {
    keys: Vec<KeyState>,
    /// Every (sub)key by fingerprint and by key id (upper-case hex).
    by_id: HashMap<String, SubState>,
    material: HashMap<String, Material>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("keys", &self.keys.len())
            .finish()
    }
}

/// Each key's and subkey's material by fingerprint, RSA moduli prepared.
fn material_of(keys: Vec<SignedPublicKey>) -> HashMap<String, Material> {
    let mut material = HashMap::new();
    for key in keys {
        for sub in key.public_subkeys {
            let modulus = modulus_of(sub.key.public_params());
            material.insert(
                format!("{:X}", sub.key.fingerprint()),
                Material::Sub(sub.key, modulus),
            );
        }
        let modulus = modulus_of(key.primary_key.public_params());
        material.insert(
            format!("{:X}", key.primary_key.fingerprint()),
            Material::Primary(key.primary_key, modulus),
        );
    }
    material
}

/// Every key of a packet stream; an error when any one does not parse (then the keybox is
/// not taken, and gpg exports instead).
pub fn parse_all(packets: Vec<u8>) -> Result<Vec<SignedPublicKey>, String> {
    SignedPublicKey::from_bytes_many(Cursor::new(packets))
        .map_err(|e| e.to_string())?
        .map(|k| k.map_err(|e| e.to_string()))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn trust_of(v: Validity) -> Trust {
    match v {
        Validity::Never => Trust::Never,
        Validity::Marginal => Trust::Marginal,
        Validity::Full => Trust::Fully,
        Validity::Ultimate => Trust::Ultimate,
        _ => Trust::Undefined,
    }
}

impl Keyring {
    /// List the public keys with `program` (gpg.program) and take their material from gpg's
    /// keybox, or from an export where the keybox cannot be read with certainty: one or two
    /// gpg runs.
    pub fn load(program: &Path) -> Result<Keyring, String> {
        let mut ctx = crate::signing::gpg::context(crate::signing::Format::Openpgp, program)?;
        // gpg's options that change verdicts beyond what this path models: gpg decides. The
        // option files are read once, for that and for where the keys' material is.
        let stand_aside = |why: String| {
            crate::report::trace(format_args!("keyring: not used by the fast path: {why}"));
            format!("{why}: gpg decides")
        };
        let gpg_home =
            super::keybox::home(&ctx).ok_or_else(|| stand_aside("gpg's home is unknown".into()))?;
        let options = super::keybox::options(&gpg_home).map_err(stand_aside)?;
        if let Some(why) = super::keybox::verdict_option(&options) {
            return Err(stand_aside(why));
        }
        let home = super::keybox::plain_home(&ctx, program, &gpg_home, &options);
        let mut keys = Vec::new();
        let mut by_id = HashMap::new();
        for key in ctx
            .keys()
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
        {
            let validities: Vec<Trust> = key
                .user_ids()
                .filter(|u| !u.is_revoked() && !u.is_invalid())
                .map(|u| trust_of(u.validity()))
                .collect();
            let mut trust = validities
                .first()
                .copied()
                .filter(|t| validities.iter().all(|v| v == t));
            if trust == Some(Trust::Fully) && key.owner_trust() == Validity::Ultimate {
                trust = Some(Trust::Ultimate);
            }
            let (name, email) = crate::signing::keys::signer_parts(&key);
            let index = keys.len();
            keys.push(KeyState {
                primary: key.fingerprint().unwrap_or_default().to_owned(),
                name,
                email,
                revoked: key.is_revoked(),
                expired: key.is_expired(),
                unusable: key.is_disabled() || key.is_invalid(),
                trust,
            });
            for sub in key.subkeys() {
                let state = SubState {
                    key: index,
                    revoked: sub.is_revoked(),
                    expired: sub.is_expired(),
                    can_sign: sub.can_sign() && !sub.is_invalid() && !sub.is_disabled(),
                };
                if let Ok(fpr) = sub.fingerprint() {
                    by_id.insert(fpr.to_ascii_uppercase(), state.clone());
                }
                if let Ok(id) = sub.id() {
                    by_id.insert(id.to_ascii_uppercase(), state);
                }
            }
        }
        // The keybox's material is taken only when it covers every (sub)key gpg listed.
        let listed: Vec<&String> = by_id.keys().filter(|id| id.len() > 16).collect();
        let from_keybox = home
            .as_deref()
            .and_then(super::keybox::keyblocks)
            .and_then(|blocks| parse_all(blocks).ok())
            .map(material_of)
            .filter(|m| listed.iter().all(|fpr| m.contains_key(*fpr)));
        let material = match from_keybox {
            Some(material) => {
                crate::report::trace(format_args!(
                    "keyring: {} keys listed, their material read from gpg's keybox",
                    keys.len()
                ));
                material
            }
            None => {
                crate::report::trace(format_args!(
                    "keyring: {} keys listed, their material exported by gpg",
                    keys.len()
                ));
                let mut exported = Vec::new();
                ctx.export_all(ExportMode::empty(), &mut exported)
                    .map_err(|e| e.to_string())?;
                material_of(
                    SignedPublicKey::from_bytes_many(Cursor::new(exported))
                        .map_err(|e| e.to_string())?
                        .filter_map(Result::ok)
                        .collect(),
                )
            }
        };
        Ok(Keyring {
            keys,
            by_id,
            material,
        })
    }

    /// The facts gpg would report for this signature, when they are certain.
    pub fn check(&self, payload: &[u8], signature: &[u8]) -> Option<SigFacts> {
        // An armor unlike gpg's own (data after it, a checksum missing or wrong): gpg's word.
        if crate::signing::armor::unusual(signature).is_some() {
            return None;
        }
        let mut sigs = DetachedSignature::from_armor_many(Cursor::new(signature))
            .ok()?
            .0;
        let sig = sigs.next()?.ok()?;
        if sigs.next().is_some() {
            return None; // more than one: gpg's word
        }
        let s = &sig.signature;
        if s.version() != SignatureVersion::V4 || s.typ() != Some(SignatureType::Binary) {
            return None;
        }
        let issuer = s
            .issuer_fingerprint()
            .first()
            .map(|f| format!("{f:X}"))
            .or_else(|| s.issuer().first().map(|id| hex(id.as_ref())))?;
        let Some(sub) = self.by_id.get(&issuer) else {
            // gpg has no such key: NO_PUBKEY.
            let fingerprint = s.issuer_fingerprint().first().map(|f| format!("{f:X}"));
            let key_id = s.issuer().first().map(|id| hex(id.as_ref()));
            return Some(SigFacts {
                outcome: Outcome::NoPubkey,
                trust: Trust::Undefined,
                signer: Signer {
                    fingerprint: fingerprint.or(key_id).unwrap_or(issuer),
                    ..Signer::default()
                },
            });
        };
        // Past the key lookup (an unknown key needs no cryptography, whatever the digest:
        // gpg looks the key up first), only what this path can be sure of.
        if !decidable(s) {
            return None;
        }
        let key = &self.keys[sub.key];
        // By fingerprint; a key id is the end of a v4 fingerprint.
        let material = self.material.get(&issuer).or_else(|| {
            self.material
                .iter()
                .find(|(f, _)| f.ends_with(&issuer))
                .map(|(_, m)| m)
        })?;
        let created = *s.created()?;
        let key_created = match material {
            Material::Primary(k, _) => *k.created_at(),
            Material::Sub(k, _) => *k.created_at(),
        };
        if created < key_created || !sub.can_sign || key.unusable {
            return None;
        }
        let verified = match material {
            Material::Primary(k, m) => sig.verify(&Quick(k, m.as_ref()), payload),
            Material::Sub(k, m) => sig.verify(&Quick(k, m.as_ref()), payload),
        };
        if verified.is_err() {
            return None; // bad, or something rPGP cannot check: gpg's word
        }
        let now = chrono::Utc::now();
        let sig_expired = s
            .signature_expiration_time()
            .is_some_and(|d| *d > chrono::TimeDelta::zero() && created + *d <= now);
        let revoked = key.revoked || sub.revoked;
        let expired = key.expired || sub.expired;
        let outcome = match (sig_expired, revoked, expired) {
            (false, false, false) => Outcome::Good,
            (true, false, false) => Outcome::SigExpired,
            (false, true, false) => Outcome::Revoked,
            (false, false, true) => Outcome::KeyExpired,
            _ => return None,
        };
        Some(SigFacts {
            outcome,
            trust: key.trust?,
            signer: Signer {
                fingerprint: key.primary.clone(),
                name: key.name.clone(),
                email: key.email.clone(),
            },
        })
    }
}

/// Whether the fast path may decide this signature at all: a v4 binary signature over a
/// SHA-2 digest, with no critical subpacket but its creation time and issuer (a critical
/// notation, say, which gpg may refuse); anything else is gpg's word.
fn decidable(s: &pgp::packet::Signature) -> bool {
    if s.version() != SignatureVersion::V4 || s.typ() != Some(SignatureType::Binary) {
        return false;
    }
    // A critical subpacket (a critical notation, say) gpg may refuse: gpg's word.
    let Some(config) = s.config() else {
        return false;
    };
    let understood = |p: &&Subpacket| {
        !p.is_critical
            || matches!(
                p.data,
                SubpacketData::SignatureCreationTime(_)
                    | SubpacketData::Issuer(_)
                    | SubpacketData::IssuerFingerprint(_)
            )
    };
    if !config.hashed_subpackets.iter().all(|p| understood(&p))
        || !config.unhashed_subpackets.iter().all(|p| understood(&p))
    {
        return false;
    }
    if !matches!(
        s.hash_alg(),
        Some(
            HashAlgorithm::Sha256
                | HashAlgorithm::Sha384
                | HashAlgorithm::Sha512
                | HashAlgorithm::Sha224
        )
    ) {
        return false;
    }
    true
}
