//! `doctor --fix`: only the safe configuration fixes. It sets `commit.gpgsign` and
//! `tag.gpgSign`, and `user.signingkey` when it is unset and exactly one usable secret key
//! carries `user.email`. It never makes keys and never touches a keyring.

use super::{resolve_format, World};
use crate::signing::{keys, Format};

/// What `--fix` did, or chose not to do.
#[derive(Debug, Default)]
pub struct Fixed {
    /// `key = value` settings written.
    pub changed: Vec<String>,
    /// Fixes it would not make, with why.
    pub refused: Vec<String>,
}

/// Apply the safe fixes to the repository's configuration, or the user's with `global`.
pub fn apply(world: &World) -> Result<Fixed, String> {
    let scope = if world.global {
        "--global"
    } else if world.repo.is_some() {
        "--local"
    } else {
        return Err(
            "outside a repository, --fix needs --global (it writes your own git configuration)"
                .into(),
        );
    };
    let mut fixed = Fixed::default();
    let mut set = |key: &str, value: &str| -> Result<(), String> {
        world
            .git
            .run(&["config", scope, key, value])
            .map_err(|e| e.to_string())?;
        fixed.changed.push(format!(
            "{key} = {value} ({})",
            scope.trim_start_matches("--")
        ));
        Ok(())
    };
    let setup = resolve_format(world).ok();
    let unset = world
        .config
        .get("user.signingkey")
        .is_none_or(str::is_empty);
    let mut key_set = false;
    if let (true, Some(setup)) = (unset, setup.filter(|s| s.format != Format::Ssh)) {
        let email = world.config.get("user.email").filter(|e| !e.is_empty());
        match (email, which::which(&setup.program)) {
            (None, _) => fixed.refused.push(
                "user.signingkey: user.email is not set, so no key can be chosen by it".into(),
            ),
            (_, Err(_)) => fixed
                .refused
                .push(format!("user.signingkey: {} is not found", setup.program)),
            (Some(email), Ok(program)) => {
                let usable: Vec<_> = keys::secret_keys_limited(
                    setup.format,
                    &program,
                    Some(&format!("<{email}>")),
                    crate::signing::testsig::time_limit(),
                )
                .map_err(|e| format!("cannot list secret keys: {e}"))?
                .into_iter()
                .filter(|k| k.usable() && k.has_email(email))
                .collect();
                match usable.as_slice() {
                    [one] => {
                        set("user.signingkey", &one.fingerprint)?;
                        key_set = true;
                    }
                    [] => fixed.refused.push(format!(
                        "user.signingkey: no usable secret key carries {email}; make one with: gpg --quick-gen-key \"Your Name <{email}>\" ed25519 sign 2y"
                    )),
                    many => fixed.refused.push(format!(
                        "user.signingkey: {} usable secret keys carry {email} ({}), and --fix will not choose; set it yourself: git config user.signingkey <fingerprint>",
                        many.len(),
                        many.iter().map(|k| k.fingerprint.as_str()).collect::<Vec<_>>().join(", ")
                    )),
                }
            }
        }
    }
    // Signing on by default only with a key that signs: else every later `git commit`
    // would fail (contract §2.2).
    let key_check = super::signing_checks_but_test(world)
        .0
        .into_iter()
        .find(|c| c.id == "signing.key");
    let usable_key = key_set
        || key_check
            .as_ref()
            .is_some_and(|c| c.status != super::CheckStatus::Fail);
    for key in ["commit.gpgsign", "tag.gpgSign"] {
        if world.config.get_bool(key) == Some(Ok(true)) {
            continue;
        }
        if usable_key {
            set(key, "true")?;
        } else {
            fixed.refused.push(format!(
                "{key}: not turned on, as no usable signing key is configured and every git commit would then fail; first: {}",
                key_check.as_ref().map_or("configure user.signingkey", |c| c.hint.as_str())
            ));
        }
    }
    Ok(fixed)
}
