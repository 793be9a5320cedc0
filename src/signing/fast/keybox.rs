//! gpg's public keybox (`pubring.kbx`) read in-process, so that the fast path learns the
//! keys' material without running gpg once more to export it. The file is taken only where
//! it is certainly the one gpg reads: the program is gpgme's own gpg with its default home
//! (`GNUPGHOME`, else `~/.gnupg`), and neither `gpg.conf` nor `common.conf` there names other
//! keyrings or keyboxd. What is read is only key material: gpg's own listing still says which
//! keys exist and what state they are in, and material is matched to it by fingerprint.
//! Anything unexpected (no file, another format, a blob that does not parse) gives `None`,
//! and gpg exports the keys instead.
//!
//! The format is GnuPG's `kbx/keybox-blob.c`: blobs one after another, each opening with its
//! length (u32, big-endian, counting itself) and type (1: the header, with `KBXf` at offset
//! 8; 2: OpenPGP, whose keyblock's offset and length within the blob are the u32s at 8 and
//! 12). gpg keeps its own trust packets (tag 12) inside keyblocks; they are not part of a
//! key as exported, and are left out.

use std::path::{Path, PathBuf};

/// gpg's home when `program` is gpgme's own default gpg used with its default home, and
/// nothing in the home's option files (their [`options`]) points gpg at other key stores;
/// else `None`.
pub fn plain_home(
    ctx: &gpgme::Context,
    program: &Path,
    home: &Path,
    options: &[(&'static str, String)],
) -> Option<PathBuf> {
    let engine = ctx.engine_info();
    if engine.path().ok().map(Path::new) != Some(program) {
        return None;
    }
    (!names_other_stores(options)).then(|| home.to_path_buf())
}

/// The options set in `home`'s `gpg.conf` and `common.conf`, each with its file's name, read
/// once for every question asked of them; an error when a file exists but cannot be read.
pub fn options(home: &Path) -> Result<Vec<(&'static str, String)>, String> {
    let mut out = Vec::new();
    for file in ["gpg.conf", "common.conf"] {
        match std::fs::read_to_string(home.join(file)) {
            Ok(text) => out.extend(option_names(file, &text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{file} cannot be read ({e})")),
        }
    }
    Ok(out)
}

/// The option names an option file sets, each with the file's name.
fn option_names<'a>(
    file: &'static str,
    text: &'a str,
) -> impl Iterator<Item = (&'static str, String)> + 'a {
    text.lines().filter_map(move |line| {
        let name = line.split_whitespace().next()?.trim_start_matches("--");
        Some((file, name.to_owned()))
    })
}

/// gpg's home as gpgme uses it: its configured home, else `GNUPGHOME`, else `~/.gnupg`.
pub fn home(ctx: &gpgme::Context) -> Option<PathBuf> {
    Some(match ctx.engine_info().home_dir() {
        Ok(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => match std::env::var_os("GNUPGHOME").filter(|h| !h.is_empty()) {
            Some(h) => PathBuf::from(h),
            None => PathBuf::from(std::env::var_os("HOME")?).join(".gnupg"),
        },
    })
}

/// Options of gpg's that change a verdict in ways the fast path does not model: where one is
/// set (or the option files cannot be read), gpg decides every OpenPGP signature.
const VERDICT_OPTIONS: &[&str] = &[
    "weak-digest",
    "allow-weak-digest-algos",
    "allow-weak-key-signatures",
    "trust-model",
    "always-trust",
    "ignore-time-conflict",
    "ignore-valid-from",
    "ignore-crc-error",
    "compliance",
    "de-vs",
    "rfc2440",
    "rfc4880",
    "rfc4880bis",
    "openpgp",
    "pgp6",
    "pgp7",
    "pgp8",
    "auto-key-retrieve",
    "auto-key-locate",
    "keyserver-options",
    "trusted-key",
    "disable-pubkey-algo",
    "faked-system-time",
    "no-auto-check-trustdb",
    "require-compliance",
];

/// The first of the [`options`] that changes verdicts beyond what the fast path models.
pub fn verdict_option(options: &[(&'static str, String)]) -> Option<String> {
    options
        .iter()
        .find(|(_, name)| VERDICT_OPTIONS.contains(&name.as_str()))
        .map(|(file, name)| format!("{file} sets {name}"))
}

/// Whether the [`options`] send gpg to key stores other than its home's keybox.
fn names_other_stores(options: &[(&'static str, String)]) -> bool {
    options.iter().any(|(_, name)| {
        matches!(
            name.as_str(),
            "keyring"
                | "primary-keyring"
                | "no-default-keyring"
                | "use-keyboxd"
                | "keyboxd-program"
        )
    })
}

/// The OpenPGP keyblocks of `home`'s `pubring.kbx`, one after another (a packet stream).
pub fn keyblocks(home: &Path) -> Option<Vec<u8>> {
    if home.join("pubring.gpg").exists() && !home.join("pubring.kbx").exists() {
        return None;
    }
    blocks_of(&std::fs::read(home.join("pubring.kbx")).ok()?)
}

fn u32_at(data: &[u8], at: usize) -> Option<usize> {
    let bytes: [u8; 4] = data.get(at..at.checked_add(4)?)?.try_into().ok()?;
    usize::try_from(u32::from_be_bytes(bytes)).ok()
}

/// The keyblocks of a keybox file's bytes; `None` unless every blob is well formed.
pub(crate) fn blocks_of(data: &[u8]) -> Option<Vec<u8>> {
    // The header blob first: type 1, the magic at offset 8.
    let first = u32_at(data, 0)?;
    if data.get(4) != Some(&1) || data.get(8..12) != Some(b"KBXf".as_slice()) || first < 12 {
        return None;
    }
    let mut out = Vec::new();
    let mut at = first;
    while at < data.len() {
        let len = u32_at(data, at)?;
        let blob = data.get(at..at.checked_add(len)?)?;
        if len < 5 {
            return None;
        }
        match blob[4] {
            2 => {
                let (offset, size) = (u32_at(blob, 8)?, u32_at(blob, 12)?);
                without_trust_packets(blob.get(offset..offset.checked_add(size)?)?, &mut out)?;
            }
            // Empty (0) and X.509 (3) blobs hold no OpenPGP key.
            0 | 3 => {}
            _ => return None,
        }
        at += len;
    }
    Some(out)
}

/// Copy `keyblock`'s packets to `out`, all but trust packets (tag 12); `None` when a
/// packet's header is not one a stored keyblock has (RFC 4880 §4.2, no partial lengths).
fn without_trust_packets(keyblock: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let mut at = 0;
    while at < keyblock.len() {
        let first = keyblock[at];
        if first & 0x80 == 0 {
            return None;
        }
        let (tag, header, body) = if first & 0x40 != 0 {
            // New format: one, two or five length octets.
            let l0 = usize::from(*keyblock.get(at + 1)?);
            match l0 {
                0..=191 => (first & 0x3f, 2, l0),
                192..=223 => {
                    let l1 = usize::from(*keyblock.get(at + 2)?);
                    (first & 0x3f, 3, ((l0 - 192) << 8) + l1 + 192)
                }
                255 => (first & 0x3f, 6, u32_at(keyblock, at + 2)?),
                _ => return None,
            }
        } else {
            // Old format: the length type in the low two bits.
            let tag = (first >> 2) & 0x0f;
            match first & 3 {
                0 => (tag, 2, usize::from(*keyblock.get(at + 1)?)),
                1 => {
                    let b: [u8; 2] = keyblock.get(at + 1..at + 3)?.try_into().ok()?;
                    (tag, 3, usize::from(u16::from_be_bytes(b)))
                }
                2 => (tag, 5, u32_at(keyblock, at + 1)?),
                _ => return None,
            }
        };
        let end = at.checked_add(header)?.checked_add(body)?;
        let packet = keyblock.get(at..end)?;
        if tag != 12 {
            out.extend_from_slice(packet);
        }
        at = end;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<u8> {
        let mut h = vec![0, 0, 0, 32, 1, 1, 0, 2];
        h.extend_from_slice(b"KBXf");
        h.resize(32, 0);
        h
    }

    fn openpgp_blob(keyblock: &[u8]) -> Vec<u8> {
        let offset = 20u32;
        let len = offset as usize + keyblock.len() + 4;
        let mut b = (len as u32).to_be_bytes().to_vec();
        b.extend_from_slice(&[2, 1, 0, 0]);
        b.extend_from_slice(&offset.to_be_bytes());
        b.extend_from_slice(&(keyblock.len() as u32).to_be_bytes());
        b.resize(offset as usize, 0);
        b.extend_from_slice(keyblock);
        b.extend_from_slice(&[0xee; 4]); // what follows a keyblock (checksums) is not taken
        b
    }

    #[test]
    fn keyblocks_are_taken_in_order_and_nothing_else() {
        // Packets with every header form: old format with 1, 2 and 4 length octets, new
        // format with 1, 2 and 5; the trust packets (tag 12, old and new) are left out.
        let first = [
            &[0x98, 2, b'k', b'1'][..],
            &[0xb0, 1, b't'],
            &[0xb4, 1, b'u'],
        ]
        .concat();
        let second = [
            &[0x99, 0, 1, b'k'][..],
            &[0x8a, 0, 0, 0, 1, b's'],
            &[0xcc, 1, b't'],
            &[0xc2, 192, 0][..],
        ]
        .concat();
        let mut second = second;
        second.extend([0u8; 192]);
        second.extend([0xcd, 255, 0, 0, 0, 2, b'u', b'u']);
        let mut file = header();
        file.extend(openpgp_blob(&first));
        file.extend([0, 0, 0, 8, 0, 1, 0, 0]); // an empty blob
        file.extend(openpgp_blob(&second));
        let mut want = [&[0x98, 2, b'k', b'1'][..], &[0xb4, 1, b'u']].concat();
        want.extend([0x99, 0, 1, b'k', 0x8a, 0, 0, 0, 1, b's', 0xc2, 192, 0]);
        want.extend([0u8; 192]);
        want.extend([0xcd, 255, 0, 0, 0, 2, b'u', b'u']);
        assert_eq!(blocks_of(&file), Some(want));
        assert_eq!(blocks_of(&header()).as_deref(), Some(b"".as_slice()));
    }

    #[test]
    fn anything_malformed_is_not_taken() {
        let mut bad_magic = header();
        bad_magic[8] = b'X';
        let mut truncated = header();
        truncated.extend(openpgp_blob(&[0x98, 1, b'k']));
        truncated.truncate(truncated.len() - 3);
        let mut unknown_type = header();
        unknown_type.extend([0, 0, 0, 8, 9, 1, 0, 0]);
        let mut zero_length = header();
        zero_length.extend([0, 0, 0, 0, 2]);
        let mut not_packets = header();
        not_packets.extend(openpgp_blob(b"key"));
        let mut packet_past_its_block = header();
        packet_past_its_block.extend(openpgp_blob(&[0x98, 9, b'k']));
        let mut block_outside = header();
        let mut blob = openpgp_blob(&[0x98, 1, b'k']);
        blob[15] = 200; // keyblock length past the blob's end
        block_outside.extend(blob);
        for (what, file) in [
            ("magic", bad_magic),
            ("truncated", truncated),
            ("type", unknown_type),
            ("zero length", zero_length),
            ("keyblock outside", block_outside),
            ("not packets", not_packets),
            ("packet past its keyblock", packet_past_its_block),
            ("empty file", Vec::new()),
        ] {
            assert_eq!(blocks_of(&file), None, "{what}");
        }
    }

    #[test]
    fn options_that_move_the_key_store_are_seen() {
        let other =
            |text: &str| names_other_stores(&option_names("gpg.conf", text).collect::<Vec<_>>());
        assert!(other("# mine\nkeyring /etc/other.kbx\n"));
        assert!(other("  no-default-keyring\n"));
        assert!(other("use-keyboxd\n"));
        assert!(!other("# keyring is commented out\nkeyserver hkps://x\n"));
        assert!(!other(""));
        let options: Vec<_> = option_names("common.conf", "weak-digest SHA1\n").collect();
        assert_eq!(
            verdict_option(&options).as_deref(),
            Some("common.conf sets weak-digest")
        );
    }

    /// A real keybox, made by gpg, holds the same keys as gpg's export of it.
    #[test]
    fn a_real_keybox_holds_what_gpg_exports() {
        use pgp::types::KeyDetails as _;
        let home = tempfile::Builder::new()
            .prefix("gsr-kbx")
            .tempdir()
            .expect("tempdir");
        let gpg = |args: &[&str]| {
            std::process::Command::new("gpg")
                .arg("--homedir")
                .arg(home.path())
                .args([
                    "--batch",
                    "--quiet",
                    "--pinentry-mode",
                    "loopback",
                    "--passphrase",
                    "",
                ])
                .args(args)
                .output()
                .expect("gpg runs")
        };
        assert!(gpg(&[
            "--quick-gen-key",
            "A <a@example.com>",
            "ed25519",
            "sign",
            "never"
        ])
        .status
        .success());
        assert!(gpg(&[
            "--quick-gen-key",
            "B <b@example.com>",
            "ed25519",
            "cert",
            "never"
        ])
        .status
        .success());
        let listing =
            String::from_utf8(gpg(&["--with-colons", "--list-keys"]).stdout).expect("utf-8");
        let primary = listing
            .lines()
            .skip_while(|l| !l.starts_with("pub:"))
            .find(|l| l.starts_with("fpr:"))
            .and_then(|l| l.split(':').nth(9))
            .expect("a fingerprint")
            .to_owned();
        assert!(
            gpg(&["--quick-add-key", &primary, "ed25519", "sign", "never"])
                .status
                .success()
        );
        let fingerprints = |keys: Vec<pgp::composed::SignedPublicKey>| {
            let mut out: Vec<String> = keys
                .iter()
                .flat_map(|k| {
                    std::iter::once(format!("{:X}", k.primary_key.fingerprint())).chain(
                        k.public_subkeys
                            .iter()
                            .map(|s| format!("{:X}", s.key.fingerprint())),
                    )
                })
                .collect();
            out.sort();
            out
        };
        let ours = fingerprints(
            super::super::openpgp::parse_all(keyblocks(home.path()).expect("a keybox"))
                .expect("parses"),
        );
        let exported = fingerprints(
            super::super::openpgp::parse_all(gpg(&["--export"]).stdout).expect("parses"),
        );
        let _ = std::process::Command::new("gpgconf")
            .args(["--kill", "all"])
            .env("GNUPGHOME", home.path())
            .output();
        assert_eq!(ours, exported);
        assert_eq!(ours.len(), 3, "two primary keys and a signing subkey");
        assert!(ours.contains(&primary));
    }
}
