//! The one output path: data to stdout (text or JSON), warnings, errors and hints to
//! stderr. Colour comes from `anstream`, which drops it when the stream is not a terminal;
//! `main` turns it off for `NO_COLOR` and `--color never`.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use crate::error::UserError;

pub const BOLD: Style = Style::new().bold();
pub const RED: Style = AnsiColor::Red.on_default().bold();
pub const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
pub const GREEN: Style = AnsiColor::Green.on_default().bold();
pub const CYAN: Style = AnsiColor::Cyan.on_default().bold();

/// Write `text` to stdout as is.
pub fn out(text: &str) -> io::Result<()> {
    let mut stdout = anstream::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// Write bytes to stdout exactly as they are (no colour processing).
pub fn raw(bytes: &[u8]) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(bytes)?;
    stdout.flush()
}

/// Write `value` to stdout as one JSON object on one line.
pub fn json<T: serde::Serialize>(value: &T) -> io::Result<()> {
    // Written as it is serialised: a report of many thousand results is never held twice.
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    serde_json::to_writer(&mut stdout, value)?;
    stdout.write_all(b"\n")?;
    stdout.flush()
}

/// Write each piece of text to stdout as it comes, buffered (colour as in [`out`]).
pub fn out_each(pieces: impl IntoIterator<Item = String>) -> io::Result<()> {
    let mut stdout = io::BufWriter::new(anstream::stdout().lock());
    for piece in pieces {
        stdout.write_all(piece.as_bytes())?;
    }
    stdout.flush()
}

/// `text` in `style` (the style is dropped later where colour is off).
pub fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// Print an error the way uv does: `error:` with the message, then `hint:`.
pub fn error(e: &UserError) {
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(stderr, "{} {}", paint(RED, "error:"), e.message);
    if let Some(hint) = &e.hint {
        let _ = writeln!(stderr, "  {} {}", paint(CYAN, "hint:"), hint);
    }
}

/// When the program started, for the times on trace lines.
static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Note the program's start (called first thing in `main`).
pub fn start_clock() {
    START.get_or_init(std::time::Instant::now);
}

/// Whether the user asked for trace lines (`GIT_SECURE_RELEASE_TRACE`).
pub fn tracing() -> bool {
    std::env::var_os("GIT_SECURE_RELEASE_TRACE").is_some_and(|v| !v.is_empty())
}

/// Print a trace line to stderr, with the milliseconds since the start, when the user asked
/// for tracing. `message` is formatted only then (pass `format_args!(…)`, not `format!`).
pub fn trace(message: impl std::fmt::Display) {
    if !tracing() {
        return;
    }
    let ms = START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_secs_f64()
        * 1000.0;
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(stderr, "trace: {ms:7.1} ms  {message}");
}

/// Print a note (progress, what was done) to stderr.
pub fn note(message: &str) {
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(stderr, "{message}");
}

/// Print a warning to stderr.
pub fn warn(message: &str) {
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(stderr, "{} {}", paint(YELLOW, "warning:"), message);
}
