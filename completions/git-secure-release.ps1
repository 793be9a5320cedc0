
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'git-secure-release' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'git-secure-release'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'git-secure-release' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never')
            [CompletionResult]::new('--pre', '--pre', [CompletionResultType]::ParameterName, 'Make the bumped version a pre-release: `minor --pre rc` turns 0.7.1 into 0.8.0rc1')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'The commit and tag message ({version} is replaced); default "Release {version}"')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'The commit and tag message ({version} is replaced); default "Release {version}"')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Read the commit and tag message from a file ("-" for standard input)')
            [CompletionResult]::new('--message-file', '--message-file', [CompletionResultType]::ParameterName, 'Read the commit and tag message from a file ("-" for standard input)')
            [CompletionResult]::new('--tag-prefix', '--tag-prefix', [CompletionResultType]::ParameterName, 'The release tag''s prefix; default: the newest release tag''s, else "v"')
            [CompletionResult]::new('--push', '--push', [CompletionResultType]::ParameterName, 'Push the branch and the tag together after the release (git push --atomic), to REMOTE (default: the branch''s upstream remote, else origin). Put it after VERSION|BUMP')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Print the plan (each file''s diff, the commit and the tag) and change nothing')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan (each file''s diff, the commit and the tag) and change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON object: {"version", "tag", "commit", "source_date_epoch", "files"}')
            [CompletionResult]::new('--allow-dirty', '--allow-dirty', [CompletionResultType]::ParameterName, 'Release even though tracked files have uncommitted changes (they are not committed)')
            [CompletionResult]::new('--allow-unsigned', '--allow-unsigned', [CompletionResultType]::ParameterName, 'Release even though HEAD or the newest release tag is not validly signed (warns)')
            [CompletionResult]::new('--no-verify', '--no-verify', [CompletionResultType]::ParameterName, 'Skip the repository''s pre-commit and commit-msg hooks')
            [CompletionResult]::new('--abort', '--abort', [CompletionResultType]::ParameterName, 'Put the repository back as it was before an interrupted release')
            [CompletionResult]::new('--continue', '--continue', [CompletionResultType]::ParameterName, 'Finish an interrupted release from where it stopped')
            [CompletionResult]::new('--forget-journal', '--forget-journal', [CompletionResultType]::ParameterName, 'With --abort: discard the journal of an interrupted release that cannot be undone or finished (a damaged journal, or a branch that moved on since), touching nothing else')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the project''s current version, its layout and the files that hold it')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check that signing is set up and working, with the exact command that fixes each problem')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Verify that HEAD, release tags, named revisions or a commit range are validly signed')
            [CompletionResult]::new('epoch', 'epoch', [CompletionResultType]::ParameterValue, 'Print SOURCE_DATE_EPOCH for a revision: its commit''s committer time')
            [CompletionResult]::new('reproduce', 'reproduce', [CompletionResultType]::ParameterValue, 'Rebuild a release tag twice from clean checkouts, and compare with what was published')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'git-secure-release;version' {
            [CompletionResult]::new('--bump', '--bump', [CompletionResultType]::ParameterName, 'Also print the version a release with this bump would make')
            [CompletionResult]::new('--pre', '--pre', [CompletionResultType]::ParameterName, 'Make the bumped version a pre-release (with --bump major, minor or patch)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object: {"version", "layout", "files", "tag_prefix"} (and "next")')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-secure-release;doctor' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object: {"ok", "checks": [{"id", "status", "message", "hint"}]}')
            [CompletionResult]::new('--fix', '--fix', [CompletionResultType]::ParameterName, 'Apply the safe fixes (commit.gpgsign, tag.gpgSign, user.signingkey when exactly one usable secret key matches user.email) to the repository''s configuration, then check again')
            [CompletionResult]::new('--global', '--global', [CompletionResultType]::ParameterName, 'With --fix, write your own (global) git configuration instead of the repository''s')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-secure-release;verify' {
            [CompletionResult]::new('--commits', '--commits', [CompletionResultType]::ParameterName, 'Verify every commit of this revision range (for example v0.1.0..HEAD): alone, the range and nothing else; with REVs, both')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object: {"ok", "results": [...]}')
            [CompletionResult]::new('--no-fast-path', '--no-fast-path', [CompletionResultType]::ParameterName, 'Check every signature with gpg or ssh-keygen, one process per object, never in-process (also GIT_SECURE_RELEASE_NO_FAST_PATH=1). Slower; the verdicts are the same')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-secure-release;epoch' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How to print it')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-secure-release;reproduce' {
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'What a build must equal: a wheel or sdist (say, downloaded from the index), a `sha256sum`-style list file, or a SHA-256 in hex. Repeatable')
            [CompletionResult]::new('--index', '--index', [CompletionResultType]::ParameterName, 'Compare with the files a PEP 691 JSON simple index publishes for the version (default: PIP_INDEX_URL, else UV_INDEX_URL, else PyPI''s)')
            [CompletionResult]::new('--build', '--build', [CompletionResultType]::ParameterName, 'The build command, split into words as a shell would (no shell runs it), run in the checkout''s project folder; it must leave its wheels and sdists in dist/ (default: `python3 -m build` where the build module imports, else `uv build`)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never')
            [CompletionResult]::new('--no-pin', '--no-pin', [CompletionResultType]::ParameterName, 'Build with the backend version build-system.requires allows today, not the one an expected wheel''s Generator names')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object with the same facts')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-secure-release;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto (only on a terminal, never with NO_COLOR), always, never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'git-secure-release;help' {
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the project''s current version, its layout and the files that hold it')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check that signing is set up and working, with the exact command that fixes each problem')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Verify that HEAD, release tags, named revisions or a commit range are validly signed')
            [CompletionResult]::new('epoch', 'epoch', [CompletionResultType]::ParameterValue, 'Print SOURCE_DATE_EPOCH for a revision: its commit''s committer time')
            [CompletionResult]::new('reproduce', 'reproduce', [CompletionResultType]::ParameterValue, 'Rebuild a release tag twice from clean checkouts, and compare with what was published')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'git-secure-release;help;version' {
            break
        }
        'git-secure-release;help;doctor' {
            break
        }
        'git-secure-release;help;verify' {
            break
        }
        'git-secure-release;help;epoch' {
            break
        }
        'git-secure-release;help;reproduce' {
            break
        }
        'git-secure-release;help;completions' {
            break
        }
        'git-secure-release;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
