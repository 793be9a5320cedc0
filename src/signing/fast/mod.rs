//! The fast path of the verification engine: OpenPGP and ssh signatures decided in-process,
//! with the keyring and the signer files learned once per run, so verifying many objects
//! does not start a process per object. Whatever it is not certain of goes to the slow path
//! (gpg through gpgme, ssh-keygen), which stays the reference: `--no-fast-path` (or
//! `GIT_SECURE_RELEASE_NO_FAST_PATH=1`) forces it, and the tests compare the two.

pub(crate) mod keybox;
pub mod openpgp;
mod rsa;
pub mod ssh;
