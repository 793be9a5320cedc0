
use builtin;
use str;

set edit:completion:arg-completer[git-secure-release] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'git-secure-release'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'git-secure-release'= {
            cand --color 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never'
            cand --pre 'Make the bumped version a pre-release: `minor --pre rc` turns 0.7.1 into 0.8.0rc1'
            cand -m 'The commit and tag message ({version} is replaced); default "Release {version}"'
            cand --message 'The commit and tag message ({version} is replaced); default "Release {version}"'
            cand -F 'Read the commit and tag message from a file ("-" for standard input)'
            cand --message-file 'Read the commit and tag message from a file ("-" for standard input)'
            cand --tag-prefix 'The release tag''s prefix; default: the newest release tag''s, else "v"'
            cand --push 'Push the branch and the tag together after the release (git push --atomic), to REMOTE (default: the branch''s upstream remote, else origin). Put it after VERSION|BUMP'
            cand -n 'Print the plan (each file''s diff, the commit and the tag) and change nothing'
            cand --dry-run 'Print the plan (each file''s diff, the commit and the tag) and change nothing'
            cand --json 'Print the result as one JSON object: {"version", "tag", "commit", "source_date_epoch", "files"}'
            cand --allow-dirty 'Release even though tracked files have uncommitted changes (they are not committed)'
            cand --allow-unsigned 'Release even though HEAD or the newest release tag is not validly signed (warns)'
            cand --no-verify 'Skip the repository''s pre-commit and commit-msg hooks'
            cand --abort 'Put the repository back as it was before an interrupted release'
            cand --continue 'Finish an interrupted release from where it stopped'
            cand --forget-journal 'With --abort: discard the journal of an interrupted release that cannot be undone or finished (a damaged journal, or a branch that moved on since), touching nothing else'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand version 'Print the project''s current version, its layout and the files that hold it'
            cand doctor 'Check that signing is set up and working, with the exact command that fixes each problem'
            cand verify 'Verify that HEAD, release tags, named revisions or a commit range are validly signed'
            cand epoch 'Print SOURCE_DATE_EPOCH for a revision: its commit''s committer time'
            cand reproduce 'Rebuild a release tag twice from clean checkouts, and compare with what was published'
            cand completions 'Print the completion script for a shell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'git-secure-release;version'= {
            cand --bump 'Also print the version a release with this bump would make'
            cand --pre 'Make the bumped version a pre-release (with --bump major, minor or patch)'
            cand --color 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never'
            cand --json 'Print one JSON object: {"version", "layout", "files", "tag_prefix"} (and "next")'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-secure-release;doctor'= {
            cand --color 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never'
            cand --json 'Print one JSON object: {"ok", "checks": [{"id", "status", "message", "hint"}]}'
            cand --fix 'Apply the safe fixes (commit.gpgsign, tag.gpgSign, user.signingkey when exactly one usable secret key matches user.email) to the repository''s configuration, then check again'
            cand --global 'With --fix, write your own (global) git configuration instead of the repository''s'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-secure-release;verify'= {
            cand --commits 'Verify every commit of this revision range (for example v0.1.0..HEAD): alone, the range and nothing else; with REVs, both'
            cand --color 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never'
            cand --json 'Print one JSON object: {"ok", "results": [...]}'
            cand --no-fast-path 'Check every signature with gpg or ssh-keygen, one process per object, never in-process (also GIT_SECURE_RELEASE_NO_FAST_PATH=1). Slower; the verdicts are the same'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-secure-release;epoch'= {
            cand --format 'How to print it'
            cand --color 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-secure-release;reproduce'= {
            cand --expect 'What a build must equal: a wheel or sdist (say, downloaded from the index), a `sha256sum`-style list file, or a SHA-256 in hex. Repeatable'
            cand --index 'Compare with the files a PEP 691 JSON simple index publishes for the version (default: PIP_INDEX_URL, else UV_INDEX_URL, else PyPI''s)'
            cand --build 'The build command, split into words as a shell would (no shell runs it), run in the checkout''s project folder; it must leave its wheels and sdists in dist/ (default: `python3 -m build` where the build module imports, else `uv build`)'
            cand --color 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never'
            cand --no-pin 'Build with the backend version build-system.requires allows today, not the one an expected wheel''s Generator names'
            cand --json 'Print one JSON object with the same facts'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-secure-release;completions'= {
            cand --color 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'git-secure-release;help'= {
            cand version 'Print the project''s current version, its layout and the files that hold it'
            cand doctor 'Check that signing is set up and working, with the exact command that fixes each problem'
            cand verify 'Verify that HEAD, release tags, named revisions or a commit range are validly signed'
            cand epoch 'Print SOURCE_DATE_EPOCH for a revision: its commit''s committer time'
            cand reproduce 'Rebuild a release tag twice from clean checkouts, and compare with what was published'
            cand completions 'Print the completion script for a shell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'git-secure-release;help;version'= {
        }
        &'git-secure-release;help;doctor'= {
        }
        &'git-secure-release;help;verify'= {
        }
        &'git-secure-release;help;epoch'= {
        }
        &'git-secure-release;help;reproduce'= {
        }
        &'git-secure-release;help;completions'= {
        }
        &'git-secure-release;help;help'= {
        }
    ]
    $completions[$command]
}
