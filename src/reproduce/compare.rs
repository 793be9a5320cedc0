//! One row per artifact: the two builds compared with each other and with every
//! expectation, each row that is not a match with its first difference and likely cause.

use super::build::Artifact;
use super::diff::{self, Difference, Setting};
use super::expect::{self, Expected};

/// What became of one artifact (contract §2.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Identical across the two builds, and no expectation names it.
    Reproducible,
    /// Identical across the builds and equal to its expectation.
    Matches,
    /// The two builds made different files.
    Differs,
    /// The builds agree, but not with what was expected.
    Mismatch,
    /// Made by one build only, or expected and made by neither.
    Missing,
}

impl Verdict {
    pub fn passes(self) -> bool {
        matches!(self, Verdict::Reproducible | Verdict::Matches)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Reproducible => "reproducible",
            Verdict::Matches => "matches",
            Verdict::Differs => "differs",
            Verdict::Mismatch => "mismatch",
            Verdict::Missing => "missing",
        }
    }
}

/// The expectation an artifact was held to.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Against {
    pub sha256: String,
    pub source: String,
}

/// One row of the report; its JSON form is the same.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Row {
    pub name: String,
    /// The first build's SHA-256 (the expected one for an artifact neither build made).
    pub sha256: String,
    /// The second build's, when it differs from the first's.
    pub sha256_second: Option<String>,
    pub verdict: Verdict,
    pub expected: Option<Against>,
    pub difference: Option<Difference>,
}

/// Compare the two builds' artifacts with each other and with the expectations.
pub fn compare(
    first: &[Artifact],
    second: &[Artifact],
    expected: &[Expected],
    setting: &Setting<'_>,
) -> Vec<Row> {
    let mut names: Vec<&str> = first
        .iter()
        .chain(second)
        .map(|a| a.name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut used = vec![false; expected.len()];
    let mut rows = Vec::new();
    for name in names {
        let a = first.iter().find(|x| x.name == name);
        let b = second.iter().find(|x| x.name == name);
        let mine = expected.iter().enumerate().find(|(_, e)| match &e.name {
            Some(n) => expect::same_file(n, name),
            None => a.is_some_and(|a| a.sha256 == e.sha256),
        });
        if let Some((i, _)) = mine {
            used[i] = true;
        }
        rows.push(row(name, a, b, mine.map(|(_, e)| e), setting));
    }
    for (e, _) in expected.iter().zip(&used).filter(|(_, u)| !**u) {
        rows.push(unmatched(e));
    }
    rows
}

fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

fn row(
    name: &str,
    a: Option<&Artifact>,
    b: Option<&Artifact>,
    expected: Option<&Expected>,
    setting: &Setting<'_>,
) -> Row {
    let against = expected.map(|e| Against {
        sha256: e.sha256.clone(),
        source: e.source.clone(),
    });
    let (Some(a), Some(b)) = (a, b) else {
        let which = if a.is_some() {
            "the first build"
        } else {
            "the second build"
        };
        return Row {
            name: name.to_owned(),
            sha256: a.or(b).map(|x| x.sha256.clone()).unwrap_or_default(),
            sha256_second: None,
            verdict: Verdict::Missing,
            expected: against,
            difference: Some(Difference {
                what: format!("only {which} made it"),
                cause: "the build's output depends on something outside the checkout (the time, the machine, a network answer)".to_owned(),
            }),
        };
    };
    let mut out = Row {
        name: name.to_owned(),
        sha256: a.sha256.clone(),
        sha256_second: None,
        verdict: Verdict::Reproducible,
        expected: against,
        difference: None,
    };
    if a.sha256 != b.sha256 {
        out.sha256_second = Some(b.sha256.clone());
        out.verdict = Verdict::Differs;
        out.difference = Some(diff::first_difference(
            name,
            &read(&a.path),
            &read(&b.path),
            setting,
        ));
        return out;
    }
    let Some(e) = expected else { return out };
    if e.sha256 == a.sha256 {
        out.verdict = Verdict::Matches;
        return out;
    }
    out.verdict = Verdict::Mismatch;
    out.difference = Some(match &e.file {
        Some(file) => {
            let held = Setting {
                labels: ["built", "expected"],
                ..*setting
            };
            diff::first_difference(name, &read(&a.path), &read(file), &held)
        }
        None => Difference {
            what: format!("its SHA-256 is not the expected {} ({})", e.sha256, e.source),
            cause: "unknown without the expected file: pass it with --expect FILE (or use --index) to see where they differ".to_owned(),
        },
    });
    out
}

/// An expectation no artifact answered.
fn unmatched(e: &Expected) -> Row {
    let (name, what) = match &e.name {
        Some(n) => (
            n.clone(),
            format!("expected ({}), but neither build made it", e.source),
        ),
        None => (
            format!("sha256:{}", e.sha256),
            "no artifact either build made has this SHA-256".to_owned(),
        ),
    };
    Row {
        name,
        sha256: e.sha256.clone(),
        sha256_second: None,
        verdict: if e.name.is_some() { Verdict::Missing } else { Verdict::Mismatch },
        expected: Some(Against {
            sha256: e.sha256.clone(),
            source: e.source.clone(),
        }),
        difference: Some(Difference {
            what,
            cause: "the build made other files: another version, other wheel tags, or a wheel or sdist the build command does not make".to_owned(),
        }),
    }
}
