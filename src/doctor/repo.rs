//! The repository checks: HEAD and the release tags validly signed, and the project's
//! version in step with the newest release tag.

use super::{Check, World};
use crate::git::oid::{Kind, ObjectId};
use crate::git::{tags, Repository};
use crate::project::Project;
use crate::signing::engine::{Engine, VerifyConfig};
use crate::signing::{named, object, Status};

pub fn checks(world: &World) -> Vec<Check> {
    let ids = ["repo.head-signed", "repo.tags-signed", "repo.version"];
    let Some(repo) = &world.repo else {
        return ids
            .iter()
            .map(|id| Check::skip(id, "skipped: not inside a git repository"))
            .collect();
    };
    let base = repo.base().to_path_buf();
    let mut engine = match VerifyConfig::from_git(&world.config, &base) {
        Ok(c) => Engine::new(c),
        Err(e) => {
            return ids[..2]
                .iter()
                .map(|id| Check::fail(id, e.to_string(), e.hint()))
                .chain([version(world, repo)])
                .collect()
        }
    };
    let sha256 = repo.sha256();
    let read = |id: ObjectId| repo.read(id).map_err(|e| e.to_string());
    let head = match repo.head().id {
        None => Check::skip("repo.head-signed", "skipped: no commit yet"),
        Some(oid) => {
            match read(oid).map(|(_, raw)| engine.verify(&object::split_commit(&raw, sha256))) {
                Ok(Ok(v)) if v.status.passes() => {
                    Check::pass("repo.head-signed", format!("HEAD is signed ({})", v.status))
                }
                Ok(Ok(v)) => Check::fail(
                    "repo.head-signed",
                    format!("HEAD is {}: {}", v.status, v.message),
                    super::advice::commit_fix(repo, oid, &v, false),
                ),
                Ok(Err(e)) => Check::fail("repo.head-signed", e.to_string(), e.hint()),
                Err(e) => Check::fail("repo.head-signed", format!("HEAD: {e}"), "git fsck"),
            }
        }
    };
    let tags_check = tags_signed(repo, &mut engine, &read);
    vec![head, tags_check, version(world, repo)]
}

/// `repo.tags-signed`: every release tag validly signed, with a fix that never rewrites what
/// was published or someone else's signature.
fn tags_signed(
    repo: &Repository,
    engine: &mut Engine,
    read: &dyn Fn(ObjectId) -> Result<(Kind, Vec<u8>), String>,
) -> Check {
    let release = tags::release_tags(repo).unwrap_or_default();
    let mut bad = Vec::new();
    let mut names = Vec::new();
    for tag in &release {
        let oid = tag.target;
        let target = repo.peel_to_commit(oid);
        let found = match read(oid) {
            Ok((kind, raw)) => match named::verify_tag_ref(engine, &tag.name, kind, &raw) {
                Ok(v) if v.status.passes() => None,
                // A lightweight tag is named so; any other by its verdict.
                Ok(v) if kind != Kind::Tag => {
                    Some(("lightweight".to_owned(), v.status, String::new()))
                }
                Ok(v) => Some((
                    v.status.to_string(),
                    v.status,
                    v.signer.map(|s| s.fingerprint).unwrap_or_default(),
                )),
                Err(e) => Some((e.to_string(), Status::Unverifiable, String::new())),
            },
            Err(e) => Some((e, Status::Bad, String::new())),
        };
        if let Some((shown, status, fpr)) = found {
            names.push(format!("{} ({shown})", tag.name));
            bad.push((tag.name.clone(), target, status, fpr));
        }
    }
    if release.is_empty() {
        Check::pass("repo.tags-signed", "no release tags yet")
    } else if bad.is_empty() {
        Check::pass(
            "repo.tags-signed",
            format!("all {} release tags are signed", release.len()),
        )
    } else {
        let shown: Vec<&str> = names.iter().map(String::as_str).collect();
        Check::fail(
            "repo.tags-signed",
            format!(
                "{} of {} release tags are not validly signed: {}",
                bad.len(),
                release.len(),
                super::advice::cut(&shown, 5)
            ),
            super::advice::tags_fix(repo, &bad),
        )
    }
}

fn version(world: &World, repo: &Repository) -> Check {
    let id = "repo.version";
    let (start, top) = crate::git::project_search(Some(repo), &world.cwd);
    let project = match Project::discover_within(&start, top.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            let hint = e
                .hint()
                .unwrap_or_else(|| "git secure-release version".into());
            return Check::fail(
                id,
                format!("the project's version cannot be read: {e}"),
                hint,
            );
        }
    };
    let release = tags::release_tags(repo).unwrap_or_default();
    let newest = tags::newest_reachable(repo, &release, repo.head().id).0;
    let Some(current) = project.version() else {
        return Check::pass(
            id,
            match newest {
                Some(t) => format!("the version comes from tags: {} ({})", t.version, t.name),
                None => "the version comes from tags; no release tag yet".to_owned(),
            },
        );
    };
    let text = project.version_text.clone().unwrap_or_default();
    match newest {
        None => Check::pass(id, format!("{text} ({}), no release tag yet", project.layout.name())),
        Some(t) if current == t.version => Check::pass(id, format!("{text}, as tagged {}", t.name)),
        Some(t) if current > t.version => Check::pass(id, format!("{text}, not yet released (newest tag {})", t.name)),
        Some(t) => Check::fail(
            id,
            format!("the project says {text} but the newest release tag {} is {}", t.name, t.version),
            format!("bump the version past it: git secure-release version --bump patch, then release; the files: {}", project.files().join(", ")),
        ),
    }
}
