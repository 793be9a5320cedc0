//! `git secure-release reproduce` (contract §2.5): the command line, the release tag and its
//! signature, and the report. The work itself is in `crate::reproduce`.

use super::repo::Repo;
use crate::error::UserError;
use crate::git::oid::Kind;
use crate::git::tags;
use crate::report::{self, GREEN, RED, YELLOW};
use crate::reproduce::compare::{Row, Verdict};
use crate::reproduce::{self, Release, Report, Request, Signature};
use crate::signing::engine::{Engine, VerifyConfig};
use crate::signing::Status;

#[derive(Debug, clap::Args)]
pub struct ReproduceArgs {
    /// The release tag to rebuild (default: the newest release tag reachable from HEAD).
    #[arg(value_name = "TAG")]
    pub tag: Option<String>,

    /// What a build must equal: a wheel or sdist (say, downloaded from the index), a
    /// `sha256sum`-style list file, or a SHA-256 in hex. Repeatable.
    #[arg(long, value_name = "FILE|SHA256", value_hint = clap::ValueHint::FilePath)]
    pub expect: Vec<String>,

    /// Compare with the files a PEP 691 JSON simple index publishes for the version
    /// (default: PIP_INDEX_URL, else UV_INDEX_URL, else PyPI's).
    #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "", value_hint = clap::ValueHint::Url)]
    pub index: Option<String>,

    /// The build command, split into words as a shell would (no shell runs it), run in the
    /// checkout's project folder; it must leave its wheels and sdists in dist/ (default:
    /// `python3 -m build` where the build module imports, else `uv build`).
    #[arg(long, value_name = "CMD", allow_hyphen_values = true, value_hint = clap::ValueHint::CommandString)]
    pub build: Option<String>,

    /// Build with the backend version build-system.requires allows today, not the one an
    /// expected wheel's Generator names.
    #[arg(long)]
    pub no_pin: bool,

    /// Print one JSON object with the same facts.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &ReproduceArgs) -> anyhow::Result<()> {
    let (tag, index) = tag_and_index(args)?;
    let repo = Repo::open()?;
    let release = release(&repo, tag)?;
    if release.signature.status != Status::Good && !args.json {
        report::warn(&format!(
            "tag {} is not validly signed ({}): {}",
            report::value(&release.tag),
            release.signature.status,
            report::value(&release.signature.message)
        ));
    }
    let request = Request {
        expect: &args.expect,
        index,
        build: args.build.as_deref(),
        pin: !args.no_pin,
    };
    let outcome = reproduce::reproduce(&repo, release, &request)?;
    if args.json {
        report::json(&outcome)?;
    } else {
        report::out_each(render(&outcome))?;
    }
    if outcome.ok {
        return Ok(());
    }
    let failed = outcome
        .artifacts
        .iter()
        .filter(|r| !r.verdict.passes())
        .count();
    Err(UserError::refused(format!(
        "{failed} of {} artifacts are not reproducible or do not match",
        outcome.artifacts.len()
    ))
    .with_hint(format!(
        "the checkouts, builds and logs are kept in {}; compare the archives there (diffoscope shows every difference)",
        outcome.kept.as_deref().unwrap_or("the temporary folder")
    ))
    .reported()
    .into())
}

/// `--index` takes an optional URL, so `reproduce --index v1.2.0` would read the tag as the
/// URL: a value that is no http(s) URL is the TAG when none is given, else an error.
fn tag_and_index(args: &ReproduceArgs) -> Result<(Option<&str>, Option<&str>), UserError> {
    let tag = args.tag.as_deref();
    match args.index.as_deref() {
        Some(v) if !v.is_empty() && !v.starts_with("http://") && !v.starts_with("https://") => {
            if tag.is_none() {
                return Ok((Some(v), Some("")));
            }
            Err(UserError::usage(format!(
                "--index {}: not an http:// or https:// URL",
                report::value(v)
            ))
            .with_hint("--index=https://pypi.org/simple/ names an index; --index alone uses PIP_INDEX_URL, UV_INDEX_URL or PyPI's"))
        }
        index => Ok((tag, index)),
    }
}

/// The release tag: the one named, or the newest reachable from HEAD; its commit, its
/// SOURCE_DATE_EPOCH (as `epoch` takes it) and its signature.
fn release(repo: &Repo, given: Option<&str>) -> Result<Release, UserError> {
    let name = match given {
        Some(name) => name.strip_prefix("refs/tags/").unwrap_or(name).to_owned(),
        None => newest(repo)?,
    };
    let shown = report::value(&name).into_owned();
    if name.starts_with('-') {
        return Err(UserError::usage(format!("{shown} is not a tag name")));
    }
    let Some((_, version)) = tags::split_release_tag(&name) else {
        return Err(UserError::refused(format!(
            "{shown} is not a release tag: a prefix and a PEP 440 version, as v1.2.0"
        ))
        .with_hint("name a release tag (list them with `git tag --list 'v*'`)"));
    };
    let id = repo
        .repo
        .ref_id(&format!("refs/tags/{name}"))
        .ok_or_else(|| {
            UserError::refused(format!("there is no tag {shown}"))
                .with_hint("list the tags with `git tag`, or fetch them with `git fetch --tags`")
        })?;
    let (kind, raw) = repo
        .raw(id)
        .map_err(|_| UserError::refused(format!("tag {shown} points at no object")))?;
    let (commit, epoch) = super::epoch::source_date_epoch(repo, &name, (id, kind))?;
    let signature = signature(repo, &name, kind, &raw)?;
    Ok(Release {
        tag: name,
        version: version.to_string(),
        commit: commit.to_string(),
        epoch,
        signature,
    })
}

fn newest(repo: &Repo) -> Result<String, UserError> {
    let all = tags::release_tags(&repo.repo)
        .map_err(|e| UserError::refused(format!("cannot list tags: {e}")))?;
    let (newest, _) = tags::newest_reachable(&repo.repo, &all, repo.repo.head().id);
    newest.map(|t| t.name.clone()).ok_or_else(|| {
        UserError::refused("no release tag is reachable from HEAD")
            .with_hint("name the tag to rebuild: git secure-release reproduce v1.2.0")
    })
}

/// The verdict on the object of type `kind` and bytes `raw` that `refs/tags/NAME` points at.
fn signature(repo: &Repo, name: &str, kind: Kind, raw: &[u8]) -> Result<Signature, UserError> {
    let mut engine = Engine::new(VerifyConfig::from_git(&repo.config, repo.base())?);
    let v = crate::signing::named::verify_tag_ref(&mut engine, name, kind, raw)?;
    Ok(Signature {
        status: v.status,
        message: v.message,
        signer: v.signer,
    })
}

fn render(r: &Report) -> Vec<String> {
    let mut lines = vec![
        format!(
            "tag        {}  ({}: {})\n",
            report::value(&r.tag),
            r.signature.status,
            match &r.signature.signer {
                Some(s) if r.signature.status.passes() =>
                    format!("signed by {}", report::value(&s.to_string())),
                _ => report::value(&r.signature.message).into_owned(),
            }
        ),
        format!("commit     {}\n", r.commit),
        format!(
            "epoch      SOURCE_DATE_EPOCH={} ({})\n",
            r.source_date_epoch, r.date
        ),
        format!(
            "build      {}\n",
            report::value(&report::shell_line(&r.build.command))
        ),
    ];
    if let Some(p) = &r.build.python {
        lines.push(format!("python     {}\n", report::value(p)));
    }
    if !r.build.removed_env.is_empty() {
        lines.push(format!(
            "removed    {} (they change a build behind its back)\n",
            report::value(&r.build.removed_env.join(", "))
        ));
    }
    if let Some(p) = &r.build.pin {
        lines.push(format!(
            "pinned     {} (the Generator of {}), through {}\n",
            report::value(&p.requirements.join(", ")),
            report::value(&p.from.join(", ")),
            p.variables.join(" and ")
        ));
    }
    if let Some(i) = &r.index {
        lines.push(format!("index      {}\n", report::value(i)));
    }
    lines.push("\n".to_owned());
    lines.extend(r.artifacts.iter().map(row));
    if let Some(k) = &r.kept {
        lines.push(format!("\nkept in    {}\n", report::value(k)));
    }
    lines
}

fn row(r: &Row) -> String {
    let style = match r.verdict {
        Verdict::Reproducible | Verdict::Matches => GREEN,
        Verdict::Missing => YELLOW,
        _ => RED,
    };
    let mut out = format!(
        "{} {}\n             sha256 {}\n",
        report::paint(style, &format!("{:<12}", r.verdict.as_str())),
        report::value(&r.name),
        r.sha256
    );
    if let Some(second) = &r.sha256_second {
        out.push_str(&format!("             sha256 {second} (build 2)\n"));
    }
    if let Some(e) = &r.expected {
        if r.verdict != Verdict::Matches {
            out.push_str(&format!(
                "             expected {} ({})\n",
                e.sha256,
                report::value(&e.source)
            ));
        }
    }
    if let Some(d) = &r.difference {
        out.push_str(&format!(
            "             first difference: {}\n             likely cause: {}\n",
            report::value(&d.what),
            report::value(&d.cause)
        ));
    }
    out
}
