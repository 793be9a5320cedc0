//! RSA signature checks for the fast path, without the cost of a general modular exponentiation.
//!
//! rPGP hands RSA signatures to the `rsa` crate, whose `modpow` walks every bit of a 64-bit
//! exponent word with a 4-bit window and Montgomery products: about 96 products for e = 65537,
//! where 17 suffice. A thousand RSA-3072 tags spent two thirds of their time there. A public-key
//! operation needs no secret-independent timing, so here it is plain square-and-multiply over the
//! exponent's own bits with ordinary products and remainders, followed by the EMSA-PKCS1-v1_5
//! comparison of RFC 8017 §8.2.2 — the same verdict, about ten times sooner.
//!
//! [`Quick`] wraps a key for rPGP's `Signature::verify`, which still hashes the data and
//! checks the signature's framing; only the last step, for RSA keys, is done here. Anything
//! else — other algorithms, other hashes, an odd exponent size — is the wrapped key's own.

use pgp::crypto::hash::HashAlgorithm;
use pgp::crypto::public_key::PublicKeyAlgorithm;
use pgp::errors::Result;
use pgp::types::{
    Fingerprint, KeyDetails, KeyId, KeyVersion, PublicKeyTrait, PublicParams, SignatureBytes,
};
use rsa::traits::PublicKeyParts;
use rsa::BigUint;

/// The DER `DigestInfo` prefix for each hash (RFC 8017 §9.2, note 1).
fn digest_info(hash: HashAlgorithm) -> Option<&'static [u8]> {
    Some(match hash {
        HashAlgorithm::Sha1 => &[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
            0x14,
        ],
        HashAlgorithm::Sha224 => &[
            0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x04, 0x05, 0x00, 0x04, 0x1c,
        ],
        HashAlgorithm::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        HashAlgorithm::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        HashAlgorithm::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
        _ => return None,
    })
}

/// An odd modulus ready for Montgomery products: `n` in 64-bit limbs (least significant
/// first), `-n⁻¹ mod 2⁶⁴`, and `R² mod n` for `R = 2^(64·limbs)`. Made once per key.
#[derive(Debug, Clone)]
pub struct Modulus {
    n: Vec<u64>,
    n0: u64,
    r2: Vec<u64>,
    /// The modulus's length in octets (`k` of RFC 8017).
    octets: usize,
}

fn limbs_of(x: &BigUint, len: usize) -> Vec<u64> {
    let mut limbs = vec![0u64; len];
    for (i, byte) in x.to_bytes_le().iter().enumerate() {
        limbs[i / 8] |= u64::from(*byte) << (8 * (i % 8));
    }
    limbs
}

impl Modulus {
    /// `None` for an even modulus (never an RSA one).
    pub fn new(n: &BigUint) -> Option<Modulus> {
        let len = n.bits().div_ceil(64);
        let limbs = limbs_of(n, len);
        if limbs.first()? & 1 == 0 {
            return None;
        }
        // Newton's iteration doubles the correct low bits of the inverse each step.
        let mut inv = 1u64;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(limbs[0].wrapping_mul(inv)));
        }
        let r2 = (BigUint::from(1u8) << (128 * len)) % n;
        Some(Modulus {
            r2: limbs_of(&r2, len),
            n: limbs,
            n0: inv.wrapping_neg(),
            octets: n.bits().div_ceil(8),
        })
    }

    /// `t[..limbs] = a·b·R⁻¹ mod n` for `a, b < n`, with `t` of `limbs + 2` words (CIOS:
    /// Koç, Acar and Kaliski, 1996). Slices of known length, so the loops carry no bounds checks.
    fn mul(&self, a: &[u64], b: &[u64], t: &mut [u64]) {
        let len = self.n.len();
        let n = &self.n[..len];
        let a = &a[..len];
        let t = &mut t[..len + 2];
        t.fill(0);
        for &bi in &b[..len] {
            let mut carry = 0u64;
            for (tj, &aj) in t.iter_mut().zip(a) {
                let v = u128::from(*tj) + u128::from(aj) * u128::from(bi) + u128::from(carry);
                *tj = v as u64;
                carry = (v >> 64) as u64;
            }
            let v = u128::from(t[len]) + u128::from(carry);
            t[len] = v as u64;
            t[len + 1] = (v >> 64) as u64;
            let m = t[0].wrapping_mul(self.n0);
            let mut carry = ((u128::from(t[0]) + u128::from(m) * u128::from(n[0])) >> 64) as u64;
            for j in 1..len {
                let v = u128::from(t[j]) + u128::from(m) * u128::from(n[j]) + u128::from(carry);
                t[j - 1] = v as u64;
                carry = (v >> 64) as u64;
            }
            let v = u128::from(t[len]) + u128::from(carry);
            t[len - 1] = v as u64;
            t[len] = t[len + 1] + (v >> 64) as u64;
        }
        // t < 2n: one subtraction at most.
        if t[len] != 0 || !less(&t[..len], n) {
            let mut borrow = false;
            for (o, &ni) in t.iter_mut().zip(n) {
                let (d, b1) = o.overflowing_sub(ni);
                let (d, b2) = d.overflowing_sub(u64::from(borrow));
                *o = d;
                borrow = b1 || b2;
            }
        }
    }

    /// `base^exp mod n` (`exp` big-endian octets) by left-to-right square-and-multiply.
    fn pow(&self, base: &BigUint, exp: &[u8]) -> Vec<u64> {
        let len = self.n.len();
        let mut t = vec![0u64; len + 2];
        self.mul(&limbs_of(base, len), &self.r2, &mut t);
        let x = t[..len].to_vec();
        let mut acc = vec![0u64; len];
        let mut started = false;
        for byte in exp {
            for bit in (0..8).rev() {
                if started {
                    self.mul(&acc, &acc, &mut t);
                    acc.copy_from_slice(&t[..len]);
                }
                if byte >> bit & 1 == 1 {
                    if started {
                        self.mul(&acc, &x, &mut t);
                        acc.copy_from_slice(&t[..len]);
                    } else {
                        acc.copy_from_slice(&x);
                        started = true;
                    }
                }
            }
        }
        let mut one = vec![0u64; len];
        one[0] = 1;
        if !started {
            return one;
        }
        self.mul(&acc, &one, &mut t);
        t.truncate(len);
        t
    }
}

/// `a < b` for limb vectors of one length.
fn less(a: &[u64], b: &[u64]) -> bool {
    for (x, y) in a.iter().zip(b).rev() {
        if x != y {
            return x < y;
        }
    }
    false
}

/// Limbs (least significant first) as `octets` big-endian octets; `None` if they do not fit.
fn to_be_octets(limbs: &[u64], octets: usize) -> Option<Vec<u8>> {
    let mut le: Vec<u8> = limbs.iter().flat_map(|l| l.to_le_bytes()).collect();
    if le[octets.min(le.len())..].iter().any(|&b| b != 0) {
        return None;
    }
    le.resize(octets, 0);
    le.reverse();
    Some(le)
}

/// RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) of `digest` made with `hash`.
/// `None` when this function does not decide (a hash or exponent it does not handle).
pub fn verify_pkcs1v15(
    modulus: &Modulus,
    e: &BigUint,
    hash: HashAlgorithm,
    digest: &[u8],
    signature: &[u8],
) -> Option<bool> {
    let prefix = digest_info(hash)?;
    let exp = e.to_bytes_be();
    if exp.len() > 8 || e.bits() < 2 {
        return None;
    }
    let k = modulus.octets;
    let t = prefix.len() + digest.len();
    if digest.len() != hash.digest_size()? || k < t + 11 {
        return Some(false);
    }
    // OpenPGP stores the signature as an MPI: leading zero octets may be gone.
    let s = BigUint::from_bytes_be(signature);
    if signature.len() > k || !less(&limbs_of(&s, modulus.n.len()), &modulus.n) {
        return Some(false);
    }
    let Some(em) = to_be_octets(&modulus.pow(&s, &exp), k) else {
        return Some(false);
    };
    // EM = 0x00 || 0x01 || PS (0xff…, at least 8) || 0x00 || DigestInfo || digest.
    let mut expected = Vec::with_capacity(k);
    expected.extend_from_slice(&[0x00, 0x01]);
    expected.resize(k - t - 1, 0xff);
    expected.push(0x00);
    expected.extend_from_slice(prefix);
    expected.extend_from_slice(digest);
    Some(em == expected)
}

/// A public key whose RSA signature checks are done by [`verify_pkcs1v15`] with its prepared
/// modulus; everything else is the wrapped key's.
#[derive(Debug)]
pub struct Quick<'a, K>(pub &'a K, pub Option<&'a Modulus>);

/// The prepared modulus of an RSA key; `None` for other keys.
pub fn modulus_of(params: &PublicParams) -> Option<Modulus> {
    match params {
        PublicParams::RSA(p) => Modulus::new(p.key.n()),
        _ => None,
    }
}

impl<K: KeyDetails> KeyDetails for Quick<'_, K> {
    fn version(&self) -> KeyVersion {
        self.0.version()
    }
    fn fingerprint(&self) -> Fingerprint {
        self.0.fingerprint()
    }
    fn key_id(&self) -> KeyId {
        self.0.key_id()
    }
    fn algorithm(&self) -> PublicKeyAlgorithm {
        self.0.algorithm()
    }
}

impl<K: PublicKeyTrait> PublicKeyTrait for Quick<'_, K> {
    fn created_at(&self) -> &chrono::DateTime<chrono::Utc> {
        self.0.created_at()
    }
    fn expiration(&self) -> Option<u16> {
        self.0.expiration()
    }
    fn public_params(&self) -> &PublicParams {
        self.0.public_params()
    }
    fn verify_signature(
        &self,
        hash: HashAlgorithm,
        data: &[u8],
        sig: &SignatureBytes,
    ) -> Result<()> {
        if let (PublicParams::RSA(params), SignatureBytes::Mpis(mpis), Some(modulus)) =
            (self.0.public_params(), sig, self.1)
        {
            if let [s] = mpis.as_slice() {
                match verify_pkcs1v15(modulus, params.key.e(), hash, data, s.as_ref()) {
                    Some(true) => return Ok(()),
                    Some(false) => return Err("RSA signature does not match".to_string().into()),
                    None => {}
                }
            }
        }
        self.0.verify_signature(hash, data, sig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random octets (xorshift), so failures reproduce.
    fn octets(seed: u64, len: usize) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    #[test]
    fn montgomery_power_matches_the_general_exponentiation() {
        for (seed, len) in [
            (1, 9),
            (2, 64),
            (3, 128),
            (4, 256),
            (5, 384),
            (6, 512),
            (7, 17),
        ] {
            let mut n_bytes = octets(seed, len);
            n_bytes[0] |= 0x80;
            *n_bytes.last_mut().expect("len > 0") |= 1;
            let n = BigUint::from_bytes_be(&n_bytes);
            let modulus = Modulus::new(&n).expect("odd");
            for (i, e) in [3u64, 17, 65537, 0x1_0000_0001, u64::MAX]
                .into_iter()
                .enumerate()
            {
                let s = BigUint::from_bytes_be(&octets(seed * 31 + i as u64, len)) % &n;
                let exp = BigUint::from(e);
                let ours = to_be_octets(&modulus.pow(&s, &exp.to_bytes_be()), len);
                let mut want = s.modpow(&exp, &n).to_bytes_be();
                while want.len() < len {
                    want.insert(0, 0);
                }
                assert_eq!(ours, Some(want), "{len} octets, e = {e}");
            }
        }
    }

    #[test]
    fn even_moduli_are_not_taken() {
        assert!(Modulus::new(&BigUint::from(65536u32)).is_none());
    }

    #[test]
    fn pkcs1v15_refusals_and_what_is_left_to_rpgp() {
        // Real signatures made by gpg's RSA keys are checked against gpg's own verdicts in the
        // integration tests (tests/it/verify.rs); here, what must never pass or be decided.
        let mut n_bytes = octets(9, 128);
        n_bytes[0] |= 0x80;
        n_bytes[127] |= 1;
        let n = BigUint::from_bytes_be(&n_bytes);
        let modulus = Modulus::new(&n).expect("odd");
        let digest = [0xabu8; 32];
        // s = 1 gives m = 1: never a valid encoding.
        assert_eq!(
            verify_pkcs1v15(
                &modulus,
                &BigUint::from(65537u32),
                HashAlgorithm::Sha256,
                &digest,
                &[1]
            ),
            Some(false)
        );
        // A signature not below n is refused before any arithmetic.
        assert_eq!(
            verify_pkcs1v15(
                &modulus,
                &BigUint::from(65537u32),
                HashAlgorithm::Sha256,
                &digest,
                &n_bytes
            ),
            Some(false)
        );
        // Hashes it does not know and huge exponents are left to rPGP.
        assert_eq!(
            verify_pkcs1v15(
                &modulus,
                &BigUint::from(65537u32),
                HashAlgorithm::Md5,
                &[0; 16],
                &[1]
            ),
            None
        );
        assert_eq!(
            verify_pkcs1v15(
                &modulus,
                &(BigUint::from(1u8) << 80),
                HashAlgorithm::Sha256,
                &digest,
                &[1]
            ),
            None
        );
    }
}
