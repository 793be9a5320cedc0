//! What is provably this release's (contract §2.1, recovery): its commit, told by the id
//! the journal recorded or, killed before that, by its parent, its message and exactly the
//! planned files' bytes; its tag, by the recorded object id or by its name, message and
//! target. Undo and recovery touch nothing else.

use git2::{ObjectType, Oid};

use super::context::Context;
use super::journal::Journal;

/// Where the branch stands against the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Branch {
    /// At the journal's HEAD: no release commit yet.
    Before,
    /// At this release's commit.
    Released(Oid),
    /// Anywhere else (or gone): someone moved it on.
    MovedOn(Option<Oid>),
}

/// Where the branch stands now.
pub fn branch(ctx: &Context, journal: &Journal) -> Branch {
    let head = Oid::from_str(&journal.head).ok();
    match ctx.repo.refname_to_id(&journal.branch_ref()).ok() {
        Some(tip) if Some(tip) == head => Branch::Before,
        Some(tip) if journal.plan.commits() && is_release_commit(ctx, journal, tip) => {
            Branch::Released(tip)
        }
        other => Branch::MovedOn(other),
    }
}

/// Whether `oid` is this release's commit: the one the journal recorded, or (killed before
/// it was recorded) a commit whose only parent is the journal's HEAD, whose message is the
/// planned one (a commit-msg hook may add to its end), and whose tree differs from HEAD's in
/// exactly the planned files, holding exactly their planned bytes.
pub fn is_release_commit(ctx: &Context, journal: &Journal, oid: Oid) -> bool {
    if let Some(recorded) = &journal.commit {
        return Oid::from_str(recorded).is_ok_and(|r| r == oid);
    }
    let Ok(commit) = ctx.repo.find_commit(oid) else {
        return false;
    };
    let parent_ok = commit.parent_count() == 1
        && commit.parent_id(0).ok().map(|p| p.to_string()).as_deref() == Some(&journal.head);
    let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
    if !parent_ok || !cleaned(&message).starts_with(&cleaned(&journal.plan.message)) {
        return false;
    }
    changed_paths(ctx, &journal.head, oid).is_some_and(|changed| {
        let mut planned: Vec<&str> = journal.plan.paths();
        planned.sort_unstable();
        let mut changed: Vec<&str> = changed.iter().map(String::as_str).collect();
        changed.sort_unstable();
        changed == planned
            && journal.plan.files.iter().all(|f| {
                let want = Oid::hash_object(ObjectType::Blob, &f.new).ok();
                commit
                    .tree()
                    .ok()
                    .and_then(|t| t.get_path(std::path::Path::new(&f.path)).ok())
                    .map(|e| e.id())
                    == want
            })
    })
}

/// The paths whose entries differ between commit `from` and commit `to`.
pub fn changed_paths(ctx: &Context, from: &str, to: Oid) -> Option<Vec<String>> {
    let repo = &ctx.repo;
    let a = repo
        .find_commit(Oid::from_str(from).ok()?)
        .ok()?
        .tree()
        .ok()?;
    let b = repo.find_commit(to).ok()?.tree().ok()?;
    let diff = repo.diff_tree_to_tree(Some(&a), Some(&b), None).ok()?;
    let mut out = Vec::new();
    for d in diff.deltas() {
        for file in [d.old_file(), d.new_file()] {
            if let Some(p) = file.path() {
                let p = p.to_string_lossy().replace('\\', "/");
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    Some(out)
}

/// The tag object at `refs/tags/<tag>` when it is this release's: the one the journal
/// recorded, or (killed before it was recorded) an annotated tag of that name, with the
/// planned message, on `commit`.
pub fn release_tag(ctx: &Context, journal: &Journal, commit: Option<Oid>) -> Option<Oid> {
    let oid = ctx.tag_oid(&journal.plan.tag)?;
    if let Some(recorded) = &journal.tag_object {
        return (Oid::from_str(recorded).ok()? == oid).then_some(oid);
    }
    let tag = ctx.repo.find_tag(oid).ok()?;
    let ours = Some(tag.target_id()) == commit
        && tag.name_bytes() == journal.plan.tag.as_bytes()
        && cleaned(&String::from_utf8_lossy(
            tag.message_bytes().unwrap_or_default(),
        ))
        .starts_with(&cleaned(&journal.plan.tag_message));
    ours.then_some(oid)
}

/// A message as git's `--cleanup=whitespace` leaves it (trailing white space of each line,
/// runs of blank lines, leading and trailing blank lines gone), so that the planned message
/// compares with the stored one.
fn cleaned(message: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in message.lines().map(str::trim_end) {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push('\n');
            blank = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cleaned;

    #[test]
    fn messages_compare_as_git_stores_them() {
        assert_eq!(
            cleaned("\n\nRelease 1.0  \n\n\n\nnotes\t\n\n"),
            "Release 1.0\n\nnotes\n"
        );
        assert!(cleaned("Release 1.0\n\nnotes\n\nChange-Id: x\n")
            .starts_with(&cleaned("Release 1.0  \n\nnotes")));
    }
}
