//! ssh's allowed-signers file (`ssh-keygen(1)`, "ALLOWED SIGNERS"): one signer a line,
//! `principals [options] keytype base64-key [comment]`. Read here to ask ssh-keygen the
//! questions it cannot answer directly: "is this key allowed at any time at all?".

/// One line of the file, split into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub principals: String,
    /// Options, each as written (`valid-before="20250101"`, `namespaces="git"`, `cert-authority`).
    pub options: Vec<String>,
    pub key_type: String,
    pub key: String,
}

/// Split `s` where `sep` is true outside double quotes (the quotes are kept); empty parts
/// are dropped.
fn split_unquoted(s: &str, sep: impl Fn(char) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if sep(c) && !quoted {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.retain(|p| !p.is_empty());
    out
}

/// Whitespace-separated fields, quoted parts kept together.
fn tokens(s: &str) -> Vec<String> {
    split_unquoted(s, char::is_whitespace)
}

/// The comma-separated options of an options field.
fn options(s: &str) -> Vec<String> {
    split_unquoted(s, |c| c == ',')
}

fn is_key_type(t: &str) -> bool {
    t.starts_with("ssh-")
        || t.starts_with("ecdsa-")
        || t.starts_with("sk-")
        || t.starts_with("rsa-")
}

/// Parse the file; lines that are blank, comments, or not understood are left out.
pub fn parse(text: &str) -> Vec<Entry> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|line| {
            let t = tokens(line);
            let at = t.iter().position(|x| is_key_type(x))?;
            let (principals, opts) = match at {
                1 => (t[0].clone(), Vec::new()),
                2 => (t[0].clone(), options(&t[1])),
                _ => return None,
            };
            Some(Entry {
                principals,
                options: opts,
                key_type: t[at].clone(),
                key: t.get(at + 1)?.clone(),
            })
        })
        .collect()
}

/// The file again with every `valid-before`/`valid-after` option removed: the signers it
/// would allow at any time.
pub fn without_validity(text: &str) -> String {
    parse(text)
        .into_iter()
        .map(|e| {
            let opts: Vec<String> = e
                .options
                .into_iter()
                .filter(|o| {
                    let name = o.split('=').next().unwrap_or_default().to_ascii_lowercase();
                    name != "valid-before" && name != "valid-after"
                })
                .collect();
            let opts = if opts.is_empty() {
                String::new()
            } else {
                format!(" {}", opts.join(","))
            };
            format!("{}{opts} {} {}\n", e.principals, e.key_type, e.key)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_with_and_without_options() {
        let text = "# comment\n\na@x ssh-ed25519 AAAA c\nb@x,c@x namespaces=\"git\",valid-before=\"20250101\" ssh-rsa BBBB\nd@x cert-authority,namespaces=\"a, b\" ecdsa-sha2-nistp256 CCCC\nbroken\n";
        let e = parse(text);
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].principals, "a@x");
        assert!(e[0].options.is_empty());
        assert_eq!(
            e[1].options,
            ["namespaces=\"git\"", "valid-before=\"20250101\""]
        );
        assert_eq!(e[2].options, ["cert-authority", "namespaces=\"a, b\""]);
        assert_eq!(
            (e[2].key_type.as_str(), e[2].key.as_str()),
            ("ecdsa-sha2-nistp256", "CCCC")
        );
    }

    #[test]
    fn strips_validity_only() {
        let text = "a@x valid-after=\"20200101\",namespaces=\"git\",valid-before=\"20250101\" ssh-ed25519 AAAA\nb@x valid-before=\"1\" ssh-ed25519 BBBB\n";
        assert_eq!(
            without_validity(text),
            "a@x namespaces=\"git\" ssh-ed25519 AAAA\nb@x ssh-ed25519 BBBB\n"
        );
    }
}
