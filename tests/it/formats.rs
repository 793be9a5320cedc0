//! Every repository git reads (issue #14, item 5): SHA-256 object names, reftable refs and a
//! partial clone, which libgit2 cannot open and git itself reads for us; and a plain
//! repository read through git on purpose (`GIT_SECURE_RELEASE_READER=git`). In each, every
//! command does its whole job and agrees with git: verify, `--commits`, epoch, version,
//! doctor's repository checks, a full release, and a failed release that changes nothing.

use std::path::Path;

use crate::common::{json, stderr, stdout, write_executable, World};

const PYPROJECT: &str = "[project]\nname = \"p\"\nversion = \"0.1.0\"\n";

/// How the repository of a case is made.
#[derive(Clone, Copy, Debug)]
enum Format {
    Sha256,
    Reftable,
    PartialClone,
    PlainThroughGit,
}

const ALL: [Format; 4] = [
    Format::Sha256,
    Format::Reftable,
    Format::PartialClone,
    Format::PlainThroughGit,
];

/// A repository of `format` with a signing key, a signed commit of pyproject.toml and a
/// signed release tag v0.1.0 on it.
fn world(format: Format) -> World {
    let w = World::new();
    let init = |dir: &Path, flag: Option<&str>| {
        let mut args = vec!["init", "-q", "-b", "main"];
        args.extend(flag);
        args.push(dir.to_str().expect("utf-8 path"));
        w.git(&args);
    };
    match format {
        Format::Sha256 => init(&w.root, Some("--object-format=sha256")),
        Format::Reftable => init(&w.root, Some("--ref-format=reftable")),
        Format::PlainThroughGit => {
            init(&w.root, None);
            w.set_env("GIT_SECURE_RELEASE_READER", "git");
        }
        Format::PartialClone => {}
    }
    let fpr = w.gen_key_in(
        &w.gnupghome(),
        &format!("Test Author <{}>", crate::common::keys::EMAIL),
        &[],
        "never",
    );
    for (key, value) in [
        ("user.name", "Test Author"),
        ("user.email", crate::common::keys::EMAIL),
        ("user.signingkey", fpr.as_str()),
        ("commit.gpgsign", "true"),
        ("tag.gpgsign", "true"),
    ] {
        w.git(&["config", "--global", key, value]);
    }
    let origin = w.tmp.path().join("origin");
    let here = if let Format::PartialClone = format {
        init(&origin, None);
        origin.clone()
    } else {
        w.root.clone()
    };
    let at = |args: &[&str]| {
        let mut all = vec!["-C", here.to_str().expect("utf-8 path")];
        all.extend(args);
        w.git(&all)
    };
    std::fs::write(here.join("old.txt"), "a blob a partial clone leaves out\n").expect("write");
    at(&["add", "-A"]);
    at(&["commit", "-q", "-S", "-m", "old"]);
    at(&["rm", "-q", "old.txt"]);
    std::fs::write(here.join("pyproject.toml"), PYPROJECT).expect("write");
    std::fs::write(here.join("README"), "read me\n").expect("write");
    at(&["add", "-A"]);
    at(&["commit", "-q", "-S", "-m", "initial"]);
    at(&["tag", "-s", "v0.1.0", "-m", "Release 0.1.0"]);
    if let Format::PartialClone = format {
        w.partial_clone_of(&origin);
        w.git(&["checkout", "-q", "main"]);
        assert_eq!(w.git(&["config", "remote.origin.promisor"]).trim(), "true");
        // As git before 2.48 (and every partial clone it made) records it, which libgit2
        // refuses to open.
        w.git(&["config", "extensions.partialClone", "origin"]);
        let missing = w.git(&["rev-list", "--objects", "--missing=print", "HEAD"]);
        assert!(
            missing.lines().any(|l| l.starts_with('?')),
            "blobs left out: {missing}"
        );
    }
    w
}

fn traced(w: &World, args: &[&str]) -> String {
    String::from_utf8_lossy(&w.traced(args).stderr).into_owned()
}

#[test]
fn verify_reads_every_format_and_agrees_with_git() {
    for format in ALL {
        let w = world(format);
        let head = w.git(&["rev-parse", "HEAD"]).trim().to_owned();
        let tag = w.git(&["rev-parse", "v0.1.0"]).trim().to_owned();
        if let Format::Sha256 = format {
            assert_eq!(head.len(), 64);
        }
        // Read through git, not libgit2 (which cannot open these repositories).
        let trace = traced(&w, &["verify"]);
        assert!(trace.contains("cat-file"), "{format:?}: {trace}");
        let v = json(&w.cmd(&["verify", "--json"]).success());
        assert_eq!(v["ok"], true, "{format:?}: {v}");
        let results = v["results"].as_array().expect("results");
        assert_eq!(results.len(), 2, "{format:?}: {v}");
        assert_eq!(results[0]["object"], head.as_str());
        assert_eq!(results[1]["object"], tag.as_str());
        assert_eq!(results[1]["target"], "v0.1.0");
        for r in results {
            assert_eq!(r["status"], "good", "{format:?}: {r}");
        }
        // Both paths, and git, on an unsigned commit on top.
        w.write("file.txt", "more\n");
        w.git(&["add", "file.txt"]);
        w.git(&["commit", "-q", "--no-gpg-sign", "-m", "unsigned"]);
        assert_eq!(w.git(&["log", "-1", "--format=%G?"]).trim(), "N");
        for extra in [&[][..], &["--no-fast-path"]] {
            let mut args = vec!["verify", "--json"];
            args.extend(extra);
            let v = json(&w.cmd(&args).code(1));
            assert_eq!(v["results"][0]["status"], "unsigned", "{format:?}: {v}");
            assert_eq!(v["results"][1]["status"], "good", "{format:?}: {v}");
        }
        // `--commits` lists with git and reads each commit: the range alone.
        let v = json(
            &w.cmd(&["verify", "--json", "--commits", "v0.1.0..HEAD"])
                .code(1),
        );
        let results = v["results"].as_array().expect("results");
        assert_eq!(results.len(), 1, "{format:?}: {v}");
        assert_eq!(
            results[0]["object"],
            w.git(&["rev-parse", "HEAD"]).trim(),
            "{format:?}"
        );
        let text = stdout(&w.cmd(&["verify", "--commits", "HEAD"]).code(1));
        assert_eq!(text.lines().count(), 3, "{format:?}: {text}");
        let err = stderr(&w.cmd(&["verify", "v9.9.9"]).code(1));
        assert!(err.contains("unknown revision"), "{format:?}: {err}");
        let err = stderr(&w.cmd(&["verify", "HEAD^{tree}"]).code(1));
        assert!(err.contains("not a commit or tag"), "{format:?}: {err}");
        if let Format::PartialClone = format {
            // An object the clone left out is never fetched by reading.
            let missing = w.git(&["rev-list", "--objects", "--missing=print", "HEAD"]);
            let blob = missing
                .lines()
                .find_map(|l| l.strip_prefix('?'))
                .expect("a missing blob")
                .to_owned();
            let err = stderr(&w.cmd(&["verify", &blob]).code(1));
            assert!(err.contains("unknown revision"), "{err}");
            let still = w.git(&["rev-list", "--objects", "--missing=print", "HEAD"]);
            assert!(still.contains(&format!("?{blob}")), "fetched: {still}");
        }
    }
}

#[test]
fn epoch_version_and_doctor_read_every_format() {
    for format in ALL {
        let w = world(format);
        let ct = w.git(&["log", "-1", "--format=%ct", "v0.1.0"]);
        assert_eq!(stdout(&w.cmd(&["epoch"]).success()), ct, "{format:?}");
        let e = json(&w.cmd(&["epoch", "v0.1.0", "--format", "json"]).success());
        assert_eq!(e["commit"], w.git(&["rev-parse", "v0.1.0^{commit}"]).trim());
        assert_eq!(e["source_date_epoch"].to_string(), ct.trim());
        let v = json(&w.cmd(&["version", "--json", "--bump", "minor"]).success());
        assert_eq!(v["version"], "0.1.0", "{format:?}: {v}");
        assert_eq!(v["next"], "0.2.0", "{format:?}: {v}");
        // From inside the git directory the project is the work tree's, as anywhere.
        let v = json(&w.cmd_in(".git/refs", &["version", "--json"]).success());
        assert_eq!(v["version"], "0.1.0", "{format:?}: {v}");
        let e = stdout(&w.cmd_in(".git", &["epoch"]).success());
        assert_eq!(e, ct, "{format:?}");
        let d = json(&w.cmd(&["doctor", "--json"]).success());
        let checks = d["checks"].as_array().expect("checks");
        for id in [
            "repo.head-signed",
            "repo.tags-signed",
            "repo.version",
            "signing.test",
        ] {
            let c = checks.iter().find(|c| c["id"] == id).expect(id);
            assert_eq!(c["status"], "pass", "{format:?} {id}: {c}");
        }
        // A lightweight release tag is named as such, as in any repository.
        w.git(&["tag", "--no-sign", "v0.0.9", "HEAD"]);
        let d = json(&w.cmd(&["doctor", "--json"]).code(1));
        let c = d["checks"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["id"] == "repo.tags-signed"))
            .expect("repo.tags-signed")
            .clone();
        assert_eq!(c["status"], "fail", "{format:?}: {c}");
        assert!(
            c["message"]
                .as_str()
                .is_some_and(|m| m.contains("v0.0.9 (lightweight)")),
            "{format:?}: {c}"
        );
    }
}

/// What a failed release must leave as it found: refs, HEAD, index, work tree.
fn state(w: &World) -> (String, String, String, Vec<u8>) {
    (
        w.git(&["for-each-ref"]),
        w.git(&["rev-parse", "HEAD"]),
        w.git(&["status", "--porcelain"]),
        w.read("pyproject.toml"),
    )
}

#[test]
fn a_full_release_and_a_failed_one_in_every_format() {
    for format in ALL {
        let w = world(format);
        // A hook that stages another file: the release is refused after its commit, undone.
        let hooks = w.git(&["rev-parse", "--git-path", "hooks"]);
        let hook = w.root.join(hooks.trim()).join("pre-commit");
        write_executable(&hook, "#!/bin/sh\necho hooked >> README\ngit add README\n");
        let before = state(&w);
        let err = stderr(&w.cmd(&["patch"]).code(1));
        assert!(err.contains("nothing was changed"), "{format:?}: {err}");
        w.git(&["checkout", "-q", "--", "README"]);
        assert_eq!(state(&w), before, "{format:?}");
        std::fs::remove_file(&hook).expect("hook removed");

        let out = w.cmd(&["patch", "--json"]).success();
        let r = json(&out);
        let head = w.git(&["rev-parse", "HEAD"]).trim().to_owned();
        assert_eq!(r["commit"], head.as_str(), "{format:?}: {r}");
        assert_eq!(
            w.read("pyproject.toml"),
            PYPROJECT.replace("0.1.0", "0.1.1").as_bytes()
        );
        assert_eq!(w.git(&["rev-parse", "v0.1.1^{commit}"]).trim(), head);
        assert!(w.git_verify_commit("HEAD").ok, "{format:?}");
        assert!(w.git_verify_tag("v0.1.1").ok, "{format:?}");
        let ct = w.git(&["log", "-1", "--format=%ct"]);
        assert_eq!(r["source_date_epoch"].to_string(), ct.trim(), "{format:?}");
        assert_eq!(stdout(&w.cmd(&["epoch", "v0.1.1"]).success()), ct);
        // The next release starts from the tag just made.
        let v = json(&w.cmd(&["version", "--json", "--bump", "patch"]).success());
        assert_eq!(v["next"], "0.1.2", "{format:?}: {v}");
        w.cmd(&["verify"]).success();
    }
}

// Found by hand: with a relative GIT_DIR and GIT_WORK_TREE, run from a subfolder, git's
// reader ran git in the work tree, where `../.git` names another folder ("HEAD does not
// point at a commit yet"). They are made absolute from where the program started.
#[test]
fn relative_git_dir_and_work_tree_from_a_subfolder() {
    let w = world(Format::Sha256);
    std::fs::create_dir_all(w.root.join("sub")).expect("mkdir");
    let head = w.git(&["rev-parse", "HEAD"]).trim().to_owned();
    for reader in ["libgit2", "git"] {
        let run = |args: &[&str]| {
            let mut cmd = w.command_reading(reader, args);
            cmd.current_dir(w.root.join("sub"))
                .env("GIT_DIR", "../.git")
                .env("GIT_WORK_TREE", "..");
            assert_cmd::assert::OutputAssertExt::assert(&mut cmd)
        };
        let v = json(&run(&["verify", "--json"]).success());
        assert_eq!(v["results"][0]["object"], head.as_str(), "{reader}: {v}");
        let v = json(&run(&["version", "--json"]).success());
        assert_eq!(v["version"], "0.1.0", "{reader}: {v}");
        let ct = w.git(&["log", "-1", "--format=%ct"]);
        assert_eq!(stdout(&run(&["epoch"]).success()), ct, "{reader}");
    }
}
