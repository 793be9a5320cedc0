//! The secure package template's practices, as warnings (never failures): a security
//! policy, Dependabot, a trusted-publishing workflow, actions pinned to commit SHAs, and
//! hashes in pinned requirements files. Each warning names the file and line. Workflows are
//! read with a YAML parser (yaml-rust2), into a small tree that keeps line numbers.

use std::path::{Path, PathBuf};

pub use super::yaml::{parse_yaml, Node, Value};
use super::{Check, World};

/// The folder whose files are checked: the work tree, else the project's folder.
fn root(world: &World) -> Option<PathBuf> {
    if let Some(dir) = world.repo.as_ref().and_then(|r| r.workdir()) {
        return Some(dir.to_path_buf());
    }
    world
        .cwd
        .ancestors()
        .find(|d| d.join("pyproject.toml").is_file())
        .map(Path::to_path_buf)
}

pub fn checks(world: &World) -> Vec<Check> {
    let ids = [
        "practice.security-policy",
        "practice.dependabot",
        "practice.publish-workflow",
        "practice.pinned-actions",
        "practice.hashed-requirements",
    ];
    let Some(root) = root(world) else {
        return ids
            .iter()
            .map(|id| Check::skip(id, "skipped: not inside a repository or project"))
            .collect();
    };
    let workflows = read_workflows(&root);
    vec![
        security_policy(&root),
        dependabot(&root),
        publish_workflow(&workflows),
        pinned_actions(&workflows),
        hashed_requirements(&root),
    ]
}

fn find_ci(dir: &Path, names: &[&str]) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name().is_some_and(|n| {
                    names
                        .iter()
                        .any(|w| n.to_string_lossy().eq_ignore_ascii_case(w))
                })
        })
        .collect();
    found.sort();
    found.into_iter().next()
}

fn security_policy(root: &Path) -> Check {
    let id = "practice.security-policy";
    for dir in [root.to_path_buf(), root.join(".github"), root.join("docs")] {
        if let Some(f) = find_ci(&dir, &["SECURITY.md"]) {
            return Check::pass(id, rel(root, &f));
        }
    }
    Check::warn(
        id,
        "no SECURITY.md (in the project folder, .github/ or docs/): reporters do not know how to reach you privately",
        "add SECURITY.md saying how to report a vulnerability (for example through GitHub's private vulnerability reporting)",
    )
}

fn dependabot(root: &Path) -> Check {
    let id = "practice.dependabot";
    match find_ci(&root.join(".github"), &["dependabot.yml", "dependabot.yaml"]) {
        Some(f) => Check::pass(id, rel(root, &f)),
        None => Check::warn(
            id,
            "no .github/dependabot.yml: dependencies and pinned actions are not kept up to date",
            "add .github/dependabot.yml with updates for the \"pip\" and \"github-actions\" ecosystems",
        ),
    }
}

struct Workflow {
    name: String,
    doc: Result<Option<Node>, String>,
}

fn read_workflows(root: &Path) -> Vec<Workflow> {
    let dir = root.join(".github").join("workflows");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| Workflow {
            name: rel(root, &f),
            doc: std::fs::read_to_string(&f)
                .map_err(|e| e.to_string())
                .and_then(|t| parse_yaml(&t)),
        })
        .collect()
}

fn grants_id_token(permissions: Option<&Node>) -> bool {
    match permissions {
        Some(p) => {
            p.as_str() == Some("write-all")
                || p.get("id-token").and_then(Node::as_str) == Some("write")
        }
        None => false,
    }
}

fn publish_workflow(workflows: &[Workflow]) -> Check {
    let id = "practice.publish-workflow";
    let mut near = None;
    for wf in workflows {
        let Ok(Some(doc)) = &wf.doc else { continue };
        let top = grants_id_token(doc.get("permissions"));
        for (name, job) in doc.get("jobs").map(Node::entries).unwrap_or_default() {
            let job_name = name.as_str().unwrap_or("?");
            let token = match job.get("permissions") {
                Some(p) => grants_id_token(Some(p)),
                None => top,
            };
            let env = job.get("environment").is_some();
            if token && env {
                return Check::pass(
                    id,
                    format!(
                        "{}:{}: job {job_name} publishes with trusted publishing",
                        wf.name, name.line
                    ),
                );
            }
            let publishes = job
                .get("steps")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .any(|s| {
                    s.get("uses")
                        .and_then(Node::as_str)
                        .is_some_and(|u| u.starts_with("pypa/gh-action-pypi-publish"))
                });
            if publishes && near.is_none() {
                let missing = match (token, env) {
                    (false, false) => "`permissions: id-token: write` and an `environment`",
                    (false, true) => "`permissions: id-token: write`",
                    _ => "an `environment`",
                };
                near = Some(format!(
                    "{}:{}: job {job_name} publishes to PyPI but lacks {missing}",
                    wf.name, name.line
                ));
            }
        }
    }
    let hint = "publish from a job with `environment: pypi` and `permissions: id-token: write`, using pypa/gh-action-pypi-publish (trusted publishing, no API token)";
    match near {
        Some(message) => Check::warn(id, message, hint),
        None => Check::warn(
            id,
            "no workflow in .github/workflows publishes with trusted publishing",
            hint,
        ),
    }
}

fn collect_uses<'a>(node: &'a Node, out: &mut Vec<&'a Node>) {
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                if k.as_str() == Some("uses") && v.as_str().is_some() {
                    out.push(v);
                } else {
                    collect_uses(v, out);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| collect_uses(i, out)),
        Value::Scalar(_) => {}
    }
}

fn pinned(uses: &str) -> bool {
    if uses.starts_with("./") {
        return true;
    }
    // slsa-github-generator's reusable workflows must be referenced by tag (they verify
    // their own ref), so a tag is what the practice asks of them.
    if uses.starts_with("slsa-framework/slsa-github-generator/") {
        return uses
            .rsplit_once('@')
            .is_some_and(|(_, r)| r.starts_with('v'));
    }
    if let Some(image) = uses.strip_prefix("docker://") {
        return image.contains("@sha256:");
    }
    uses.rsplit_once('@')
        .is_some_and(|(_, r)| r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn pinned_actions(workflows: &[Workflow]) -> Check {
    let id = "practice.pinned-actions";
    if workflows.is_empty() {
        return Check::pass(id, "no workflows in .github/workflows");
    }
    let mut loose = Vec::new();
    let mut total = 0;
    for wf in workflows {
        match &wf.doc {
            Err(e) => loose.push(format!("{}: cannot be read as YAML ({e})", wf.name)),
            Ok(None) => {}
            Ok(Some(doc)) => {
                let mut uses = Vec::new();
                collect_uses(doc, &mut uses);
                total += uses.len();
                for u in uses {
                    let text = u.as_str().unwrap_or_default();
                    if !pinned(text) {
                        loose.push(format!("{}:{}: {text}", wf.name, u.line));
                    }
                }
            }
        }
    }
    if loose.is_empty() {
        return Check::pass(id, format!("all {total} `uses:` are pinned to commit SHAs"));
    }
    Check::warn(
        id,
        format!("{} `uses:` not pinned to a full commit SHA: {}", loose.len(), loose.join("; ")),
        "pin each action to the 40-character commit SHA of its release, with the version in a comment: uses: actions/checkout@<sha> # v4.2.2",
    )
}

/// Requirements files: `requirements*.txt` anywhere, and `*.txt` in a `requirements` folder,
/// outside virtual environments and hidden folders, a few levels deep.
fn requirement_files(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if p.is_dir() {
            let skip = name.starts_with('.')
                || [
                    "node_modules",
                    "venv",
                    "env",
                    "site-packages",
                    "__pycache__",
                    "build",
                    "dist",
                    // Not the project's own requirements (contract §2.2).
                    "examples",
                    "example",
                    "tests",
                    "test",
                    "docs",
                    "doc",
                    "fixtures",
                ]
                .contains(&name.as_str());
            if depth > 0 && !skip {
                requirement_files(&p, depth - 1, out);
            }
        } else if name.ends_with(".txt")
            && (name.starts_with("requirements")
                || dir.file_name().is_some_and(|d| d == "requirements"))
        {
            out.push(p);
        }
    }
}

/// The first requirement of a pinned file that carries no `--hash`: its line.
fn unhashed(text: &str) -> Option<Option<usize>> {
    let mut logical = Vec::<(usize, String)>::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let (start, mut acc) = current.take().unwrap_or((i + 1, String::new()));
        let trimmed = line.trim_end();
        if let Some(head) = trimmed.strip_suffix('\\') {
            acc.push_str(head);
            acc.push(' ');
            current = Some((start, acc));
        } else {
            acc.push_str(trimmed);
            logical.push((start, acc));
        }
    }
    logical.extend(current);
    let reqs: Vec<(usize, String)> = logical
        .into_iter()
        .map(|(n, l)| {
            (
                n,
                l.split(" #").next().unwrap_or_default().trim().to_owned(),
            )
        })
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#') && !l.starts_with('-'))
        .collect();
    if !reqs.iter().any(|(_, l)| l.contains("==")) {
        return None; // not a pinned file
    }
    Some(
        reqs.iter()
            .find(|(_, l)| !l.contains("--hash"))
            .map(|(n, _)| *n),
    )
}

fn hashed_requirements(root: &Path) -> Check {
    let id = "practice.hashed-requirements";
    let mut files = Vec::new();
    requirement_files(root, 3, &mut files);
    let mut pinned = 0;
    let mut offenders = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        match unhashed(&text) {
            None => {}
            Some(None) => pinned += 1,
            Some(Some(line)) => {
                pinned += 1;
                offenders.push(format!("{}:{line}", rel(root, f)));
            }
        }
    }
    if offenders.is_empty() {
        return Check::pass(
            id,
            if pinned == 0 {
                "no pinned requirements files".to_owned()
            } else {
                format!("all {pinned} pinned requirements files carry --hash")
            },
        );
    }
    Check::warn(
        id,
        format!("pinned requirements without --hash: {}", offenders.join(", ")),
        "regenerate them with hashes: pip-compile --generate-hashes (or uv pip compile --generate-hashes)",
    )
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKFLOW: &str = "name: publish\non:\n  push:\n    tags: ['v*']\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b # v5.3.0\n  publish:\n    needs: build\n    environment: pypi\n    permissions:\n      id-token: write\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n";

    #[test]
    fn yaml_tree_keeps_lines() {
        let doc = parse_yaml(WORKFLOW).expect("yaml").expect("doc");
        let jobs = doc.get("jobs").expect("jobs");
        let publish = jobs.get("publish").expect("publish");
        assert_eq!(publish.line, 13);
        let steps = jobs
            .get("build")
            .and_then(|b| b.get("steps"))
            .expect("steps");
        assert_eq!(steps.items()[0].get("uses").map(|u| u.line), Some(10));
        assert!(parse_yaml("a: [1, 2\n").is_err());
    }

    #[test]
    fn workflow_checks() {
        let wf = vec![Workflow {
            name: ".github/workflows/publish.yml".into(),
            doc: parse_yaml(WORKFLOW),
        }];
        let p = publish_workflow(&wf);
        assert_eq!(p.status, super::super::CheckStatus::Pass, "{p:?}");
        assert!(p.message.contains("publish.yml:12"), "{}", p.message);
        let pin = pinned_actions(&wf);
        assert_eq!(pin.status, super::super::CheckStatus::Warn);
        assert!(
            pin.message.contains("publish.yml:10: actions/checkout@v4"),
            "{}",
            pin.message
        );
        assert!(
            pin.message
                .contains("publish.yml:18: pypa/gh-action-pypi-publish@release/v1"),
            "{}",
            pin.message
        );
        assert!(!pin.message.contains("setup-python"));
    }

    #[test]
    fn pinning_rules() {
        assert!(pinned(
            "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"
        ));
        assert!(pinned("./.github/actions/local"));
        assert!(pinned("docker://alpine@sha256:abc"));
        assert!(!pinned("docker://alpine:3"));
        assert!(!pinned("actions/checkout@v4"));
        assert!(!pinned("actions/checkout@11bd7190"));
        // Regression: slsa-github-generator's reusable workflow was asked to be SHA-pinned,
        // which it refuses; its tag is what counts.
        assert!(pinned(
            "slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@v2.0.0"
        ));
        assert!(!pinned(
            "slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@main"
        ));
    }

    #[test]
    fn requirement_hashes() {
        assert_eq!(unhashed("requests>=2\n"), None);
        assert_eq!(
            unhashed("a==1 \\\n    --hash=sha256:x\nb==2 --hash=sha256:y\n"),
            Some(None)
        );
        assert_eq!(
            unhashed("# c\n-r base.txt\na==1 --hash=sha256:x\nb==2\n"),
            Some(Some(4))
        );
    }
}
