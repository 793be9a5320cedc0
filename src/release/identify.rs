//! What is provably this release's (contract §2.1, recovery): its commit, told by the id
//! the journal recorded or, killed before that, by its parent, its message and exactly the
//! planned files' bytes; its tag, by the recorded object id or by its name, message and
//! target. Undo and recovery touch nothing else.

use crate::git::oid::{self, Kind, ObjectId as Oid};
use crate::signing::object;

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
    let head = Oid::from_hex(&journal.head);
    match ctx.repo.ref_id(&journal.branch_ref()) {
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
        return Oid::from_hex(recorded).is_some_and(|r| r == oid);
    }
    let Some((Kind::Commit, raw)) = ctx.raw_typed(oid) else {
        return false;
    };
    let parents = oid::parents(&raw);
    let parent_ok = parents.len() == 1 && parents[0].to_string() == journal.head;
    let message = String::from_utf8_lossy(object::message(&raw)).into_owned();
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
                let want = oid::blob_id(&f.new, ctx.sha256());
                want.is_some() && ctx.repo.entry_at(oid, &f.path).map(|(_, id)| id) == want
            })
    })
}

/// The paths whose entries differ between commit `from` and commit `to`.
pub fn changed_paths(ctx: &Context, from: &str, to: Oid) -> Option<Vec<String>> {
    ctx.repo.changed_paths(Oid::from_hex(from)?, to)
}

/// The tag object at `refs/tags/<tag>` when it is this release's: the one the journal
/// recorded, or (killed before it was recorded) an annotated tag of that name, with the
/// planned message, on `commit`.
pub fn release_tag(ctx: &Context, journal: &Journal, commit: Option<Oid>) -> Option<Oid> {
    let oid = ctx.tag_oid(&journal.plan.tag)?;
    if let Some(recorded) = &journal.tag_object {
        return (Oid::from_hex(recorded)? == oid).then_some(oid);
    }
    let Some((Kind::Tag, raw)) = ctx.raw_typed(oid) else {
        return None;
    };
    let ours = oid::header_id(&raw, b"object") == commit
        && object::header(&raw, b"tag") == Some(journal.plan.tag.as_bytes())
        && cleaned(&String::from_utf8_lossy(object::message(&raw)))
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
