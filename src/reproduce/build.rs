//! The build: which command (`--build CMD`, else `python3 -m build` where the `build` module
//! imports, else `uv build`), the environment it runs in (the user's, without the variables
//! that change a build behind its back, with SOURCE_DATE_EPOCH and a backend pin), and the
//! wheels and sdists it leaves in `dist/`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::checkout;
use super::expect::{is_artifact, sha256_hex};
use crate::error::UserError;
use crate::process::Cmd;

/// Which frontend runs, which decides the variable a pin goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Frontend {
    /// `python -m build` (pip installs the backend: `PIP_CONSTRAINT`).
    Build,
    /// `uv build` (`UV_BUILD_CONSTRAINT`; uv ignores `PIP_CONSTRAINT`).
    Uv,
    /// Any other command: both variables are set.
    Other,
}

impl Frontend {
    pub fn pin_variables(self) -> &'static [&'static str] {
        match self {
            Frontend::Build => &["PIP_CONSTRAINT"],
            Frontend::Uv => &["UV_BUILD_CONSTRAINT"],
            Frontend::Other => &["PIP_CONSTRAINT", "UV_BUILD_CONSTRAINT"],
        }
    }
}

/// The build command and the environment it runs in.
#[derive(Debug)]
pub struct Builder {
    pub argv: Vec<String>,
    pub frontend: Frontend,
    /// The Python that builds: its version and path, when one is known.
    pub python: Option<String>,
    /// Variables removed from the build's environment, by name.
    pub removed: Vec<String>,
    epoch: i64,
    /// The constraint file that pins the backend, when one does.
    constraints: Option<PathBuf>,
}

/// One wheel or sdist a build made.
#[derive(Clone, Debug)]
pub struct Artifact {
    pub name: String,
    pub sha256: String,
    pub path: PathBuf,
}

/// A build may run this long before it is stopped.
const BUILD_LIMIT: Duration = Duration::from_secs(3600);

/// Whether a variable changes a build behind its back (contract §2.5).
fn changes_builds(key: &str) -> bool {
    key.starts_with("SETUPTOOLS_SCM_PRETEND_VERSION")
        || matches!(key, "PYTHONPATH" | "PYTHONHOME" | "SOURCE_DATE_EPOCH")
        || checkout::GIT_ENV.contains(&key)
}

/// Split `--build CMD` into words: blanks separate them, single and double quotes group
/// (with `\` escaping in double quotes). No shell ever sees it.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let (mut words, mut word, mut quote, mut started) = (Vec::new(), String::new(), None, false);
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            (None, '\'' | '"') => (quote, started) = (Some(c), true),
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                word.extend(chars.next());
                started = true;
            }
            (_, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if quote.is_some() {
        return Err("a quote is not closed".to_owned());
    }
    if started {
        words.push(word);
    }
    Ok(words)
}

impl Builder {
    /// The build command to use, or an error saying what to install.
    pub fn choose(given: Option<&str>, epoch: i64) -> Result<Builder, UserError> {
        let mut b = Builder {
            argv: Vec::new(),
            frontend: Frontend::Other,
            python: None,
            removed: std::env::vars_os()
                .filter_map(|(k, _)| k.into_string().ok())
                .filter(|k| changes_builds(k))
                .filter(|k| {
                    k != "SOURCE_DATE_EPOCH" || std::env::var(k).ok() != Some(epoch.to_string())
                })
                .collect(),
            epoch,
            constraints: None,
        };
        b.removed.sort();
        if let Some(line) = given {
            b.argv = split_words(line)
                .ok()
                .filter(|w| !w.is_empty())
                .ok_or_else(|| UserError::usage(format!("--build {}: not a command", crate::report::value(line)))
                    .with_hint("--build 'uv build' or --build 'python3 -m build --sdist --wheel' (words split as a shell would, but no shell runs)"))?;
            // A bare name must be on PATH now, before two checkouts are made for nothing
            // (a path is the checkout's, so it is looked for there).
            if !b.argv[0].contains('/') && which::which(&b.argv[0]).is_err() {
                return Err(UserError::refused(format!(
                    "--build {}: there is no program {} on PATH",
                    crate::report::value(line),
                    crate::report::value(&b.argv[0])
                ))
                .with_hint("install it, or name the command by its path; with no --build, python3 -m build (or uv build) is used"));
            }
            let program = Path::new(&b.argv[0]).file_name().unwrap_or_default();
            b.frontend = if program == "uv" {
                Frontend::Uv
            } else if b.argv.windows(2).any(|w| w == ["-m", "build"]) {
                Frontend::Build
            } else {
                Frontend::Other
            };
            b.python = b.python_on_path();
            return Ok(b);
        }
        for name in ["python3", "python"] {
            let Ok(python) = which::which(name) else {
                continue;
            };
            if b.cmd(&python, &["-c", "import build"])
                .run()
                .is_ok_and(|o| o.ok())
            {
                b.python = b.python_of(&python);
                b.argv = vec![
                    python.to_string_lossy().into_owned(),
                    "-m".into(),
                    "build".into(),
                ];
                b.frontend = Frontend::Build;
                return Ok(b);
            }
        }
        if let Ok(uv) = which::which("uv") {
            b.python = b.python_on_path();
            b.argv = vec![uv.to_string_lossy().into_owned(), "build".into()];
            b.frontend = Frontend::Uv;
            return Ok(b);
        }
        Err(UserError::refused("no build command: neither Python's `build` module (python3 -m build) nor `uv` is installed")
            .with_hint("install one: `python3 -m pip install build`, or uv (https://docs.astral.sh/uv/); or name the command: --build CMD"))
    }

    /// Pin the backend through the frontend's constraint variable.
    pub fn pin(&mut self, requirements: &[String], folder: &Path) -> Result<(), UserError> {
        let file = folder.join("constraints.txt");
        std::fs::write(&file, format!("{}\n", requirements.join("\n")))
            .map_err(|e| super::temp_error(&format!("write {}", file.display()), &e))?;
        self.constraints = Some(file);
        Ok(())
    }

    /// The first of `python3`, `python` that runs: the Python a build command other than
    /// `python -m build` most likely uses.
    fn python_on_path(&self) -> Option<String> {
        ["python3", "python"]
            .iter()
            .find_map(|p| self.python_of(Path::new(p)))
    }

    fn python_of(&self, python: &Path) -> Option<String> {
        let out = self
            .cmd(
                python,
                &[
                    "-c",
                    "import sys; print(sys.version.split()[0], sys.executable)",
                ],
            )
            .run()
            .ok()
            .filter(|o| o.ok())?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let (version, path) = text.split_once(' ').unwrap_or((&text, ""));
        Some(format!("Python {version} ({path})"))
    }

    /// `program ARGS` in the build's environment.
    fn cmd(&self, program: &Path, args: &[&str]) -> Cmd {
        let mut cmd = checkout::isolated(Cmd::new(program).args(args));
        for key in &self.removed {
            cmd = cmd.env_remove(key);
        }
        cmd = cmd.env("SOURCE_DATE_EPOCH", self.epoch.to_string());
        if let Some(file) = &self.constraints {
            for key in self.frontend.pin_variables() {
                cmd = cmd.env(key, file);
            }
        }
        cmd
    }

    /// Build the project in `dir`, its output in `log`; the wheels and sdists it made.
    pub fn build(&self, dir: &Path, log: &Path) -> Result<Vec<Artifact>, UserError> {
        let before = artifacts(&dir.join("dist"));
        let words: Vec<&str> = self.argv[1..].iter().map(String::as_str).collect();
        let cmd = self
            .cmd(Path::new(&self.argv[0]), &words)
            .dir(dir)
            .log_to(log)
            .deadline(BUILD_LIMIT);
        let shown = crate::report::shell_line(&self.argv);
        let failed = |why: String| {
            UserError::refused(format!("the build `{shown}` {why}{}", tail(log)))
                .with_hint(format!("its whole output is in {}", log.display()))
        };
        match cmd.run() {
            Err(e) if e.not_found() => {
                return Err(UserError::refused(format!("cannot run the build: {e}"))
                    .with_hint("install it, or name another build command with --build CMD"))
            }
            Err(e) => return Err(failed(format!("did not finish: {e}"))),
            Ok(out) if !out.ok() => return Err(failed(format!("failed ({})", out.status))),
            Ok(_) => {}
        }
        let started = std::time::Instant::now();
        let made: Vec<Artifact> = artifacts(&dir.join("dist"))
            .into_iter()
            .filter(|a| {
                !before
                    .iter()
                    .any(|b| b.name == a.name && b.sha256 == a.sha256)
            })
            .collect();
        crate::report::trace(format_args!(
            "reproduce: hashed {} files in {:.1} ms",
            made.len(),
            started.elapsed().as_secs_f64() * 1000.0
        ));
        if made.is_empty() {
            return Err(failed("made no wheel or sdist in dist/".to_owned()));
        }
        Ok(made)
    }
}

/// The wheels and sdists in `dist`, by name.
fn artifacts(dist: &Path) -> Vec<Artifact> {
    let Ok(entries) = std::fs::read_dir(dist) else {
        return Vec::new();
    };
    let mut out: Vec<Artifact> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if !is_artifact(&name) {
                return None;
            }
            let bytes = std::fs::read(e.path()).ok()?;
            Some(Artifact {
                sha256: sha256_hex(&bytes),
                name,
                path: e.path(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The last lines of a build log, indented under the message.
fn tail(log: &Path) -> String {
    let text = std::fs::read(log).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(15);
    if start == lines.len() {
        return String::new();
    }
    let shown: Vec<String> = lines[start..]
        .iter()
        .map(|l| format!("\n    {}", crate::report::value(l)))
        .collect();
    format!("; its last lines:{}", shown.concat())
}

#[cfg(test)]
mod tests {
    use super::split_words;

    #[test]
    fn words_split_like_a_shell_without_one() {
        assert_eq!(split_words("uv build").unwrap(), ["uv", "build"]);
        assert_eq!(
            split_words(r#"python3 -m build --config-setting "a b" 'c"d' e\ f """#).unwrap(),
            [
                "python3",
                "-m",
                "build",
                "--config-setting",
                "a b",
                "c\"d",
                "e f",
                ""
            ]
        );
        assert_eq!(
            split_words("echo $(rm -rf /); x").unwrap(),
            ["echo", "$(rm", "-rf", "/);", "x"]
        );
        assert!(split_words("uv 'build").is_err());
        assert!(split_words("   ").unwrap().is_empty());
    }
}
