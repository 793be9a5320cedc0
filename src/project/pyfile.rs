//! Reading a version assignment out of Python source without running it: `__version__ =
//! "1.2.0"` (an annotation and any quoting allowed), and `from ._version import __version__`
//! re-exports to follow. A lexer just good enough to skip strings, comments and brackets,
//! so that text inside a docstring is never taken for an assignment.

use std::ops::Range;

/// Which assignment target names count as the version.
#[derive(Clone, Copy, Debug)]
pub enum Names<'a> {
    /// Exactly this name.
    Exact(&'a str),
    /// hatch's default pattern: `__version__` or `VERSION`, in any case, with an optional
    /// `v` before the version inside the quotes.
    Hatch,
}

impl Names<'_> {
    fn matches(self, name: &str) -> bool {
        match self {
            Names::Exact(n) => name == n,
            Names::Hatch => {
                name.eq_ignore_ascii_case("__version__") || name.eq_ignore_ascii_case("version")
            }
        }
    }

    pub fn describe(self) -> String {
        match self {
            Names::Exact(n) => n.to_owned(),
            Names::Hatch => "__version__ (or VERSION)".to_owned(),
        }
    }
}

/// Why an assignment could not be used.
#[derive(Debug, PartialEq, Eq)]
pub enum PyError {
    /// `name` is assigned something other than a plain string literal, on `line`.
    NotLiteral { line: usize },
    /// `name` is assigned more than once.
    Twice { lines: Vec<usize> },
}

/// The byte range of the version text assigned to one of `names`, `None` when nothing is.
pub fn find_version(text: &str, names: Names) -> Result<Option<Range<usize>>, PyError> {
    let mut found = Vec::new();
    for start in statement_starts(text) {
        let line = text[..start].matches('\n').count() + 1;
        let stmt = &text[start..];
        let indent = stmt.len() - stmt.trim_start_matches([' ', '\t']).len();
        let (name, after) = identifier(&stmt[indent..]);
        if name.is_empty() || !names.matches(name) {
            continue;
        }
        let pos = start + indent + name.len();
        match assigned_value(
            text,
            pos + (after.len() - after.trim_start_matches([' ', '\t']).len()),
        ) {
            Assigned::No => continue,
            Assigned::Other => found.push((line, Err(PyError::NotLiteral { line }))),
            Assigned::Literal(mut range) => {
                if matches!(names, Names::Hatch)
                    && text[range.clone()].starts_with('v')
                    && text[range.start + 1..].starts_with(|c: char| c.is_ascii_digit())
                {
                    range.start += 1;
                }
                found.push((line, Ok(range)));
            }
        }
    }
    match found.len() {
        0 => Ok(None),
        1 => found.pop().map(|(_, r)| r.map(Some)).unwrap_or(Ok(None)),
        _ => Err(PyError::Twice {
            lines: found.iter().map(|(l, _)| *l).collect(),
        }),
    }
}

/// A `from MODULE import ORIG as NAME` (or `import NAME`) that brings `name` in: the module
/// as written (`._version`, `pkg.about`) and the name it has there.
pub fn reexport(text: &str, name: &str) -> Option<(String, String)> {
    for start in statement_starts(text) {
        let stmt = text[start..].trim_start_matches([' ', '\t']);
        let Some(rest) = stmt.strip_prefix("from") else {
            continue;
        };
        if !rest.starts_with([' ', '\t']) {
            continue;
        }
        let end = statement_end(text, start);
        let stmt = &text[start..end];
        let stmt = stmt
            .trim_start_matches([' ', '\t'])
            .trim_start_matches("from");
        let Some((module, names)) = stmt.split_once(" import ") else {
            continue;
        };
        let names = names.split('#').next().unwrap_or_default();
        let names = names.replace(['(', ')', '\\', '\r', '\n'], " ");
        for item in names.split(',') {
            let words: Vec<&str> = item.split_whitespace().collect();
            let (orig, target) = match words.as_slice() {
                [orig] => (*orig, *orig),
                [orig, "as", target] => (*orig, *target),
                _ => continue,
            };
            if target == name {
                return Some((module.trim().to_owned(), orig.to_owned()));
            }
        }
    }
    None
}

enum Assigned {
    /// Not an assignment (a call, a comparison, an attribute).
    No,
    /// An assignment of something that is not a plain string literal.
    Other,
    /// An assignment of a plain string literal: the range of its text.
    Literal(Range<usize>),
}

/// What follows a target name at `pos`: `= "x"`, `: str = "x"`, or something else.
fn assigned_value(text: &str, mut pos: usize) -> Assigned {
    let b = text.as_bytes();
    match b.get(pos) {
        Some(b':') => {
            // An annotation: up to the `=` of the assignment on the same line.
            let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
            match text[pos..line_end].find('=') {
                Some(i) => pos += i,
                None => return Assigned::No, // a bare annotation assigns nothing
            }
        }
        Some(b'=') if b.get(pos + 1) != Some(&b'=') => {}
        Some(op) if b"+-*/%|&^@<>".contains(op) => {
            let rest = &text[pos..];
            let aug = rest.trim_start_matches(|c: char| "+-*/%|&^@<>".contains(c));
            return if aug.starts_with('=') && !aug.starts_with("==") && rest.len() - aug.len() <= 3
            {
                Assigned::Other
            } else {
                Assigned::No
            };
        }
        _ => return Assigned::No,
    }
    pos += 1; // the `=`
    if b.get(pos) == Some(&b'=') {
        return Assigned::No;
    }
    let value = &text[pos..];
    let value_start = pos + (value.len() - value.trim_start_matches([' ', '\t']).len());
    match literal(text, value_start) {
        Some((inner, after)) => {
            let rest = text[after..].trim_start_matches([' ', '\t']);
            if rest.is_empty() || rest.starts_with(['\n', '\r', '#', ';']) {
                Assigned::Literal(inner)
            } else {
                Assigned::Other
            }
        }
        None => Assigned::Other,
    }
}

/// A plain string literal at `pos` (`"x"`, `'x'`, `"""x"""`, with an optional `u`/`r`
/// prefix, no escapes, on one line): the range of its text and the position after it.
fn literal(text: &str, mut pos: usize) -> Option<(Range<usize>, usize)> {
    let b = text.as_bytes();
    if matches!(b.get(pos), Some(b'u' | b'U' | b'r' | b'R')) {
        pos += 1;
    }
    let rest = &text[pos..];
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| rest.starts_with(q))?;
    let start = pos + quote.len();
    let len = text[start..].find(quote)?;
    let inner = start..start + len;
    let content = &text[inner.clone()];
    if content.contains(['\\', '\n', '\r']) {
        return None;
    }
    Some((inner.clone(), inner.end + quote.len()))
}

fn identifier(s: &str) -> (&str, &str) {
    let end = s
        .char_indices()
        .find(|&(i, c)| !(c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(s.len(), |(i, _)| i);
    s.split_at(end)
}

/// The byte offsets at which a new logical statement begins: after a newline outside
/// strings and brackets (and not after a `\` continuation), or after a `;`.
fn statement_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut starts = vec![0];
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                i = skip_string(b, i);
                continue;
            }
            b'\\' => {
                i += if b.get(i + 1) == Some(&b'\r') { 3 } else { 2 };
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' | b';' if depth == 0 => starts.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    starts.retain(|&s| s < b.len());
    starts
}

/// Where the statement that begins at `start` ends.
fn statement_end(text: &str, start: usize) -> usize {
    statement_starts(text)
        .into_iter()
        .find(|&s| s > start)
        .unwrap_or(text.len())
}

/// The position after the string literal whose opening quote is at `i`.
fn skip_string(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let triple = b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            c if c == q && !triple => return j + 1,
            c if c == q && b.get(j + 1) == Some(&q) && b.get(j + 2) == Some(&q) => return j + 3,
            b'\n' if !triple => return j,
            _ => j += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version_of(src: &str) -> Result<Option<&str>, PyError> {
        find_version(src, Names::Exact("__version__")).map(|r| r.map(|r| &src[r]))
    }

    #[test]
    fn plain_assignments_in_every_style() {
        assert_eq!(version_of("__version__ = \"1.0\"\n"), Ok(Some("1.0")));
        assert_eq!(version_of("__version__='1.0'  # keep\r\n"), Ok(Some("1.0")));
        assert_eq!(
            version_of("__version__: str = \"0.2.0\""),
            Ok(Some("0.2.0"))
        );
        assert_eq!(
            version_of("__version__ = \"\"\"3.0\"\"\"\n"),
            Ok(Some("3.0"))
        );
        assert_eq!(version_of("x = 1; __version__ = u'4.0'\n"), Ok(Some("4.0")));
        assert_eq!(
            version_of("\u{feff}\"\"\"Döc.\"\"\"\n__version__ = \"5.0\"\n"),
            Ok(Some("5.0"))
        );
    }

    #[test]
    fn ignores_text_that_only_looks_like_an_assignment() {
        let src = "\"\"\"\n__version__ = \"9.9\"\n\"\"\"\n# __version__ = \"8.8\"\nx = (\n__version__ == 1)\nprint(__version__)\n__version__: str\n__version_info__ = (1, 0)\n__version__ = \"1.0\"\n";
        assert_eq!(version_of(src), Ok(Some("1.0")));
        assert_eq!(version_of("import os\n"), Ok(None));
    }

    #[test]
    fn refuses_what_is_not_a_plain_literal() {
        for src in [
            "__version__ = get_version()\n",
            "__version__ = f\"{x}\"\n",
            "__version__ = \"1.0\" + suffix\n",
            "__version__ = VERSION\n",
            "__version__ = \"1\\x2e0\"\n",
            "__version__ += \"1\"\n",
        ] {
            assert_eq!(
                version_of(src),
                Err(PyError::NotLiteral { line: 1 }),
                "{src:?}"
            );
        }
    }

    #[test]
    fn refuses_two_assignments() {
        let src = "__version__ = \"1.0\"\ntry:\n    __version__ = \"2.0\"\nexcept: pass\n";
        assert_eq!(version_of(src), Err(PyError::Twice { lines: vec![1, 3] }));
    }

    #[test]
    fn hatch_pattern_takes_version_and_a_leading_v() {
        let src = "VERSION = \"v1.2.3\"\n";
        let r = find_version(src, Names::Hatch).expect("ok").expect("found");
        assert_eq!(&src[r], "1.2.3");
    }

    #[test]
    fn follows_reexports() {
        let src = "from ._version import __version__ as __version__  # noqa: F401\n";
        assert_eq!(
            reexport(src, "__version__"),
            Some(("._version".into(), "__version__".into()))
        );
        let src = "from pkg.about import (\n    VERSION as __version__,\n    other,\n)\n";
        assert_eq!(
            reexport(src, "__version__"),
            Some(("pkg.about".into(), "VERSION".into()))
        );
        assert_eq!(reexport("from x import y\n", "__version__"), None);
    }
}
