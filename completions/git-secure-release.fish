# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_git_secure_release_global_optspecs
    string join \n color= pre= n/dry-run json m/message= F/message-file= tag-prefix= allow-dirty allow-unsigned no-verify push= abort continue forget-journal h/help V/version
end

function __fish_git_secure_release_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_git_secure_release_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_git_secure_release_using_subcommand
    set -l cmd (__fish_git_secure_release_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -l color -d 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -l pre -d 'Make the bumped version a pre-release: `minor --pre rc` turns 0.7.1 into 0.8.0rc1' -r -f -a "alpha\t''
beta\t''
rc\t''"
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -s m -l message -d 'The commit and tag message ({version} is replaced); default "Release {version}"' -r
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -s F -l message-file -d 'Read the commit and tag message from a file ("-" for standard input)' -r -F
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -l tag-prefix -d 'The release tag\'s prefix; default: the newest release tag\'s, else "v"' -r
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -l push -d 'Push the branch and the tag together after the release (git push --atomic), to REMOTE (default: the branch\'s upstream remote, else origin). Put it after VERSION|BUMP' -r
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -s n -l dry-run -d 'Print the plan (each file\'s diff, the commit and the tag) and change nothing'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -l json -d 'Print the result as one JSON object: {"version", "tag", "commit", "source_date_epoch", "files"}'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -l allow-dirty -d 'Release even though tracked files have uncommitted changes (they are not committed)'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -l allow-unsigned -d 'Release even though HEAD or the newest release tag is not validly signed (warns)'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -l no-verify -d 'Skip the repository\'s pre-commit and commit-msg hooks'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -l abort -d 'Put the repository back as it was before an interrupted release'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -l continue -d 'Finish an interrupted release from where it stopped'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -l forget-journal -d 'With --abort: discard the journal of an interrupted release that cannot be undone or finished (a damaged journal, or a branch that moved on since), touching nothing else'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -s V -l version -d 'Print version'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -a "version" -d 'Print the project\'s current version, its layout and the files that hold it'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -a "doctor" -d 'Check that signing is set up and working, with the exact command that fixes each problem'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -a "verify" -d 'Verify that HEAD, release tags, named revisions or a commit range are validly signed'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -a "epoch" -d 'Print SOURCE_DATE_EPOCH for a revision: its commit\'s committer time'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -a "reproduce" -d 'Rebuild a release tag twice from clean checkouts, and compare with what was published'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -a "completions" -d 'Print the completion script for a shell'
complete -c git-secure-release -n "__fish_git_secure_release_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand version" -l bump -d 'Also print the version a release with this bump would make' -r -f -a "major\t''
minor\t''
patch\t''
stable\t''
alpha\t''
beta\t''
rc\t''
post\t''
dev\t''"
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand version" -l pre -d 'Make the bumped version a pre-release (with --bump major, minor or patch)' -r -f -a "alpha\t''
beta\t''
rc\t''"
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand version" -l color -d 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand version" -l json -d 'Print one JSON object: {"version", "layout", "files", "tag_prefix"} (and "next")'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand version" -s V -l version -d 'Print version'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand doctor" -l color -d 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand doctor" -l json -d 'Print one JSON object: {"ok", "checks": [{"id", "status", "message", "hint"}]}'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand doctor" -l fix -d 'Apply the safe fixes (commit.gpgsign, tag.gpgSign, user.signingkey when exactly one usable secret key matches user.email) to the repository\'s configuration, then check again'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand doctor" -l global -d 'With --fix, write your own (global) git configuration instead of the repository\'s'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand verify" -l commits -d 'Verify every commit of this revision range (for example v0.1.0..HEAD): alone, the range and nothing else; with REVs, both' -r
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand verify" -l color -d 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand verify" -l json -d 'Print one JSON object: {"ok", "results": [...]}'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand verify" -l no-fast-path -d 'Check every signature with gpg or ssh-keygen, one process per object, never in-process (also GIT_SECURE_RELEASE_NO_FAST_PATH=1). Slower; the verdicts are the same'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand verify" -s V -l version -d 'Print version'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand epoch" -l format -d 'How to print it' -r -f -a "plain\t'`N`'
export\t'`export SOURCE_DATE_EPOCH=N`'
github\t'append `SOURCE_DATE_EPOCH=N` to the file $GITHUB_ENV names'
json\t'{"rev", "commit", "source_date_epoch", "date"}'"
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand epoch" -l color -d 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand epoch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand epoch" -s V -l version -d 'Print version'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand reproduce" -l expect -d 'What a build must equal: a wheel or sdist (say, downloaded from the index), a `sha256sum`-style list file, or a SHA-256 in hex. Repeatable' -r -F
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand reproduce" -l index -d 'Compare with the files a PEP 691 JSON simple index publishes for the version (default: PIP_INDEX_URL, else UV_INDEX_URL, else PyPI\'s)' -r -f
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand reproduce" -l build -d 'The build command, split into words as a shell would (no shell runs it), run in the checkout\'s project folder; it must leave its wheels and sdists in dist/ (default: `python3 -m build` where the build module imports, else `uv build`)' -r -f -a "(__fish_complete_command)"
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand reproduce" -l color -d 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand reproduce" -l no-pin -d 'Build with the backend version build-system.requires allows today, not the one an expected wheel\'s Generator names'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand reproduce" -l json -d 'Print one JSON object with the same facts'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand reproduce" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand reproduce" -s V -l version -d 'Print version'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand completions" -l color -d 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand completions" -s V -l version -d 'Print version'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand help; and not __fish_seen_subcommand_from version doctor verify epoch reproduce completions help" -f -a "version" -d 'Print the project\'s current version, its layout and the files that hold it'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand help; and not __fish_seen_subcommand_from version doctor verify epoch reproduce completions help" -f -a "doctor" -d 'Check that signing is set up and working, with the exact command that fixes each problem'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand help; and not __fish_seen_subcommand_from version doctor verify epoch reproduce completions help" -f -a "verify" -d 'Verify that HEAD, release tags, named revisions or a commit range are validly signed'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand help; and not __fish_seen_subcommand_from version doctor verify epoch reproduce completions help" -f -a "epoch" -d 'Print SOURCE_DATE_EPOCH for a revision: its commit\'s committer time'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand help; and not __fish_seen_subcommand_from version doctor verify epoch reproduce completions help" -f -a "reproduce" -d 'Rebuild a release tag twice from clean checkouts, and compare with what was published'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand help; and not __fish_seen_subcommand_from version doctor verify epoch reproduce completions help" -f -a "completions" -d 'Print the completion script for a shell'
complete -c git-secure-release -n "__fish_git_secure_release_using_subcommand help; and not __fish_seen_subcommand_from version doctor verify epoch reproduce completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'

# git secure-release <TAB>
complete -c git -n '__fish_seen_subcommand_from secure-release; and not __fish_seen_subcommand_from version doctor verify epoch reproduce completions help' -f -a 'version doctor verify epoch reproduce completions major minor patch stable alpha beta rc post dev'
complete -c git -n '__fish_seen_subcommand_from secure-release; and __fish_seen_subcommand_from verify epoch reproduce' -f -a '(git tag -l 2>/dev/null)'
complete -c git-secure-release -n '__fish_seen_subcommand_from verify epoch reproduce' -f -a '(git tag -l 2>/dev/null)'
complete -c git-secure-release -n 'not __fish_seen_subcommand_from version doctor verify epoch reproduce completions help' -f -a 'major minor patch stable alpha beta rc post dev'
complete -c git-secure-release -l push -x -a '(git remote 2>/dev/null)'
complete -c git-secure-release -n '__fish_seen_subcommand_from verify' -l commits -x -a '(printf "HEAD\n"; git for-each-ref --format="%(refname:short)" refs/heads refs/tags 2>/dev/null)'
