//! Reading TOML with byte spans: look up dotted keys, and find the exact bytes of a string
//! value's text between its quotes, so a new version replaces those bytes and nothing else.

use std::ops::Range;

use toml_edit::{Document, Item, Value};

/// The item at `path` (`["tool", "hatch", "version"]`), through tables and inline tables.
pub fn get<'a>(doc: &'a Document<&str>, path: &[&str]) -> Option<&'a Item> {
    let mut item = doc.as_item();
    for key in path {
        item = item.as_table_like()?.get(key)?;
    }
    Some(item)
}

/// The value at `path` as a string, when it is one.
pub fn get_str<'a>(doc: &'a Document<&str>, path: &[&str]) -> Option<&'a str> {
    get(doc, path)?.as_str()
}

/// The bytes of `text` between the quotes of the string `value`. Refused when the written
/// text is not the value itself (escapes, a line break after `"""`), since then replacing
/// bytes would not mean replacing the version.
pub fn string_inner(text: &str, value: &Value) -> Result<Range<usize>, String> {
    let Some(s) = value.as_str() else {
        return Err(format!("expected a string, found {}", value.type_name()));
    };
    let span = value.span().ok_or("the value has no position")?;
    let raw = &text[span.clone()];
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| raw.starts_with(q) && raw.ends_with(q) && raw.len() >= 2 * q.len())
        .ok_or("the string's quotes were not found")?;
    let inner = span.start + quote.len()..span.end - quote.len();
    if &text[inner.clone()] != s {
        return Err(format!(
            "the string {raw} is written with escapes or line breaks; write it as a plain \"{s}\""
        ));
    }
    Ok(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inner_of(src: &str) -> Result<String, String> {
        let doc = Document::parse(src).expect("toml");
        let v = get(&doc, &["a", "v"])
            .and_then(Item::as_value)
            .expect("value");
        string_inner(src, v).map(|r| src[r].to_owned())
    }

    #[test]
    fn finds_the_text_inside_every_quoting() {
        assert_eq!(inner_of("[a]\nv = \"1.0\"\n").as_deref(), Ok("1.0"));
        assert_eq!(inner_of("[a]\nv='1.0' # c\n").as_deref(), Ok("1.0"));
        assert_eq!(
            inner_of("[a]\r\nv   =   \"\"\"1.0\"\"\"\r\n").as_deref(),
            Ok("1.0")
        );
        assert_eq!(inner_of("[a]\nv = '''1.0'''").as_deref(), Ok("1.0"));
        assert_eq!(inner_of("a = { v = \"2.0\" }\n").as_deref(), Ok("2.0"));
    }

    #[test]
    fn refuses_escaped_or_non_string_values() {
        assert!(inner_of("[a]\nv = \"1\\u002e0\"\n").is_err());
        assert!(inner_of("[a]\nv = \"\"\"\n1.0\"\"\"\n").is_err());
        assert!(inner_of("[a]\nv = 1.0\n")
            .unwrap_err()
            .contains("expected a string"));
    }
}
