//! The committed man page and completion scripts must be what the program generates from
//! its clap definitions; and the bash script must really complete `git secure-release`.

use std::path::Path;

use std::process::Command;

use clap_complete::Shell;
use git_secure_release::docs;

fn files() -> Vec<(String, Vec<u8>)> {
    let mut out = vec![("man/git-secure-release.1".to_owned(), docs::man_page())];
    for (shell, ext) in [
        (Shell::Bash, "bash"),
        (Shell::Zsh, "zsh"),
        (Shell::Fish, "fish"),
        (Shell::Elvish, "elv"),
        (Shell::PowerShell, "ps1"),
    ] {
        out.push((
            format!("completions/git-secure-release.{ext}"),
            docs::completions(shell),
        ));
    }
    out
}

/// zsh and fish complete what clap cannot know: bump words, remotes, revisions, tags.
#[test]
fn zsh_and_fish_complete_bumps_remotes_revisions_and_tags() {
    let zsh = String::from_utf8(docs::completions(Shell::Zsh)).expect("utf-8");
    for (start, function) in [
        ("'::target -- ", "_gsr_bumps"),
        ("'--push=[", "_gsr_remotes"),
        ("'--commits=[", "_gsr_revs"),
        ("'::tag -- ", "_gsr_tags"),
    ] {
        let line = zsh
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no {start} line"));
        assert!(line.contains(&format!(":{function}' ")), "{line}");
        assert!(
            zsh.contains(&format!("\n{function}() {{")),
            "{function} is not defined"
        );
    }
    let fish = String::from_utf8(docs::completions(Shell::Fish)).expect("utf-8");
    assert!(fish.contains("-l push -x -a '(git remote"), "{fish}");
    assert!(fish.contains("-f -a 'major minor patch"), "{fish}");
    if let Ok(out) = Command::new("zsh")
        .arg("-n")
        .arg("/dev/stdin")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write as _;
            c.stdin.take().expect("stdin").write_all(zsh.as_bytes())?;
            c.wait_with_output()
        })
    {
        assert!(
            out.status.success(),
            "zsh -n: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Run with UPDATE_GENERATED=1 to write the files instead of comparing them.
#[test]
fn committed_man_page_and_completions_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os("UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
    for (path, bytes) in files() {
        let full = root.join(&path);
        if update {
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(&full, &bytes).expect("write");
        } else if std::fs::read(&full).ok().as_deref() != Some(bytes.as_slice()) {
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files: {stale:?}\nregenerate them with: UPDATE_GENERATED=1 cargo test --test it generated"
    );
}

#[test]
fn completions_subcommand_prints_the_committed_script() {
    let w = crate::common::World::new();
    let out = w.cmd(&["completions", "bash"]).success();
    assert_eq!(out.get_output().stdout, docs::completions(Shell::Bash));
    w.cmd(&["completions", "tcsh"]).code(2);
}

#[test]
fn man_page_has_every_command_and_section() {
    let page = String::from_utf8(docs::man_page()).expect("utf-8");
    for needle in [
        ".TH GIT-SECURE-RELEASE 1",
        "git secure\\-release version",
        "git secure\\-release doctor",
        "git secure\\-release verify",
        "git secure\\-release epoch",
        "git secure\\-release completions",
        ".SH \"EXIT STATUS\"",
        ".SH ENVIRONMENT",
        "GITHUB_OUTPUT",
        "NO_COLOR",
        "GNUPGHOME",
        ".SH FILES",
        ".SH EXAMPLES",
        "\\-\\-dry\\-run",
        "\\-\\-allow\\-unsigned",
    ] {
        assert!(page.contains(needle), "the man page lacks {needle:?}");
    }
}

/// bash, for real: git's own completion with ours sourced after it completes subcommands,
/// flags and tag names for both `git secure-release` and `git-secure-release`.
#[test]
fn bash_completes_both_spellings() {
    let git_completion = [
        "/usr/share/bash-completion/completions/git",
        "/etc/bash_completion.d/git",
    ]
    .into_iter()
    .find(|p| Path::new(p).is_file())
    .expect("git's bash completion (Debian's git package ships it; scripts/deps installs it)");
    let w = crate::common::World::new();
    w.repo();
    w.commit("one", false);
    w.git(&["tag", "v0.1.0"]);
    w.git(&["tag", "v0.2.0"]);
    w.git(&["remote", "add", "origin", "/nowhere"]);
    let script = format!(
        r#"source {git_completion}
source {ours}
try() {{
  COMP_WORDS=("$@"); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}
  COMPREPLY=()
  if [[ "$1" == git ]]; then __git_func_wrap __git_main; else _git_secure_release_main git-secure-release "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"; fi
  echo "$*=${{COMPREPLY[*]}}"
}}
try git secure-release d
try git secure-release doctor --f
try git secure-release verify v0
try git secure-release minor --pr
try git-secure-release ep
try git-secure-release epoch v0.2
try git secure-release mi
try git secure-release patch --push o
try git secure-release verify --commits v0.1
try git secure-release epoch --format j
"#,
        ours = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("completions/git-secure-release.bash")
            .display()
    );
    let out = w.run("bash", &["-c", &script]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "git secure-release d=doctor dev",
            "git secure-release doctor --f=--fix",
            "git secure-release verify v0=v0.1.0 v0.2.0",
            "git secure-release minor --pr=--pre",
            "git-secure-release ep=epoch",
            "git-secure-release epoch v0.2=v0.2.0",
            // Regression: bump words were never offered, --push completed files, --commits
            // files, and --format mixed tag names into the formats.
            "git secure-release mi=minor",
            "git secure-release patch --push o=origin",
            "git secure-release verify --commits v0.1=v0.1.0",
            "git secure-release epoch --format j=json",
        ],
        "{out}"
    );
}

/// A `git secure-release …` example: its arguments, and for a console block the output
/// lines it shows.
struct Example {
    args: Vec<String>,
    shown: Vec<String>,
}

/// The examples of the README (```sh and ```console blocks) in order.
fn readme_examples() -> Vec<Example> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README");
    let mut out: Vec<Example> = Vec::new();
    let mut block: Option<&str> = None;
    for line in text.lines() {
        match (block, line.strip_prefix("```")) {
            (None, Some(kind)) => {
                block = Some(if kind.starts_with("console") {
                    "console"
                } else if kind.starts_with("sh") {
                    "sh"
                } else {
                    "other"
                })
            }
            (Some(_), Some(_)) => block = None,
            (Some(kind @ ("sh" | "console")), None) => {
                let command = if kind == "console" {
                    line.strip_prefix("$ ")
                } else {
                    Some(line)
                };
                match command {
                    Some(c) if c.starts_with("git secure-release ") => {
                        let c = c.split("  #").next().unwrap_or(c);
                        out.push(Example {
                            args: c.split_whitespace().skip(2).map(str::to_owned).collect(),
                            shown: Vec::new(),
                        });
                    }
                    Some(_) => {}
                    None if kind == "console" => {
                        if let Some(last) = out.last_mut() {
                            last.shown.push(line.to_owned());
                        }
                    }
                    None => {}
                }
            }
            _ => {}
        }
    }
    out
}

/// The man page's EXAMPLES, decoded from roff.
fn man_examples() -> Vec<Example> {
    let page = String::from_utf8(docs::man_page()).expect("utf-8");
    let section = page
        .split(".SH EXAMPLES")
        .nth(1)
        .expect("EXAMPLES")
        .split(".SH")
        .next()
        .unwrap_or("");
    section
        .lines()
        .filter_map(|l| l.strip_prefix("\\fBgit secure\\-release "))
        .map(|l| Example {
            args: l
                .trim_end_matches("\\fR")
                .replace("\\-", "-")
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            shown: Vec::new(),
        })
        .collect()
}

/// Every example of the README and the man page runs, in order, in a world like the one they
/// describe (a signed project at 0.7.1 with a remote); each succeeds, and the output lines a
/// console block shows start the way the real output's lines do.
#[test]
fn readme_and_man_page_examples_run() {
    let w = crate::common::World::new();
    w.write(
        "pyproject.toml",
        "[project]\nname = \"secure-package-template\"\nversion = \"0.1.0\"\n",
    );
    w.repo();
    w.signing_key();
    w.git(&["config", "commit.gpgsign", "true"]);
    w.git(&["config", "tag.gpgSign", "true"]);
    w.git(&["add", "-A"]);
    w.git(&["commit", "-q", "-m", "initial"]);
    w.git(&["tag", "-m", "Release 0.1.0", "v0.1.0"]);
    w.write(
        "pyproject.toml",
        "[project]\nname = \"secure-package-template\"\nversion = \"0.7.1\"\n",
    );
    w.git(&["commit", "-q", "-am", "Release 0.7.1"]);
    w.git(&["tag", "-m", "Release 0.7.1", "v0.7.1"]);
    let remote = w.tmp.path().join("remote.git");
    w.git(&["init", "-q", "--bare", &remote.to_string_lossy()]);
    w.git(&["remote", "add", "origin", &remote.to_string_lossy()]);
    w.git(&["push", "-q", "-u", "origin", "main", "--tags"]);
    w.set_env("GITHUB_ENV", w.tmp.path().join("github_env"));

    let examples: Vec<Example> = readme_examples()
        .into_iter()
        .chain(man_examples())
        .collect();
    assert!(
        examples.len() >= 15,
        "only {} examples found",
        examples.len()
    );
    for ex in examples {
        let args: Vec<&str> = ex.args.iter().map(String::as_str).collect();
        // `reproduce` examples need a build backend and an index (PyPI): here they are
        // checked as command lines only; tests/it/reproduce*.rs run the command itself
        // against a 127.0.0.1 index and real backends.
        if args.first() == Some(&"reproduce") {
            let argv = std::iter::once("git-secure-release").chain(args.iter().copied());
            if let Err(e) = <git_secure_release::cli::Cli as clap::Parser>::try_parse_from(argv) {
                panic!(
                    "example `git secure-release {}` does not parse: {e}",
                    args.join(" ")
                );
            }
            continue;
        }
        let out = w.cmd(&args);
        let stdout = crate::common::stdout(&out);
        assert!(
            out.get_output().status.success(),
            "example `git secure-release {}` failed:\n{stdout}{}",
            args.join(" "),
            crate::common::stderr(&out)
        );
        let firsts: Vec<&str> = stdout
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        for shown in ex
            .shown
            .iter()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('…'))
        {
            let first = shown.split_whitespace().next().unwrap_or("");
            let first = first.split('=').next().unwrap_or(first);
            assert!(
                firsts.iter().any(|f| f.starts_with(first)),
                "`git secure-release {}` shows {shown:?}, but its output has no line like it:\n{stdout}",
                args.join(" ")
            );
        }
    }
}

#[test]
fn man_renders_the_page() {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("man/git-secure-release.1");
    let out = Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
        .expect("man");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && text.contains("GIT-SECURE-RELEASE(1)")
            && text.contains("EXIT STATUS"),
        "{text}"
    );
}
