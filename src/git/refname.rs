//! What git accepts in a tag name (`git check-ref-format`), checked before anything runs.

/// Check that `prefix` followed by a version makes a tag name git accepts.
pub fn check_tag_prefix(prefix: &str) -> Result<(), String> {
    let bad_char = prefix
        .chars()
        .find(|c| c.is_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\'));
    if let Some(c) = bad_char {
        return Err(format!(
            "{prefix:?} contains {c:?}, which git does not allow in a tag name"
        ));
    }
    if prefix.contains("..") || prefix.contains("@{") || prefix.contains("//") {
        return Err(format!(
            "{prefix:?} contains \"..\", \"@{{\" or \"//\", which git does not allow in a tag name"
        ));
    }
    if prefix.starts_with(['-', '/']) {
        return Err(format!(
            "{prefix:?} starts with {:?}; a tag name may not",
            &prefix[..1]
        ));
    }
    if prefix.split('/').any(|part| part.starts_with('.')) {
        return Err(format!(
            "{prefix:?} has a part that starts with \".\"; git does not allow it in a tag name"
        ));
    }
    Ok(())
}

/// Check a whole tag name as `git check-ref-format refs/tags/<name>` would.
pub fn check_tag_name(name: &str) -> Result<(), String> {
    check_tag_prefix(name)?;
    if name.is_empty()
        || name == "@"
        || name.ends_with(['.', '/'])
        || name
            .split('/')
            .any(|p| p.ends_with(".lock") || p.is_empty())
    {
        return Err(format!("{name:?} is not a tag name git accepts"));
    }
    // Each part becomes a file or folder name under refs/tags: no file system takes more.
    if let Some(long) = name.split('/').find(|p| p.len() > 255) {
        return Err(format!(
            "a part of the tag name is {} bytes long ({}…); file systems take at most 255",
            long.len(),
            &long[..long.char_indices().nth(16).map_or(long.len(), |(i, _)| i)]
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_tag_prefix;

    #[test]
    fn whole_tag_names() {
        for ok in ["v1.0.0", "release-1.0rc1", "pkg/v2.0", "1!2.0+local.1"] {
            assert!(super::check_tag_name(ok).is_ok(), "{ok}");
        }
        for bad in ["v1.0.", "v1.lock", "a/", "@", "a//b", "v1..0"] {
            assert!(super::check_tag_name(bad).is_err(), "{bad}");
        }
        let long = format!("{}1.0.0", "v".repeat(250));
        assert!(super::check_tag_name(&long).is_ok(), "255 bytes is allowed");
        let e = super::check_tag_name(&format!("v{long}")).unwrap_err();
        assert!(e.contains("256 bytes"), "{e}");
        assert!(super::check_tag_name(&format!("{}/v1.0", "p".repeat(300))).is_err());
    }

    #[test]
    fn accepts_usual_prefixes_and_refuses_what_git_refuses() {
        for ok in ["", "v", "release-", "pkg/v", "V_"] {
            assert!(check_tag_prefix(ok).is_ok(), "{ok}");
        }
        for bad in [
            "a b", "v~", "v^", "v:", "v?", "v*", "v[", "v\\", "a..b", "v@{", "-v", "/v", "a//b",
            ".v", "a/.b", "v\t",
        ] {
            assert!(check_tag_prefix(bad).is_err(), "{bad}");
        }
    }
}
