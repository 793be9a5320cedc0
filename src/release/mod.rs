//! The release (contract §2.1): resolve → preflight → plan → apply (a transaction with a
//! journal) → record → post-check → push. All or nothing: a failure after preflight puts
//! the repository back exactly as it was.

mod inputs;
mod lock;
mod plan;
pub mod preflight;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository};

use crate::error::UserError;
use crate::git::config::GitConfig;
use crate::git::runner::Git;
use crate::git::tags::{self, ReleaseTag};
use crate::project::{Config, Project};
use crate::signing::engine::{Engine, VerifyConfig};
use crate::signing::{object, testsig, Format};
use crate::transaction::{self, FileChange, Journal, JournalFiles};
use crate::version::{self, Target};
pub use plan::Plan;
use preflight::Problem;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub target: Target,
    pub message: Option<String>,
    /// Where `message` came from (`-m`, `-F FILE`), to name it in a refusal.
    pub message_from: &'static str,
    pub tag_prefix: Option<String>,
    pub allow_dirty: bool,
    pub allow_unsigned: bool,
    pub no_verify: bool,
    /// `Some(None)`: `--push` without a remote.
    pub push: Option<Option<String>>,
    pub dry_run: bool,
}

/// The repository and project, read once.
pub struct Context {
    pub repo: Repository,
    pub workdir: PathBuf,
    pub git: Git,
    pub config: GitConfig,
    pub project: Result<Project, crate::project::ProjectError>,
    pub head: Option<Oid>,
    /// The branch HEAD is on (short name), if it is on one.
    pub branch: Option<String>,
    pub tags: Vec<ReleaseTag>,
    default_config: Config,
}

impl Context {
    /// Open the repository and read the project; errors only when there is no work tree.
    pub fn resolve() -> Result<Context, UserError> {
        let repo = crate::git::discover().ok_or_else(|| {
            UserError::refused("not inside a git repository")
                .with_hint("run it in your project's work tree")
        })?;
        let workdir = repo.workdir().map(Path::to_path_buf).ok_or_else(|| {
            UserError::refused("not inside a work tree (this is a bare repository)")
                .with_hint("run it in a clone with a work tree")
        })?;
        let git = Git::new(&workdir);
        let config = GitConfig::load(&git).map_err(|e| UserError::refused(e.to_string()))?;
        let cwd = std::env::current_dir().unwrap_or_else(|_| workdir.clone());
        let (start, top) = crate::git::project_search(Some(&repo), &cwd);
        let project = Project::discover_within(&start, top.as_deref());
        let (head, branch) = match repo.head() {
            Ok(h) if h.is_branch() => (h.target(), h.shorthand().ok().map(str::to_owned)),
            Ok(h) => (h.target(), None),
            Err(_) => (None, None),
        };
        let tags = tags::release_tags(&repo).unwrap_or_default();
        Ok(Context {
            repo,
            workdir,
            git,
            config,
            project,
            head,
            branch,
            tags,
            default_config: Config::default(),
        })
    }

    pub fn project_config(&self) -> &Config {
        self.project
            .as_ref()
            .map_or(&self.default_config, |p| &p.config)
    }

    pub fn newest_tag(&self) -> Option<&ReleaseTag> {
        tags::newest(&self.tags)
    }

    pub fn sha256(&self) -> bool {
        self.head.is_some_and(|o| o.as_bytes().len() == 32)
    }

    pub fn raw_typed(&self, oid: Oid) -> Option<(ObjectType, Vec<u8>)> {
        let odb = self.repo.odb().ok()?;
        let o = odb.read(oid).ok()?;
        Some((o.kind(), o.data().to_vec()))
    }

    pub fn raw(&self, oid: Oid) -> Option<Vec<u8>> {
        self.raw_typed(oid).map(|(_, r)| r)
    }

    pub fn tag_oid(&self, name: &str) -> Option<Oid> {
        self.repo
            .find_reference(&format!("refs/tags/{name}"))
            .ok()?
            .target()
    }

    fn journal(&self) -> JournalFiles {
        JournalFiles::new(self.repo.path())
    }

    fn index_path(&self) -> PathBuf {
        self.repo.path().join("index")
    }

    fn engine(&self) -> Result<Engine, UserError> {
        Ok(Engine::new(VerifyConfig::from_git(
            &self.config,
            &self.workdir,
        )?))
    }
}

/// What a finished release reports (contract §2.1's JSON).
#[derive(Debug, serde::Serialize)]
pub struct Outcome {
    pub version: String,
    pub tag: String,
    pub commit: Option<String>,
    pub source_date_epoch: Option<i64>,
    pub files: Vec<String>,
    #[serde(skip)]
    pub push_command: Vec<String>,
    #[serde(skip)]
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub plan_text: Option<String>,
    #[serde(skip)]
    pub push_error: Option<String>,
    /// Whether the branch and tag were pushed.
    #[serde(skip)]
    pub pushed: bool,
}

fn refuse(problems: Vec<Problem>) -> UserError {
    let mut message = if problems.len() == 1 {
        "the release is refused:".to_owned()
    } else {
        format!("the release is refused ({} problems):", problems.len())
    };
    for p in &problems {
        message.push_str(&format!("\n  - {}\n    fix: {}", p.message, p.hint));
    }
    UserError::refused(message)
        .with_hint("nothing was changed; fix the problems above and run it again")
}

/// Run a release: the preflight, then (unless a dry run) the transaction.
pub fn run(opts: &Options) -> Result<Outcome, UserError> {
    let _lock = take_lock()?;
    // The test signature is the slowest check (git and the signing program): it starts
    // first, before git's configuration is read, and runs beside everything else.
    let test_signature = start_test_signature();
    let ctx = Context::resolve()?;
    crate::report::trace("release: repository and project read");
    let (plan, warnings, mut engine) = prepare(&ctx, opts, test_signature)?;
    crate::report::trace("release: preflight passed");
    if opts.dry_run {
        return Ok(Outcome {
            version: plan.version.to_string(),
            tag: plan.tag.clone(),
            commit: None,
            source_date_epoch: None,
            files: plan.files(),
            push_command: plan.push_command(),
            warnings,
            plan_text: Some(plan.render()),
            push_error: None,
            pushed: false,
        });
    }
    let journal = plan.journal(&ctx);
    let files = ctx.journal();
    files
        .begin(&journal, &ctx.index_path())
        .map_err(UserError::refused)?;
    crate::report::trace("release: journal written");
    let mut outcome = finish(&ctx, &mut engine, &plan, &journal, &files, false)?;
    outcome.warnings = warnings;
    Ok(outcome)
}

/// Take the repository's release lock (see [`lock`]) before anything is read; `None`
/// outside a repository (the preflight then refuses anyway). A lock left by a release that
/// died before writing its journal is taken over with a line saying so; one whose journal
/// is in another worktree sends the user there.
fn take_lock() -> Result<Option<lock::Lock>, UserError> {
    let Some(repo) = crate::git::discover() else {
        return Ok(None);
    };
    let lock = lock::Lock::acquire(repo.commondir(), repo.path()).map_err(|e| {
        let hint = match &e {
            lock::LockError::Held { .. } => {
                "wait for it to finish (or stop it), then run this again"
            }
            lock::LockError::Io { .. } => "check the permissions of the git directory",
        };
        UserError::refused(e.to_string()).with_hint(hint)
    })?;
    if let Some(prev) = &lock.previous {
        let journal = JournalFiles::new(&prev.git_dir);
        let here = same_dir(&prev.git_dir, repo.path());
        if !journal.exists() {
            crate::report::note(&format!(
                "note: removed the release lock left by {}, which ended before it changed anything",
                prev.describe()
            ));
        } else if !here {
            return Err(UserError::refused(format!(
                "a release interrupted in another worktree ({}) left its journal at {}",
                prev.describe(),
                journal.path().display()
            ))
            .with_hint(format!(
                "in that worktree: git secure-release --abort (or --continue); its git directory is {}",
                prev.git_dir.display()
            )));
        }
    }
    Ok(Some(lock))
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// A test signature being made in another thread (see [`testsig::make`]).
type TestSignature = std::thread::JoinHandle<Result<Vec<u8>, testsig::SignFailure>>;

/// Start the throw-away test signature in the repository git would use here; `None` outside
/// a work tree (the preflight then refuses anyway).
fn start_test_signature() -> Option<TestSignature> {
    let repo = crate::git::discover()?;
    let workdir = repo.workdir()?.to_path_buf();
    let git_dir = repo.path().to_path_buf();
    let sha256 = crate::git::is_sha256(&repo);
    Some(std::thread::spawn(move || {
        let made = testsig::make(
            Some(&workdir),
            Some(&git_dir),
            sha256,
            testsig::time_limit(),
        );
        crate::report::trace("preflight: test signature made");
        made
    }))
}

/// Resolve the version, tag and files, and run every preflight check.
fn prepare(
    ctx: &Context,
    opts: &Options,
    test_signature: Option<TestSignature>,
) -> Result<(Plan, Vec<String>, Engine), UserError> {
    // Every format this release meets is known now: the configured one (the test signature,
    // the release commit and tag), HEAD's and the newest tag's. Without X.509, gpgme may
    // skip learning where gpgsm lives.
    let newest_format = ctx.newest_tag().and_then(|t| {
        let (kind, raw) = ctx.tag_oid(&t.name).and_then(|o| ctx.raw_typed(o))?;
        (kind == ObjectType::Tag).then(|| object::split_tag(&raw).format())?
    });
    let head = ctx
        .head
        .and_then(|h| ctx.raw(h))
        .map(|raw| object::split_commit(&raw, ctx.sha256()));
    let head_format = head.as_ref().and_then(|h| h.format());
    let configured_x509 = ctx
        .config
        .get("gpg.format")
        .is_some_and(|f| f.eq_ignore_ascii_case("x509"));
    if !configured_x509 && ![head_format, newest_format].contains(&Some(Format::X509)) {
        crate::signing::gpg::without_x509();
    }
    // The keyring the engine verifies HEAD, the newest tag and the test signature with is
    // learned in another thread, beside the test signature and the checks below.
    let mut engine = ctx.engine()?;
    if let Some(head) = &head {
        engine.preload(head);
    }
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let journal = ctx.journal();
    if journal.exists() {
        problems.push(Problem::new(
            format!("an interrupted release left its journal at {}", journal.path().display()),
            "git secure-release --abort (put the repository back) or git secure-release --continue (finish it)",
        ));
    }
    let branch = match (&ctx.branch, ctx.head) {
        (Some(b), Some(_)) => Some(b.clone()),
        (_, None) => {
            problems.push(Problem::new(
                "HEAD is unborn: the branch has no commit yet",
                "make a first commit, then release",
            ));
            None
        }
        (None, Some(_)) => {
            problems.push(Problem::new(
                "HEAD is detached: a release is made on a branch",
                "git switch <branch>",
            ));
            None
        }
    };
    let project = match &ctx.project {
        Ok(p) => Some(p),
        Err(e) => {
            problems.push(Problem::new(
                e.to_string(),
                e.hint()
                    .unwrap_or_else(|| "git secure-release version".into()),
            ));
            None
        }
    };
    let newest = ctx.newest_tag();
    let planned = project.and_then(|p| match plan::version(p, newest, &opts.target) {
        Ok(v) => Some((p, v)),
        Err(problem) => {
            problems.push(problem);
            None
        }
    });
    let prefix = opts
        .tag_prefix
        .clone()
        .unwrap_or_else(|| tags::tag_prefix(ctx.project_config().tag_prefix.as_deref(), newest));
    if let Err(why) = crate::git::refname::check_tag_prefix(&prefix) {
        problems.push(Problem::new(
            format!("tag prefix: {why}"),
            "choose a prefix such as v or release-",
        ));
    }
    let mut rewrites = Vec::new();
    let mut plan = None;
    let mut sources = None;
    if let Some((project, (new, edits))) = planned {
        let tag = format!("{prefix}{new}");
        if let Err(why) = crate::git::refname::check_tag_name(&tag) {
            problems.push(Problem::new(
                format!("the tag name {}: {why}", crate::report::value(&tag)),
                "choose a shorter or plainer --tag-prefix (or [tool.secure-release] tag-prefix)",
            ));
        } else if ctx.tag_oid(&tag).is_some() {
            problems.push(Problem::new(
                format!("tag {tag} already exists"),
                format!("release a greater version, or delete the tag if it was never published: git tag -d {tag}"),
            ));
        }
        let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let rel = canonical(&project.root)
            .strip_prefix(canonical(&ctx.workdir))
            .unwrap_or(Path::new(""))
            .to_path_buf();
        rewrites = edits
            .iter()
            .map(|e| {
                let p = rel.join(&e.file);
                p.to_string_lossy().replace('\\', "/")
            })
            .collect();
        let (template, message_key) = match (&opts.message, &project.config.message) {
            (Some(m), _) => (m.clone(), opts.message_from.to_owned()),
            (None, Some(m)) => (m.clone(), "[tool.secure-release] message".to_owned()),
            (None, None) => ("Release {version}".to_owned(), "the default".to_owned()),
        };
        let message = template.replace("{version}", &new.to_string());
        let (remote, remote_key) = push_remote(ctx, opts, project, branch.as_deref());
        sources = Some(inputs::Sources {
            remote: remote_key,
            message: message_key,
        });
        plan = Some(Plan {
            old: project
                .version_text
                .clone()
                .or_else(|| newest.map(|t| t.version.to_string())),
            version: new,
            edits,
            rewrites: rewrites.clone(),
            message: message.clone(),
            tag,
            tag_message: message,
            branch: branch.clone().unwrap_or_default(),
            remote,
            push: opts.push.is_some() || project.config.push.is_some(),
            no_verify: opts.no_verify,
            dirty: Vec::new(),
        });
    }
    let (dirty_problems, dirty) = preflight::dirty(ctx, opts.allow_dirty, &rewrites);
    problems.extend(dirty_problems);
    if let Some(plan) = plan.as_mut() {
        plan.dirty = dirty;
    }
    if let (Some(plan), Some(sources)) = (&plan, &sources) {
        problems.extend(inputs::check(ctx, plan, sources));
    }
    if let Some(b) = &branch {
        problems.extend(preflight::branch(ctx, b));
    }
    crate::report::trace("preflight: work tree and branch checked");
    let (sig_problems, sig_warnings) = preflight::signatures(ctx, &mut engine, opts.allow_unsigned);
    crate::report::trace("preflight: HEAD and the newest tag verified");
    problems.extend(sig_problems);
    warnings.extend(sig_warnings);
    problems.extend(preflight::signing(ctx, test_signature, &mut engine));
    crate::report::trace("preflight: signing set-up checked");
    match plan {
        Some(plan) if problems.is_empty() => Ok((plan, warnings, engine)),
        _ => Err(refuse(problems)),
    }
}

/// The remote a push goes to, and the key that named it: `--push REMOTE`, else
/// `[tool.secure-release] push`, else the branch's upstream remote, else `origin`.
fn push_remote(
    ctx: &Context,
    opts: &Options,
    project: &Project,
    branch: Option<&str>,
) -> (String, String) {
    if let Some(remote) = opts.push.clone().flatten().filter(|r| !r.is_empty()) {
        return (remote, "--push".to_owned());
    }
    if let Some(remote) = &project.config.push {
        return (remote.clone(), "[tool.secure-release] push".to_owned());
    }
    if let Some(b) = branch {
        let key = format!("branch.{b}.remote");
        if let Some(remote) = ctx.config.get(&key) {
            return (remote.to_owned(), key);
        }
    }
    ("origin".to_owned(), "the default remote".to_owned())
}

/// Steps 2–6 from the journal: write, commit, tag, post-check, record. On failure, undo.
/// `resume` continues an interrupted release, skipping what is already done.
fn finish(
    ctx: &Context,
    engine: &mut Engine,
    plan: &Plan,
    journal: &Journal,
    files: &JournalFiles,
    resume: bool,
) -> Result<Outcome, UserError> {
    let repo = transaction::Repo {
        git: &ctx.git,
        workdir: &ctx.workdir,
        index: ctx.index_path(),
    };
    match apply(ctx, engine, plan, journal, resume) {
        Ok((commit, epoch)) => {
            files.finish().map_err(UserError::refused)?;
            let mut outcome = Outcome {
                version: plan.version.to_string(),
                tag: plan.tag.clone(),
                commit: Some(commit.to_string()),
                source_date_epoch: Some(epoch),
                files: plan.files(),
                push_command: plan.push_command(),
                warnings: Vec::new(),
                plan_text: None,
                push_error: None,
                pushed: false,
            };
            record(&outcome)?;
            if plan.push {
                let args: Vec<&str> = outcome
                    .push_command
                    .iter()
                    .skip(1)
                    .map(String::as_str)
                    .collect();
                match ctx.git.run(&args) {
                    Ok(_) => outcome.pushed = true,
                    Err(e) => outcome.push_error = Some(e.to_string()),
                }
            }
            Ok(outcome)
        }
        Err(failure) => {
            let undone = transaction::undo(&repo, files, journal);
            let message = match undone {
                Ok(()) => format!("the release failed: {}\n  nothing was changed: the repository is as it was", failure.message),
                Err(e) => format!(
                    "the release failed: {}\n  and putting the repository back failed too: {e}\n  the journal {} is kept",
                    failure.message,
                    files.path().display()
                ),
            };
            Err(UserError::refused(message).with_hint(failure.hint))
        }
    }
}

/// A failed step: what went wrong and what to do.
struct StepFailure {
    message: String,
    hint: String,
}

fn step<T>(what: &str, r: Result<T, impl std::fmt::Display>, hint: &str) -> Result<T, StepFailure> {
    r.map_err(|e| StepFailure {
        message: format!("{what}: {e}"),
        hint: hint.to_owned(),
    })
}

/// Write the files, commit, tag, and verify both. Returns the release commit and its time.
fn apply(
    ctx: &Context,
    engine: &mut Engine,
    plan: &Plan,
    journal: &Journal,
    resume: bool,
) -> Result<(Oid, i64), StepFailure> {
    let git = &ctx.git;
    let original = Oid::from_str(&journal.head).map_err(|e| StepFailure {
        message: format!("the journal names a bad commit: {e}"),
        hint: "git secure-release --abort".into(),
    })?;
    let tip = rev(&ctx.repo, &journal.branch_ref).unwrap_or(original);
    let committed = resume && tip != original;
    let commit = if journal.commit_message.is_none() {
        original
    } else if committed {
        tip
    } else {
        for f in &journal.files {
            step(
                &format!("writing {}", f.path),
                std::fs::write(ctx.workdir.join(&f.path), &f.new),
                "check the file's permissions",
            )?;
        }
        let paths: Vec<&str> = journal.files.iter().map(|f| f.path.as_str()).collect();
        // `git commit -- <paths>` stages and commits exactly these files' work-tree bytes, as
        // `git add` would (the preflight made sure git tracks every one). The message goes
        // through a file: any size, never an argument.
        let message = message_file(journal.commit_message.as_deref().unwrap_or_default())?;
        let message_path = message.path().to_string_lossy().into_owned();
        // Paths are names, never pathspec magic (a file named `*` or `:(glob)…`).
        let mut commit = vec![
            "--literal-pathspecs",
            "commit",
            "-q",
            "-S",
            "--cleanup=whitespace",
            "-F",
            message_path.as_str(),
        ];
        if journal.no_verify {
            commit.push("--no-verify");
        }
        commit.push("--");
        commit.extend(&paths);
        step(
            "the signed release commit",
            git.run(&commit),
            "run `git secure-release doctor`; a hook that refused can be skipped with --no-verify",
        )?;
        rev(&ctx.repo, "HEAD").ok_or_else(|| StepFailure {
            message: "the release commit is not found after committing".into(),
            hint: "git log -1".into(),
        })?
    };
    let epoch = ctx
        .repo
        .find_commit(commit)
        .map(|c| c.committer().when().seconds())
        .map_err(|e| StepFailure {
            message: format!("cannot read the release commit: {}", e.message()),
            hint: "git log -1".into(),
        })?;
    let tag_message = format!(
        "{}\n\nSource-Date-Epoch: {epoch}\n",
        journal.tag_message.trim_end()
    );
    let tagged = resume && rev(&ctx.repo, &format!("refs/tags/{}", journal.tag)).is_some();
    if !tagged {
        let message = message_file(&tag_message)?;
        step(
            "the signed tag",
            git.run(&[
                "tag",
                "-s",
                "--cleanup=whitespace",
                "-F",
                &message.path().to_string_lossy(),
                "--",
                &journal.tag,
                &commit.to_string(),
            ]),
            "run `git secure-release doctor` to see why signing fails",
        )?;
    }
    crate::report::trace("release: tagged");
    post_check(ctx, engine, plan, commit)?;
    crate::report::trace("release: post-check passed");
    Ok((commit, epoch))
}

/// A temporary file holding `text`, for git's `-F`.
fn message_file(text: &str) -> Result<tempfile::NamedTempFile, StepFailure> {
    use std::io::Write as _;
    let mut file = step(
        "the message file",
        tempfile::Builder::new().prefix("gsr-message").tempfile(),
        "check that TMPDIR is writable",
    )?;
    step(
        "the message file",
        file.write_all(text.as_bytes()).and_then(|()| file.flush()),
        "check that TMPDIR is writable and has room",
    )?;
    Ok(file)
}

/// Verify the release commit (when one was made) and tag like `verify` does.
fn post_check(
    ctx: &Context,
    engine: &mut Engine,
    plan: &Plan,
    commit: Oid,
) -> Result<(), StepFailure> {
    let fail = |what: String| StepFailure {
        message: format!("post-check: {what}"),
        hint: "run `git secure-release doctor`; the signature git made does not verify".into(),
    };
    if plan.commits() {
        let raw = ctx
            .raw(commit)
            .ok_or_else(|| fail("the release commit cannot be read".into()))?;
        let v = engine
            .verify(&object::split_commit(&raw, ctx.sha256()))
            .map_err(|e| fail(e.to_string()))?;
        if !v.status.passes() {
            return Err(fail(format!(
                "the release commit is {} ({})",
                v.status, v.message
            )));
        }
    }
    let oid = rev(&ctx.repo, &format!("refs/tags/{}", plan.tag))
        .ok_or_else(|| fail(format!("tag {} is not found", plan.tag)))?;
    let raw = ctx
        .raw(oid)
        .ok_or_else(|| fail("the tag cannot be read".into()))?;
    let signed = object::split_tag(&raw);
    let v = engine.verify(&signed).map_err(|e| fail(e.to_string()))?;
    if !v.status.passes() {
        return Err(fail(format!(
            "tag {} is {} ({})",
            plan.tag, v.status, v.message
        )));
    }
    if signed.tag_name.as_deref() != Some(plan.tag.as_str()) {
        return Err(fail(format!(
            "tag {} names itself {:?}",
            plan.tag, signed.tag_name
        )));
    }
    Ok(())
}

/// What a ref (or HEAD) points at, read through git2 (no process).
fn rev(repo: &Repository, name: &str) -> Option<Oid> {
    repo.refname_to_id(name).ok()
}

/// Append to `$GITHUB_ENV` and `$GITHUB_OUTPUT` when they name files.
fn record(outcome: &Outcome) -> Result<(), UserError> {
    let epoch = outcome.source_date_epoch.unwrap_or_default();
    let append = |var: &str, text: String| -> Result<(), UserError> {
        let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) else {
            return Ok(());
        };
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(|e| {
                UserError::refused(format!(
                    "the release is made, but {var} ({}) cannot be written: {e}",
                    Path::new(&path).display()
                ))
            })
    };
    append("GITHUB_ENV", format!("SOURCE_DATE_EPOCH={epoch}\n"))?;
    append(
        "GITHUB_OUTPUT",
        format!(
            "version={}\ntag={}\nsource-date-epoch={epoch}\n",
            outcome.version, outcome.tag
        ),
    )
}

/// The interrupted release's journal, for `--abort` or `--continue` (`what`), checked safe
/// to act on: the branch is where the release left it.
fn interrupted(
    what: &str,
) -> Result<(Option<lock::Lock>, Context, JournalFiles, Journal), UserError> {
    let lock = take_lock()?;
    let ctx = Context::resolve()?;
    let files = ctx.journal();
    if !files.exists() {
        return Err(
            UserError::refused(format!("there is no interrupted release to {what}"))
                .with_hint("git secure-release <version> starts one"),
        );
    }
    let journal = files.read().map_err(UserError::refused)?;
    check_branch_unmoved(&ctx, &journal)?;
    Ok((lock, ctx, files, journal))
}

/// `--abort`: put the repository back as it was before the interrupted release.
pub fn abort() -> Result<String, UserError> {
    let (_lock, ctx, files, journal) = interrupted("abort")?;
    let repo = transaction::Repo {
        git: &ctx.git,
        workdir: &ctx.workdir,
        index: ctx.index_path(),
    };
    transaction::undo(&repo, &files, &journal)
        .map_err(|e| UserError::refused(format!("putting the repository back failed: {e}")))?;
    Ok(format!(
        "the interrupted release of {} is undone: the repository is as it was before it",
        journal.version
    ))
}

/// `--continue`: finish the interrupted release from where it stopped.
pub fn resume() -> Result<Outcome, UserError> {
    let (_lock, ctx, files, journal) = interrupted("continue")?;
    let plan = Plan::from_journal(&ctx, &journal)?;
    let mut engine = ctx.engine()?;
    finish(&ctx, &mut engine, &plan, &journal, &files, true)
}

/// The branch must be where the release left it: at its old commit, or at a release commit
/// made on top of it.
fn check_branch_unmoved(ctx: &Context, journal: &Journal) -> Result<(), UserError> {
    let tip = rev(&ctx.repo, &journal.branch_ref);
    let original = Oid::from_str(&journal.head).ok();
    let ok = match (tip, original) {
        (Some(t), Some(o)) if t == o => true,
        (Some(t), Some(o)) => ctx
            .repo
            .find_commit(t)
            .is_ok_and(|c| c.parent_count() == 1 && c.parent_id(0).ok() == Some(o)),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(UserError::refused(format!(
            "{} has moved on since the interrupted release (it was at {}), so it cannot be undone or finished safely",
            journal.branch_ref, journal.head
        ))
        .with_hint(format!("sort it out by hand, then remove {}", ctx.journal().path().display())))
    }
}

/// Parse the target the user typed, for the command line.
pub fn target(text: &str, pre: Option<version::PreKind>) -> Result<Target, UserError> {
    Target::parse(text, pre).map_err(UserError::usage)
}

/// The journal a plan writes before its first change.
impl Plan {
    fn journal(&self, ctx: &Context) -> Journal {
        Journal {
            version: self.version.to_string(),
            branch_ref: format!("refs/heads/{}", self.branch),
            head: ctx.head.map(|h| h.to_string()).unwrap_or_default(),
            files: self
                .edits
                .iter()
                .zip(&self.rewrites)
                .map(|(e, path)| FileChange {
                    path: path.clone(),
                    old: e.old.clone(),
                    new: e.new.clone(),
                })
                .collect(),
            commit_message: self.commits().then(|| self.message.clone()),
            no_verify: self.no_verify,
            dirty: self.dirty.clone(),
            tag: self.tag.clone(),
            tag_message: self.tag_message.clone(),
        }
    }

    fn from_journal(ctx: &Context, j: &Journal) -> Result<Plan, UserError> {
        let version = version::parse(&j.version).map_err(UserError::refused)?;
        let branch = j.branch_ref.trim_start_matches("refs/heads/").to_owned();
        let remote = ctx
            .config
            .get(&format!("branch.{branch}.remote"))
            .unwrap_or("origin")
            .to_owned();
        Ok(Plan {
            old: None,
            version,
            edits: j
                .files
                .iter()
                .map(|f| crate::project::FileEdit {
                    file: f.path.clone(),
                    old: f.old.clone(),
                    new: f.new.clone(),
                })
                .collect(),
            rewrites: j.files.iter().map(|f| f.path.clone()).collect(),
            message: j.commit_message.clone().unwrap_or_default(),
            tag: j.tag.clone(),
            tag_message: j.tag_message.clone(),
            branch,
            remote,
            push: false,
            no_verify: j.no_verify,
            dirty: j.dirty.clone(),
        })
    }
}
