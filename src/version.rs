//! PEP 440 versions and the bump rules, with exactly the meaning of `uv version --bump`.
//!
//! `pep440_rs` parses, normalises and orders; this module only adds the bump words. A bump
//! never guesses: when the result would not be greater than the current version, it is
//! refused, as uv refuses it.

use std::fmt;
use std::str::FromStr;

pub use pep440_rs::Version;
use pep440_rs::{Prerelease, PrereleaseKind};

/// A bump word of the release command and of `version --bump`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Bump {
    Major,
    Minor,
    Patch,
    Stable,
    Alpha,
    Beta,
    Rc,
    Post,
    Dev,
}

/// The pre-release kinds that `--pre` combines with major, minor or patch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PreKind {
    Alpha,
    Beta,
    Rc,
}

impl PreKind {
    fn kind(self) -> PrereleaseKind {
        match self {
            PreKind::Alpha => PrereleaseKind::Alpha,
            PreKind::Beta => PrereleaseKind::Beta,
            PreKind::Rc => PrereleaseKind::Rc,
        }
    }
}

impl Bump {
    /// The word as the user types it.
    pub fn word(self) -> &'static str {
        match self {
            Bump::Major => "major",
            Bump::Minor => "minor",
            Bump::Patch => "patch",
            Bump::Stable => "stable",
            Bump::Alpha => "alpha",
            Bump::Beta => "beta",
            Bump::Rc => "rc",
            Bump::Post => "post",
            Bump::Dev => "dev",
        }
    }

    /// Every bump word, in the order the help text lists them.
    pub const ALL: [Bump; 9] = [
        Bump::Major,
        Bump::Minor,
        Bump::Patch,
        Bump::Stable,
        Bump::Alpha,
        Bump::Beta,
        Bump::Rc,
        Bump::Post,
        Bump::Dev,
    ];

    /// The bump word `word` names, if any.
    pub fn from_word(word: &str) -> Option<Bump> {
        Bump::ALL.into_iter().find(|b| b.word() == word)
    }

    fn release_index(self) -> Option<usize> {
        match self {
            Bump::Major => Some(0),
            Bump::Minor => Some(1),
            Bump::Patch => Some(2),
            _ => None,
        }
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// Why a bump was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BumpError {
    #[error("`--pre {pre}` combines only with major, minor or patch, not with `{bump}`")]
    PreNeedsRelease { bump: Bump, pre: &'static str },
    #[error("{old} => {new} does not increase the version")]
    NotGreater {
        old: String,
        new: String,
        hint: &'static str,
    },
}

impl BumpError {
    /// What the user can do instead.
    pub fn hint(&self) -> &'static str {
        match self {
            BumpError::PreNeedsRelease { .. } => {
                "write it as `minor --pre rc`, or bump the pre-release alone with `alpha`, `beta` or `rc`"
            }
            BumpError::NotGreater { hint, .. } => hint,
        }
    }
}

/// The version a release with `bump` (and `pre`) makes from `old`, as `uv version --bump`
/// computes it: a higher component resets every lower one; epoch and local label are kept.
pub fn bump(old: &Version, bump: Bump, pre: Option<PreKind>) -> Result<Version, BumpError> {
    if let Some(pre) = pre {
        if bump.release_index().is_none() {
            return Err(BumpError::PreNeedsRelease {
                bump,
                pre: pre_word(pre),
            });
        }
    }
    let mut new = old.clone();
    match bump {
        Bump::Major | Bump::Minor | Bump::Patch => {
            let index = bump.release_index().unwrap_or(0);
            let parts = old.release();
            let len = parts.len().max(index + 1);
            let release: Vec<u64> = (0..len)
                .map(|i| match i.cmp(&index) {
                    std::cmp::Ordering::Less => parts.get(i).copied().unwrap_or(0),
                    std::cmp::Ordering::Equal => {
                        parts.get(i).copied().unwrap_or(0).saturating_add(1)
                    }
                    std::cmp::Ordering::Greater => 0,
                })
                .collect();
            new = new
                .with_release(release)
                .with_pre(None)
                .with_post(None)
                .with_dev(None);
        }
        Bump::Stable => new = new.with_pre(None).with_post(None).with_dev(None),
        Bump::Alpha | Bump::Beta | Bump::Rc => new = bump_pre(new, bump_kind(bump)),
        Bump::Post => {
            let post = old.post().map_or(1, |p| p.saturating_add(1));
            new = new.with_dev(None).with_post(Some(post));
        }
        Bump::Dev => new = new.with_dev(Some(old.dev().map_or(1, |d| d.saturating_add(1)))),
    }
    if let Some(pre) = pre {
        new = bump_pre(new, pre.kind());
    }
    if new <= *old {
        let hint = match bump {
            Bump::Dev => "a dev release must also raise another component: give `major`, `minor` or `patch` first, or an explicit version",
            Bump::Alpha | Bump::Beta | Bump::Rc => "a pre-release of a released version needs a new release number: use `major|minor|patch --pre alpha|beta|rc`",
            _ => "give the exact version to release instead",
        };
        return Err(BumpError::NotGreater {
            old: old.to_string(),
            new: new.to_string(),
            hint,
        });
    }
    Ok(new)
}

fn bump_kind(bump: Bump) -> PrereleaseKind {
    match bump {
        Bump::Alpha => PrereleaseKind::Alpha,
        Bump::Beta => PrereleaseKind::Beta,
        _ => PrereleaseKind::Rc,
    }
}

fn pre_word(pre: PreKind) -> &'static str {
    match pre {
        PreKind::Alpha => "alpha",
        PreKind::Beta => "beta",
        PreKind::Rc => "rc",
    }
}

/// Raise the pre-release of `kind` by one, or start it at 1; post and dev are cleared.
fn bump_pre(version: Version, kind: PrereleaseKind) -> Version {
    let number = match version.pre() {
        Some(p) if p.kind == kind => p.number.saturating_add(1),
        _ => 1,
    };
    version
        .with_post(None)
        .with_dev(None)
        .with_pre(Some(Prerelease { kind, number }))
}

/// Parse a PEP 440 version, with the reason when it is not one.
pub fn parse(text: &str) -> Result<Version, String> {
    if text.trim() != text || text.is_empty() {
        return Err(format!("{text:?} is not a PEP 440 version"));
    }
    Version::from_str(text).map_err(|e| format!("{text:?} is not a PEP 440 version: {e}"))
}

/// What the user asked a release to make: an explicit version, or a bump word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Exact(Version),
    Bump(Bump, Option<PreKind>),
}

impl Target {
    /// Read `VERSION|BUMP` from the command line.
    pub fn parse(text: &str, pre: Option<PreKind>) -> Result<Target, String> {
        if let Some(b) = Bump::from_word(text) {
            if let (Some(pre), None) = (pre, b.release_index()) {
                return Err(BumpError::PreNeedsRelease {
                    bump: b,
                    pre: pre_word(pre),
                }
                .to_string());
            }
            return Ok(Target::Bump(b, pre));
        }
        let version = parse(text).map_err(|e| {
            format!("{e}; expected a version such as 1.2.0 or one of: major minor patch stable alpha beta rc post dev")
        })?;
        if pre.is_some() {
            return Err(
                "`--pre` goes with major, minor or patch, not with an explicit version".into(),
            );
        }
        Ok(Target::Exact(version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::from_str(s).expect("valid version")
    }

    // Regression (found by `scripts/fuzz`, target `version`): a component at u64::MAX
    // overflowed when bumped and panicked; it is refused as not increasing the version.
    #[test]
    fn bumps_at_the_largest_numbers_are_refused_not_a_panic() {
        let max = u64::MAX;
        for text in [
            format!("{max}.1.6"),
            format!("1.{max}"),
            format!("1.0.{max}"),
            format!("1.0.post{max}"),
            format!("1.0.dev{max}"),
            format!("1.0rc{max}"),
        ] {
            let old = v(&text);
            for bump in [
                Bump::Major,
                Bump::Minor,
                Bump::Patch,
                Bump::Post,
                Bump::Dev,
                Bump::Rc,
            ] {
                if let Ok(new) = super::bump(&old, bump, None) {
                    assert!(new > old, "{text} {bump:?} -> {new}");
                }
            }
        }
        assert!(super::bump(&v(&format!("{max}.1.6")), Bump::Major, None).is_err());
    }

    /// Every row of `tests/data/uv_bumps.tsv`, captured from `uv version --bump` (uv 0.13.9)
    /// by `scripts/uv-bump-table.sh`: the same result, or a refusal where uv refuses.
    #[test]
    fn bumps_agree_with_uv() {
        let table = include_str!("../tests/data/uv_bumps.tsv");
        let mut rows = 0;
        let mut versions = std::collections::BTreeSet::new();
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "malformed row {line:?}");
            let (old, words, want) = (cols[0], cols[1], cols[2]);
            let mut words = words.split(" --pre ");
            let b = Bump::from_word(words.next().unwrap_or_default()).expect("bump word");
            let pre = words.next().map(|p| match p {
                "alpha" => PreKind::Alpha,
                "beta" => PreKind::Beta,
                _ => PreKind::Rc,
            });
            let got = bump(&v(old), b, pre);
            match want {
                "!" => assert!(
                    got.is_err(),
                    "{old} {b} {pre:?}: uv refuses, we made {got:?}"
                ),
                want => assert_eq!(
                    got.as_ref().map(ToString::to_string).ok().as_deref(),
                    Some(want),
                    "{old} {b} {pre:?}"
                ),
            }
            versions.insert(old);
            rows += 1;
        }
        assert!(rows >= 60 * 18, "only {rows} rows");
        assert!(versions.len() >= 60);
    }

    #[test]
    fn pre_only_with_release_words() {
        let err = bump(&v("1.0"), Bump::Post, Some(PreKind::Rc)).unwrap_err();
        assert!(matches!(err, BumpError::PreNeedsRelease { .. }));
        assert!(err.to_string().contains("--pre rc"));
    }

    #[test]
    fn refusal_names_both_versions() {
        let err = bump(&v("0.7.1"), Bump::Dev, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "0.7.1 => 0.7.1.dev1 does not increase the version"
        );
        assert!(err.hint().contains("major"));
    }

    #[test]
    fn normalisation_and_ordering() {
        for (raw, norm) in [
            ("1.0.0-rc1", "1.0.0rc1"),
            ("1.0.0.RC1", "1.0.0rc1"),
            ("v1.0", "1.0"),
            ("1.0.0alpha1", "1.0.0a1"),
            ("1.0.0c1", "1.0.0rc1"),
            ("1.0.0-1", "1.0.0.post1"),
            ("1.0.post", "1.0.post0"),
            ("3.2.0.dev", "3.2.0.dev0"),
            ("1.0.0_dev", "1.0.0.dev0"),
            ("1!2.0", "1!2.0"),
            ("1.0+Local.7", "1.0+local.7"),
        ] {
            assert_eq!(v(raw).to_string(), norm, "{raw}");
        }
        let ordered = [
            "1.0.dev0",
            "1.0a1.dev1",
            "1.0a1",
            "1.0a1.post1",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+local",
            "1.0.post1.dev1",
            "1.0.post1",
            "1.1.dev0",
            "1.1",
            "1!0.1",
        ];
        for pair in ordered.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.0"), v("1.0.0"));
    }

    #[test]
    fn parse_rejects_what_is_not_pep440() {
        for bad in [
            "",
            " 1.0",
            "1.0 ",
            "1.0.0-beta.1.2",
            "latest",
            "1..0",
            "1.0+",
            "01.0-foo",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(parse("2.1.0.post1").is_ok());
    }

    #[test]
    fn target_words_and_versions() {
        assert_eq!(
            Target::parse("minor", Some(PreKind::Rc)),
            Ok(Target::Bump(Bump::Minor, Some(PreKind::Rc)))
        );
        assert_eq!(Target::parse("0.2.0", None), Ok(Target::Exact(v("0.2.0"))));
        assert!(Target::parse("0.2.0", Some(PreKind::Rc)).is_err());
        assert!(Target::parse("bogus", None)
            .unwrap_err()
            .contains("major minor patch"));
    }
}
