//! `uv.lock` beside pyproject.toml: the project's own `[[package]]` entry (its source is the
//! project folder itself) carries the version too, when uv recorded one.

use toml_edit::{Document, Item};

use super::{tomlspan, Files, ProjectError, Spot};

/// PEP 503 normalisation, as uv writes package names in its lock file.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The spot of the project's version in `uv.lock`, if the file exists and records one.
pub fn find(files: &mut Files, name: &str) -> Result<Option<Spot>, ProjectError> {
    if !files.exists("uv.lock") {
        return Ok(None);
    }
    let (file, text) = files.read("uv.lock", "uv.lock")?;
    let doc = Document::parse(text).map_err(|e| ProjectError::InvalidToml {
        file: file.clone(),
        reason: e.to_string().trim_end().replace('\n', "\n  "),
    })?;
    let wanted = normalize(name);
    let Some(packages) = doc.get("package").and_then(Item::as_array_of_tables) else {
        return Ok(None);
    };
    for package in packages.iter() {
        let is_ours = package.get("name").and_then(Item::as_str) == Some(wanted.as_str())
            && package
                .get("source")
                .and_then(Item::as_table_like)
                .is_some_and(|s| {
                    ["editable", "virtual"]
                        .iter()
                        .any(|k| s.get(k).and_then(Item::as_str) == Some("."))
                });
        if !is_ours {
            continue;
        }
        let Some(value) = package.get("version").and_then(Item::as_value) else {
            return Ok(None);
        };
        let range =
            tomlspan::string_inner(text, value).map_err(|reason| ProjectError::BadVersion {
                file: file.clone(),
                reason: format!("the [[package]] entry of {wanted}: {reason}"),
            })?;
        return Ok(Some(Spot {
            file,
            range,
            template: None,
        }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    #[test]
    fn normalizes_like_pep503() {
        assert_eq!(
            super::normalize("Secure_Package.Template"),
            "secure-package-template"
        );
        assert_eq!(super::normalize("a__-b"), "a-b");
    }
}
