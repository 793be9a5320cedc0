//! The one error a user sees: what was wrong, where, the hint that fixes it, and the exit code.
//!
//! Modules keep typed errors of their own (`thiserror`); each converts into a [`UserError`]
//! at the edge, which `main` prints as uv does (`error:` then `hint:`) and maps to an exit code.

use std::fmt;

/// Exit code 1: a check failed or the work was refused.
pub const EXIT_REFUSED: u8 = 1;
/// Exit code 2: the command line was wrong.
pub const EXIT_USAGE: u8 = 2;

/// An error with everything the user needs to act on it.
#[derive(Debug)]
pub struct UserError {
    pub message: String,
    pub hint: Option<String>,
    pub code: u8,
    /// Each problem of a refused release, with its fix (`--json` lists them).
    pub problems: Vec<(String, String)>,
    /// The command's own report, already printed, carries this verdict (`verify`, `doctor`):
    /// with `--json` no second object is printed.
    pub reported: bool,
}

impl UserError {
    /// The work was refused (exit 1).
    pub fn refused(message: impl Into<String>) -> Self {
        UserError {
            message: message.into(),
            hint: None,
            code: EXIT_REFUSED,
            problems: Vec::new(),
            reported: false,
        }
    }

    /// The command line was wrong (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        UserError {
            message: message.into(),
            hint: None,
            code: EXIT_USAGE,
            problems: Vec::new(),
            reported: false,
        }
    }

    /// The verdict of a report already printed (see [`UserError::reported`]).
    pub fn reported(mut self) -> Self {
        self.reported = true;
        self
    }

    /// The failure as `--json` prints it (contract §4): `{"ok": false, "error": {"message",
    /// "hint"}}`, with `"problems"` for a refused release.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "ok": false,
            "error": {"message": self.message, "hint": self.hint},
        });
        if !self.problems.is_empty() {
            v["problems"] = self
                .problems
                .iter()
                .map(|(message, hint)| serde_json::json!({"message": message, "hint": hint}))
                .collect();
        }
        v
    }

    /// Attach the hint that fixes it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

impl From<crate::project::ProjectError> for UserError {
    fn from(e: crate::project::ProjectError) -> Self {
        let hint = e.hint();
        UserError {
            hint,
            ..UserError::refused(e.to_string())
        }
    }
}

impl From<crate::version::BumpError> for UserError {
    fn from(e: crate::version::BumpError) -> Self {
        UserError::refused(e.to_string()).with_hint(e.hint())
    }
}
