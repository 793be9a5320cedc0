//! The one output path: data to stdout (text or JSON), warnings, errors and hints to
//! stderr. Colour comes from `anstream`, which drops it when the stream is not a terminal;
//! `main` turns it off for `NO_COLOR` and `--color never`.
//!
//! Text for people never carries raw control or invisible characters from outside
//! (contract §4.1): values are escaped where they are rendered ([`value`]), and everything
//! written here goes through [`sanitize`] as well, which escapes every control, format and
//! separator character but newline, tab and the colour sequences of this module's own styles.
//!
//! A closed stdout (`verify | head -1`) stops the output quietly and the command carries on
//! to its verdict, which is the exit code (contract §4).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use anstyle::{AnsiColor, Style};

use crate::error::UserError;

pub const BOLD: Style = Style::new().bold();
pub const RED: Style = AnsiColor::Red.on_default().bold();
pub const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
pub const GREEN: Style = AnsiColor::Green.on_default().bold();
pub const CYAN: Style = AnsiColor::Cyan.on_default().bold();

/// Set once stdout has been closed by its reader: nothing more is written to it.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether stdout was closed by its reader (a closed pipe).
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// A closed pipe is not an error of the command: note it, and stop writing.
fn quiet_pipe(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        other => other,
    }
}

/// Write `text` to stdout, sanitized (see [`sanitize`]).
pub fn out(text: &str) -> io::Result<()> {
    out_each([text.to_owned()])
}

/// Write bytes to stdout exactly as they are (generated scripts; no colour processing).
pub fn raw(bytes: &[u8]) -> io::Result<()> {
    if stdout_closed() {
        return Ok(());
    }
    let mut stdout = io::stdout().lock();
    quiet_pipe(stdout.write_all(bytes).and_then(|()| stdout.flush()))
}

/// Write `value` to stdout as one JSON object on one line.
pub fn json<T: serde::Serialize>(value: &T) -> io::Result<()> {
    if stdout_closed() {
        return Ok(());
    }
    // Written as it is serialised: a report of many thousand results is never held twice.
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    let written = serde_json::to_writer(&mut stdout, value)
        .map_err(io::Error::from)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    quiet_pipe(written)
}

/// Write each piece of text to stdout as it comes, buffered and sanitized (colour as in
/// [`out`]).
pub fn out_each(pieces: impl IntoIterator<Item = String>) -> io::Result<()> {
    if stdout_closed() {
        return Ok(());
    }
    let mut stdout = io::BufWriter::new(anstream::stdout().lock());
    let mut written = Ok(());
    for piece in pieces {
        written = stdout.write_all(sanitize(&piece).as_bytes());
        if written.is_err() {
            break;
        }
    }
    quiet_pipe(written.and_then(|()| stdout.flush()))
}

/// Whether `c` is shown escaped wherever it appears: C0 and C1 controls, DEL, Unicode format
/// characters (category Cf: zero-width, bidirectional controls, …) and the line and
/// paragraph separators. Newline and tab are decided by the caller.
fn hidden(c: char) -> bool {
    let u = u32::from(c);
    c.is_control()
        || matches!(u,
            0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
            | 0x180E | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
            | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{1b}' => out.push_str("\\e"),
        c if u32::from(c) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `text` with every hidden character escaped; newline and tab kept with `keep_lines`, and
/// with `keep_colours` the colour sequences of this module's own styles let through.
fn escape(text: &str, keep_lines: bool, keep_colours: bool) -> Cow<'_, str> {
    let escaped =
        |c: char| !matches!(c, ' '..='~') && hidden(c) && !(keep_lines && matches!(c, '\n' | '\t'));
    if plain_ascii(text, keep_lines, keep_colours) || !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        if keep_colours && c == '\u{1b}' {
            if let Some(n) = own_sequence(&text[i..]) {
                out.push_str(&text[i..i + n]);
                i += n;
                continue;
            }
        }
        if escaped(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
        i += c.len_utf8();
    }
    Cow::Owned(out)
}

/// Whether `text` is printable ASCII (newline and tab with `keep_lines`, this module's own
/// colour sequences with `keep_colours`): nearly every line, seen byte by byte.
fn plain_ascii(text: &str, keep_lines: bool, keep_colours: bool) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if (0x20..0x7f).contains(&b) || (keep_lines && matches!(b, b'\n' | b'\t')) {
            i += 1;
        } else if b == 0x1b && keep_colours {
            match own_sequence(&text[i..]) {
                Some(n) => i += n,
                None => return false,
            }
        } else {
            return false;
        }
    }
    true
}

/// A value from outside (a user id, a tag or file name, a line of a file) as it is shown on
/// one line: every control, format and separator character escaped, newline and tab too
/// (`\e`, `\n`, `\x07`, `\u{202e}`).
pub fn value(text: &str) -> Cow<'_, str> {
    escape(text, false, false)
}

/// Text from outside shown as lines of its own (git's or gpg's messages): as [`value`], but
/// newline and tab are kept.
pub fn text(text: &str) -> Cow<'_, str> {
    escape(text, true, false)
}

/// `word` as one word of a shell command line a person pastes: as it is when it holds only
/// characters no shell treats specially, else in single quotes (escaped as [`value`] too).
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%^".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", value(word).replace('\'', "'\\''"))
    }
}

/// A command as a line to paste into a shell, each word as [`shell_word`] makes it.
pub fn shell_line(words: &[String]) -> String {
    words
        .iter()
        .map(|w| shell_word(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The length of the colour sequence of this module's own styles that `rest` starts with;
/// nothing else is let through. The sequences are rendered once.
fn own_sequence(rest: &str) -> Option<usize> {
    static OWN: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let own = OWN.get_or_init(|| {
        let styles = [BOLD, RED, YELLOW, GREEN, CYAN];
        styles
            .iter()
            .flat_map(|s| [s.render().to_string(), s.render_reset().to_string()])
            .filter(|c| !c.is_empty())
            .collect()
    });
    own.iter()
        .filter(|c| rest.starts_with(c.as_str()))
        .map(String::len)
        .max()
}

/// Everything written for people, last: as [`text`], except the colour sequences of this
/// module's own styles (from [`paint`]).
pub fn sanitize(text: &str) -> Cow<'_, str> {
    escape(text, true, true)
}

/// `text` in `style` (the style is dropped later where colour is off).
pub fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// `text` in `style` for stdout: plain when stdout shows no colour (a pipe, a file,
/// `NO_COLOR`, `--color never`), so that long reports skip the colour codes altogether.
pub fn paint_out(style: Style, text: &str) -> String {
    static COLOUR: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let colour = *COLOUR.get_or_init(|| {
        anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
    });
    if colour {
        paint(style, text)
    } else {
        text.to_owned()
    }
}

/// Print an error the way uv does: `error:` with the message, then `hint:`.
pub fn error(e: &UserError) {
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(stderr, "{} {}", paint(RED, "error:"), sanitize(&e.message));
    if let Some(hint) = &e.hint {
        let _ = writeln!(stderr, "  {} {}", paint(CYAN, "hint:"), sanitize(hint));
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
    let _ = writeln!(stderr, "trace: {ms:7.1} ms  {}", text(&message.to_string()));
}

/// Print a note (progress, what was done) to stderr.
pub fn note(message: &str) {
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(stderr, "{}", sanitize(message));
}

/// Print a warning to stderr.
pub fn warn(message: &str) {
    let mut stderr = anstream::stderr().lock();
    let _ = writeln!(
        stderr,
        "{} {}",
        paint(YELLOW, "warning:"),
        sanitize(message)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_from_outside_are_escaped() {
        assert_eq!(value("v1.0.0"), "v1.0.0");
        assert_eq!(value("a\u{1b}]0;owned\u{7}b"), "a\\e]0;owned\\x07b");
        assert_eq!(value("v\u{200b}9.9.9"), "v\\u{200b}9.9.9");
        assert_eq!(value("x\u{202e}gpj.exe"), "x\\u{202e}gpj.exe");
        assert_eq!(value("a\r\nb\tc\u{7f}\u{85}"), "a\\r\\nb\\tc\\x7f\\u{85}");
        assert_eq!(text("line one\n\tline two\r"), "line one\n\tline two\\r");
        assert_eq!(
            value("Zoë 😀 中文"),
            "Zoë 😀 中文",
            "printable text is left alone"
        );
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_word("refs/heads/main"), "refs/heads/main");
        assert_eq!(shell_word("it's here"), "'it'\\''s here'");
        assert_eq!(shell_word("$(rm -rf ~)"), "'$(rm -rf ~)'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn output_keeps_only_its_own_colours() {
        let painted = format!("{} user \u{1b}[2J\u{1b}[8mhidden\n", paint(RED, "bad"));
        let clean = sanitize(&painted);
        assert!(clean.starts_with(&RED.render().to_string()), "{clean:?}");
        assert!(clean.contains("\\e[2J\\e[8mhidden\n"), "{clean:?}");
        let after = clean.split(" user ").nth(1).expect("the user's part");
        assert!(
            !after.contains('\u{1b}'),
            "only the style's own sequences: {clean:?}"
        );
    }
}
