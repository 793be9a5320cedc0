//! Documentation generated from the one source, the clap definitions in `cli.rs`: the man
//! page `man/git-secure-release.1` (clap_mangen) and the shell completions under
//! `completions/` (clap_complete), each with the few lines that make `git secure-release`
//! (through git's own completion) complete like `git-secure-release`. A test fails when the
//! committed files differ from what this module generates.

use clap::CommandFactory as _;
use clap_complete::Shell;

use crate::cli::Cli;

/// The program's name as a file: the binary, the man page, the completions.
pub const BIN: &str = "git-secure-release";

/// The name the bash script's generated functions are made under.
const BASH_INTERNAL: &str = "gitsecurerelease";

/// The man page, in roff: every subcommand on one page, with exit status, environment,
/// files and examples.
pub fn man_page() -> Vec<u8> {
    let mut cmd = Cli::command();
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone())
        .title("GIT-SECURE-RELEASE")
        .manual("Git Manual");
    let mut out = Vec::new();
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = man.render_synopsis_section(&mut out);
    let _ = man.render_description_section(&mut out);
    let _ = man.render_options_section(&mut out);
    out.extend_from_slice(b".SH COMMANDS\n");
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("git secure\\-release {}", sub.get_name());
        out.extend_from_slice(format!(".SS \"{name}\"\n").as_bytes());
        let sub_man = clap_mangen::Man::new(sub.clone());
        for (render, header) in [
            (
                clap_mangen::Man::render_description_section
                    as fn(&clap_mangen::Man, &mut dyn std::io::Write) -> std::io::Result<()>,
                ".SH DESCRIPTION\n",
            ),
            (clap_mangen::Man::render_synopsis_section, ".SH SYNOPSIS\n"),
            (clap_mangen::Man::render_options_section, ".SH OPTIONS\n"),
        ] {
            let mut section = Vec::new();
            let _ = render(&sub_man, &mut section);
            let text = String::from_utf8_lossy(&section).replacen(header, "", 1);
            out.extend_from_slice(text.as_bytes());
            out.extend_from_slice(b".PP\n");
        }
    }
    out.extend_from_slice(EXTRA.as_bytes());
    let _ = man.render_version_section(&mut out);
    out
}

/// The sections clap does not know: exit status, environment, files, examples.
const EXTRA: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
Success.
.TP
\fB1\fR
A check failed or the work was refused; the message says what, where (file, ref, configuration key) and how to fix it.
.TP
\fB2\fR
The command line was wrong.
.PP
The exit code is the verdict even when standard output is closed early (\fBverify | head \-1\fR still exits 1 when a check failed).
.SH SECURITY
What comes from a repository, its files, the environment or another program is data. A push remote must be a configured remote or a URL or path not starting with \fB\-\fR; the push names full refs (\fBrefs/heads/\fR\fIbranch\fR \fBrefs/tags/\fR\fItag\fR). The files a release writes must be regular files git tracks, inside the work tree, behind no symbolic link and outside every git directory. \fIpyproject.toml\fR is looked for up to the top of the work tree, never above it. Messages reach git through a file (\fB\-F\fR, \fB\-\-cleanup=whitespace\fR). Control, format and bidirectional characters from outside are shown escaped (\fB\\e\fR, \fB\\x07\fR, \fB\\u{200b}\fR).
.PP
\fBreproduce\fR is the one command that runs a project's code: building a tag runs its build backend and whatever \fIpyproject.toml\fR at that tag asks for, as \fBpython \-m build\fR would. Rebuild tags you would build anyway, or inside a sandbox. The \fB\-\-build\fR command is split into words without a shell; files from an index are used only when their SHA-256 is the one the index lists, and only under a plain file name.
.SH ENVIRONMENT
.TP
\fBGITHUB_ENV\fR
When it names a file, a release appends \fBSOURCE_DATE_EPOCH=\fR\fIN\fR to it; \fBepoch \-\-format github\fR does the same.
.TP
\fBGITHUB_OUTPUT\fR
When it names a file, a release appends \fBversion=\fR, \fBtag=\fR and \fBsource\-date\-epoch=\fR lines to it.
.TP
\fBNO_COLOR\fR
When set and not empty, output is never coloured, whatever \fB\-\-color\fR says.
.TP
\fBGNUPGHOME\fR
The GnuPG home whose keys are used to sign (through git) and to verify.
.TP
\fBGIT_SECURE_RELEASE_SIGN_TIMEOUT\fR
Seconds the test signature (and the key listing) of \fBdoctor\fR and the release's preflight may take (default 10, or 300 when a terminal is on standard input and standard error, so that a passphrase can be typed).
.TP
\fBPIP_INDEX_URL\fR, \fBUV_INDEX_URL\fR
The index \fBreproduce \-\-index\fR asks when no URL is given (in that order; else PyPI's, \fIhttps://pypi.org/simple/\fR).
.TP
\fBHTTPS_PROXY\fR, \fBHTTP_PROXY\fR, \fBALL_PROXY\fR
The proxy \fBreproduce \-\-index\fR goes through.
.TP
\fBTMPDIR\fR
Where \fBreproduce\fR makes its two checkouts and builds (removed afterwards unless something differs).
.TP
\fBSETUPTOOLS_SCM_PRETEND_VERSION\fR*, \fBPYTHONPATH\fR, \fBPYTHONHOME\fR, \fBSOURCE_DATE_EPOCH\fR
Removed from \fBreproduce\fR's builds (and named in its output), which get \fBSOURCE_DATE_EPOCH\fR from the tag's commit; so are git's \fBGIT_DIR\fR and the other variables that point git elsewhere. Everything else (proxies, index settings, \fBPIP_*\fR, \fBUV_*\fR) is kept.
.TP
\fBGIT_SECURE_RELEASE_READER\fR
\fBgit\fR reads every repository through git itself (\fBgit cat\-file \-\-batch\fR, \fBgit for\-each\-ref\fR), as repositories libgit2 cannot open are always read (SHA\-256 object names, reftable refs, partial clones); otherwise libgit2 reads where it can.
.TP
\fBPINENTRY_USER_DATA\fR
Passed on unchanged when set. When it is not, the test signature sets it to a marker of its own, so that the passphrase dialog gpg\-agent opened for a test signature that ran out of time can be told apart and closed (Linux).
.TP
\fBGIT_SECURE_RELEASE_TRACE\fR
When set (and not empty), every git command run, and each step of a release, is printed to standard error with the milliseconds since the program started.
.SH FILES
.TP
\fIpyproject.toml\fR
Where the version is read and written (with \fIuv.lock\fR and the module or file the build backend names), and the optional \fB[tool.secure\-release]\fR configuration: \fBtag\-prefix\fR, \fBmessage\fR, \fBallow\-branch\fR, \fBfiles\fR, \fBpush\fR.
.TP
\fI$GIT_DIR/secure\-release/\fR
The journal of a release in progress; left behind by an interrupted release, removed by \fB\-\-abort\fR or \fB\-\-continue\fR. A journal that cannot be read (or one sorted out by hand) is discarded, touching nothing else, by \fBgit secure\-release \-\-abort \-\-forget\-journal\fR.
.TP
\fI$GIT_COMMON_DIR/secure\-release.lock\fR
The lock of the release, \fB\-\-abort\fR or \fB\-\-continue\fR running in any worktree of the repository (an exclusive \fBflock\fR(2), given up when its holder ends in any way); it names the holder.
.SH EXAMPLES
.TP
\fBgit secure\-release doctor \-\-fix\fR
Check that signing works, and set commit.gpgsign, tag.gpgSign and user.signingkey where that is safe.
.TP
\fBgit secure\-release version \-\-bump minor \-\-pre rc\fR
Show the current version, where it is kept, and the version a \fBminor \-\-pre rc\fR release would make.
.TP
\fBgit secure\-release minor \-\-dry\-run\fR
Print the plan of a minor release: each file's diff, the commit and the tag; change nothing.
.TP
\fBgit secure\-release 1.0.0 \-\-push\fR
Release 1.0.0 as a signed commit and a signed tag, then push both together.
.TP
\fBgit secure\-release verify \-\-commits v0.1.0..HEAD\fR
Verify HEAD, every release tag, and every commit since v0.1.0.
.TP
\fBgit secure\-release epoch \-\-format export\fR
Print \fBexport SOURCE_DATE_EPOCH=\fR\fIN\fR for HEAD, for a reproducible build.
.TP
\fBgit secure\-release reproduce v1.2.0 \-\-index\fR
Rebuild v1.2.0 twice from clean checkouts, pinning the backend that built the published wheel, and compare every wheel and sdist with the other build and with the files PyPI publishes for 1.2.0.
.TP
\fBgit secure\-release reproduce \-\-expect SHA256SUMS \-\-no\-pin\fR
Rebuild the newest release reachable from HEAD with the backend versions its \fBbuild\-system.requires\fR allows today, and compare with a \fBsha256sum\fR list.
.SH "SEE ALSO"
\fBgit\-commit\fR(1), \fBgit\-tag\fR(1), \fBgit\-verify\-commit\fR(1), \fBgit\-verify\-tag\fR(1), \fBgpg\fR(1), \fBssh\-keygen\fR(1)
"#;

/// The completion script for `shell`, completing both `git-secure-release <TAB>` and
/// `git secure-release <TAB>`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    if shell == Shell::Bash {
        // clap_complete's bash names its inner cases inconsistently for a name with a `-`
        // (`git-secure-release`): generate under a plain internal name, then register it for
        // the real one (below, with the `git secure-release` wrapper).
        let mut cmd = Cli::command().bin_name(BASH_INTERNAL);
        clap_complete::generate(shell, &mut cmd, BASH_INTERNAL, &mut out);
        let text = String::from_utf8_lossy(&out).into_owned();
        let registration = text.rfind("\nif [[ ").map_or(text.len(), |i| i + 1);
        out = text.as_bytes()[..registration].to_vec();
    } else {
        // The bin name must have no space, or the scripts name the program wrongly.
        let mut cmd = Cli::command().bin_name(BIN);
        clap_complete::generate(shell, &mut cmd, BIN, &mut out);
    }
    if shell == Shell::Zsh {
        out = zsh_values(&String::from_utf8_lossy(&out)).into_bytes();
    }
    let extra = match shell {
        Shell::Bash => BASH_EXTRA,
        Shell::Zsh => ZSH_EXTRA,
        Shell::Fish => FISH_EXTRA,
        _ => "",
    };
    out.extend_from_slice(extra.as_bytes());
    out
}

/// bash: git's completion calls `_git_secure_release` for `git secure-release`; hand it to
/// clap's function with the words shifted, and complete what clap cannot know: the release's
/// bump words, remotes for `--push`, revisions for `--commits`, tag names for verify and
/// epoch (never for `--format`).
const BASH_EXTRA: &str = r#"
# git secure-release <TAB>: git-completion.bash calls _git_secure_release.
_git_secure_release_git() {
    if declare -F __git >/dev/null; then __git "$@"; else git "$@" 2>/dev/null; fi
}
_git_secure_release_tags() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" i sub=""
    case "$prev" in
        --push) COMPREPLY=($(compgen -W "$(_git_secure_release_git remote)" -- "$cur")); return ;;
        --commits)
            COMPREPLY=($(compgen -W "HEAD $(_git_secure_release_git for-each-ref --format='%(refname:short)' refs/heads refs/tags)" -- "$cur"))
            return ;;
        --format|--color|--pre|-m|--message|-F|--message-file|--tag-prefix|--build|--index) return ;;
    esac
    [[ "$cur" == -* ]] && return
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            verify|epoch|reproduce|version|doctor|completions|help) sub="${COMP_WORDS[i]}"; break ;;
        esac
    done
    case "$sub" in
        verify|epoch|reproduce) COMPREPLY+=($(compgen -W "$(_git_secure_release_git tag -l)" -- "$cur")) ;;
        "") COMPREPLY+=($(compgen -W "major minor patch stable alpha beta rc post dev" -- "$cur")) ;;
    esac
}
_git_secure_release_main() {
    _gitsecurerelease "$@"
    _git_secure_release_tags
}
_git_secure_release() {
    local i start=0
    for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
        if [[ "${COMP_WORDS[i]}" == secure-release ]]; then start=$i; break; fi
    done
    local -a COMP_WORDS=("git-secure-release" "${COMP_WORDS[@]:start+1}")
    local COMP_CWORD=$((COMP_CWORD - start))
    _git_secure_release_main "git-secure-release" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
}
if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _git_secure_release_main -o nosort -o bashdefault -o default git-secure-release
else
    complete -F _git_secure_release_main -o bashdefault -o default git-secure-release
fi
"#;

/// zsh: git's `_git` calls `_git-secure-release` for the subcommand; clap defines it.
/// zsh: clap completes every value with files (`_default`); give the values it cannot know
/// their own completers (defined in [`ZSH_EXTRA`]): the release's bump words, remotes for
/// `--push`, revisions for `--commits` and verify/epoch, tags for reproduce.
fn zsh_values(script: &str) -> String {
    const HOOKS: [(&str, &str); 6] = [
        ("'::target -- ", "_gsr_bumps"),
        ("'--push=[", "_gsr_remotes"),
        ("'--commits=[", "_gsr_revs"),
        ("'*::revs -- ", "_gsr_revs"),
        ("'::rev -- ", "_gsr_revs"),
        ("'::tag -- ", "_gsr_tags"),
    ];
    let mut out = String::with_capacity(script.len() + 256);
    for line in script.split_inclusive('\n') {
        let hook = HOOKS.iter().find(|(start, _)| line.starts_with(start));
        match hook {
            Some((_, function)) if line.contains(":_default' ") => {
                out.push_str(&line.replacen(":_default' ", &format!(":{function}' "), 1));
            }
            _ => out.push_str(line),
        }
    }
    out
}

const ZSH_EXTRA: &str = r#"
_gsr_bumps() { local -a w; w=(major minor patch stable alpha beta rc post dev); _describe -t bumps 'bump' w; _message 'or a version such as 1.2.0' }
_gsr_remotes() { local -a r; r=(${(f)"$(git remote 2>/dev/null)"}); _describe -t remotes 'remote' r }
_gsr_revs() { local -a r; r=(HEAD ${(f)"$(git for-each-ref --format='%(refname:short)' refs/heads refs/tags 2>/dev/null)"}); _describe -t revisions 'revision' r }
_gsr_tags() { local -a t; t=(${(f)"$(git tag -l 2>/dev/null)"}); _describe -t tags 'tag' t }
# git secure-release <TAB>: declare the subcommand to git's completion.
zstyle -s ':completion:*:*:git:*' user-commands _gsr_cmds || true
zstyle ':completion:*:*:git:*' user-commands ${=_gsr_cmds} secure-release:'signed, reproducible releases of Python packages'
"#;

/// fish: complete `git secure-release` through the `git` command.
const FISH_EXTRA: &str = r#"
# git secure-release <TAB>
complete -c git -n '__fish_seen_subcommand_from secure-release; and not __fish_seen_subcommand_from version doctor verify epoch reproduce completions help' -f -a 'version doctor verify epoch reproduce completions major minor patch stable alpha beta rc post dev'
complete -c git -n '__fish_seen_subcommand_from secure-release; and __fish_seen_subcommand_from verify epoch reproduce' -f -a '(git tag -l 2>/dev/null)'
complete -c git-secure-release -n '__fish_seen_subcommand_from verify epoch reproduce' -f -a '(git tag -l 2>/dev/null)'
complete -c git-secure-release -n 'not __fish_seen_subcommand_from version doctor verify epoch reproduce completions help' -f -a 'major minor patch stable alpha beta rc post dev'
complete -c git-secure-release -l push -x -a '(git remote 2>/dev/null)'
complete -c git-secure-release -n '__fish_seen_subcommand_from verify' -l commits -x -a '(printf "HEAD\n"; git for-each-ref --format="%(refname:short)" refs/heads refs/tags 2>/dev/null)'
"#;
