//! `[tool.secure-release]` in pyproject.toml (contract §3.1), read strictly: an unknown key,
//! a value of the wrong type, or an extra-file pattern that matches nothing is an error that
//! names the key.

use toml_edit::{Document, Item, Value};

use super::{tomlspan, Files, ProjectError, Spot};

/// The project's release configuration; every key optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub tag_prefix: Option<String>,
    pub message: Option<String>,
    pub allow_branch: Vec<String>,
    pub files: Vec<ExtraFile>,
    pub push: Option<String>,
}

/// An extra file whose version text is bumped too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtraFile {
    pub path: String,
    pub search: String,
    pub replace: String,
}

const KEYS: &str = "tag-prefix, message, allow-branch, files, push";

fn err(key: &str, reason: impl Into<String>) -> ProjectError {
    ProjectError::Config {
        file: "pyproject.toml".into(),
        key: key.into(),
        reason: reason.into(),
    }
}

fn string(item: &Item, key: &str) -> Result<String, ProjectError> {
    item.as_str().map(str::to_owned).ok_or_else(|| {
        err(
            key,
            format!("expected a string, found {}", item.type_name()),
        )
    })
}

/// Read `[tool.secure-release]`; an absent table is the default configuration.
pub fn parse(doc: &Document<&str>) -> Result<Config, ProjectError> {
    let mut config = Config::default();
    let Some(item) = tomlspan::get(doc, &["tool", "secure-release"]) else {
        return Ok(config);
    };
    let table = item
        .as_table_like()
        .ok_or_else(|| err("", format!("expected a table, found {}", item.type_name())))?;
    for (key, item) in table.iter() {
        match key {
            "tag-prefix" => {
                let prefix = string(item, key)?;
                crate::git::refname::check_tag_prefix(&prefix).map_err(|why| err(key, why))?;
                config.tag_prefix = Some(prefix);
            }
            "message" => config.message = Some(string(item, key)?),
            "push" => config.push = Some(string(item, key)?),
            "allow-branch" => {
                let array = item.as_array().ok_or_else(|| {
                    err(
                        key,
                        format!(
                            "expected a list of glob patterns, found {}",
                            item.type_name()
                        ),
                    )
                })?;
                for v in array.iter() {
                    let pattern = v.as_str().ok_or_else(|| {
                        err(
                            key,
                            format!("expected a string pattern, found {}", v.type_name()),
                        )
                    })?;
                    config.allow_branch.push(pattern.to_owned());
                }
            }
            "files" => config.files = extra_files(item)?,
            other => {
                return Err(err(other, format!("unknown key; the keys are {KEYS}")));
            }
        }
    }
    Ok(config)
}

fn extra_files(item: &Item) -> Result<Vec<ExtraFile>, ProjectError> {
    let tables: Vec<&dyn toml_edit::TableLike> = if let Some(aot) = item.as_array_of_tables() {
        aot.iter().map(|t| t as &dyn toml_edit::TableLike).collect()
    } else if let Some(array) = item.as_array() {
        array
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::InlineTable(t) => Ok(t as &dyn toml_edit::TableLike),
                other => Err(err(
                    &format!("files[{i}]"),
                    format!(
                        "expected a table {{path, search, replace}}, found {}",
                        other.type_name()
                    ),
                )),
            })
            .collect::<Result<_, _>>()?
    } else {
        return Err(err(
            "files",
            format!(
                "expected a list of {{path, search, replace}} tables, found {}",
                item.type_name()
            ),
        ));
    };
    tables
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let mut file = ExtraFile {
                path: String::new(),
                search: "{current_version}".into(),
                replace: "{new_version}".into(),
            };
            for (key, v) in t.iter() {
                let name = format!("files[{i}].{key}");
                match key {
                    "path" => file.path = string(v, &name)?,
                    "search" => file.search = string(v, &name)?,
                    "replace" => file.replace = string(v, &name)?,
                    _ => {
                        return Err(err(
                            &name,
                            "unknown key; the keys are path, search, replace",
                        ))
                    }
                }
            }
            if file.path.is_empty() {
                return Err(err(&format!("files[{i}]"), "`path` is missing"));
            }
            if file.search.is_empty() {
                return Err(err(&format!("files[{i}].search"), "the pattern is empty"));
            }
            Ok(file)
        })
        .collect()
}

/// Every place in an extra file where its search pattern (with the current version put in)
/// stands; at least one, or an error naming the file and the pattern.
pub fn extra_spots(
    extra: &ExtraFile,
    files: &mut Files,
    current: &str,
) -> Result<Vec<Spot>, ProjectError> {
    let key = "[tool.secure-release] files.path";
    let (name, text) = files.read(&extra.path, key)?;
    let needle = extra.search.replace("{current_version}", current);
    let spots: Vec<Spot> = text
        .match_indices(&needle)
        .map(|(at, m)| Spot {
            file: name.clone(),
            range: at..at + m.len(),
            template: Some(extra.replace.clone()),
        })
        .collect();
    if spots.is_empty() {
        return Err(ProjectError::Config {
            file: "pyproject.toml".into(),
            key: "files".into(),
            reason: format!("the pattern {needle:?} matches nothing in {name}"),
        });
    }
    Ok(spots)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(src: &str) -> Result<Config, ProjectError> {
        parse(&Document::parse(src).expect("toml"))
    }

    #[test]
    fn reads_every_key() {
        let c = cfg(r#"[tool.secure-release]
tag-prefix = "release-"
message = "Bump to {version}"
allow-branch = ["main", "release/*"]
push = "origin"
files = [{ path = "README.md" }, { path = "docs/conf.py", search = "release = '{current_version}'", replace = "release = '{new_version}'" }]
"#)
        .expect("valid");
        assert_eq!(c.tag_prefix.as_deref(), Some("release-"));
        assert_eq!(c.allow_branch, ["main", "release/*"]);
        assert_eq!(c.files.len(), 2);
        assert_eq!(c.files[0].search, "{current_version}");
        assert_eq!(c.files[1].replace, "release = '{new_version}'");
        let aot = cfg("[[tool.secure-release.files]]\npath = \"x\"\n").expect("valid");
        assert_eq!(aot.files[0].path, "x");
    }

    #[test]
    fn refuses_unknown_keys_and_wrong_types() {
        for (src, key) in [
            ("[tool.secure-release]\ntag_prefix = \"v\"\n", "tag_prefix"),
            (
                "[tool.secure-release]\nallow-branch = \"main\"\n",
                "allow-branch",
            ),
            (
                "[tool.secure-release]\nallow-branch = [1]\n",
                "allow-branch",
            ),
            ("[tool.secure-release]\nmessage = 3\n", "message"),
            (
                "[tool.secure-release]\nfiles = [{ paht = \"x\" }]\n",
                "files[0].paht",
            ),
            (
                "[tool.secure-release]\nfiles = [{ search = \"x\" }]\n",
                "files[0]",
            ),
            (
                "[tool.secure-release]\ntag-prefix = \"a b\"\n",
                "tag-prefix",
            ),
            (
                "[tool.secure-release]\ntag-prefix = \"v..\"\n",
                "tag-prefix",
            ),
        ] {
            match cfg(src) {
                Err(ProjectError::Config { key: k, .. }) => assert_eq!(k, key, "{src}"),
                other => panic!("{src}: {other:?}"),
            }
        }
    }
}
