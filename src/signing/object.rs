//! The signed payload and the signature of a commit or tag, taken from the raw object bytes
//! exactly as git takes them (git's `parse_buffer_signed_by_header`, `parse_signature`,
//! `remove_signature`), not with git2's `extract_signature`, which disagrees with git.

use super::Format;

/// A commit or a tag, split for verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// The bytes the signature covers.
    pub payload: Vec<u8>,
    /// The signature, if the object carries one.
    pub signature: Option<Vec<u8>>,
    /// The committer's (commit) or tagger's (tag) time: the check time for ssh.
    pub timestamp: Option<i64>,
    /// A tag object's own `tag` header: the name it was made as.
    pub tag_name: Option<String>,
}

impl Signed {
    /// The format of the signature, from its armor line.
    pub fn format(&self) -> Option<Format> {
        self.signature.as_deref().and_then(Format::of_signature)
    }
}

/// Lines of `buf`, each with its `\n`.
fn lines(buf: &[u8]) -> impl Iterator<Item = &[u8]> {
    buf.split_inclusive(|&b| b == b'\n')
}

/// Split a commit: the signature is the `gpgsig` header of the repository's hash (`gpgsig`
/// for SHA-1, `gpgsig-sha256` for SHA-256) with its continuation lines; the payload is the
/// object without it and without the other algorithm's signature header.
pub fn split_commit(raw: &[u8], sha256: bool) -> Signed {
    let ours: &[u8] = if sha256 { b"gpgsig-sha256" } else { b"gpgsig" };
    let mut payload = Vec::with_capacity(raw.len());
    let mut signature = Vec::new();
    let (mut saw, mut in_sig, mut other) = (false, false, false);
    let mut rest = raw;
    while !rest.is_empty() {
        let line = lines(rest).next().unwrap_or(rest);
        if line.contains(&0) {
            // git's header parsing stops at a NUL: no signature header after it is seen
            // (a commit signed after one is unsigned to git; one signed before it is checked
            // over everything). What follows is all payload.
            payload.extend_from_slice(rest);
            break;
        }
        let mut sig: Option<&[u8]> = None;
        if in_sig && line.first() == Some(&b' ') {
            sig = Some(&line[1..]);
        } else if line.starts_with(ours) && line.get(ours.len()) == Some(&b' ') {
            sig = Some(&line[ours.len() + 1..]);
            other = false;
        } else if line.starts_with(b"gpgsig") {
            other = true;
        } else if other && line.first() != Some(&b' ') {
            other = false;
        }
        if let Some(s) = sig {
            signature.extend_from_slice(s);
            saw = true;
            in_sig = true;
            rest = &rest[line.len()..];
        } else if line == b"\n" {
            // The headers end here: the rest is all payload.
            payload.extend_from_slice(rest);
            break;
        } else {
            if !other {
                payload.extend_from_slice(line);
            }
            in_sig = false;
            rest = &rest[line.len()..];
        }
    }
    Signed {
        timestamp: ident_time(header(&payload, b"committer")),
        tag_name: None,
        signature: saw.then_some(signature),
        payload,
    }
}

/// Split a tag: the signature starts at the last line that opens a signature armor; the
/// payload is everything before it, with any `gpgsig` headers removed.
pub fn split_tag(raw: &[u8]) -> Signed {
    let mut at = raw.len();
    let mut pos = 0;
    for line in lines(raw) {
        if Format::of_signature(line).is_some() {
            at = pos;
        }
        pos += line.len();
    }
    // git stops reading a tag's headers at a NUL: a tag with one there is unsigned to git.
    let headers_end = raw
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or(raw.len());
    if raw[..headers_end].contains(&0) {
        at = raw.len();
    }
    let (payload, signature) = if at == raw.len() {
        (raw.to_vec(), None)
    } else {
        (
            remove_signature_headers(&raw[..at]),
            Some(raw[at..].to_vec()),
        )
    };
    Signed {
        timestamp: ident_time(header(&payload, b"tagger")),
        tag_name: header(&payload, b"tag").map(|v| String::from_utf8_lossy(v).into_owned()),
        signature,
        payload,
    }
}

/// git's `remove_signature`: drop `gpgsig`/`gpgsig-sha256` headers (and their continuation
/// lines) from the header part.
fn remove_signature_headers(buf: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(buf.len());
    let mut in_sig = false;
    let mut pos = 0;
    for line in lines(buf) {
        if in_sig && line.first() == Some(&b' ') {
        } else if line.starts_with(b"gpgsig ") || line.starts_with(b"gpgsig-sha256 ") {
            in_sig = true;
        } else if line == b"\n" {
            out.extend_from_slice(&buf[pos..]);
            return out;
        } else {
            in_sig = false;
            out.extend_from_slice(line);
        }
        pos += line.len();
    }
    out
}

/// The value of the first header `name` (before the blank line), without its newline.
pub fn header<'a>(payload: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    for line in lines(payload) {
        if line == b"\n" {
            return None;
        }
        if line.starts_with(name) && line.get(name.len()) == Some(&b' ') {
            let value = &line[name.len() + 1..];
            return Some(value.strip_suffix(b"\n").unwrap_or(value));
        }
    }
    None
}

/// The timestamp of an ident line `Name <email> 1700000000 +0100`.
pub fn ident_time(value: Option<&[u8]>) -> Option<i64> {
    let value = value?;
    let after = &value[value.iter().rposition(|&b| b == b'>')? + 1..];
    let text = std::str::from_utf8(after).ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// The message of a tag or commit: what follows the headers, without the signature.
pub fn message(payload: &[u8]) -> &[u8] {
    let mut pos = 0;
    for line in lines(payload) {
        pos += line.len();
        if line == b"\n" {
            return &payload[pos..];
        }
    }
    &[]
}

#[cfg(test)]
mod tests {
    use super::*;

    // Regression: a NUL in a header made git see no signature (`%G?` N) while we said good.
    #[test]
    fn a_signature_after_a_nul_in_the_header_is_not_seen_as_git_sees_it() {
        let sig = "-----BEGIN PGP SIGNATURE-----\n x\n -----END PGP SIGNATURE-----\n";
        let after = format!("tree t\nauthor A \0B <a@b> 1 +0000\ngpgsig {sig}\nmsg\n");
        let s = split_commit(after.as_bytes(), false);
        assert!(s.signature.is_none());
        assert_eq!(s.payload, after.as_bytes());
        let before = format!("tree t\ngpgsig {sig}author A \0B <a@b> 1 +0000\n\nmsg\0x\n");
        let s = split_commit(before.as_bytes(), false);
        assert!(s.signature.is_some());
        assert_eq!(s.payload, b"tree t\nauthor A \0B <a@b> 1 +0000\n\nmsg\0x\n");
        let armor = "-----BEGIN PGP SIGNATURE-----\nx\n-----END PGP SIGNATURE-----\n";
        let tag =
            format!("object o\ntype commit\ntag t\ntagger A \0B <a@b> 1 +0000\n\nmsg\n{armor}");
        assert!(split_tag(tag.as_bytes()).signature.is_none());
        let tag =
            format!("object o\ntype commit\ntag t\ntagger A <a@b> 1 +0000\n\nmsg\0x\n{armor}");
        assert!(
            split_tag(tag.as_bytes()).signature.is_some(),
            "a NUL in the message is payload"
        );
    }

    const SIG: &str = "-----BEGIN PGP SIGNATURE-----\n\niQ\n-----END PGP SIGNATURE-----\n";

    fn signed_commit(header_name: &str) -> Vec<u8> {
        let folded = SIG.trim_end().replace('\n', "\n ");
        format!("tree 1\nparent 2\nauthor A <a@x> 1700000000 +0000\ncommitter C <c@x> 1700000001 +0100\n{header_name} {folded}\n\nmsg\n\nbody -----BEGIN PGP SIGNATURE-----\n").into_bytes()
    }

    #[test]
    fn commit_signature_header_is_removed_from_the_payload() {
        let s = split_commit(&signed_commit("gpgsig"), false);
        assert_eq!(
            s.signature.as_deref(),
            Some(SIG.trim_end().as_bytes())
                .map(|b| [b, b"\n"].concat())
                .as_deref()
        );
        assert_eq!(
            s.payload,
            b"tree 1\nparent 2\nauthor A <a@x> 1700000000 +0000\ncommitter C <c@x> 1700000001 +0100\n\nmsg\n\nbody -----BEGIN PGP SIGNATURE-----\n"
        );
        assert_eq!(s.timestamp, Some(1_700_000_001));
        assert_eq!(s.format(), Some(Format::Openpgp));
    }

    #[test]
    fn other_algorithm_signature_is_dropped_not_used() {
        let s = split_commit(&signed_commit("gpgsig-sha256"), false);
        assert_eq!(s.signature, None);
        assert!(!String::from_utf8_lossy(&s.payload).contains("gpgsig"));
        let s = split_commit(&signed_commit("gpgsig-sha256"), true);
        assert!(s.signature.is_some());
    }

    #[test]
    fn unsigned_commit_has_no_signature_even_with_armor_in_message() {
        let raw = b"tree 1\ncommitter C <c@x> 5 +0000\n\n-----BEGIN PGP SIGNATURE-----\nx\n";
        let s = split_commit(raw, false);
        assert_eq!(s.signature, None);
        assert_eq!(s.payload, raw);
    }

    #[test]
    fn tag_splits_at_the_last_armor_line() {
        let raw = format!("object 1\ntype commit\ntag v1.0\ntagger T <t@x> 1700000002 +0000\n\nRelease\n-----BEGIN PGP SIGNATURE-----\nquoted\n-----END PGP SIGNATURE-----\n{SIG}");
        let s = split_tag(raw.as_bytes());
        assert_eq!(s.signature.as_deref(), Some(SIG.as_bytes()));
        assert!(
            String::from_utf8_lossy(&s.payload).ends_with("quoted\n-----END PGP SIGNATURE-----\n")
        );
        assert_eq!(s.tag_name.as_deref(), Some("v1.0"));
        assert_eq!(s.timestamp, Some(1_700_000_002));
        let unsigned = split_tag(b"object 1\ntype commit\ntag v1\ntagger T <t@x> 3 +0000\n\nmsg\n");
        assert_eq!(unsigned.signature, None);
        assert_eq!(message(&unsigned.payload), b"msg\n");
    }

    #[test]
    fn ident_times() {
        assert_eq!(ident_time(Some(b"A B <a@b> 123 +0000")), Some(123));
        assert_eq!(ident_time(Some(b"A <a> ")), None);
        assert_eq!(ident_time(None), None);
    }
}
