//! `git secure-release epoch` (contract §2.4): SOURCE_DATE_EPOCH for a revision, the
//! committer time of the commit it points at; for a release tag, checked against the tag's
//! own `Source-Date-Epoch` trailer.

use super::repo::Repo;
use crate::error::UserError;
use crate::git::oid::{self, Kind, ObjectId};
use crate::release::record;
use crate::report;
use crate::signing::object;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EpochFormat {
    /// `N`
    Plain,
    /// `export SOURCE_DATE_EPOCH=N`
    Export,
    /// append `SOURCE_DATE_EPOCH=N` to the file $GITHUB_ENV names
    Github,
    /// {"rev", "commit", "source_date_epoch", "date"}
    Json,
}

#[derive(Debug, clap::Args)]
pub struct EpochArgs {
    /// The commit or tag (default: HEAD).
    #[arg(value_name = "REV")]
    pub rev: Option<String>,

    /// How to print it.
    #[arg(long, value_enum, default_value_t = EpochFormat::Plain)]
    pub format: EpochFormat,
}

#[derive(Debug, serde::Serialize)]
struct EpochReport {
    rev: String,
    commit: String,
    source_date_epoch: i64,
    date: String,
}

pub fn run(args: &EpochArgs) -> anyhow::Result<()> {
    let repo = Repo::open()?;
    let rev = args.rev.clone().unwrap_or_else(|| "HEAD".to_owned());
    let object = repo.resolve(&rev)?;
    let (commit, epoch) = source_date_epoch(&repo, &rev, object)?;
    let line = record::env_line(epoch);
    match args.format {
        EpochFormat::Plain => report::out(&format!("{epoch}\n"))?,
        EpochFormat::Export => report::out(&format!("export {line}\n"))?,
        EpochFormat::Github => {
            if std::env::var_os("GITHUB_ENV").is_none_or(|p| p.is_empty()) {
                return Err(UserError::refused("--format github appends to the file $GITHUB_ENV names, and GITHUB_ENV is not set")
                    .with_hint("outside GitHub Actions use `--format export`: eval \"$(git secure-release epoch --format export)\"")
                    .into());
            }
            record::append_to("GITHUB_ENV", &format!("{line}\n"))?;
            report::out(&format!("{line}\n"))?;
        }
        EpochFormat::Json => {
            let date = record::rfc3339(epoch);
            report::json(&EpochReport {
                rev,
                commit: commit.to_string(),
                source_date_epoch: epoch,
                date,
            })?;
        }
    }
    Ok(())
}

/// SOURCE_DATE_EPOCH for `object` (what `rev` names): its commit and that commit's committer
/// time; for a tag with a `Source-Date-Epoch` trailer, the trailer must agree.
pub fn source_date_epoch(
    repo: &Repo,
    rev: &str,
    (id, kind): (ObjectId, Kind),
) -> Result<(ObjectId, i64), UserError> {
    let commit = repo
        .repo
        .peel_to_commit(id)
        .ok_or_else(|| UserError::refused(format!("{rev:?} does not point at a commit")))?;
    let (_, raw) = repo.raw(commit)?;
    let epoch = oid::committer_time(&raw).ok_or_else(|| {
        UserError::refused(format!(
            "commit {commit} has no committer time git can read"
        ))
        .with_hint("git cat-file -p COMMIT shows its headers")
    })?;
    if kind == Kind::Tag {
        let (_, raw) = repo.raw(id)?;
        let signed = object::split_tag(&raw);
        if let Some(recorded) = record::trailer(object::message(&signed.payload)) {
            let recorded = recorded.map_err(|e| UserError::refused(format!("tag {rev}: {e}")))?;
            if recorded != epoch {
                return Err(UserError::refused(format!(
                    "tag {rev} records Source-Date-Epoch: {recorded}, but its commit {commit} has committer time {epoch}"
                ))
                .with_hint("the tag does not describe its commit: rebuild from the commit's time, and re-make the tag with `git secure-release`"));
            }
        }
    }
    Ok((commit, epoch))
}

#[cfg(test)]
mod tests {
    use crate::release::record::trailer;

    #[test]
    fn reads_the_trailer_of_the_last_paragraph() {
        assert_eq!(
            trailer(b"Release 1.0\n\nSource-Date-Epoch: 1700000000\n"),
            Some(Ok(1_700_000_000))
        );
        assert_eq!(
            trailer(b"Release 1.0\n\nSigned-off-by: x\nsource-date-epoch:  5\n"),
            Some(Ok(5))
        );
        assert_eq!(trailer(b"Release 1.0\n"), None);
        assert_eq!(trailer(b"Source-Date-Epoch: 5\n\nlater paragraph\n"), None);
        assert!(trailer(b"R\n\nSource-Date-Epoch: soon\n").is_some_and(|r| r.is_err()));
    }
}
