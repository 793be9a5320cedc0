//! Release tags: a tag whose name is a prefix followed by a PEP 440 version.

use super::oid::ObjectId;
use super::Repository;
use crate::version::{self, Version};

/// A release tag, split into its prefix and version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseTag {
    pub name: String,
    pub prefix: String,
    pub version: Version,
    /// What `refs/tags/NAME` points at: the tag object (or, lightweight, the commit).
    pub target: ObjectId,
}

/// Split `name` at the first digit after which the rest is a PEP 440 version:
/// `v1.2.0` → (`v`, 1.2.0), `release-1.2.0` → (`release-`, 1.2.0), `1.2.0` → (``, 1.2.0).
pub fn split_release_tag(name: &str) -> Option<(String, Version)> {
    name.char_indices()
        .filter(|&(i, c)| c.is_ascii_digit() && !name[..i].ends_with(|p: char| p.is_ascii_digit()))
        .find_map(|(i, _)| {
            version::parse(&name[i..])
                .ok()
                .map(|v| (name[..i].to_owned(), v))
        })
}

/// Every release tag of the repository.
pub fn release_tags(repo: &Repository) -> Result<Vec<ReleaseTag>, String> {
    Ok(repo
        .refs("refs/tags/")?
        .into_iter()
        .filter_map(|(name, target)| {
            let name = name.strip_prefix("refs/tags/")?;
            split_release_tag(name).map(|(prefix, version)| ReleaseTag {
                name: name.to_owned(),
                prefix,
                version,
                target,
            })
        })
        .collect())
}

/// The newest release tag: the greatest version (by name when two are equal).
pub fn newest(tags: &[ReleaseTag]) -> Option<&ReleaseTag> {
    tags.iter()
        .max_by(|a, b| a.version.cmp(&b.version).then_with(|| a.name.cmp(&b.name)))
}

/// The newest release tag reachable from `head` (what `git describe` would consider), and
/// the greatest one anywhere when HEAD cannot reach it (a release on a maintenance line).
/// Tags are tried greatest first, so a branch that has the newest release costs one check.
pub fn newest_reachable<'a>(
    repo: &Repository,
    tags: &'a [ReleaseTag],
    head: Option<ObjectId>,
) -> (Option<&'a ReleaseTag>, Option<&'a ReleaseTag>) {
    let mut order: Vec<&ReleaseTag> = tags.iter().collect();
    order.sort_by(|a, b| b.version.cmp(&a.version).then_with(|| b.name.cmp(&a.name)));
    let Some(head) = head else {
        return (None, order.first().copied());
    };
    let reachable = |t: &ReleaseTag| {
        repo.peel_to_commit(t.target)
            .is_some_and(|c| repo.is_ancestor(c, head))
    };
    let found = order.iter().position(|t| reachable(t));
    let newest = found.map(|i| order[i]);
    let elsewhere = match found {
        Some(0) => None,
        _ => order.first().copied(),
    };
    (newest, elsewhere)
}

/// The tag prefix of a release: the configured one, else the newest release tag's, else `v`.
pub fn tag_prefix(configured: Option<&str>, newest: Option<&ReleaseTag>) -> String {
    configured
        .map(str::to_owned)
        .or_else(|| newest.map(|t| t.prefix.clone()))
        .unwrap_or_else(|| "v".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_prefix_from_version() {
        let split = |n: &str| split_release_tag(n).map(|(p, v)| (p, v.to_string()));
        assert_eq!(split("v1.2.0"), Some(("v".into(), "1.2.0".into())));
        assert_eq!(
            split("release-1.2.0rc1"),
            Some(("release-".into(), "1.2.0rc1".into()))
        );
        assert_eq!(split("1.2.0"), Some(("".into(), "1.2.0".into())));
        assert_eq!(split("pkg2-1.0"), Some(("pkg2-".into(), "1.0".into())));
        assert_eq!(split("v10.0"), Some(("v".into(), "10.0".into())));
        assert_eq!(split("nightly"), None);
        assert_eq!(split("v1.0-foo"), None);
        assert_eq!(split("v1.0-beta.2"), Some(("v".into(), "1.0b2".into())));
    }

    #[test]
    fn newest_is_the_greatest_version() {
        let tag = |n: &str| {
            let (prefix, version) = split_release_tag(n).expect("release tag");
            ReleaseTag {
                name: n.into(),
                prefix,
                version,
                target: ObjectId::from_hex(&"0".repeat(40)).expect("an id"),
            }
        };
        let tags = vec![
            tag("v0.9.0"),
            tag("release-1.10.0"),
            tag("v1.2.0"),
            tag("v1.10.0rc1"),
        ];
        assert_eq!(
            newest(&tags).map(|t| t.name.as_str()),
            Some("release-1.10.0")
        );
        assert_eq!(tag_prefix(None, newest(&tags)), "release-");
        assert_eq!(tag_prefix(Some("x"), newest(&tags)), "x");
        assert_eq!(tag_prefix(None, None), "v");
    }
}
