//! Reading wheels (zip) and sdists (tar inside gzip) as lists of members: name, time, mode,
//! ownership and a digest of the content, every read bounded (archives may come from an
//! index: they are data), and one member's content on demand.

use std::io::Read as _;

use sha2::{Digest as _, Sha256};

/// A member (and an sdist's tar) is read up to this size, and an archive up to this many
/// members; one member's content is compared line by line up to `CONTENT_LIMIT`.
pub const MEMBER_LIMIT: u64 = 1 << 31;
const CONTENT_LIMIT: u64 = 64 << 20;
const MEMBERS_LIMIT: usize = 200_000;

/// One archive member, as both formats describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub time: i64,
    /// A PAX `mtime` record, exact (sub-second times live here).
    pub pax_time: Option<String>,
    pub mode: Option<u32>,
    pub owner: String,
    pub digest: [u8; 32],
}

pub fn zip_members(bytes: &[u8]) -> zip::result::ZipResult<Vec<Member>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut out = Vec::new();
    for i in 0..archive.len().min(MEMBERS_LIMIT) {
        let mut file = archive.by_index(i)?;
        let time = file.last_modified().map_or(0, |t| {
            civil_seconds(
                i64::from(t.year()),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
            )
        });
        let (name, mode) = (file.name().to_owned(), file.unix_mode());
        let digest = digest_of(&mut file)?;
        out.push(Member {
            name,
            time,
            pax_time: None,
            mode,
            owner: String::new(),
            digest,
        });
    }
    Ok(out)
}

pub fn zip_member(bytes: &[u8], name: &str) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let file = archive.by_name(name).ok()?;
    let mut data = Vec::new();
    file.take(CONTENT_LIMIT).read_to_end(&mut data).ok()?;
    Some(data)
}

fn digest_of(reader: &mut impl std::io::Read) -> std::io::Result<[u8; 32]> {
    let mut hasher = Sha256::new();
    let mut reader = reader.take(MEMBER_LIMIT);
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().into())
}

pub fn tar_members(bytes: &[u8]) -> std::io::Result<Vec<Member>> {
    let mut archive = tar::Archive::new(bytes);
    let mut out = Vec::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        if out.len() >= MEMBERS_LIMIT {
            break;
        }
        let pax_time = entry.pax_extensions()?.and_then(|exts| {
            exts.filter_map(Result::ok)
                .find(|e| e.key_bytes() == b"mtime")
                .map(|e| String::from_utf8_lossy(e.value_bytes()).into_owned())
        });
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let h = entry.header();
        let owner = format!(
            "uid {} gid {} user {:?} group {:?} type {:?}",
            h.uid().unwrap_or(0),
            h.gid().unwrap_or(0),
            h.username().ok().flatten().unwrap_or(""),
            h.groupname().ok().flatten().unwrap_or(""),
            h.entry_type()
        );
        let (time, mode) = (
            i64::try_from(h.mtime().unwrap_or(0)).unwrap_or(i64::MAX),
            h.mode().ok(),
        );
        let digest = digest_of(&mut entry)?;
        out.push(Member {
            name,
            time,
            pax_time,
            mode,
            owner,
            digest,
        });
    }
    Ok(out)
}

pub fn tar_member(tar_bytes: &[u8], name: &str) -> Option<Vec<u8>> {
    let mut archive = tar::Archive::new(tar_bytes);
    for entry in archive.entries().ok()? {
        let entry = entry.ok()?;
        if entry.path_bytes().as_ref() == name.as_bytes() {
            let mut data = Vec::new();
            entry.take(CONTENT_LIMIT).read_to_end(&mut data).ok()?;
            return Some(data);
        }
    }
    None
}

/// Seconds since 1970 of a civil date and time read as UTC (zip's times carry no zone).
fn civil_seconds(year: i64, month: u8, day: u8, h: u8, m: u8, s: u8) -> i64 {
    chrono::NaiveDate::from_ymd_opt(
        i32::try_from(year).unwrap_or(1980),
        u32::from(month),
        u32::from(day),
    )
    .and_then(|d| d.and_hms_opt(u32::from(h), u32::from(m), u32::from(s)))
    .map_or(0, |t| t.and_utc().timestamp())
}
