//! `doctor`'s checks (contract §2.2): each a stable id, a status, a message and the exact
//! command that fixes it. The signing checks are also the release's preflight.

pub mod advice;
pub mod fix;
mod practice;
mod repo;
mod signing;
mod ssh_key;
mod yaml;

use std::path::PathBuf;

use crate::git::config::GitConfig;
use crate::git::runner::Git;

pub use signing::{resolve_format, SigningSetup};

/// A check's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
    Skip,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "fail",
            CheckStatus::Skip => "skip",
        }
    }
}

/// One line of the doctor's report.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    pub id: &'static str,
    pub status: CheckStatus,
    pub message: String,
    /// The command that fixes it (empty when nothing needs fixing).
    pub hint: String,
}

impl Check {
    pub fn pass(id: &'static str, message: impl Into<String>) -> Check {
        Check {
            id,
            status: CheckStatus::Pass,
            message: message.into(),
            hint: String::new(),
        }
    }
    pub fn fail(id: &'static str, message: impl Into<String>, hint: impl Into<String>) -> Check {
        Check {
            id,
            status: CheckStatus::Fail,
            message: message.into(),
            hint: hint.into(),
        }
    }
    pub fn warn(id: &'static str, message: impl Into<String>, hint: impl Into<String>) -> Check {
        Check {
            id,
            status: CheckStatus::Warn,
            message: message.into(),
            hint: hint.into(),
        }
    }
    pub fn skip(id: &'static str, message: impl Into<String>) -> Check {
        Check {
            id,
            status: CheckStatus::Skip,
            message: message.into(),
            hint: String::new(),
        }
    }
}

/// What the checks read: git's configuration where the command runs, and the repository.
pub struct World {
    pub git: Git,
    pub config: GitConfig,
    pub repo: Option<crate::git::Repository>,
    /// The folder the command runs in.
    pub cwd: PathBuf,
    /// Whether `--global` was asked for (the scope fixes and hints name).
    pub global: bool,
}

impl World {
    /// Read the world once: the repository if there is one, and git's configuration there.
    pub fn resolve(global: bool) -> Result<World, crate::error::UserError> {
        let cwd = std::env::current_dir().map_err(|e| {
            crate::error::UserError::refused(format!("cannot read the current folder: {e}"))
        })?;
        let repo = crate::git::discover_checked()?;
        let dir = repo
            .as_ref()
            .and_then(|r| r.workdir().map(PathBuf::from))
            .unwrap_or_else(|| cwd.clone());
        let git = Git::new(&dir);
        let config = GitConfig::load(&git).unwrap_or_default();
        Ok(World {
            git,
            config,
            repo,
            cwd,
            global,
        })
    }

    /// `git config` or `git config --global`, as the hints should say it.
    pub fn config_cmd(&self) -> &'static str {
        if self.global || self.repo.is_none() {
            "git config --global"
        } else {
            "git config"
        }
    }
}

/// Every check of the contract's table, in its order, then the practice warnings.
pub fn run_all(world: &World) -> Vec<Check> {
    let mut checks = signing::checks(world);
    checks.extend(repo::checks(world));
    checks.extend(practice::checks(world));
    checks
}

/// The signing checks alone (the release's preflight uses these).
pub fn signing_checks(world: &World) -> Vec<Check> {
    signing::checks(world)
}

pub use signing::{
    checks_but_test as signing_checks_but_test, checks_from_config as signing_checks_from_config,
    judge_test_signature,
};
