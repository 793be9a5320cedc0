//! git's configuration as git itself sees it: read once with `git config -z --list`, so
//! `GIT_CONFIG_GLOBAL`, `GIT_CONFIG_NOSYSTEM`, `git -c …`, includes and conditional includes
//! all count exactly as they do for git (libgit2 does not honour all of them).

use std::path::{Path, PathBuf};

use super::runner::{Git, GitError};

/// Every configuration entry, in git's order (the last one of a key wins).
#[derive(Clone, Debug, Default)]
pub struct GitConfig {
    entries: Vec<(String, Option<String>)>,
}

impl GitConfig {
    /// Read the configuration that applies in `git`'s folder.
    pub fn load(git: &Git) -> Result<GitConfig, GitError> {
        let out = git.output(&["config", "-z", "--list"])?;
        // Exit 1 with no output means "no configuration at all".
        Ok(GitConfig::parse(&out.stdout))
    }

    /// Parse `git config -z --list` output: NUL-separated `key\nvalue` (or `key` alone).
    pub fn parse(bytes: &[u8]) -> GitConfig {
        let entries = bytes
            .split(|&b| b == 0)
            .filter(|e| !e.is_empty())
            .map(|e| {
                let text = String::from_utf8_lossy(e);
                match text.split_once('\n') {
                    Some((k, v)) => (k.to_ascii_lowercase(), Some(v.to_owned())),
                    None => (text.to_ascii_lowercase(), None),
                }
            })
            .collect();
        GitConfig { entries }
    }

    /// The value of `key` (case-insensitive), the last one set.
    pub fn get(&self, key: &str) -> Option<&str> {
        let key = key.to_ascii_lowercase();
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_deref().unwrap_or(""))
    }

    /// A path value as git reads it (`~/` is the home folder; relative is relative to `base`).
    pub fn get_path(&self, key: &str, base: &Path) -> Option<PathBuf> {
        let value = self.get(key)?;
        if value.is_empty() {
            return None;
        }
        Some(expand_path(value, base))
    }

    /// A boolean as git reads it: true/yes/on/1 or a bare key; false/no/off/0/empty.
    pub fn get_bool(&self, key: &str) -> Option<Result<bool, String>> {
        let key_lower = key.to_ascii_lowercase();
        let (_, value) = self.entries.iter().rev().find(|(k, _)| *k == key_lower)?;
        Some(
            match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
                None | Some("true" | "yes" | "on" | "1") => Ok(true),
                Some("false" | "no" | "off" | "0" | "") => Ok(false),
                Some(other) => other
                    .parse::<i64>()
                    .map(|n| n != 0)
                    .map_err(|_| format!("{key} = {other:?} is not a boolean")),
            },
        )
    }
}

/// `~/x` and `~` expand to HOME; a relative path is taken from `base`.
pub fn expand_path(value: &str, base: &Path) -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    if let (Some(rest), Some(home)) = (value.strip_prefix("~/"), &home) {
        return home.join(rest);
    }
    if let (true, Some(home)) = (value == "~", &home) {
        return home.clone();
    }
    base.join(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_list_output_with_valueless_and_multiline_values() {
        let c = GitConfig::parse(b"user.name\nA B\0gpg.ssh.allowedSignersFile\n/x/y\0commit.gpgsign\0core.x\nl1\nl2\0user.name\nC\0");
        assert_eq!(c.get("user.name"), Some("C"));
        assert_eq!(c.get("GPG.SSH.ALLOWEDSIGNERSFILE"), Some("/x/y"));
        assert_eq!(c.get_bool("commit.gpgSign"), Some(Ok(true)));
        assert_eq!(c.get("core.x"), Some("l1\nl2"));
        assert_eq!(c.get("nope"), None);
        let c = GitConfig::parse(b"a.b\nmaybe\0a.c\noff\0");
        assert!(c.get_bool("a.b").is_some_and(|r| r.is_err()));
        assert_eq!(c.get_bool("a.c"), Some(Ok(false)));
    }

    #[test]
    fn expands_paths() {
        assert_eq!(
            expand_path("/abs", Path::new("/base")),
            PathBuf::from("/abs")
        );
        assert_eq!(
            expand_path("rel/f", Path::new("/base")),
            PathBuf::from("/base/rel/f")
        );
    }
}
