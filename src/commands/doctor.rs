//! `git secure-release doctor` (contract §2.2): is signing set up and working, with the
//! exact fix for each problem; `--fix` applies the safe ones and checks again.

use crate::doctor::{self, Check, CheckStatus, World};
use crate::error::UserError;
use crate::report::{self, CYAN, GREEN, RED, YELLOW};

#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// Print one JSON object: {"ok", "checks": [{"id", "status", "message", "hint"}]}.
    #[arg(long)]
    pub json: bool,

    /// Apply the safe fixes (commit.gpgsign, tag.gpgSign, user.signingkey when exactly one
    /// usable secret key matches user.email) to the repository's configuration, then check again.
    #[arg(long)]
    pub fix: bool,

    /// With --fix, write your own (global) git configuration instead of the repository's.
    #[arg(long, requires = "fix")]
    pub global: bool,
}

#[derive(Debug, serde::Serialize)]
struct Report<'a> {
    ok: bool,
    checks: &'a [Check],
}

pub fn run(args: &DoctorArgs) -> anyhow::Result<()> {
    let mut world = World::resolve(args.global)?;
    if args.fix {
        let fixed = doctor::fix::apply(&world).map_err(|e| {
            UserError::refused(e).with_hint("git secure-release doctor --fix --global")
        })?;
        for change in &fixed.changed {
            report::note(&format!("fixed: {change}"));
        }
        for refusal in &fixed.refused {
            report::warn(&format!("not fixed: {refusal}"));
        }
        if fixed.changed.is_empty() && fixed.refused.is_empty() {
            report::note("nothing to fix");
        }
        // Read the configuration again: the checks must see what was just written.
        world = World::resolve(args.global)?;
    }
    let checks = doctor::run_all(&world);
    let ok = !checks.iter().any(|c| c.status == CheckStatus::Fail);
    if args.json {
        report::json(&Report {
            ok,
            checks: &checks,
        })?;
    } else {
        report::out(&render(&checks))?;
    }
    if ok {
        Ok(())
    } else {
        let failed: Vec<&str> = checks
            .iter()
            .filter(|c| c.status == CheckStatus::Fail)
            .map(|c| c.id)
            .collect();
        Err(UserError::refused(format!("{} checks failed: {}", failed.len(), failed.join(", ")))
            .with_hint("run the hint under each failed check; `git secure-release doctor --fix` applies the safe ones")
            .reported()
            .into())
    }
}

fn render(checks: &[Check]) -> String {
    let mut text = String::new();
    for c in checks {
        let style = match c.status {
            CheckStatus::Pass => GREEN,
            CheckStatus::Warn => YELLOW,
            CheckStatus::Fail => RED,
            CheckStatus::Skip => CYAN,
        };
        text.push_str(&format!(
            "{} {:<29} {}\n",
            report::paint(style, &format!("{:<4}", c.status.as_str())),
            c.id,
            report::value(&c.message)
        ));
        if !c.hint.is_empty() && matches!(c.status, CheckStatus::Fail | CheckStatus::Warn) {
            text.push_str(&format!(
                "     {:<29} {} {}\n",
                "",
                report::paint(CYAN, "fix:"),
                report::value(&c.hint)
            ));
        }
    }
    text
}
