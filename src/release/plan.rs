//! The release plan: pure data, one serialisable value. It is what `--dry-run` prints, what
//! the real run carries out, and what the journal stores, so that an interrupted release is
//! finished or undone from exactly the plan it started with.

use serde::{Deserialize, Serialize};

pub use crate::project::FileEdit;

use super::context::Context;
use super::preflight::Problem;
use super::Options;
use crate::git::tags::{self, ReleaseTag};
use crate::project::Project;
use crate::version::{self, Target, Version};

/// Where values of the plan came from, to name them in a refusal.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Sources {
    /// `--push`, `[tool.secure-release] push`, `branch.<name>.remote` or the default.
    pub remote: String,
    /// `-m`, `-F`, `[tool.secure-release] message` or the default.
    pub message: String,
}

/// Everything a release will do.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Plan {
    /// The version before, as the project writes it (or the newest tag's).
    pub old: Option<String>,
    pub version: String,
    /// The files rewritten (none: no commit, HEAD is tagged).
    pub files: Vec<FileEdit>,
    /// The release commit's message.
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
    #[serde(default)]
    pub sources: Sources,
}

/// Plan the release on `branch`: the version, the tag, the files and their new bytes, the
/// messages and the remote. What stands in the way of a plan is returned as problems (the
/// preflight reports them with its own).
pub fn build(ctx: &Context, opts: &Options, branch: Option<&str>) -> (Option<Plan>, Vec<Problem>) {
    let mut problems = Vec::new();
    let project = match &ctx.project {
        Ok(p) => Some(p),
        Err(e) => {
            problems.push(Problem::new(
                e.to_string(),
                e.hint()
                    .unwrap_or_else(|| "git secure-release version".into()),
            ));
            None
        }
    };
    let newest = ctx.newest_tag();
    let prefix = opts
        .tag_prefix
        .clone()
        .unwrap_or_else(|| tags::tag_prefix(ctx.project_config().tag_prefix.as_deref(), newest));
    if let Err(why) = crate::git::refname::check_tag_prefix(&prefix) {
        problems.push(Problem::new(
            format!("tag prefix: {why}"),
            "choose a prefix such as v or release-",
        ));
    }
    let planned = project.and_then(|p| match version(p, newest, &opts.target) {
        Ok(v) => Some((p, v)),
        Err(problem) => {
            problems.push(problem);
            None
        }
    });
    let Some((project, (new, edits))) = planned else {
        return (None, problems);
    };
    let tag = format!("{prefix}{new}");
    if let Err(why) = crate::git::refname::check_tag_name(&tag) {
        problems.push(Problem::new(
            format!("the tag name {}: {why}", crate::report::value(&tag)),
            "choose a shorter or plainer --tag-prefix (or [tool.secure-release] tag-prefix)",
        ));
    } else if ctx.tag_oid(&tag).is_some() {
        problems.push(Problem::new(
            format!("tag {tag} already exists"),
            format!("release a greater version, or delete the tag if it was never published: git tag -d {tag}"),
        ));
    }
    let (template, message_key) = match (&opts.message, &project.config.message) {
        (Some(m), _) => (m.clone(), opts.message_from.to_owned()),
        (None, Some(m)) => (m.clone(), "[tool.secure-release] message".to_owned()),
        (None, None) => ("Release {version}".to_owned(), "the default".to_owned()),
    };
    let message = template.replace("{version}", &new.to_string());
    let (remote, remote_key) = super::push::remote(ctx, opts, project, branch);
    let plan = Plan {
        old: project
            .version_text
            .clone()
            .or_else(|| newest.map(|t| t.version.to_string())),
        version: new.to_string(),
        files: changes(ctx, project, edits),
        message: message.clone(),
        tag,
        tag_message: message,
        branch: branch.unwrap_or_default().to_owned(),
        remote,
        push: opts.push.is_some() || project.config.push.is_some(),
        no_verify: opts.no_verify,
        dirty: Vec::new(),
        sources: Sources {
            remote: remote_key,
            message: message_key,
        },
    };
    (Some(plan), problems)
}

/// The project's edits placed in the work tree.
fn changes(ctx: &Context, project: &Project, edits: Vec<FileEdit>) -> Vec<FileEdit> {
    let canonical = |p: &std::path::Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let rel = canonical(&project.root)
        .strip_prefix(canonical(&ctx.workdir))
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    edits
        .into_iter()
        .map(|e| FileEdit {
            path: rel.join(&e.file).to_string_lossy().replace('\\', "/"),
            ..e
        })
        .collect()
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
        !self.files.is_empty()
    }

    /// The files changed, relative to the project root (as `version` lists them).
    pub fn file_names(&self) -> Vec<String> {
        self.files.iter().map(|f| f.file.clone()).collect()
    }

    /// The files changed, relative to the work tree's top.
    pub fn paths(&self) -> Vec<&str> {
        self.files.iter().map(|f| f.path.as_str()).collect()
    }

    /// The push command (see [`super::push::command`]).
    pub fn push_command(&self) -> Vec<String> {
        super::push::command(self)
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
        for f in &self.files {
            out.push_str(&unified_diff(&f.path, &f.old, &f.new));
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
    use super::*;

    #[test]
    fn a_plan_round_trips_through_json_byte_for_byte() {
        let plan = Plan {
            old: Some("0.9".into()),
            version: "1.0.0".into(),
            files: vec![FileEdit {
                path: "sub/pyproject.toml".into(),
                file: "pyproject.toml".into(),
                old: b"\xff\r\nversion = \"0.9\"".to_vec(),
                new: b"\xff\r\nversion = \"1.0.0\"".to_vec(),
            }],
            message: "Release 1.0.0".into(),
            tag: "v1.0.0".into(),
            tag_message: "Release 1.0.0".into(),
            branch: "main".into(),
            remote: "origin".into(),
            push: false,
            no_verify: false,
            dirty: vec!["notes.txt".into()],
            sources: Sources::default(),
        };
        let text = serde_json::to_string(&plan).expect("serialize");
        assert_eq!(serde_json::from_str::<Plan>(&text).expect("parse"), plan);
        assert!(serde_json::from_str::<Plan>(&text.replace("ff0d", "f")).is_err());
    }

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
