//! `verify` against git's own verdict, one world per case: each test makes the object for
//! real (git, gpg, gpgsm, ssh-keygen), then asserts our status and that git's view of the
//! same object (`verify-commit`/`verify-tag` exit status, `%G?`, `--raw`) is the one the
//! contract's table gives for that status.

use crate::common::keys::EMAIL;
use crate::common::{json, stderr, stdout, World};

/// A repository with a signing key and one signed commit.
fn signed_world() -> (World, String) {
    let w = World::new();
    w.repo();
    let fpr = w.signing_key();
    w.commit("one", true);
    (w, fpr)
}

#[test]
fn good_gpg_commit_and_tag() {
    let (w, fpr) = signed_world();
    w.git(&["tag", "-s", "v1.0.0", "-m", "Release 1.0.0"]);
    let ours = w.our_verdict("HEAD");
    assert_eq!(ours["status"], "good");
    assert_eq!(ours["format"], "openpgp");
    assert_eq!(ours["type"], "commit");
    assert_eq!(
        ours["signer"],
        serde_json::json!({"fingerprint": fpr, "name": "Test Author", "email": EMAIL})
    );
    assert_eq!(ours["trust"], "ultimate");
    let git = w.git_verify_commit("HEAD");
    assert!(git.ok && git.grade == Some('G'), "{git:?}");

    let ours = w.our_verdict("v1.0.0");
    assert_eq!(ours["status"], "good");
    assert_eq!(ours["type"], "tag");
    assert!(w.git_verify_tag("v1.0.0").ok);
}

#[test]
fn unsigned_commit_lightweight_and_unsigned_annotated_tags() {
    let w = World::new();
    w.repo();
    w.commit("one", false);
    w.git(&["tag", "v0.1.0"]);
    w.git(&["tag", "-a", "v0.2.0", "-m", "unsigned"]);
    assert_eq!(w.our_verdict("HEAD")["status"], "unsigned");
    let git = w.git_verify_commit("HEAD");
    assert!(!git.ok && git.grade == Some('N'), "{git:?}");
    for tag in ["v0.1.0", "v0.2.0"] {
        let ours = w.our_verdict(tag);
        assert_eq!(ours["status"], "unsigned", "{tag}");
        assert_eq!(ours["type"], "tag");
        assert!(!w.git_verify_tag(tag).ok, "{tag}");
    }
}

/// Rewrite an object's message and store it as a new object, keeping the old signature.
fn tamper(w: &World, kind: &str, rev: &str, from: &str, to: &str) -> String {
    let raw = w.git(&["cat-file", kind, rev]);
    assert!(raw.contains(from));
    let forged = raw.replacen(from, to, 1);
    w.git_with(
        &[],
        &["hash-object", "-t", kind, "-w", "--stdin"],
        Some(forged.as_bytes()),
    )
    .trim()
    .to_owned()
}

#[test]
fn tampered_commit_and_tag_are_bad() {
    let (w, _) = signed_world();
    w.git(&["tag", "-s", "v1.0.0", "-m", "Release 1.0.0"]);
    let commit = tamper(&w, "commit", "HEAD", "\none\n", "\nOne\n");
    assert_eq!(w.our_verdict(&commit)["status"], "bad");
    let git = w.git_verify_commit(&commit);
    assert!(!git.ok && git.grade == Some('B'), "{git:?}");

    let tag = tamper(&w, "tag", "v1.0.0", "Release 1.0.0", "Release 6.6.6");
    assert_eq!(w.our_verdict(&tag)["status"], "bad");
    let git = w.git_verify_tag(&tag);
    assert!(!git.ok && git.raw.contains("BADSIG"), "{git:?}");
}

#[test]
fn two_signatures_in_one_armor_are_bad() {
    let (w, fpr) = signed_world();
    let second = w.gen_key_in(&w.gnupghome(), "Second <second@example.com>", &[], "never");
    let tree = w.git(&["rev-parse", "HEAD^{tree}"]).trim().to_owned();
    let ident = "Test Author <author@example.com> 1704164645 +0000";
    let payload = format!("tree {tree}\nauthor {ident}\ncommitter {ident}\n\ntwo signatures\n");
    let sig = w.gpg_in(
        "gpg",
        &w.gnupghome(),
        &["--armor", "--detach-sign", "-u", &fpr, "-u", &second],
        Some(payload.as_bytes()),
    );
    let sig = String::from_utf8(sig).expect("armor");
    let folded = sig.trim_end().replace('\n', "\n ");
    let raw = payload.replacen("\n\n", &format!("\ngpgsig {folded}\n\n"), 1);
    let oid = w.git_with(
        &[],
        &["hash-object", "-t", "commit", "-w", "--stdin"],
        Some(raw.as_bytes()),
    );
    let oid = oid.trim();
    let ours = w.our_verdict(oid);
    assert_eq!(ours["status"], "bad");
    assert!(
        ours["message"]
            .as_str()
            .unwrap_or_default()
            .contains("2 signatures"),
        "{ours}"
    );
    let git = w.git_verify_commit(oid);
    assert!(!git.ok && git.grade == Some('E'), "{git:?}");
}

#[test]
fn key_not_in_the_keyring_is_unknown_key() {
    let w = World::new();
    w.repo();
    let other = w.home().join("other-gnupg");
    let fpr = w.gen_key_in(&other, "Stranger <stranger@example.com>", &[], "never");
    w.git(&["config", "user.signingkey", &fpr]);
    let other_s = other.to_string_lossy().into_owned();
    w.commit_with(&[("GNUPGHOME", &other_s)], "one", true);
    w.gnupghome();
    let ours = w.our_verdict("HEAD");
    assert_eq!(ours["status"], "unknown-key");
    assert!(ours["message"]
        .as_str()
        .unwrap_or_default()
        .contains("not in the keyring"));
    let git = w.git_verify_commit("HEAD");
    assert!(
        !git.ok && git.grade == Some('E') && git.raw.contains("NO_PUBKEY"),
        "{git:?}"
    );
}

/// A key that gpg finds in a keyring named by `gpg.conf`, not in its home's keybox: the fast
/// path must not take the keybox alone (it has gpg export the keys), and agrees with gpg.
#[test]
fn key_in_a_keyring_named_by_gpg_conf_is_found() {
    let w = World::new();
    w.repo();
    let other = w.home().join("other-gnupg");
    let fpr = w.gen_key_in(&other, "Stranger <stranger@example.com>", &[], "never");
    w.git(&["config", "user.signingkey", &fpr]);
    let other_s = other.to_string_lossy().into_owned();
    w.commit_with(&[("GNUPGHOME", &other_s)], "one", true);
    let extra = w.home().join("extra.gpg");
    std::fs::write(&extra, w.gpg_in("gpg", &other, &["--export", &fpr], None)).expect("write");
    let home = w.gnupghome();
    std::fs::write(
        home.join("gpg.conf"),
        format!("keyring {}\n", extra.display()),
    )
    .expect("gpg.conf");
    let ours = w.our_verdict("HEAD");
    assert_eq!(ours["status"], "good", "{ours}");
    assert_eq!(ours["signer"]["fingerprint"], fpr.as_str());
    assert_eq!(ours["trust"], "undefined");
    let git = w.git_verify_commit("HEAD");
    assert!(git.ok && git.grade == Some('U'), "{git:?}");
    let trace = fast_path_trace(&w);
    assert!(
        trace.contains("material exported by gpg")
            && trace.contains("fast path decided 1 of 1 objects"),
        "{trace}"
    );
}

/// What `verify` traces of its fast path (where the keys' material came from, how many
/// objects it decided).
fn fast_path_trace(w: &World) -> String {
    w.set_env("GIT_SECURE_RELEASE_TRACE", "1");
    let out = w.cmd(&["verify"]).success();
    w.set_env("GIT_SECURE_RELEASE_TRACE", "");
    stderr(&out)
}

/// With gpg's own home and options, the keys' material is read from its keybox, and the
/// fast path decides every object without gpg exporting anything.
#[test]
fn keybox_material_decides_every_object() {
    let (w, _) = signed_world();
    w.git(&["tag", "-s", "v1.0.0", "-m", "Release 1.0.0"]);
    let trace = fast_path_trace(&w);
    assert!(
        trace.contains("material read from gpg's keybox")
            && trace.contains("fast path decided 2 of 2 objects"),
        "{trace}"
    );
}

#[test]
fn key_expired_since_is_expired_key_and_passes_with_warning() {
    let w = World::new();
    w.repo();
    let home = w.gnupghome();
    let fpr = w.expired_key_in(&home);
    w.git(&["config", "user.signingkey", &fpr]);
    let then = w.script(
        "gpg-2020",
        "exec gpg --faked-system-time 20200601T000000! \"$@\"",
    );
    w.git(&["config", "gpg.program", &then.to_string_lossy()]);
    w.commit("one", true);
    w.git(&["config", "--unset", "gpg.program"]);
    let ours = w.our_verdict("HEAD");
    assert_eq!(ours["status"], "expired-key");
    let git = w.git_verify_commit("HEAD");
    assert!(
        !git.ok && git.grade == Some('Y'),
        "git 2.47 refuses it: {git:?}"
    );
    let out = w.cmd(&["verify", "HEAD"]).success();
    assert!(stdout(&out).starts_with("expired-key"), "{}", stdout(&out));
}

#[test]
fn expired_signature_is_expired_signature() {
    let w = World::new();
    w.repo();
    let fpr = w.gen_key_in(
        &w.gnupghome(),
        "Old <old@example.com>",
        &["--faked-system-time", "20200101T000000!"],
        "never",
    );
    w.git(&["config", "user.signingkey", &fpr]);
    let then = w.script(
        "gpg-sigexp",
        "exec gpg --faked-system-time 20200601T000000! --default-sig-expire 1d \"$@\"",
    );
    w.commit_with(
        &[(
            "GIT_CONFIG_PARAMETERS",
            &format!("'gpg.program'='{}'", then.display()),
        )],
        "one",
        true,
    );
    assert_eq!(w.our_verdict("HEAD")["status"], "expired-signature");
    let git = w.git_verify_commit("HEAD");
    assert!(!git.ok && git.grade == Some('X'), "{git:?}");
}

#[test]
fn revoked_key_is_revoked_key() {
    let (w, fpr) = signed_world();
    w.git(&["tag", "-s", "v1.0.0", "-m", "Release 1.0.0"]);
    let cert = std::fs::read_to_string(w.gnupghome().join(format!("openpgp-revocs.d/{fpr}.rev")))
        .expect("revocation cert");
    let cert = cert.replace(":-----BEGIN", "-----BEGIN");
    w.gpg_in("gpg", &w.gnupghome(), &["--import"], Some(cert.as_bytes()));
    assert_eq!(w.our_verdict("HEAD")["status"], "revoked-key");
    let git = w.git_verify_commit("HEAD");
    assert!(!git.ok && git.grade == Some('R'), "{git:?}");
    assert_eq!(w.our_verdict("v1.0.0")["status"], "revoked-key");
    assert!(w.git_verify_tag("v1.0.0").raw.contains("REVKEYSIG"));
}

/// A commit signed by a key from another keyring, whose public key is imported (trust
/// undefined). Returns the world and that key's fingerprint.
fn foreign_key_world() -> (World, String) {
    let w = World::new();
    w.repo();
    w.signing_key(); // the world's own (ultimately trusted) key
    let other = w.home().join("other-gnupg");
    let fpr = w.gen_key_in(&other, "Colleague <colleague@example.com>", &[], "never");
    w.import_public(&other, &fpr);
    w.git(&["config", "user.signingkey", &fpr]);
    w.commit_with(&[("GNUPGHOME", &other.to_string_lossy())], "one", true);
    (w, fpr)
}

#[test]
fn undefined_trust_passes_unless_min_trust_level_asks_more() {
    let (w, _) = foreign_key_world();
    let ours = w.our_verdict("HEAD");
    assert_eq!(ours["status"], "good");
    assert_eq!(ours["trust"], "undefined");
    let git = w.git_verify_commit("HEAD");
    assert!(git.ok && git.grade == Some('U'), "{git:?}");

    w.git(&["config", "gpg.minTrustLevel", "marginal"]);
    assert_eq!(w.our_verdict("HEAD")["status"], "untrusted");
    let git = w.git_verify_commit("HEAD");
    assert!(!git.ok && git.grade == Some('U'), "{git:?}");
}

#[test]
fn fully_trusted_key_is_untrusted_under_min_trust_ultimate() {
    let (w, fpr) = foreign_key_world();
    w.gpg_in("gpg", &w.gnupghome(), &["--quick-lsign-key", &fpr], None);
    let ours = w.our_verdict("HEAD");
    assert_eq!(
        (ours["status"].as_str(), ours["trust"].as_str()),
        (Some("good"), Some("fully"))
    );
    w.git(&["config", "gpg.minTrustLevel", "ultimate"]);
    assert_eq!(w.our_verdict("HEAD")["status"], "untrusted");
    let git = w.git_verify_commit("HEAD");
    assert!(
        !git.ok && git.grade == Some('G') && git.raw.contains("TRUST_FULLY"),
        "{git:?}"
    );
    // The world's own key is ultimately trusted and passes the same bar.
    w.git(&["config", "user.signingkey", EMAIL]);
    w.commit("two", true);
    assert_eq!(w.our_verdict("HEAD")["status"], "good");
    assert!(w.git_verify_commit("HEAD").ok);
}

#[test]
fn good_ssh_commit_and_tag() {
    let w = World::new();
    w.repo();
    let public = w.ssh_key("id");
    w.use_ssh("id", Some(&format!("{EMAIL} {public}\n")));
    w.commit("one", true);
    w.git(&["tag", "-s", "v1.0.0", "-m", "Release 1.0.0"]);
    let ours = w.our_verdict("HEAD");
    assert_eq!(ours["status"], "good");
    assert_eq!(ours["format"], "ssh");
    assert_eq!(ours["signer"]["email"], EMAIL);
    assert!(ours["signer"]["fingerprint"]
        .as_str()
        .unwrap_or_default()
        .starts_with("SHA256:"));
    let git = w.git_verify_commit("HEAD");
    assert!(git.ok && git.grade == Some('G'), "{git:?}");
    assert_eq!(w.our_verdict("v1.0.0")["status"], "good");
    assert!(w.git_verify_tag("v1.0.0").ok);
}

#[test]
fn ssh_key_not_an_allowed_signer_is_untrusted() {
    let w = World::new();
    w.repo();
    w.ssh_key("id");
    let stranger = w.ssh_key("other");
    w.use_ssh("id", Some(&format!("{EMAIL} {stranger}\n")));
    w.commit("one", true);
    assert_eq!(w.our_verdict("HEAD")["status"], "untrusted");
    let git = w.git_verify_commit("HEAD");
    assert!(!git.ok && git.grade == Some('U'), "{git:?}");
}

#[test]
fn ssh_without_allowed_signers_is_unverifiable() {
    let w = World::new();
    w.repo();
    w.ssh_key("id");
    w.use_ssh("id", None);
    w.commit("one", true);
    let ours = w.our_verdict("HEAD");
    assert_eq!(ours["status"], "unverifiable");
    assert!(ours["message"]
        .as_str()
        .unwrap_or_default()
        .contains("gpg.ssh.allowedSignersFile"));
    let git = w.git_verify_commit("HEAD");
    assert!(!git.ok && git.grade == Some('N'), "{git:?}");
}

#[test]
fn ssh_key_in_revocation_file_is_revoked() {
    let w = World::new();
    w.repo();
    let public = w.ssh_key("id");
    w.use_ssh("id", Some(&format!("{EMAIL} {public}\n")));
    w.commit("one", true);
    let revoked = w.home().join("revoked");
    std::fs::write(&revoked, format!("{public}\n")).expect("write");
    w.git(&[
        "config",
        "gpg.ssh.revocationFile",
        &revoked.to_string_lossy(),
    ]);
    assert_eq!(w.our_verdict("HEAD")["status"], "revoked-key");
    let git = w.git_verify_commit("HEAD");
    assert!(!git.ok && git.grade == Some('B'), "{git:?}");
}

#[test]
fn ssh_validity_is_checked_at_the_objects_date() {
    // Commits are dated 2024-01-02 (the world's GIT_COMMITTER_DATE).
    let w = World::new();
    w.repo();
    let public = w.ssh_key("id");
    w.use_ssh(
        "id",
        Some(&format!("{EMAIL} valid-before=\"20200101\" {public}\n")),
    );
    w.commit("one", true);
    // Regression: this was `expired-key` (exit 0), while git exits 1 in every version.
    assert_eq!(
        w.our_verdict("HEAD")["status"],
        "untrusted",
        "signed after the key's validity"
    );
    let git = w.git_verify_commit("HEAD");
    assert!(!git.ok && git.grade == Some('U'), "{git:?}");

    // Valid when the commit was made, ended since: good, with a warning.
    w.use_ssh(
        "id",
        Some(&format!("{EMAIL} valid-before=\"20250101\" {public}\n")),
    );
    let ours = w.our_verdict("HEAD");
    assert_eq!(ours["status"], "good");
    let git = w.git_verify_commit("HEAD");
    assert!(git.ok && git.grade == Some('G'), "{git:?}");
    let out = w.cmd(&["verify", "HEAD"]).success();
    assert!(
        stderr(&out).contains("warning:") && stderr(&out).contains("validity"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn good_x509_commit_with_a_throwaway_certificate() {
    let w = World::new();
    w.repo();
    let home = w.gnupghome();
    let params = w.tmp.path().join("x509.params");
    std::fs::write(
        &params,
        format!("Key-Type: RSA\nKey-Length: 2048\nKey-Usage: sign\nSerial: random\nName-DN: CN=Test Author,O=Example\nName-Email: {EMAIL}\n"),
    )
    .expect("params");
    let cert = w.gpg_in(
        "gpgsm",
        &home,
        &[
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
            "--gen-key",
            &params.to_string_lossy(),
        ],
        None,
    );
    w.gpg_in("gpgsm", &home, &["--import"], Some(&cert));
    let listing =
        String::from_utf8(w.gpg_in("gpgsm", &home, &["--with-colons", "--list-keys"], None))
            .expect("utf-8");
    let fpr = listing
        .lines()
        .find(|l| l.starts_with("fpr:"))
        .and_then(|l| l.split(':').nth(9))
        .expect("fpr")
        .to_owned();
    std::fs::write(home.join("trustlist.txt"), format!("{fpr} S relax\n")).expect("trustlist");
    std::fs::write(home.join("gpgsm.conf"), "disable-crl-checks\n").expect("gpgsm.conf");
    w.git(&["config", "gpg.format", "x509"]);
    w.git(&["config", "user.signingkey", &fpr]);
    w.commit("one", true);
    w.git(&["tag", "-s", "v1.0.0", "-m", "Release 1.0.0"]);
    let ours = w.our_verdict("HEAD");
    assert_eq!(ours["status"], "good");
    assert_eq!(ours["format"], "x509");
    assert_eq!(ours["signer"]["email"], EMAIL);
    let git = w.git_verify_commit("HEAD");
    assert!(git.ok && git.grade == Some('G'), "{git:?}");
    assert_eq!(w.our_verdict("v1.0.0")["status"], "good");
    assert!(w.git_verify_tag("v1.0.0").ok);
}

#[test]
fn replayed_tag_under_another_name_is_a_mismatch() {
    let (w, _) = signed_world();
    w.git(&["tag", "-s", "v1.0.0", "-m", "Release 1.0.0"]);
    let object = w.git(&["rev-parse", "refs/tags/v1.0.0"]).trim().to_owned();
    w.git(&["update-ref", "refs/tags/v2.0.0", &object]);
    let ours = w.our_verdict("v2.0.0");
    assert_eq!(ours["status"], "tag-name-mismatch");
    assert!(ours["message"]
        .as_str()
        .unwrap_or_default()
        .contains("v1.0.0"));
    assert!(w.git_verify_tag("v2.0.0").ok, "git does not check the name");
    assert_eq!(w.our_verdict("v1.0.0")["status"], "good");
}

#[test]
fn tag_message_holding_an_armor_block_verifies_at_the_last_one() {
    let (w, _) = signed_world();
    let message = "Release 1.0.0\n\n-----BEGIN PGP SIGNATURE-----\nnot a signature\n-----END PGP SIGNATURE-----\n";
    w.git(&["tag", "-s", "v1.0.0", "-m", message]);
    assert_eq!(w.our_verdict("v1.0.0")["status"], "good");
    assert!(w.git_verify_tag("v1.0.0").ok);
    // An unsigned tag whose message holds one looks signed, and badly, to git too.
    w.git(&["tag", "-a", "v1.0.1", "--no-sign", "-m", message]);
    assert_eq!(w.our_verdict("v1.0.1")["status"], "bad");
    assert!(!w.git_verify_tag("v1.0.1").ok);
}

#[test]
fn non_utf8_commit_message_verifies() {
    let (w, _) = signed_world();
    std::fs::write(w.root.join("file.txt"), "latin1\n").expect("write");
    w.git(&["add", "file.txt"]);
    let msg = w.tmp.path().join("msg");
    std::fs::write(&msg, b"caf\xe9 na\xefve\n").expect("write");
    w.git(&[
        "-c",
        "i18n.commitEncoding=iso-8859-1",
        "commit",
        "-q",
        "-S",
        "-F",
        &msg.to_string_lossy(),
    ]);
    assert!(w
        .git(&["cat-file", "commit", "HEAD"])
        .contains("encoding iso-8859-1"));
    assert_eq!(w.our_verdict("HEAD")["status"], "good");
    assert!(w.git_verify_commit("HEAD").ok);
}

#[test]
fn commit_range_with_an_unsigned_commit_in_the_middle() {
    let (w, _) = signed_world();
    w.git(&["tag", "-s", "v0.1.0", "-m", "Release 0.1.0"]);
    let a = w.commit("a", true);
    let b = w.commit("b", false);
    let c = w.commit("c", true);
    let out = w
        .cmd(&["verify", "--json", "--commits", "v0.1.0..HEAD"])
        .code(1);
    let v = json(&out);
    assert_eq!(v["ok"], false);
    let by_object: Vec<(String, String)> = v["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["object"].as_str().unwrap_or_default().to_owned(),
                r["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    // Regression: `--commits` alone added HEAD and every release tag, so old unsigned tags
    // failed a check of "every commit since the release". The range alone, newest first.
    assert_eq!(
        by_object,
        [
            (c, "good".into()),
            (b.clone(), "unsigned".into()),
            (a, "good".into())
        ]
    );
    assert!(!w.git_verify_commit(&b).ok);
    // The range alone, named: only the unsigned commit fails.
    let out = w
        .cmd(&["verify", "--commits", "HEAD~1..HEAD", "HEAD"])
        .success();
    assert_eq!(stdout(&out).lines().count(), 2);
}

#[test]
fn default_targets_are_head_and_every_release_tag() {
    let (w, _) = signed_world();
    w.git(&["tag", "-s", "v0.2.0", "-m", "Release 0.2.0"]);
    w.git(&["tag", "-s", "v0.10.0", "-m", "Release 0.10.0"]);
    w.git(&["tag", "-s", "nightly", "-m", "not a release tag"]);
    let v = json(&w.cmd(&["verify", "--json"]).success());
    let targets: Vec<&str> = v["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["target"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(targets, ["HEAD", "v0.2.0", "v0.10.0"]);
    assert_eq!(v["ok"], true);
    for r in v["results"].as_array().expect("results") {
        let keys: Vec<&str> = r
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 8, "{keys:?}");
        for k in [
            "target", "object", "type", "status", "format", "signer", "trust", "message",
        ] {
            assert!(keys.contains(&k), "missing {k}");
        }
    }
    let text = stdout(&w.cmd(&["verify"]).success());
    assert_eq!(text.lines().count(), 3);
    assert!(text.lines().all(|l| l.starts_with("good")), "{text}");
}

#[test]
fn bad_input_is_refused_clearly() {
    let (w, _) = signed_world();
    for (args, needle) in [
        (&["verify", "no-such-rev"][..], "unknown revision"),
        (&["verify", "--commits", "v9..HEAD"], "--commits"),
        (&["verify", "HEAD^{tree}"], "not a commit or tag"),
    ] {
        let out = w.cmd(args).code(1);
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }
    w.git(&["config", "gpg.minTrustLevel", "sometimes"]);
    let out = w.cmd(&["verify"]).code(1);
    assert!(
        stderr(&out).contains("gpg.minTrustLevel"),
        "{}",
        stderr(&out)
    );
    w.git(&["config", "--unset", "gpg.minTrustLevel"]);

    // gpg missing: the object is unverifiable, the message naming gpg.program.
    w.git(&["config", "gpg.program", "/nonexistent/gpg"]);
    let out = w.cmd(&["verify", "HEAD"]).code(1);
    assert!(
        stdout(&out).contains("unverifiable") && stdout(&out).contains("gpg.program"),
        "{}",
        stdout(&out)
    );
    w.git(&["config", "--unset", "gpg.program"]);
    w.git(&["config", "gpg.ssh.program", "no-such-ssh-keygen"]);
    let ssh = World::new();
    ssh.repo();
    ssh.ssh_key("id");
    ssh.use_ssh("id", Some("x\n"));
    ssh.commit("one", true);
    ssh.git(&["config", "gpg.ssh.program", "no-such-ssh-keygen"]);
    let out = ssh.cmd(&["verify", "HEAD"]).code(1);
    assert!(
        stdout(&out).contains("unverifiable") && stdout(&out).contains("gpg.ssh.program"),
        "{}",
        stdout(&out)
    );

    let outside = World::new();
    let out = outside.cmd(&["verify"]).code(1);
    assert!(
        stderr(&out).contains("not inside a git repository"),
        "{}",
        stderr(&out)
    );
    let out = outside.cmd(&["epoch"]).code(1);
    assert!(stderr(&out).contains("not inside a git repository"));
    let empty = World::new();
    empty.repo();
    let out = empty.cmd(&["verify"]).code(1);
    assert!(
        stderr(&out).contains("HEAD does not point at a commit"),
        "{}",
        stderr(&out)
    );
}

/// How many times `verify ARGS` (which must pass) starts gpg.
fn gpg_runs(w: &World, args: &[&str]) -> usize {
    // Every program this tool starts is traced; gpgme's own key listing is not (it is once).
    let out = w.traced(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(" run \"") && l.contains("gpg\" ["))
        .count()
}

/// A `gpg.program` that is a wrapper (a script) may apply a policy of its own: the fast
/// path never answers for it; each signature goes to the wrapper, as git sends it.
#[test]
fn a_gpg_program_wrapper_decides_every_signature() {
    let (w, _) = signed_world();
    w.git(&["tag", "-s", "v0.1.0", "-m", "Release 0.1.0"]);
    // It answers everything as gpg does, but refuses every signature.
    let policy = w.script(
        "gpg-policy",
        "case \"$*\" in *--verify*) echo 'policy: this key is not allowed here' >&2; exit 2;; esac\nexec gpg \"$@\"",
    );
    w.git(&["config", "gpg.program", &policy.to_string_lossy()]);
    assert!(
        !w.git_verify_tag("v0.1.0").ok,
        "git refuses through the wrapper"
    );
    for args in [
        &["verify", "--json", "v0.1.0"][..],
        &["verify", "--json", "--no-fast-path", "v0.1.0"],
    ] {
        let v = json(&w.cmd(args).code(1));
        assert_ne!(v["results"][0]["status"], "good", "{args:?}: {v}");
    }
    // A wrapper that passes everything to gpg gives gpg's verdicts, through the slow path.
    let pass = w.script("gpg-pass", "exec gpg \"$@\"");
    w.git(&["config", "gpg.program", &pass.to_string_lossy()]);
    assert!(w.git_verify_tag("v0.1.0").ok);
    assert_eq!(
        json(&w.cmd(&["verify", "--json", "v0.1.0"]).success())["results"][0]["status"],
        "good"
    );
    let out = w.traced(&["verify", "v0.1.0"]);
    let asked = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains("gpg-pass\" ["))
        .count();
    assert!(asked >= 1, "the wrapper was not asked");
}

/// The fast path learns the keyring once: the number of gpg runs does not grow with the
/// number of objects, while the slow path starts one (or more) per object.
#[test]
fn fast_path_starts_no_process_per_object() {
    let (w, _) = signed_world();
    let runs = |args: &[&str]| gpg_runs(&w, args);
    for i in 0..3 {
        w.git(&["tag", "-s", &format!("v0.{i}.0"), "-m", "release"]);
    }
    let fast_3 = runs(&["verify"]);
    let slow_3 = runs(&["verify", "--no-fast-path"]);
    for i in 3..9 {
        w.git(&["tag", "-s", &format!("v0.{i}.0"), "-m", "release"]);
    }
    let fast_9 = runs(&["verify"]);
    let slow_9 = runs(&["verify", "--no-fast-path"]);
    assert_eq!(
        fast_3, fast_9,
        "fast path: gpg runs grew with the objects ({fast_3} -> {fast_9})"
    );
    assert!(
        slow_9 >= slow_3 + 6,
        "slow path: one gpg run per object ({slow_3} -> {slow_9})"
    );
    assert!(fast_9 < slow_9, "{fast_9} < {slow_9}");
}

/// Many objects at once, checked in parallel: good ones (fast path), a tampered one (left
/// to gpg), a lightweight one and an unsigned one, each result in its own place.
#[test]
fn many_objects_keep_their_order_and_verdicts() {
    let (w, _) = signed_world();
    let mut expected = vec![("HEAD".to_owned(), "good")];
    for i in 0..14 {
        let name = format!("v1.{i}.0");
        match i {
            5 => w.git(&["tag", &name]),
            9 => w.git(&["tag", "-a", "--no-sign", &name, "-m", "unsigned"]),
            _ => w.git(&["tag", "-s", &name, "-m", &format!("Release 1.{i}.0")]),
        };
        expected.push((
            name.clone(),
            if i == 5 || i == 9 { "unsigned" } else { "good" },
        ));
    }
    let forged = tamper(&w, "tag", "v1.7.0", "Release 1.7.0", "Release 6.6.6");
    w.git(&["update-ref", "refs/tags/v1.7.0", &forged]);
    expected[8].1 = "bad";
    let v = json(&w.cmd(&["verify", "--json"]).code(1));
    let got: Vec<(String, &str)> = v["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["target"].as_str().unwrap_or("").to_owned(),
                r["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(got, expected);
    let slow = json(&w.cmd(&["verify", "--json", "--no-fast-path"]).code(1));
    assert_eq!(v, slow, "both paths, the whole report");
}

/// RSA keys, with each SHA-2 digest gpg can sign with: the fast path's own RSA check decides
/// every good signature (no gpg run per object), agrees with gpg on each, and leaves a
/// tampered one to gpg, which calls it bad. SHA-1 is left to gpg altogether.
#[test]
fn rsa_signatures_through_both_paths_with_every_sha2_digest() {
    let w = World::new();
    w.repo();
    let fpr = w.gen_algo_key_in(
        &w.gnupghome(),
        &format!("Test Author <{EMAIL}>"),
        "rsa2048",
        &[],
        "never",
    );
    w.git(&["config", "user.signingkey", &fpr]);
    w.commit("one", true);
    let conf = w.gnupghome().join("gpg.conf");
    let digests = ["SHA256", "SHA384", "SHA512", "SHA224", "SHA1"];
    for (i, digest) in digests.iter().enumerate() {
        std::fs::write(
            &conf,
            format!("personal-digest-preferences {digest}\ndigest-algo {digest}\n"),
        )
        .expect("gpg.conf");
        let tag = format!("v1.{i}.0");
        w.git(&["tag", "-s", &tag, "-m", &format!("Release 1.{i}.0")]);
        let raw = w.git(&["cat-file", "tag", &tag]);
        let armor = &raw[raw.find("-----BEGIN PGP SIGNATURE").expect("signed")..];
        let packets = w.gpg_in(
            "gpg",
            &w.gnupghome(),
            &["--list-packets"],
            Some(armor.as_bytes()),
        );
        let algo = match *digest {
            "SHA1" => 2,
            "SHA256" => 8,
            "SHA384" => 9,
            "SHA512" => 10,
            _ => 11,
        };
        assert!(
            String::from_utf8_lossy(&packets).contains(&format!("digest algo {algo},")),
            "{digest}: {}",
            String::from_utf8_lossy(&packets)
        );
        let ours = w.our_verdict(&tag);
        assert_eq!(ours["status"], "good", "{digest}");
        assert_eq!(ours["signer"]["fingerprint"], fpr.as_str());
        assert!(w.git_verify_tag(&tag).ok, "{digest}");
    }
    std::fs::remove_file(&conf).expect("gpg.conf");
    // HEAD and the four SHA-2 tags take no more gpg runs than HEAD alone; the SHA-1 tag
    // takes gpg's word, one run more at least.
    let one = gpg_runs(&w, &["verify", "HEAD"]);
    let sha2 = gpg_runs(
        &w,
        &["verify", "HEAD", "v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0"],
    );
    assert_eq!(one, sha2, "an RSA signature was left to gpg");
    assert!(gpg_runs(&w, &["verify", "HEAD", "v1.4.0"]) > one);

    let forged = tamper(&w, "tag", "v1.0.0", "Release 1.0.0", "Release 6.6.6");
    assert_eq!(w.our_verdict(&forged)["status"], "bad");
    let git = w.git_verify_tag(&forged);
    assert!(!git.ok, "{git:?}");
}

/// Regression: with a signed HEAD the keyring loads in another thread (gpgme) while
/// `git rev-list` lists the range; gpgme's pipes are inheritable, so a rev-list started
/// meanwhile held one open: gpgme waited for rev-list, rev-list (its pipe full) for us, we
/// for gpgme: `verify --commits` over a few thousand commits hung for ever.
#[test]
fn a_long_range_after_a_signed_head_never_hangs() {
    let (w, _) = signed_world();
    let base = w.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let mut import = String::new();
    for i in 1..=6000 {
        let msg = format!("c{i}\n");
        import.push_str(&format!(
            "commit refs/heads/main\ncommitter T <t@e> {} +0000\ndata {}\n{msg}",
            1_600_000_000 + i,
            msg.len()
        ));
        if i == 1 {
            import.push_str(&format!("from {base}\n"));
        }
        import.push('\n');
    }
    w.git_with(
        &[],
        &["fast-import", "--quiet", "--force"],
        Some(import.as_bytes()),
    );
    w.git(&["reset", "-q", "--hard", "main"]);
    w.commit("signed on top", true);
    let mut cmd = w.command(&["verify", "--commits", "HEAD"]);
    let out = crate::common::output_within(&mut cmd, std::time::Duration::from_secs(120))
        .expect("verify --commits finished within 120 s (a deadlock otherwise)");
    assert_eq!(out.status.code(), Some(1), "the unsigned commits fail");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().count() > 6000,
        "{} lines",
        text.lines().count()
    );
    assert!(
        text.lines().next().is_some_and(|l| l.starts_with("good")),
        "{}",
        &text[..200.min(text.len())]
    );
}
