//! The fix for an object that is not validly signed, shared by `doctor` and the release's
//! preflight (contract §2.2): a missing public key is imported, never worked around; history
//! others may have (a commit reachable from a remote-tracking branch, a tag on such a commit)
//! or someone else's valid signature is never amended, re-signed or force-pushed.

use crate::git::oid::ObjectId as Oid;
use crate::git::Repository;

use crate::signing::{Status, Verdict};

/// How to get the key that is missing: by its fingerprint, the project's key file, or
/// GitHub's web-flow key for commits made on github.com.
pub fn import_key(fingerprint: &str) -> String {
    let fpr = if fingerprint.is_empty() {
        "<fingerprint>"
    } else {
        fingerprint
    };
    format!(
        "import the signer's public key: gpg --recv-keys {fpr}  (or the project's key file: gpg --import KEYS.asc; GitHub's web-flow key, for commits made on github.com: curl -fsSL https://github.com/web-flow.gpg | gpg --import)"
    )
}

/// Whether the verdict is a valid signature by somebody's key, just not one accepted here.
fn someone_elses_valid_signature(v: &Verdict) -> bool {
    matches!(
        v.status,
        Status::Untrusted | Status::ExpiredKey | Status::RevokedKey | Status::ExpiredSignature
    )
}

/// The fix for the commit `oid` (HEAD) whose verdict is `v`; `release` adds the release's
/// own way past it.
pub fn commit_fix(repo: &Repository, oid: Oid, v: &Verdict, release: bool) -> String {
    let past = if release {
        ", or pass --allow-unsigned"
    } else {
        ""
    };
    if v.status == Status::UnknownKey {
        let fpr = v.signer.as_ref().map_or("", |s| s.fingerprint.as_str());
        return format!("{}{past}", import_key(fpr));
    }
    if v.status == Status::Untrusted {
        return format!("it is validly signed by a key not trusted here: certify the key (gpg --lsign-key <fingerprint>), set gpg.minTrustLevel lower, or (ssh) add it to gpg.ssh.allowedSignersFile{past}");
    }
    if someone_elses_valid_signature(v) {
        return format!("its signature is someone's: leave the commit as it is and make a signed commit on top: git commit --allow-empty -S -m \"Sign the release point\"{past}");
    }
    match repo.remote_branch_containing(oid) {
        Some(remote) => format!(
            "HEAD is already on {remote}: never amend it; make a signed commit on top: git commit --allow-empty -S -m \"Sign the release point\"{past}"
        ),
        None => format!("sign it (it is not on any remote-tracking branch): git commit --amend --no-edit -S{past}"),
    }
}

/// The fix for release tags that are not validly signed, `bad` as (name, target commit,
/// verdict status, signer's fingerprint).
pub fn tags_fix(repo: &Repository, bad: &[(String, Option<Oid>, Status, String)]) -> String {
    let unknown: Vec<&str> = bad
        .iter()
        .filter(|b| b.2 == Status::UnknownKey)
        .map(|b| b.3.as_str())
        .collect();
    let local: Vec<&str> = bad
        .iter()
        .filter(|b| b.2 != Status::UnknownKey)
        .filter(|b| {
            b.1.is_none_or(|c| repo.remote_branch_containing(c).is_none())
        })
        .map(|b| b.0.as_str())
        .collect();
    let mut fixes = Vec::new();
    if let Some(fpr) = unknown.first() {
        fixes.push(import_key(fpr));
    }
    if !local.is_empty() {
        fixes.push(format!(
            "re-make the ones not yet published signed: git tag -f -s <tag> <tag>^{{}} -m \"Release <version>\" (for {})",
            cut(&local, 5)
        ));
    }
    if bad.len() > unknown.len() + local.len() {
        fixes.push("tags on published commits stay as they are: sign the next releases' tags, and check what came since with git secure-release verify --commits <newest tag>..HEAD".into());
    }
    fixes.join("; ")
}

/// `items` joined, cut after `most` with a count: "a, b, c and 240 more".
pub fn cut(items: &[&str], most: usize) -> String {
    let mut shown = items
        .iter()
        .take(most)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > most {
        shown.push_str(&format!(" … and {} more", items.len() - most));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn long_lists_are_cut_with_a_count() {
        let many: Vec<String> = (0..251).map(|i| format!("v0.{i}.0")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(cut(&refs, 3), "v0.0.0, v0.1.0, v0.2.0 … and 248 more");
        assert_eq!(cut(&refs[..2], 3), "v0.0.0, v0.1.0");
    }
}
