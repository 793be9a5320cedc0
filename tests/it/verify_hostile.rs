//! Hostile signed objects (contract §2.3 "Never more accepting than git"): each is made for
//! real with gpg, then held to git's own verdict through both paths, which must agree.

use crate::common::World;

/// A repository with a signing key; its fingerprint.
fn keyed() -> (World, String) {
    let w = World::new();
    w.repo();
    let fpr = w.signing_key();
    w.commit("base", true);
    (w, fpr)
}

/// A commit payload on the repository's tree, with `author` as its author header value.
fn payload(w: &World, author: &str) -> String {
    let tree = w.git(&["rev-parse", "HEAD^{tree}"]).trim().to_owned();
    let ident = "Test Author <author@example.com> 1704164645 +0000";
    format!("tree {tree}\nauthor {author}\ncommitter {ident}\n\nhostile\n")
}

/// gpg's armored detached signature of `payload` by `fpr`, with `extra` options.
fn sign(w: &World, fpr: &str, payload: &str, extra: &[&str]) -> String {
    let mut args = vec!["--armor", "--detach-sign", "-u", fpr];
    args.extend(extra);
    let sig = w.gpg_in("gpg", &w.gnupghome(), &args, Some(payload.as_bytes()));
    String::from_utf8(sig).expect("armor")
}

/// The commit of `payload` with each of `headers` (a signature's text) as a `gpgsig`
/// header, stored as it is (`--literally`); its id.
fn commit_with(w: &World, payload: &str, headers: &[String]) -> String {
    let mut at = payload.find("\n\n").expect("headers end");
    let mut raw = payload.to_owned();
    for h in headers {
        let folded = format!("\ngpgsig {}", h.trim_end().replace('\n', "\n "));
        raw.insert_str(at, &folded);
        at += folded.len();
    }
    w.hash_literally("commit", raw.as_bytes())
}

/// Ours (both paths, asserted equal) is not `good`, and git does not accept it either.
fn refused_by_both(w: &World, oid: &str, status: &str) -> serde_json::Value {
    let ours = w.our_verdict(oid);
    assert_eq!(ours["status"], status, "{ours}");
    let git = w.git_verify_commit(oid);
    assert!(!git.ok, "git accepts it: {git:?}");
    ours
}

// Regression: the fast path said `good` where gpg says BADSIG (git `B`).
#[test]
fn an_unknown_critical_notation_is_never_good() {
    let (w, fpr) = keyed();
    let p = payload(&w, "Test Author <author@example.com> 1704164645 +0000");
    let sig = sign(
        &w,
        &fpr,
        &p,
        &["--sig-notation", "!critical@example.com=yes"],
    );
    let oid = commit_with(&w, &p, &[sig]);
    let ours = w.our_verdict(&oid);
    assert_ne!(ours["status"], "good", "{ours}");
    assert!(!w.git_verify_commit(&oid).ok);
}

// Regression: `weak-digest` in gpg.conf was ignored by the fast path.
#[test]
fn a_digest_gpg_conf_calls_weak_is_never_good() {
    let (w, fpr) = keyed();
    let p = payload(&w, "Test Author <author@example.com> 1704164645 +0000");
    let sig = sign(&w, &fpr, &p, &["--digest-algo", "SHA256"]);
    let oid = commit_with(&w, &p, &[sig]);
    assert_eq!(
        w.our_verdict(&oid)["status"],
        "good",
        "before gpg.conf says otherwise"
    );
    std::fs::write(w.gnupghome().join("gpg.conf"), "weak-digest SHA256\n").expect("gpg.conf");
    let ours = w.our_verdict(&oid);
    assert_ne!(ours["status"], "good", "{ours}");
    assert!(!w.git_verify_commit(&oid).ok);
}

// Regression: every form of two signatures was `good` by the fast path (git `E`, exit 1).
#[test]
fn two_signatures_in_every_form_are_bad() {
    let (w, fpr) = keyed();
    let second = w.gen_key_in(&w.gnupghome(), "Second <second@example.com>", &[], "never");
    let p = payload(&w, "Test Author <author@example.com> 1704164645 +0000");
    let sig = sign(&w, &fpr, &p, &[]);
    let other = sign(&w, &second, &p, &[]);
    let garbage = "-----BEGIN PGP SIGNATURE-----\n\nnot a signature\n-----END PGP SIGNATURE-----\n"
        .to_owned();
    for (what, headers) in [
        ("the same header twice", vec![sig.clone(), sig.clone()]),
        (
            "a valid header, then a garbage one",
            vec![sig.clone(), garbage.clone()],
        ),
        (
            "valid signatures by two keys",
            vec![sig.clone(), other.clone()],
        ),
        ("two armors in one header", vec![format!("{sig}{other}")]),
    ] {
        let oid = commit_with(&w, &p, &headers);
        let ours = refused_by_both(&w, &oid, "bad");
        assert!(
            !ours["message"].as_str().unwrap_or_default().is_empty(),
            "{what}: {ours}"
        );
    }
}

/// Ours (both paths, asserted equal) passes exactly when git's `verify-commit` does.
fn agrees_with_git(w: &World, oid: &str, what: &str) {
    let ours = w.our_verdict(oid);
    let passes = matches!(ours["status"].as_str(), Some("good" | "expired-key"));
    let git = w.git_verify_commit(oid);
    assert_eq!(passes, git.ok, "{what}: ours {ours}, git {git:?}");
}

// Regression: an armor without its CRC line was sometimes `good` where gpg refused it, and a
// good armor followed by text: the fast path never decides such an armor, gpg does (gpg
// versions differ on them), so the verdict is git's.
#[test]
fn unusual_armors_are_decided_as_git_decides_them() {
    let (w, fpr) = keyed();
    let p = payload(&w, "Test Author <author@example.com> 1704164645 +0000");
    let sig = sign(&w, &fpr, &p, &[]);
    let crc = sig
        .lines()
        .find(|l| l.starts_with('=') && l.len() == 5)
        .expect("a checksum line")
        .to_owned();
    let flipped = if crc.ends_with('A') { "B" } else { "A" };
    for (what, armor) in [
        ("no checksum line", sig.replace(&format!("{crc}\n"), "")),
        (
            "a wrong checksum",
            sig.replace(&crc, &format!("{}{flipped}", &crc[..4])),
        ),
        ("text after the armor", format!("{sig}trailing words\n")),
    ] {
        let oid = commit_with(&w, &p, &[armor]);
        agrees_with_git(&w, &oid, what);
    }
}

// Regression: a NUL in the author header made git see no signature (`N`); we said `good`.
#[test]
fn a_signature_after_a_nul_in_the_header_is_unsigned_as_git_says() {
    let (w, fpr) = keyed();
    let p = payload(&w, "Test \0Author <author@example.com> 1704164645 +0000");
    let sig = sign(&w, &fpr, &p, &[]);
    let oid = commit_with(&w, &p, &[sig]);
    let ours = w.our_verdict(&oid);
    assert_eq!(ours["status"], "unsigned", "{ours}");
    let git = w.git_verify_commit(&oid);
    assert!(!git.ok && git.grade == Some('N'), "{git:?}");
}

// Regression: with no gpgsm, one X.509 commit made `verify --commits` fail as a whole (no
// results at all), and the hint named gpg as gpg.x509.program.
#[test]
fn a_missing_verifier_makes_its_objects_unverifiable_and_the_rest_is_verified() {
    let (w, _) = keyed();
    let p = payload(&w, "Test Author <author@example.com> 1704164645 +0000");
    let x509 = "-----BEGIN SIGNED MESSAGE-----\nMIIB\n-----END SIGNED MESSAGE-----\n".to_owned();
    let oid = commit_with(&w, &p, &[x509]);
    w.git(&["update-ref", "refs/heads/main", &oid]);
    w.commit("signed on top", true);
    w.git(&["config", "gpg.x509.program", "/nonexistent/gpgsm"]);
    // The crafted commit has no parent: the range is it and the commit on top.
    let out = w.cmd(&["verify", "--json", "--commits", "HEAD"]).code(1);
    let v = crate::common::json(&out);
    let results = v["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "{v}");
    assert_eq!(results[0]["status"], "good", "{v}");
    assert_eq!(results[1]["status"], "unverifiable", "{v}");
    let message = results[1]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("gpg.x509.program") && message.contains("gpgsm"),
        "{message}"
    );
    assert!(!message.contains("/usr/bin/gpg "), "{message}");
    assert!(!w.git_verify_commit(&oid).ok);
}

// `--commits` alone checks the range and nothing else: an old unsigned release tag does not
// fail a check of the commits since it.
#[test]
fn commits_alone_ignore_old_unsigned_tags() {
    let (w, _) = keyed();
    w.git(&["tag", "v0.0.1"]);
    w.commit("since", true);
    let out = w.cmd(&["verify", "--commits", "v0.0.1..HEAD"]).success();
    assert_eq!(crate::common::stdout(&out).lines().count(), 1);
    w.cmd(&["verify"]).code(1);
}

// Regression: gpg (or gpgsm) exiting non-zero while its status lines said GOODSIG was
// `good` (git: exit 1). The fault is injected with a gpg.program that runs gpg and then
// fails its verifications, as gpg itself does in the cases seen (an expired X.509 chain, an
// armor some gpg versions refuse); the slow path runs the program as git does.
#[test]
fn a_program_that_exits_non_zero_is_never_good() {
    let (w, _) = keyed();
    let failing = w.script(
        "gpg-fails-verify",
        "gpg \"$@\"\nrc=$?\nfor a in \"$@\"; do [ \"$a\" = --verify ] && exit 2; done\nexit $rc",
    );
    w.git(&["config", "gpg.program", &failing.to_string_lossy()]);
    let out = w
        .cmd(&["verify", "--json", "--no-fast-path", "HEAD"])
        .code(1);
    let v = crate::common::json(&out);
    assert_ne!(v["results"][0]["status"], "good", "{v}");
    assert!(
        !w.git_verify_commit("HEAD").ok,
        "git does not accept it either"
    );
    w.git(&["config", "--unset", "gpg.program"]);
    assert_eq!(
        w.our_verdict("HEAD")["status"],
        "good",
        "with gpg itself it is good"
    );
}

// A SHA-1 signature by a key the keyring lacks is `unknown-key` without gpg: the key is
// looked up first, as gpg does, and no cryptography is needed to say so.
#[test]
fn an_unknown_key_is_decided_in_process_whatever_its_digest() {
    let w = World::new();
    w.repo();
    let other = w.home().join("other-gnupg");
    let fpr = w.gen_algo_key_in(
        &other,
        "Stranger <stranger@example.com>",
        "rsa2048",
        &[],
        "never",
    );
    std::fs::write(
        other.join("gpg.conf"),
        "personal-digest-preferences SHA1\ndigest-algo SHA1\n",
    )
    .expect("gpg.conf");
    w.git(&["config", "user.signingkey", &fpr]);
    let other_s = other.to_string_lossy().into_owned();
    w.commit_with(&[("GNUPGHOME", &other_s)], "one", true);
    let raw = w.git(&["cat-file", "commit", "HEAD"]);
    assert!(raw.contains("gpgsig"), "{raw}");
    w.gnupghome();
    assert_eq!(w.our_verdict("HEAD")["status"], "unknown-key");
    let git = w.git_verify_commit("HEAD");
    assert!(!git.ok && git.raw.contains("NO_PUBKEY"), "{git:?}");
    assert!(
        git.raw.contains(" 1 2 00 "),
        "an RSA (1) signature over SHA-1 (2): {git:?}"
    );
    w.set_env("GIT_SECURE_RELEASE_TRACE", "1");
    let out = w.cmd(&["verify", "HEAD"]).code(1);
    assert!(
        crate::common::stderr(&out).contains("the fast path decided 1 of 1 objects"),
        "{}",
        crate::common::stderr(&out)
    );
}

// Found while attacking: a REV was taken as a tag ref before git's own rules, so a fetched
// tag named `HEAD` (or named like a commit id) that points at a validly signed tag made
// `verify HEAD` (or `verify <id>`) report that tag as good while HEAD itself is unsigned.
// git resolves `HEAD` to HEAD and a full id to that object; so does verify now.
#[test]
fn a_tag_named_head_or_like_a_commit_id_never_stands_in_for_it() {
    let (w, _) = keyed();
    let head = w.commit("unsigned work", false);
    // Validly signed tags, each made under its own name, on the signed commit before HEAD.
    for name in ["HEAD", head.as_str()] {
        w.git(&["tag", "-s", name, "-m", "a validly signed tag", "HEAD~1"]);
        assert!(w.git_verify_tag(&format!("refs/tags/{name}")).ok, "{name}");
    }
    assert!(!w.git_verify_commit("HEAD").ok, "git: HEAD is unsigned");
    for reader in ["libgit2", "git"] {
        for rev in ["HEAD", head.as_str()] {
            let mut cmd = w.command_reading(reader, &["verify", "--json", rev]);
            let out = assert_cmd::assert::OutputAssertExt::assert(&mut cmd).code(1);
            let v = crate::common::json(&out);
            let r = &v["results"][0];
            assert_eq!(r["object"], head.as_str(), "{reader} {rev}: {v}");
            assert_eq!(r["type"], "commit", "{reader} {rev}: {v}");
            assert_eq!(r["status"], "unsigned", "{reader} {rev}: {v}");
        }
        // A tag and a branch of one name: the tag, as git takes it (and its name checked).
        // (By id: with a tag named HEAD, git itself finds "HEAD" ambiguous.)
        let base = w
            .git(&["rev-parse", &format!("{head}~1")])
            .trim()
            .to_owned();
        w.git(&["update-ref", "refs/heads/same", &head]);
        w.git(&["tag", "-f", "-s", "same", "-m", "same", &base]);
        let mut cmd = w.command_reading(reader, &["verify", "--json", "same"]);
        let v =
            crate::common::json(&assert_cmd::assert::OutputAssertExt::assert(&mut cmd).success());
        assert_eq!(v["results"][0]["type"], "tag", "{reader}: {v}");
        // The tag itself is still verified by its full ref name.
        let mut cmd = w.command_reading(reader, &["verify", "--json", "refs/tags/HEAD"]);
        let out = assert_cmd::assert::OutputAssertExt::assert(&mut cmd).success();
        let v = crate::common::json(&out);
        assert_eq!(v["results"][0]["type"], "tag", "{reader}: {v}");
        assert_eq!(v["results"][0]["status"], "good", "{reader}: {v}");
    }
}
