//! The push after a release: which remote (and the key that named it), and the command,
//! with full ref names so that a tag named like a branch is never ambiguous.

use super::context::Context;
use super::{Options, Plan};
use crate::project::Project;

/// The remote a push goes to, and the key that named it: `--push REMOTE`, else
/// `[tool.secure-release] push`, else the branch's upstream remote, else `origin`.
pub fn remote(
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

/// `git push --atomic <remote> refs/heads/<branch> refs/tags/<tag>`.
pub fn command(plan: &Plan) -> Vec<String> {
    vec![
        "git".to_owned(),
        "push".to_owned(),
        "--atomic".to_owned(),
        plan.remote.clone(),
        format!("refs/heads/{}", plan.branch),
        format!("refs/tags/{}", plan.tag),
    ]
}

/// Run the push; a refusal is git's message.
pub fn run(ctx: &Context, plan: &Plan) -> Result<(), String> {
    let words = command(plan);
    let args: Vec<&str> = words.iter().skip(1).map(String::as_str).collect();
    ctx.git.run(&args).map(|_| ()).map_err(|e| e.to_string())
}
