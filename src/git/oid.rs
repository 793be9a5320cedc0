//! Object names of either hash (SHA-1's 20 bytes, SHA-256's 32), object types, and what is
//! read from raw objects the same way whichever reader read them: a commit's parents, tree
//! and committer time, a tag's target, a tree's entries, a blob's name.

use std::fmt;

/// An object name: 20 bytes (SHA-1) or 32 (SHA-256).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    len: u8,
    bytes: [u8; 32],
}

impl ObjectId {
    /// From raw bytes: 20 or 32 of them.
    pub fn from_bytes(raw: &[u8]) -> Option<ObjectId> {
        if raw.len() != 20 && raw.len() != 32 {
            return None;
        }
        let mut bytes = [0; 32];
        bytes[..raw.len()].copy_from_slice(raw);
        Some(ObjectId {
            len: raw.len() as u8,
            bytes,
        })
    }

    /// From 40 or 64 hex digits (either case), nothing else.
    pub fn from_hex(text: &str) -> Option<ObjectId> {
        if text.len() != 40 && text.len() != 64 {
            return None;
        }
        let digit = |c: u8| char::from(c).to_digit(16).map(|d| d as u8);
        let mut raw = [0u8; 32];
        for (i, pair) in text.as_bytes().chunks(2).enumerate() {
            raw[i] = digit(pair[0])? << 4 | digit(pair[1])?;
        }
        ObjectId::from_bytes(&raw[..text.len() / 2])
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    pub fn to_git2(self) -> Option<git2::Oid> {
        git2::Oid::from_bytes(self.as_bytes()).ok()
    }

    pub fn from_git2(oid: git2::Oid) -> ObjectId {
        ObjectId::from_bytes(oid.as_bytes()).unwrap_or(ObjectId {
            len: 20,
            bytes: [0; 32],
        })
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::hex::encode(self.as_bytes()))
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({self})")
    }
}

/// An object's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Commit,
    Tree,
    Blob,
    Tag,
}

impl Kind {
    pub fn parse(name: &[u8]) -> Option<Kind> {
        Some(match name {
            b"commit" => Kind::Commit,
            b"tree" => Kind::Tree,
            b"blob" => Kind::Blob,
            b"tag" => Kind::Tag,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Commit => "commit",
            Kind::Tree => "tree",
            Kind::Blob => "blob",
            Kind::Tag => "tag",
        }
    }

    pub fn from_git2(kind: Option<git2::ObjectType>) -> Option<Kind> {
        Some(match kind? {
            git2::ObjectType::Commit => Kind::Commit,
            git2::ObjectType::Tree => Kind::Tree,
            git2::ObjectType::Blob => Kind::Blob,
            git2::ObjectType::Tag => Kind::Tag,
            git2::ObjectType::Any => return None,
        })
    }
}

/// The id a header names (`tree`, `parent`, a tag's `object`), `None` when it is no id.
pub fn header_id(raw: &[u8], name: &[u8]) -> Option<ObjectId> {
    let value = crate::signing::object::header(raw, name)?;
    ObjectId::from_hex(std::str::from_utf8(value).ok()?)
}

/// A commit's parents, in order.
pub fn parents(raw: &[u8]) -> Vec<ObjectId> {
    let mut out = Vec::new();
    for line in raw.split_inclusive(|&b| b == b'\n') {
        if line == b"\n" {
            break;
        }
        if let Some(hex) = line.strip_prefix(b"parent ") {
            let hex = hex.strip_suffix(b"\n").unwrap_or(hex);
            if let Some(id) = std::str::from_utf8(hex).ok().and_then(ObjectId::from_hex) {
                out.push(id);
            }
        }
    }
    out
}

/// A commit's committer time as git's `%ct` reads it (seconds since the epoch), `None` where
/// `%ct` is empty.
pub fn committer_time(raw: &[u8]) -> Option<i64> {
    git_ident_time(crate::signing::object::header(raw, b"committer")?)
}

/// The time of an ident line `Name <email> 1700000000 +0100` by git's `split_ident_line`:
/// after the last `>`, white space, digits (the time), white space, then a time zone (`+`
/// or `-` and digits); without all of them git shows no time, and neither does this.
fn git_ident_time(line: &[u8]) -> Option<i64> {
    let rest = &line[line.iter().rposition(|&b| b == b'>')? + 1..];
    let skip = |s: &[u8]| {
        s.iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(s.len())
    };
    let rest = &rest[skip(rest)..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (time, after) = rest.split_at(digits);
    let zone = &after[skip(after)..];
    let zone_digits = zone
        .iter()
        .skip(1)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || !matches!(zone.first(), Some(b'+' | b'-')) || zone_digits == 0 {
        return None;
    }
    std::str::from_utf8(time).ok()?.parse().ok()
}

/// The id of the entry `name` in a raw tree whose ids are `id_len` bytes, with its mode.
pub fn tree_entry(tree: &[u8], name: &[u8], id_len: usize) -> Option<(u32, ObjectId)> {
    let mut rest = tree;
    while !rest.is_empty() {
        let space = rest.iter().position(|&b| b == b' ')?;
        let nul = space + rest[space..].iter().position(|&b| b == 0)?;
        let end = nul + 1 + id_len;
        let id = rest.get(nul + 1..end)?;
        if &rest[space + 1..nul] == name {
            let mode = u32::from_str_radix(std::str::from_utf8(&rest[..space]).ok()?, 8).ok()?;
            return Some((mode, ObjectId::from_bytes(id)?));
        }
        rest = &rest[end..];
    }
    None
}

/// The name git gives a blob holding `bytes`, in a repository of SHA-256 names or not.
pub fn blob_id(bytes: &[u8], sha256: bool) -> Option<ObjectId> {
    if sha256 {
        use sha2::Digest as _;
        let mut hash = sha2::Sha256::new();
        hash.update(format!("blob {}\0", bytes.len()).as_bytes());
        hash.update(bytes);
        ObjectId::from_bytes(&hash.finalize())
    } else {
        git2::Oid::hash_object(git2::ObjectType::Blob, bytes)
            .ok()
            .map(ObjectId::from_git2)
    }
}

/// A loose object's type and content from its file (`objects/xx/yyyy…`): zlib-inflated,
/// `TYPE SIZE\0` then exactly SIZE bytes.
pub fn read_loose(file: &std::path::Path) -> std::io::Result<(Kind, Vec<u8>)> {
    use std::io::Read as _;
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not a loose git object");
    let compressed = std::fs::read(file)?;
    let mut all = Vec::new();
    flate2::read::ZlibDecoder::new(&compressed[..])
        .take(64 << 20)
        .read_to_end(&mut all)?;
    let nul = all.iter().position(|&b| b == 0).ok_or_else(bad)?;
    let header = std::str::from_utf8(&all[..nul]).map_err(|_| bad())?;
    let (kind, size) = header.split_once(' ').ok_or_else(bad)?;
    let kind = Kind::parse(kind.as_bytes()).ok_or_else(bad)?;
    let size: usize = size.parse().map_err(|_| bad())?;
    let body = all.split_off(nul + 1);
    if body.len() != size {
        return Err(bad());
    }
    Ok((kind, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_both_lengths_round_trip_and_nothing_else_parses() {
        let sha1 = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
        let sha256 = "473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813";
        assert_eq!(
            ObjectId::from_hex(sha1).map(|i| i.to_string()),
            Some(sha1.into())
        );
        assert_eq!(
            ObjectId::from_hex(sha256).map(|i| i.to_string()),
            Some(sha256.into())
        );
        assert!(ObjectId::from_hex(sha256).is_some_and(|i| i.as_bytes().len() == 32));
        assert_eq!(
            ObjectId::from_hex(&sha1.to_uppercase()),
            ObjectId::from_hex(sha1)
        );
        for bad in [
            "",
            "e69d",
            &sha1[..39],
            &format!("{sha1}0"),
            &sha1.replace('e', "g"),
        ] {
            assert_eq!(ObjectId::from_hex(bad), None, "{bad:?}");
        }
        assert_eq!(
            blob_id(b"", false).map(|i| i.to_string()),
            Some(sha1.into())
        );
        assert_eq!(
            blob_id(b"", true).map(|i| i.to_string()),
            Some(sha256.into())
        );
    }

    #[test]
    fn commit_fields_and_tree_entries() {
        let p = "1".repeat(40);
        let raw = format!("tree {}\nparent {p}\nparent {}\nauthor A <a> 1 +0000\ncommitter C <c> 1700000000 +0100\n\nparent {}\n", "2".repeat(40), "3".repeat(40), "4".repeat(40));
        let parents = parents(raw.as_bytes());
        assert_eq!(parents.len(), 2);
        assert_eq!(parents[0].to_string(), p);
        assert_eq!(committer_time(raw.as_bytes()), Some(1_700_000_000));
        // git's %ct reads the committer line past a NUL in an earlier header (checked with
        // git 2.47 on such a commit), and so does this.
        let hidden = raw.replace("author A", "author\0A");
        assert_eq!(committer_time(hidden.as_bytes()), Some(1_700_000_000));
        // Each as git 2.47's %ct shows it (an empty %ct is None).
        for (line, git) in [
            ("C <c> 1700000000 +0000", Some(1_700_000_000)),
            ("C <c>  1700000000   +0000", Some(1_700_000_000)),
            ("C <c>1700000000 +0000", Some(1_700_000_000)),
            ("C <x> y <c> 1700000000 +0100", Some(1_700_000_000)),
            ("C <c> 1700000000", None),
            ("C c 1700000000 +0000", None),
            ("C <c> -5 +0000", None),
            ("C <c> +5 +0000", None),
            ("C <c> 0x10 +0000", None),
            ("C <c> 5 +", None),
        ] {
            assert_eq!(git_ident_time(line.as_bytes()), git, "{line}");
        }
        assert_eq!(
            header_id(raw.as_bytes(), b"tree").map(|i| i.to_string()),
            Some("2".repeat(40))
        );
        let mut tree = b"100644 a.txt\0".to_vec();
        tree.extend([7u8; 20]);
        tree.extend(b"40000 src\0");
        tree.extend([9u8; 20]);
        assert_eq!(
            tree_entry(&tree, b"src", 20).map(|(m, i)| (m, i.as_bytes()[0])),
            Some((0o40000, 9))
        );
        assert_eq!(
            tree_entry(&tree, b"a.txt", 20).map(|(m, _)| m),
            Some(0o100644)
        );
        assert_eq!(tree_entry(&tree, b"b", 20), None);
        assert_eq!(tree_entry(&tree[..30], b"src", 20), None, "cut short");
    }
}
