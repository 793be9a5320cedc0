//! The shape of a signature's armor. More than one armor (two `gpgsig` headers, two armors
//! in one header, a good one and a garbage one) is `bad` on both paths, as git never accepts
//! it. An armor that is unusual in any other way (anything but white space after its end, an
//! OpenPGP checksum line missing or wrong, malformed armor headers) is never decided by the
//! fast path: gpg decides, as for git, since gpg versions differ on what they accept.

/// Why a signature is bad before any cryptography: more than one armor.
pub fn multiple(signature: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(signature);
    let begins = text
        .lines()
        .filter(|l| l.trim_start().starts_with("-----BEGIN "))
        .count();
    (begins > 1).then(|| {
        format!("{begins} signatures: more than one signature armor (git counts that as an error)")
    })
}

/// What is unusual about an armor (the fast path then leaves it to gpg); `None` when it is
/// exactly as gpg writes one.
pub fn unusual(signature: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(signature);
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .iter()
        .rposition(|l| l.trim_start().starts_with("-----END "))?;
    if lines[end + 1..].iter().any(|l| !l.trim().is_empty()) {
        return Some("data after the signature's armor".into());
    }
    if text
        .trim_start()
        .starts_with("-----BEGIN PGP SIGNATURE-----")
    {
        return openpgp_checksum(&text);
    }
    None
}

/// An OpenPGP armor's CRC-24 line: present, and the checksum of the body.
fn openpgp_checksum(text: &str) -> Option<String> {
    let mut lines = text.lines().map(str::trim_end).skip(1);
    // Armor headers (`Comment: …`) up to the blank line.
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        if !line.contains(": ") {
            return Some("the armor's headers are malformed".into());
        }
    }
    let mut body = String::new();
    let mut crc = None;
    for line in lines {
        if line.starts_with("-----END ") {
            break;
        }
        if let Some(c) = line.strip_prefix('=') {
            crc = Some(c.to_owned());
        } else if crc.is_some() {
            return Some("data after the armor's checksum line".into());
        } else {
            body.push_str(line);
        }
    }
    let Some(crc) = crc else {
        return Some("the armor has no checksum line, which gpg refuses".into());
    };
    let (Some(data), Some(sum)) = (base64(&body), base64(&crc)) else {
        return Some("the armor is not valid base64".into());
    };
    let want = sum.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
    if sum.len() != 3 || crc24(&data) != want {
        return Some("the armor's checksum does not match its content".into());
    }
    None
}

/// RFC 4880 §6.1.
fn crc24(data: &[u8]) -> u32 {
    let mut crc: u32 = 0x00B7_04CE;
    for &b in data {
        crc ^= u32::from(b) << 16;
        for _ in 0..8 {
            crc <<= 1;
            if crc & 0x0100_0000 != 0 {
                crc ^= 0x0186_4CFB;
            }
        }
    }
    crc & 0x00FF_FFFF
}

/// Standard base64 with padding; `None` on anything else.
fn base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let bytes = text.as_bytes();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (i, chunk) in bytes.chunks(4).enumerate() {
        let last = i + 1 == bytes.len() / 4;
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * u32::try_from(pad).ok()?;
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..3 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real armor made by gpg 2.2 (a detached ed25519 signature).
    const GOOD: &str = "-----BEGIN PGP SIGNATURE-----\n\niHUEABYIAB0WIQSPfFqY9TRbpmobQENaw8b7bxvmVgUCaw7awQAKCRBaw8b7bxvm\nVjGAAQCyBNV77WqLw0fnJyQe7lImfnkCXh66GVMzQuBsvS88xQEA7bclzdKAou5S\nU1frtHgXyLhs0jmnJNNBtUJ31PXUSg0=\n=k7B5\n-----END PGP SIGNATURE-----\n";

    #[test]
    fn a_real_armor_passes_and_each_defect_is_named() {
        assert_eq!(unusual(GOOD.as_bytes()), None, "{GOOD}");
        assert_eq!(multiple(GOOD.as_bytes()), None);
        let no_crc = GOOD.replace("=k7B5\n", "");
        assert!(unusual(no_crc.as_bytes()).is_some_and(|p| p.contains("no checksum")));
        let bad_crc = GOOD.replace("=k7B5", "=k7BA");
        assert!(unusual(bad_crc.as_bytes()).is_some_and(|p| p.contains("does not match")));
        let two = format!("{GOOD}{GOOD}");
        assert!(multiple(two.as_bytes()).is_some_and(|p| p.starts_with("2 signatures")));
        let garbage = format!("{GOOD}garbage\n");
        assert!(unusual(garbage.as_bytes()).is_some_and(|p| p.contains("after")));
        assert_eq!(unusual(format!("{GOOD}\n  \n").as_bytes()), None);
    }

    #[test]
    fn base64_and_crc24_by_the_book() {
        assert_eq!(base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64("aGVsbA==").as_deref(), Some(&b"hell"[..]));
        assert_eq!(base64("aGVs").as_deref(), Some(&b"hel"[..]));
        assert!(base64("aGV").is_none() && base64("a=Vs").is_none());
        // The CRC-24 of no data is its initial value.
        assert_eq!(crc24(b""), 0x00B7_04CE);
    }
}
