//! `git secure-release version` (contract §2.1a): the current version, layout and files;
//! with `--bump`, the version a release would make. Writes nothing.

use anyhow::Context as _;

use crate::error::UserError;
use crate::git::tags;
use crate::project::{Layout, Project};
use crate::report;
use crate::version::{self, Bump, PreKind, Version};

#[derive(Debug, clap::Args)]
pub struct VersionArgs {
    /// Also print the version a release with this bump would make.
    #[arg(long, value_enum, value_name = "BUMP")]
    pub bump: Option<Bump>,

    /// Make the bumped version a pre-release (with --bump major, minor or patch).
    #[arg(long, value_enum, requires = "bump", value_name = "KIND")]
    pub pre: Option<PreKind>,

    /// Print one JSON object: {"version", "layout", "files", "tag_prefix"} (and "next").
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, serde::Serialize)]
struct VersionReport {
    version: Option<String>,
    layout: Layout,
    files: Vec<String>,
    tag_prefix: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

pub fn run(args: &VersionArgs) -> anyhow::Result<()> {
    if let (Some(bump), Some(pre)) = (args.bump, args.pre) {
        if !matches!(bump, Bump::Major | Bump::Minor | Bump::Patch) {
            let e = version::bump(&Version::new([0]), bump, Some(pre)).err();
            let message = e.as_ref().map_or_else(String::new, ToString::to_string);
            let hint = e.as_ref().map_or("", |e| e.hint());
            return Err(UserError::usage(message).with_hint(hint).into());
        }
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let repo = crate::git::discover_checked()?;
    let (start, top) = crate::git::project_search(repo.as_ref(), &cwd);
    let project = Project::discover_within(&start, top.as_deref()).map_err(UserError::from)?;
    let release_tags = match &repo {
        Some(repo) => tags::release_tags(repo)
            .map_err(|e| UserError::refused(format!("cannot list the repository's tags: {e}")))?,
        None => Vec::new(),
    };
    // The newest release tag HEAD can reach counts (a maintenance branch has its own).
    let newest = match &repo {
        Some(repo) => tags::newest_reachable(repo, &release_tags, repo.head().id).0,
        None => tags::newest(&release_tags),
    };
    let (current_text, current) = match (&project.version_text, project.version(), newest) {
        (Some(text), Some(v), _) => (Some(text.clone()), Some(v)),
        (None, _, Some(tag)) => (Some(tag.version.to_string()), Some(tag.version.clone())),
        _ => (None, None),
    };
    let next = match args.bump {
        None => None,
        Some(bump) => {
            let current = current.ok_or_else(|| {
                UserError::refused("the version comes from tags and there is no release tag yet, so there is nothing to bump")
                    .with_hint("give the first release an explicit version, such as `git secure-release 0.1.0`")
            })?;
            Some(
                version::bump(&current, bump, args.pre)
                    .map_err(UserError::from)?
                    .to_string(),
            )
        }
    };
    let report = VersionReport {
        version: current_text,
        layout: project.layout,
        files: project.files(),
        tag_prefix: tags::tag_prefix(project.config.tag_prefix.as_deref(), newest),
        next,
    };
    if args.json {
        report::json(&report)?;
    } else {
        report::out(&render(&report))?;
    }
    Ok(())
}

fn render(r: &VersionReport) -> String {
    let mut text = String::new();
    let mut line = |label: &str, value: &str| {
        text.push_str(&format!(
            "{}{}\n",
            report::paint(report::BOLD, &format!("{label:<12}")),
            report::value(value)
        ));
    };
    line(
        "version:",
        r.version.as_deref().unwrap_or("(none: no release tag yet)"),
    );
    line("layout:", r.layout.name());
    let files = if r.files.is_empty() {
        "(none: the release is the signed tag alone)".to_owned()
    } else {
        // Each name escaped on its own, so that a name cannot pose as two.
        r.files
            .iter()
            .map(|f| report::value(f).into_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    line("files:", &files);
    line("tag prefix:", &r.tag_prefix);
    if let Some(next) = &r.next {
        line("next:", next);
    }
    text
}
