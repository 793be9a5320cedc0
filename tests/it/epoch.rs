//! `epoch` (contract §2.4): the committer time of the commit a revision points at, in each
//! format, and a release tag's Source-Date-Epoch trailer held to its commit.

use crate::common::{json, stderr, stdout, World};

fn world() -> (World, String) {
    let w = World::new();
    w.repo();
    w.commit("one", false);
    let ct = w.git(&["log", "-1", "--pretty=%ct"]).trim().to_owned();
    (w, ct)
}

#[test]
fn every_format() {
    let (w, ct) = world();
    assert_eq!(ct, "1704164645", "the world fixes the committer date");
    assert_eq!(stdout(&w.cmd(&["epoch"]).success()), format!("{ct}\n"));
    assert_eq!(
        stdout(&w.cmd(&["epoch", "HEAD", "--format", "plain"]).success()),
        format!("{ct}\n")
    );
    assert_eq!(
        stdout(&w.cmd(&["epoch", "--format", "export"]).success()),
        format!("export SOURCE_DATE_EPOCH={ct}\n")
    );
    let head = w.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let v = json(&w.cmd(&["epoch", "--format", "json"]).success());
    assert_eq!(
        v,
        serde_json::json!({"rev": "HEAD", "commit": head, "source_date_epoch": 1_704_164_645, "date": "2024-01-02T03:04:05Z"})
    );

    let env_file = w.tmp.path().join("github_env");
    std::fs::write(&env_file, "EXISTING=1\n").expect("write");
    w.set_env("GITHUB_ENV", &env_file);
    let out = w.cmd(&["epoch", "--format", "github"]).success();
    assert_eq!(stdout(&out), format!("SOURCE_DATE_EPOCH={ct}\n"));
    assert_eq!(
        std::fs::read_to_string(&env_file).expect("read"),
        format!("EXISTING=1\nSOURCE_DATE_EPOCH={ct}\n")
    );
}

#[test]
fn github_format_needs_github_env() {
    let (w, _) = world();
    let out = w.cmd(&["epoch", "--format", "github"]).code(1);
    assert!(stderr(&out).contains("GITHUB_ENV"), "{}", stderr(&out));
    w.cmd(&["epoch", "--format", "yaml"]).code(2);
}

#[test]
fn release_tag_trailer_must_agree_with_its_commit() {
    let (w, ct) = world();
    w.git(&[
        "tag",
        "-a",
        "v1.0.0",
        "-m",
        &format!("Release 1.0.0\n\nSource-Date-Epoch: {ct}"),
    ]);
    assert_eq!(
        stdout(&w.cmd(&["epoch", "v1.0.0"]).success()),
        format!("{ct}\n")
    );
    w.git(&[
        "tag",
        "-a",
        "v1.0.1",
        "-m",
        "Release 1.0.1\n\nSource-Date-Epoch: 1600000000",
    ]);
    let out = w.cmd(&["epoch", "v1.0.1"]).code(1);
    let err = stderr(&out);
    assert!(
        err.contains("1600000000") && err.contains(&ct) && err.contains("v1.0.1"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
    // A lightweight tag, or an annotated one without the trailer, is its commit's time.
    w.git(&["tag", "v1.0.2"]);
    w.git(&["tag", "-a", "v1.0.3", "-m", "no trailer"]);
    for tag in ["v1.0.2", "v1.0.3"] {
        assert_eq!(stdout(&w.cmd(&["epoch", tag]).success()), format!("{ct}\n"));
    }
    let out = w.cmd(&["epoch", "no-such-tag"]).code(1);
    assert!(stderr(&out).contains("unknown revision"));
}

/// Commits with odd committer lines (made with `git hash-object --literally`): the epoch is
/// git's own `%ct`, through either reader, and where `%ct` is empty the commit is refused,
/// never given a time git does not see.
#[test]
fn odd_committer_lines_read_as_gits_ct() {
    let (w, _) = world();
    let tree = w.git(&["rev-parse", "HEAD^{tree}"]).trim().to_owned();
    for committer in [
        "C <c> 1700000000 +0000",
        "C <c>  1700000001   +0000",
        "C <c>1700000002 +0000",
        "C <x> y <c> 1700000003 +0100",
        "C <c> 1700000004",
        "C c 1700000005 +0000",
        "C <c> -5 +0000",
        "C <c> +6 +0000",
        "C <c> 0x10 +0000",
    ] {
        let raw = format!("tree {tree}\nauthor A <a> 1 +0000\ncommitter {committer}\n\nodd\n");
        let id = w.hash_literally("commit", raw.as_bytes());
        let git = w.git(&["log", "-1", "--format=%ct", &id]).trim().to_owned();
        for reader in ["libgit2", "git"] {
            let mut cmd = w.command_reading(reader, &["epoch", &id]);
            let out = assert_cmd::assert::OutputAssertExt::assert(&mut cmd);
            if git.is_empty() {
                let err = stderr(&out.code(1));
                assert!(
                    err.contains("no committer time"),
                    "{committer} ({reader}): {err}"
                );
            } else {
                assert_eq!(stdout(&out.success()).trim(), git, "{committer} ({reader})");
            }
        }
    }
}
