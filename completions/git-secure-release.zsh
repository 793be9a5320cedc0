#compdef git-secure-release

autoload -U is-at-least

_git-secure-release() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'--color=[When to colour the output\: auto (only on a terminal, never with NO_COLOR), always, never]:WHEN:(auto always never)' \
'--pre=[Make the bumped version a pre-release\: \`minor --pre rc\` turns 0.7.1 into 0.8.0rc1]:KIND:(alpha beta rc)' \
'-m+[The commit and tag message ({version} is replaced); default "Release {version}"]:TEXT:_default' \
'--message=[The commit and tag message ({version} is replaced); default "Release {version}"]:TEXT:_default' \
'(-m --message)-F+[Read the commit and tag message from a file ("-" for standard input)]:FILE:_files' \
'(-m --message)--message-file=[Read the commit and tag message from a file ("-" for standard input)]:FILE:_files' \
'--tag-prefix=[The release tag'\''s prefix; default\: the newest release tag'\''s, else "v"]:PREFIX:_default' \
'--push=[Push the branch and the tag together after the release (git push --atomic), to REMOTE (default\: the branch'\''s upstream remote, else origin). Put it after VERSION|BUMP]::REMOTE:_gsr_remotes' \
'-n[Print the plan (each file'\''s diff, the commit and the tag) and change nothing]' \
'--dry-run[Print the plan (each file'\''s diff, the commit and the tag) and change nothing]' \
'--json[Print the result as one JSON object\: {"version", "tag", "commit", "source_date_epoch", "files"}]' \
'--allow-dirty[Release even though tracked files have uncommitted changes (they are not committed)]' \
'--allow-unsigned[Release even though HEAD or the newest release tag is not validly signed (warns)]' \
'--no-verify[Skip the repository'\''s pre-commit and commit-msg hooks]' \
'(--continue)--abort[Put the repository back as it was before an interrupted release]' \
'--continue[Finish an interrupted release from where it stopped]' \
'--forget-journal[With --abort\: discard the journal of an interrupted release that cannot be undone or finished (a damaged journal, or a branch that moved on since), touching nothing else]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'::target -- The version to release (PEP 440, such as 0.2.0 or 1.0.0rc1), or a bump\: major, minor, patch, stable, alpha, beta, rc, post, dev (as `uv version --bump`):_gsr_bumps' \
":: :_git-secure-release_commands" \
"*::: :->git-secure-release" \
&& ret=0
    case $state in
    (git-secure-release)
        words=($line[2] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:git-secure-release-command-$line[2]:"
        case $line[2] in
            (version)
_arguments "${_arguments_options[@]}" : \
'--bump=[Also print the version a release with this bump would make]:BUMP:(major minor patch stable alpha beta rc post dev)' \
'--pre=[Make the bumped version a pre-release (with --bump major, minor or patch)]:KIND:(alpha beta rc)' \
'--color=[When to colour the output\: auto (only on a terminal, never with NO_COLOR), always, never]:WHEN:(auto always never)' \
'--json[Print one JSON object\: {"version", "layout", "files", "tag_prefix"} (and "next")]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(doctor)
_arguments "${_arguments_options[@]}" : \
'--color=[When to colour the output\: auto (only on a terminal, never with NO_COLOR), always, never]:WHEN:(auto always never)' \
'--json[Print one JSON object\: {"ok", "checks"\: \[{"id", "status", "message", "hint"}\]}]' \
'--fix[Apply the safe fixes (commit.gpgsign, tag.gpgSign, user.signingkey when exactly one usable secret key matches user.email) to the repository'\''s configuration, then check again]' \
'--global[With --fix, write your own (global) git configuration instead of the repository'\''s]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(verify)
_arguments "${_arguments_options[@]}" : \
'--commits=[Verify every commit of this revision range (for example v0.1.0..HEAD)\: alone, the range and nothing else; with REVs, both]:RANGE:_gsr_revs' \
'--color=[When to colour the output\: auto (only on a terminal, never with NO_COLOR), always, never]:WHEN:(auto always never)' \
'--json[Print one JSON object\: {"ok", "results"\: \[...\]}]' \
'--no-fast-path[Check every signature with gpg or ssh-keygen, one process per object, never in-process (also GIT_SECURE_RELEASE_NO_FAST_PATH=1). Slower; the verdicts are the same]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'*::revs -- Tags or commits to verify; without any, HEAD and every release tag:_gsr_revs' \
&& ret=0
;;
(epoch)
_arguments "${_arguments_options[@]}" : \
'--format=[How to print it]:FORMAT:((plain\:"\`N\`"
export\:"\`export SOURCE_DATE_EPOCH=N\`"
github\:"append \`SOURCE_DATE_EPOCH=N\` to the file \$GITHUB_ENV names"
json\:"{"rev", "commit", "source_date_epoch", "date"}"))' \
'--color=[When to colour the output\: auto (only on a terminal, never with NO_COLOR), always, never]:WHEN:(auto always never)' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'::rev -- The commit or tag (default\: HEAD):_gsr_revs' \
&& ret=0
;;
(reproduce)
_arguments "${_arguments_options[@]}" : \
'*--expect=[What a build must equal\: a wheel or sdist (say, downloaded from the index), a \`sha256sum\`-style list file, or a SHA-256 in hex. Repeatable]:FILE|SHA256:_files' \
'--index=[Compare with the files a PEP 691 JSON simple index publishes for the version (default\: PIP_INDEX_URL, else UV_INDEX_URL, else PyPI'\''s)]::URL:_urls' \
'--build=[The build command, split into words as a shell would (no shell runs it), run in the checkout'\''s project folder; it must leave its wheels and sdists in dist/ (default\: \`python3 -m build\` where the build module imports, else \`uv build\`)]:CMD:_cmdstring' \
'--color=[When to colour the output\: auto (only on a terminal, never with NO_COLOR), always, never]:WHEN:(auto always never)' \
'--no-pin[Build with the backend version build-system.requires allows today, not the one an expected wheel'\''s Generator names]' \
'--json[Print one JSON object with the same facts]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'::tag -- The release tag to rebuild (default\: the newest release tag reachable from HEAD):_gsr_tags' \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
'--color=[When to colour the output\: auto (only on a terminal, never with NO_COLOR), always, never]:WHEN:(auto always never)' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':shell -- The shell to print the script for:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_git-secure-release__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:git-secure-release-help-command-$line[1]:"
        case $line[1] in
            (version)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(doctor)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(verify)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(epoch)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(reproduce)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_git-secure-release_commands] )) ||
_git-secure-release_commands() {
    local commands; commands=(
'version:Print the project'\''s current version, its layout and the files that hold it' \
'doctor:Check that signing is set up and working, with the exact command that fixes each problem' \
'verify:Verify that HEAD, release tags, named revisions or a commit range are validly signed' \
'epoch:Print SOURCE_DATE_EPOCH for a revision\: its commit'\''s committer time' \
'reproduce:Rebuild a release tag twice from clean checkouts, and compare with what was published' \
'completions:Print the completion script for a shell' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'git-secure-release commands' commands "$@"
}
(( $+functions[_git-secure-release__subcmd__completions_commands] )) ||
_git-secure-release__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'git-secure-release completions commands' commands "$@"
}
(( $+functions[_git-secure-release__subcmd__doctor_commands] )) ||
_git-secure-release__subcmd__doctor_commands() {
    local commands; commands=()
    _describe -t commands 'git-secure-release doctor commands' commands "$@"
}
(( $+functions[_git-secure-release__subcmd__epoch_commands] )) ||
_git-secure-release__subcmd__epoch_commands() {
    local commands; commands=()
    _describe -t commands 'git-secure-release epoch commands' commands "$@"
}
(( $+functions[_git-secure-release__subcmd__help_commands] )) ||
_git-secure-release__subcmd__help_commands() {
    local commands; commands=(
'version:Print the project'\''s current version, its layout and the files that hold it' \
'doctor:Check that signing is set up and working, with the exact command that fixes each problem' \
'verify:Verify that HEAD, release tags, named revisions or a commit range are validly signed' \
'epoch:Print SOURCE_DATE_EPOCH for a revision\: its commit'\''s committer time' \
'reproduce:Rebuild a release tag twice from clean checkouts, and compare with what was published' \
'completions:Print the completion script for a shell' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'git-secure-release help commands' commands "$@"
}
(( $+functions[_git-secure-release__subcmd__help__subcmd__completions_commands] )) ||
_git-secure-release__subcmd__help__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'git-secure-release help completions commands' commands "$@"
}
(( $+functions[_git-secure-release__subcmd__help__subcmd__doctor_commands] )) ||
_git-secure-release__subcmd__help__subcmd__doctor_commands() {
    local commands; commands=()
    _describe -t commands 'git-secure-release help doctor commands' commands "$@"
}
(( $+functions[_git-secure-release__subcmd__help__subcmd__epoch_commands] )) ||
_git-secure-release__subcmd__help__subcmd__epoch_commands() {
    local commands; commands=()
    _describe -t commands 'git-secure-release help epoch commands' commands "$@"
}
(( $+functions[_git-secure-release__subcmd__help__subcmd__help_commands] )) ||
_git-secure-release__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'git-secure-release help help commands' commands "$@"
}
(( $+functions[_git-secure-release__subcmd__help__subcmd__reproduce_commands] )) ||
_git-secure-release__subcmd__help__subcmd__reproduce_commands() {
    local commands; commands=()
    _describe -t commands 'git-secure-release help reproduce commands' commands "$@"
}
(( $+functions[_git-secure-release__subcmd__help__subcmd__verify_commands] )) ||
_git-secure-release__subcmd__help__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'git-secure-release help verify commands' commands "$@"
}
(( $+functions[_git-secure-release__subcmd__help__subcmd__version_commands] )) ||
_git-secure-release__subcmd__help__subcmd__version_commands() {
    local commands; commands=()
    _describe -t commands 'git-secure-release help version commands' commands "$@"
}
(( $+functions[_git-secure-release__subcmd__reproduce_commands] )) ||
_git-secure-release__subcmd__reproduce_commands() {
    local commands; commands=()
    _describe -t commands 'git-secure-release reproduce commands' commands "$@"
}
(( $+functions[_git-secure-release__subcmd__verify_commands] )) ||
_git-secure-release__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'git-secure-release verify commands' commands "$@"
}
(( $+functions[_git-secure-release__subcmd__version_commands] )) ||
_git-secure-release__subcmd__version_commands() {
    local commands; commands=()
    _describe -t commands 'git-secure-release version commands' commands "$@"
}

if [ "$funcstack[1]" = "_git-secure-release" ]; then
    _git-secure-release "$@"
else
    compdef _git-secure-release git-secure-release
fi

_gsr_bumps() { local -a w; w=(major minor patch stable alpha beta rc post dev); _describe -t bumps 'bump' w; _message 'or a version such as 1.2.0' }
_gsr_remotes() { local -a r; r=(${(f)"$(git remote 2>/dev/null)"}); _describe -t remotes 'remote' r }
_gsr_revs() { local -a r; r=(HEAD ${(f)"$(git for-each-ref --format='%(refname:short)' refs/heads refs/tags 2>/dev/null)"}); _describe -t revisions 'revision' r }
_gsr_tags() { local -a t; t=(${(f)"$(git tag -l 2>/dev/null)"}); _describe -t tags 'tag' t }
# git secure-release <TAB>: declare the subcommand to git's completion.
zstyle -s ':completion:*:*:git:*' user-commands _gsr_cmds || true
zstyle ':completion:*:*:git:*' user-commands ${=_gsr_cmds} secure-release:'signed, reproducible releases of Python packages'
