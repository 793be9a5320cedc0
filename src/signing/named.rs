//! What `refs/tags/NAME` points at, judged once for verify, doctor and the release: a
//! lightweight tag carries no signature, and a valid signature on a tag object made under
//! another name is a replayed tag (git itself accepts one).

use super::engine::{Engine, EngineError};
use super::object::{self, Signed};
use super::{Status, Verdict};
use crate::git::oid::Kind;

/// The verdict on a lightweight tag.
pub fn lightweight() -> Verdict {
    Verdict::new(
        Status::Unsigned,
        None,
        "a lightweight tag: it carries no signature (make release tags with `git tag -s`)",
    )
}

/// The verdict on the object of type `kind` and bytes `raw` that `refs/tags/NAME` points at.
pub fn verify_tag_ref(
    engine: &mut Engine,
    name: &str,
    kind: Kind,
    raw: &[u8],
) -> Result<Verdict, EngineError> {
    if kind != Kind::Tag {
        return Ok(lightweight());
    }
    let signed = object::split_tag(raw);
    let mut verdict = engine.verify(&signed)?;
    check_tag_name(&mut verdict, &signed, Some(name));
    Ok(verdict)
}

/// A validly signed tag whose own `tag` header names another tag than its ref: replayed.
pub fn check_tag_name(verdict: &mut Verdict, signed: &Signed, ref_tag: Option<&str>) {
    let (Some(ref_tag), Some(own)) = (ref_tag, signed.tag_name.as_deref()) else {
        return;
    };
    if verdict.status.passes() && own != ref_tag {
        verdict.status = Status::TagNameMismatch;
        verdict.message = format!(
            "valid signature, but the tag object was made as {own:?} and the ref is refs/tags/{ref_tag}: a replayed tag"
        );
    }
}
