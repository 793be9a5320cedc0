//! The release plan: pure data, printed the same way by `--dry-run` and used by the real
//! run. Which version, which file edits, which commit and tag.

use super::preflight::Problem;
use crate::git::tags::ReleaseTag;
use crate::project::{FileEdit, Project};
use crate::version::{self, Target, Version};

/// Everything a release will do.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The version before, as the project writes it (or the newest tag's).
    pub old: Option<String>,
    pub version: Version,
    /// Edits of the project's files (empty: no commit, HEAD is tagged).
    pub edits: Vec<FileEdit>,
    /// The same files, relative to the work tree root.
    pub rewrites: Vec<String>,
    pub message: String,
    pub tag: String,
    /// The tag message before the `Source-Date-Epoch` trailer is added.
    pub tag_message: String,
    pub branch: String,
    pub remote: String,
    pub push: bool,
    pub no_verify: bool,
    /// Tracked files that had uncommitted changes before the release (`--allow-dirty`):
    /// an undo leaves them as they are.
    pub dirty: Vec<String>,
}

/// The version to release and the edits that write it. The new version must be greater
/// than the newest release tag's; it may equal the project's own version (then nothing is
/// written and HEAD is tagged), never be less.
pub fn version(
    project: &Project,
    newest: Option<&ReleaseTag>,
    target: &Target,
) -> Result<(Version, Vec<FileEdit>), Problem> {
    let current = project
        .version()
        .or_else(|| newest.map(|t| t.version.clone()));
    let new = match target {
        Target::Exact(v) => v.clone(),
        Target::Bump(bump, pre) => {
            let base = current.clone().ok_or_else(|| {
                Problem::new(
                    "the version comes from tags and there is no release tag yet, so there is nothing to bump",
                    "give the first release an explicit version: git secure-release 0.1.0",
                )
            })?;
            version::bump(&base, *bump, *pre).map_err(|e| Problem::new(e.to_string(), e.hint()))?
        }
    };
    if let Some(tag) = newest {
        if new <= tag.version {
            return Err(Problem::new(
                format!(
                    "{new} is not greater than the newest release tag {} ({})",
                    tag.name, tag.version
                ),
                "release a greater version: git secure-release patch",
            ));
        }
    }
    let edits = match project.version() {
        Some(files_version) if new < files_version => {
            return Err(Problem::new(
                format!(
                    "{new} is not greater than the project's version {}",
                    project.version_text.as_deref().unwrap_or("")
                ),
                "release a greater version: git secure-release patch",
            ))
        }
        Some(files_version) if new == files_version => Vec::new(),
        Some(_) => project.plan_edits(&new),
        None => Vec::new(),
    };
    Ok((new, edits))
}

impl Plan {
    /// Whether a release commit is made.
    pub fn commits(&self) -> bool {
        !self.edits.is_empty()
    }

    /// The files changed, relative to the project root (as `version` lists them).
    pub fn files(&self) -> Vec<String> {
        self.edits.iter().map(|e| e.file.clone()).collect()
    }

    /// `git push --atomic <remote> refs/heads/<branch> refs/tags/<tag>`: full ref names, so
    /// that a tag named like a branch (or the other way round) is never ambiguous.
    pub fn push_command(&self) -> Vec<String> {
        vec![
            "git".to_owned(),
            "push".to_owned(),
            "--atomic".to_owned(),
            self.remote.clone(),
            format!("refs/heads/{}", self.branch),
            format!("refs/tags/{}", self.tag),
        ]
    }

    /// [`Plan::push_command`] as a line to paste into a shell.
    pub fn push_line(&self) -> String {
        crate::report::shell_line(&self.push_command())
    }

    /// The plan as `--dry-run` prints it: each file's diff, the commit and the tag.
    pub fn render(&self) -> String {
        let mut out = format!(
            "release {} (from {}) on branch {}\n",
            self.version,
            self.old.as_deref().unwrap_or("no version"),
            self.branch
        );
        for (e, path) in self.edits.iter().zip(&self.rewrites) {
            out.push_str(&unified_diff(path, &e.old, &e.new));
        }
        if self.commits() {
            out.push_str(&format!("commit (signed): {}\n", self.message));
        } else {
            out.push_str("commit: none, the files already hold this version: HEAD is tagged\n");
        }
        out.push_str(&format!("tag (signed, annotated): {}\n", self.tag));
        for line in self.tag_message.trim_end().lines() {
            out.push_str(&format!("    {line}\n"));
        }
        out.push_str("    \n    Source-Date-Epoch: <the release commit's committer time>\n");
        out.push_str(&format!("push: {}\n", self.push_line()));
        out
    }
}

/// A unified diff of two texts with two lines of context, for the changes a version bump
/// makes (lines replaced in place; a change of line count shows as one hunk).
pub fn unified_diff(path: &str, old: &[u8], new: &[u8]) -> String {
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    let show = |l: &str| {
        let t = l.strip_suffix('\n').unwrap_or(l);
        let t = t.strip_suffix('\r').unwrap_or(t);
        if l.ends_with('\n') {
            format!("{t}\n")
        } else {
            format!("{t}\n\\ No newline at end of file\n")
        }
    };
    if a.len() != b.len() {
        let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        let suffix = a
            .iter()
            .rev()
            .zip(b.iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
            .min(a.len().min(b.len()) - prefix);
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            prefix + 1,
            a.len() - prefix - suffix,
            prefix + 1,
            b.len() - prefix - suffix
        ));
        a[prefix..a.len() - suffix]
            .iter()
            .for_each(|l| out.push_str(&format!("-{}", show(l))));
        b[prefix..b.len() - suffix]
            .iter()
            .for_each(|l| out.push_str(&format!("+{}", show(l))));
        return out;
    }
    let changed: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    let mut i = 0;
    while i < changed.len() {
        let start = changed[i].saturating_sub(2);
        let mut end = (changed[i] + 3).min(a.len());
        let mut j = i + 1;
        while j < changed.len() && changed[j] < end + 2 {
            end = (changed[j] + 3).min(a.len());
            j += 1;
        }
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            start + 1,
            end - start,
            start + 1,
            end - start
        ));
        for k in start..end {
            if a[k] == b[k] {
                out.push_str(&format!(" {}", show(a[k])));
            } else {
                out.push_str(&format!("-{}", show(a[k])));
                out.push_str(&format!("+{}", show(b[k])));
            }
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unified_diff;

    #[test]
    fn diff_of_a_version_bump() {
        let d = unified_diff(
            "p.toml",
            b"a\nb\nversion = \"1\"\nc\nd\ne\n",
            b"a\nb\nversion = \"2\"\nc\nd\ne\n",
        );
        assert_eq!(d, "--- a/p.toml\n+++ b/p.toml\n@@ -1,5 +1,5 @@\n a\n b\n-version = \"1\"\n+version = \"2\"\n c\n d\n");
        let d = unified_diff("v", b"1.0", b"2.0");
        assert!(
            d.contains("-1.0\n\\ No newline at end of file\n+2.0\n"),
            "{d}"
        );
    }
}
