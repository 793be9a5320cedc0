//! The signing checks: git, identity, signing.format, signing.key (+ expiry, identity),
//! the commit and tag defaults, and a real test signature.

use std::path::Path;
use std::time::{Duration, SystemTime};

use super::ssh_key::ssh_key;
use super::{Check, World};
use crate::signing::engine::{Engine, VerifyConfig};
use crate::signing::keys::{self, KeyInfo};
use crate::signing::{object, testsig, Format, Status};

/// The signature format and program git would use, and the key it would sign with.
#[derive(Clone, Debug)]
pub struct SigningSetup {
    pub format: Format,
    /// The configuration key that names the program, and its value.
    pub program_key: &'static str,
    pub program: String,
    /// `user.signingkey`, if set.
    pub signing_key: Option<String>,
}

/// gpg.format and its program, or why not.
pub fn resolve_format(world: &World) -> Result<SigningSetup, Check> {
    let value = world
        .config
        .get("gpg.format")
        .unwrap_or("openpgp")
        .to_ascii_lowercase();
    let format = match value.as_str() {
        "openpgp" => Format::Openpgp,
        "x509" => Format::X509,
        "ssh" => Format::Ssh,
        other => {
            return Err(Check::fail(
                "signing.format",
                format!("gpg.format = {other:?} is not openpgp, x509 or ssh"),
                format!("{} gpg.format openpgp", world.config_cmd()),
            ))
        }
    };
    let (keys, default): (&[&'static str], &str) = match format {
        Format::Openpgp => (&["gpg.program", "gpg.openpgp.program"], "gpg"),
        Format::X509 => (&["gpg.x509.program"], "gpgsm"),
        Format::Ssh => (&["gpg.ssh.program"], "ssh-keygen"),
    };
    let key = keys
        .iter()
        .rev()
        .find(|k| world.config.get(k).is_some_and(|v| !v.is_empty()));
    let (program_key, program) = match key {
        Some(k) => (*k, world.config.get(k).unwrap_or(default).to_owned()),
        None => (keys[0], default.to_owned()),
    };
    Ok(SigningSetup {
        format,
        program_key,
        program,
        signing_key: world
            .config
            .get("user.signingkey")
            .filter(|k| !k.is_empty())
            .map(str::to_owned),
    })
}

fn install_hint(format: Format, program_key: &str) -> String {
    match format {
        Format::Openpgp => format!("apt-get install gnupg   (or point git at it: git config --global {program_key} /path/to/gpg)"),
        Format::X509 => format!("apt-get install gpgsm   (or: git config --global {program_key} /path/to/gpgsm)"),
        Format::Ssh => format!("apt-get install openssh-client   (or: git config --global {program_key} /path/to/ssh-keygen)"),
    }
}

/// The signing section, in the contract's order.
pub fn checks(world: &World) -> Vec<Check> {
    let (mut out, test) = checks_but_test(world);
    out.push(match test {
        Ok(()) => test_signature(world),
        Err(skip) => skip,
    });
    out
}

/// Every signing check but `signing.test`, and whether that one is to be made (`Err`: its
/// skip). The release makes the test signature beside these, and judges it with its own
/// engine ([`judge_test_signature`]).
pub fn checks_but_test(world: &World) -> (Vec<Check>, Result<(), Check>) {
    let mut out = Vec::new();
    let setup = resolve_format(world);
    out.push(git_check(world, setup.as_ref().ok()));
    out.push(identity(world));
    let setup = match setup {
        Ok(s) => s,
        Err(check) => {
            out.push(check);
            for id in ["signing.key", "signing.key-expiry", "signing.key-identity"] {
                out.push(Check::skip(id, "skipped: gpg.format is not usable"));
            }
            out.extend(defaults(world));
            let skip = Check::skip("signing.test", "skipped: gpg.format is not usable");
            return (out, Err(skip));
        }
    };
    let (check, program) = program_check(&setup);
    out.push(check);
    match program {
        Some(_) if setup.format == Format::Ssh => out.extend(ssh_key(world, &setup)),
        Some(path) => out.extend(gpg_key(world, &setup, &path)),
        None => {
            for id in ["signing.key", "signing.key-expiry", "signing.key-identity"] {
                out.push(Check::skip(
                    id,
                    format!("skipped: {} is not found", setup.program),
                ));
            }
        }
    }
    out.extend(defaults(world));
    (out, Ok(()))
}

/// The signing checks that run no process: `identity`, and `signing.format` (the format
/// and whether its program is found).
pub fn checks_from_config(world: &World) -> Vec<Check> {
    let format = match resolve_format(world) {
        Ok(setup) => program_check(&setup).0,
        Err(check) => check,
    };
    vec![identity(world), format]
}

/// `signing.format` for a known format: whether its program is found, and where.
fn program_check(setup: &SigningSetup) -> (Check, Option<std::path::PathBuf>) {
    match which::which(&setup.program) {
        Ok(path) => (
            Check::pass(
                "signing.format",
                format!(
                    "{} signatures with {}",
                    setup.format.as_str(),
                    path.display()
                ),
            ),
            Some(path),
        ),
        Err(_) => (
            Check::fail(
                "signing.format",
                format!(
                    "{} = {:?}: the program is not found",
                    setup.program_key, setup.program
                ),
                install_hint(setup.format, setup.program_key),
            ),
            None,
        ),
    }
}

/// `git --version`, as a semver (the first three numbers).
pub fn git_version(world: &World) -> Option<semver::Version> {
    let out = world.git.output(&["--version"]).ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let numbers: Vec<u64> = text
        .split_whitespace()
        .nth(2)?
        .split('.')
        .map_while(|p| p.parse().ok())
        .collect();
    Some(semver::Version::new(
        *numbers.first()?,
        *numbers.get(1).unwrap_or(&0),
        *numbers.get(2).unwrap_or(&0),
    ))
}

fn git_check(world: &World, setup: Option<&SigningSetup>) -> Check {
    let Some(version) = git_version(world) else {
        return Check::fail(
            "git",
            "git is not installed or not on PATH",
            "apt-get install git",
        );
    };
    let need = match setup.map(|s| s.format) {
        Some(Format::Ssh) => semver::Version::new(2, 34, 0),
        _ => semver::Version::new(2, 19, 0),
    };
    if version < need {
        return Check::fail(
            "git",
            format!(
                "git {version} is too old for {} signing (needs {need} or later)",
                setup.map_or("this", |s| s.format.as_str())
            ),
            "install a newer git (apt-get install git, or from your distribution's backports)",
        );
    }
    Check::pass("git", format!("git {version}"))
}

fn identity(world: &World) -> Check {
    let name = world.config.get("user.name").filter(|v| !v.is_empty());
    let email = world.config.get("user.email").filter(|v| !v.is_empty());
    let cmd = world.config_cmd();
    match (name, email) {
        (Some(n), Some(e)) => Check::pass("identity", format!("{n} <{e}>")),
        (None, Some(_)) => Check::fail(
            "identity",
            "user.name is not set",
            format!("{cmd} user.name \"Your Name\""),
        ),
        (Some(_), None) => Check::fail(
            "identity",
            "user.email is not set",
            format!("{cmd} user.email you@example.com"),
        ),
        (None, None) => Check::fail(
            "identity",
            "user.name and user.email are not set",
            format!("{cmd} user.name \"Your Name\" && {cmd} user.email you@example.com"),
        ),
    }
}

/// The key spec gpg would be given: user.signingkey, else the committer identity.
fn key_spec(world: &World, setup: &SigningSetup) -> Option<(String, bool)> {
    if let Some(k) = &setup.signing_key {
        return Some((k.clone(), true));
    }
    let out = world.git.output(&["var", "GIT_COMMITTER_IDENT"]).ok()?;
    if !out.status.success() {
        return None;
    }
    let ident = String::from_utf8_lossy(&out.stdout);
    let end = ident.rfind('>')?;
    Some((ident[..=end].to_owned(), false))
}

fn gpg_key(world: &World, setup: &SigningSetup, program: &Path) -> Vec<Check> {
    let cmd = world.config_cmd();
    let skip_rest = |why: &str| {
        vec![
            Check::skip("signing.key-expiry", why),
            Check::skip("signing.key-identity", why),
        ]
    };
    let Some((spec, configured)) = key_spec(world, setup) else {
        let mut out = vec![Check::fail(
            "signing.key",
            "user.signingkey is not set, and there is no committer identity to find a key by",
            format!("{cmd} user.signingkey <fingerprint>   (list them: gpg --list-secret-keys --keyid-format=long)"),
        )];
        out.extend(skip_rest("skipped: no signing key"));
        return out;
    };
    let found = match keys::secret_keys_limited(
        setup.format,
        program,
        Some(&spec),
        testsig::time_limit(),
    ) {
        Ok(k) => k,
        Err(e) => {
            let mut out = vec![Check::fail(
                "signing.key",
                format!("cannot list secret keys with {}: {e}", program.display()),
                "check that GnuPG works: gpg --list-secret-keys",
            )];
            out.extend(skip_rest("skipped: keys cannot be listed"));
            return out;
        }
    };
    let name = world.config.get("user.name").unwrap_or("Your Name");
    let email = world.config.get("user.email").unwrap_or("you@example.com");
    let what = if configured {
        format!("user.signingkey = {spec}")
    } else {
        format!("committer identity {spec} (user.signingkey is not set)")
    };
    let Some(key) = found.iter().find(|k| k.usable()).cloned() else {
        let message = if found.is_empty() {
            format!("no secret key for {what}")
        } else {
            let why: Vec<String> = found
                .iter()
                .map(|k| format!("{} {}", k.fingerprint, k.problem.as_deref().unwrap_or("")))
                .collect();
            format!("no usable secret key for {what}: {}", why.join("; "))
        };
        let hint = match setup.format {
            Format::X509 => "import a signing certificate and its key (gpgsm --import), then: git config --global user.signingkey <fingerprint>".to_owned(),
            _ if found.iter().any(|k| k.problem.as_deref().is_some_and(|p| p.contains("expired"))) => {
                format!("gpg --quick-set-expire {} 2y '*'   (or make a new key)", found[0].fingerprint)
            }
            _ => format!(
                "gpg --quick-gen-key \"{name} <{email}>\" ed25519 sign 2y && {cmd} user.signingkey <the new key's fingerprint>"
            ),
        };
        let mut out = vec![Check::fail("signing.key", message, hint)];
        out.extend(skip_rest("skipped: no usable signing key"));
        return out;
    };
    let mut out = vec![Check::pass(
        "signing.key",
        format!("{} {} ({what})", key.fingerprint, key.label()),
    )];
    out.push(expiry(&key, setup.format));
    out.push(key_identity(world, &key, setup.format));
    out
}

fn expiry(key: &KeyInfo, format: Format) -> Check {
    let Some(when) = key.expires else {
        return Check::pass("signing.key-expiry", "the key does not expire");
    };
    let left = when
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO);
    let days = left.as_secs() / 86_400;
    if left < Duration::from_secs(30 * 86_400) {
        let hint = match format {
            Format::X509 => "renew the certificate before it expires".to_owned(),
            _ => format!(
                "gpg --quick-set-expire {} 2y && gpg --quick-set-expire {} 2y '*'",
                key.fingerprint, key.fingerprint
            ),
        };
        return Check::warn(
            "signing.key-expiry",
            format!("the key expires on {} (in {days} days)", keys::date(when)),
            hint,
        );
    }
    Check::pass(
        "signing.key-expiry",
        format!("the key expires on {}", keys::date(when)),
    )
}

fn key_identity(world: &World, key: &KeyInfo, format: Format) -> Check {
    let Some(email) = world.config.get("user.email").filter(|e| !e.is_empty()) else {
        return Check::skip("signing.key-identity", "skipped: user.email is not set");
    };
    if key.has_email(email) {
        return Check::pass("signing.key-identity", format!("the key carries {email}"));
    }
    let name = world.config.get("user.name").unwrap_or("Your Name");
    let hint = match format {
        Format::X509 => format!("use a certificate issued for {email}"),
        _ => format!(
            "gpg --quick-add-uid {} \"{name} <{email}>\"",
            key.fingerprint
        ),
    };
    Check::warn(
        "signing.key-identity",
        format!("no user id of the key carries user.email {email}, so forges will not show its signatures as verified"),
        hint,
    )
}

fn defaults(world: &World) -> Vec<Check> {
    let cmd = world.config_cmd();
    [
        ("signing.commit-default", "commit.gpgsign", "commits"),
        ("signing.tag-default", "tag.gpgSign", "annotated tags"),
    ]
    .into_iter()
    .map(|(id, key, what)| match world.config.get_bool(key) {
        Some(Ok(true)) => Check::pass(id, format!("{key} = true: git signs {what}")),
        Some(Err(e)) => Check::fail(id, e, format!("{cmd} {key} true")),
        _ => Check::fail(
            id,
            format!("{key} is not true: git does not sign {what} unless asked"),
            format!("{cmd} {key} true"),
        ),
    })
    .collect()
}

/// Make a throw-away signature with the user's configuration and verify it.
fn test_signature(world: &World) -> Check {
    let id = "signing.test";
    let workdir = world.repo.as_ref().and_then(|r| r.workdir());
    let git_dir = world.repo.as_ref().map(|r| r.git_dir());
    let sha256 = world
        .repo
        .as_ref()
        .is_some_and(crate::git::Repository::sha256);
    let made = testsig::make(workdir, git_dir, sha256, testsig::time_limit());
    let base = workdir.map_or_else(|| world.cwd.clone(), Path::to_path_buf);
    match VerifyConfig::from_git(&world.config, &base) {
        Ok(config) => judge_test_signature(made, &mut Engine::new(config), &world.config),
        Err(e) => Check::fail(id, e.to_string(), e.hint()),
    }
}

/// `signing.test` from a test signature as [`testsig::make`] returned it, verified by `engine`.
pub fn judge_test_signature(
    made: Result<Vec<u8>, testsig::SignFailure>,
    engine: &mut Engine,
    config: &crate::git::config::GitConfig,
) -> Check {
    let id = "signing.test";
    let raw = match made {
        Ok(raw) => raw,
        Err(f) => return Check::fail(id, f.message, f.hint),
    };
    let sha256 = raw.starts_with(b"tree ") && raw.iter().position(|&b| b == b'\n') == Some(5 + 64);
    let signed = object::split_commit(&raw, sha256);
    match engine.verify(&signed) {
        Ok(v) if v.status == Status::Good => Check::pass(
            id,
            format!(
                "a test signature was made and verified ({})",
                v.format.map_or("", |f| f.as_str())
            ),
        ),
        Ok(v) => {
            let hint = match v.status {
                Status::Unverifiable | Status::Untrusted if v.format == Some(Format::Ssh) => {
                    allowed_signers_fix(config)
                }
                Status::Untrusted => "raise the key's trust (gpg --edit-key <fingerprint> trust) or lower gpg.minTrustLevel".to_owned(),
                _ => "run `git secure-release verify` on a signed commit to see more".to_owned(),
            };
            Check::fail(
                id,
                format!(
                    "a test signature was made, but it does not verify: {} ({})",
                    v.status, v.message
                ),
                hint,
            )
        }
        Err(e) => Check::fail(
            id,
            format!("a test signature was made, but cannot be verified: {e}"),
            e.hint(),
        ),
    }
}

/// A path for a shell line: `~/` left for the shell to expand, the rest quoted.
fn shell_path(path: &str) -> String {
    match path.strip_prefix("~/") {
        Some(rest) => format!("~/{}", crate::report::shell_word(rest)),
        None => crate::report::shell_word(path),
    }
}

/// The fix that lets git check the user's own ssh signatures: the configured signing key
/// (a `.pub` file, a private key's public half, a literal `key::…`/`ssh-…` key, else
/// ssh-agent's first key, as git picks it) added to the configured allowed-signers file (else `~/.config/git/allowed_signers`,
/// its folder made), and the setting written when it is not set yet.
pub fn allowed_signers_fix(config: &crate::git::config::GitConfig) -> String {
    let key = match config.get("user.signingkey").filter(|k| !k.is_empty()) {
        Some(k) if k.starts_with("key::") || k.starts_with("ssh-") || k.starts_with("ecdsa-") => {
            crate::report::shell_word(k.trim_start_matches("key::"))
        }
        Some(path) if path.ends_with(".pub") => format!("\"$(cat {})\"", shell_path(path)),
        // A private key's path (git takes one too): its public half, as ssh-keygen derives it.
        Some(path) => format!("\"$(ssh-keygen -y -f {})\"", shell_path(path)),
        None => "\"$(ssh-add -L | head -n 1)\"".to_owned(),
    };
    let configured = config
        .get("gpg.ssh.allowedSignersFile")
        .filter(|f| !f.is_empty());
    let file = configured.unwrap_or("~/.config/git/allowed_signers");
    let folder = std::path::Path::new(file)
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| !p.is_empty())
        .map(|p| format!("mkdir -p {} && ", shell_path(&p)))
        .unwrap_or_default();
    let mut fix = format!(
        "{folder}echo \"$(git config user.email)\" {key} >> {}",
        shell_path(file)
    );
    if configured.is_none() {
        fix.push_str(&format!(
            " && git config --global gpg.ssh.allowedSignersFile {}",
            shell_path(file)
        ));
    }
    fix
}

#[cfg(test)]
mod fix_tests {
    use super::allowed_signers_fix;
    use crate::git::config::GitConfig;

    // Regression: the fix wrote into ~/.config/git/ without making it, and named
    // ~/.ssh/id_ed25519.pub whatever key was configured.
    #[test]
    fn the_allowed_signers_fix_names_the_configured_key_and_makes_the_folder() {
        let config = GitConfig::parse(b"user.signingkey\n~/keys/work key.pub\0");
        let fix = allowed_signers_fix(&config);
        assert!(fix.starts_with("mkdir -p ~/.config/git && "), "{fix}");
        assert!(fix.contains("\"$(cat ~/'keys/work key.pub')\""), "{fix}");
        assert!(
            fix.ends_with(
                "git config --global gpg.ssh.allowedSignersFile ~/.config/git/allowed_signers"
            ),
            "{fix}"
        );
        let config = GitConfig::parse(b"user.signingkey\nkey::ssh-ed25519 AAAAC3 me\0gpg.ssh.allowedsignersfile\n/etc/signers\0");
        let fix = allowed_signers_fix(&config);
        assert_eq!(fix, "mkdir -p /etc && echo \"$(git config user.email)\" 'ssh-ed25519 AAAAC3 me' >> /etc/signers");
    }
}
