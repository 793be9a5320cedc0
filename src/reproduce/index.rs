//! The files an index publishes for one version, read from its PEP 691 JSON simple API
//! (`GET <index>/<name>/`, `Accept: application/vnd.pypi.simple.v1+json`) and downloaded,
//! each checked against the SHA-256 the index gives for it.
//!
//! The client is ureq: blocking (this program has no async runtime and needs none), small,
//! rustls for TLS (no system OpenSSL to match), and it reads `HTTPS_PROXY`/`HTTP_PROXY`/
//! `ALL_PROXY` from the environment.

use std::io::Read as _;
use std::path::Path;
use std::time::Duration;

use super::expect::{self, Expected};
use crate::error::UserError;

/// PyPI's simple index, when neither `--index URL` nor the environment names one.
pub const PYPI: &str = "https://pypi.org/simple/";

/// The largest index page and the largest file read from an index.
const PAGE_LIMIT: u64 = 64 << 20;
const FILE_LIMIT: u64 = 4 << 30;

/// The index to use: `--index URL` when it names one, else `PIP_INDEX_URL`, else
/// `UV_INDEX_URL`, else PyPI's.
pub fn choose(given: &str) -> String {
    let from_env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let url = if given.is_empty() {
        from_env("PIP_INDEX_URL")
            .or_else(|| from_env("UV_INDEX_URL"))
            .unwrap_or_else(|| PYPI.to_owned())
    } else {
        given.to_owned()
    };
    let url = url.trim().to_owned();
    if url.ends_with('/') {
        url
    } else {
        format!("{url}/")
    }
}

#[derive(serde::Deserialize)]
struct Page {
    files: Vec<File>,
}

#[derive(serde::Deserialize)]
struct File {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: std::collections::BTreeMap<String, String>,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(600)))
        .timeout_connect(Some(Duration::from_secs(30)))
        .user_agent(concat!("git-secure-release/", env!("CARGO_PKG_VERSION")))
        .http_status_as_error(false)
        .build()
        .into()
}

fn unreachable(url: &str, e: &dyn std::fmt::Display) -> UserError {
    UserError::refused(format!("cannot reach the index at {}: {e}", crate::report::value(url)))
        .with_hint("check the network (and HTTPS_PROXY if you need a proxy), or name another index with --index URL")
}

/// The files `index` publishes for `name` at `version`, downloaded into `into`.
pub fn fetch(
    index: &str,
    name: &str,
    version: &str,
    into: &Path,
) -> Result<Vec<Expected>, UserError> {
    let agent = agent();
    let page_url = format!("{index}{}/", expect::normalise(name).replace('_', "-"));
    let mut response = agent
        .get(&page_url)
        .header("Accept", "application/vnd.pypi.simple.v1+json")
        .call()
        .map_err(|e| unreachable(&page_url, &e))?;
    let status = response.status().as_u16();
    if status == 404 {
        return Err(UserError::refused(format!(
            "the index at {} has no project {}",
            crate::report::value(index),
            crate::report::value(name)
        ))
        .with_hint("check the project's name in pyproject.toml, or name the index it is published on with --index URL"));
    }
    if status != 200 {
        return Err(unreachable(&page_url, &format!("HTTP status {status}")));
    }
    let body = response
        .body_mut()
        .with_config()
        .limit(PAGE_LIMIT)
        .read_to_vec()
        .map_err(|e| unreachable(&page_url, &e))?;
    let page: Page = serde_json::from_slice(&body).map_err(|e| {
        UserError::refused(format!("the index at {} did not answer in PEP 691 JSON: {e}", crate::report::value(&page_url)))
            .with_hint("--index takes a simple index's base URL that serves application/vnd.pypi.simple.v1+json (PyPI's is https://pypi.org/simple/)")
    })?;
    let wanted: Vec<&File> = page
        .files
        .iter()
        .filter(|f| {
            expect::is_artifact(&f.filename)
                && expect::identity(&f.filename).is_some_and(|(_, v, _)| v == version)
        })
        .collect();
    if wanted.is_empty() {
        return Err(UserError::refused(format!(
            "the index at {} has no files of {} {version}",
            crate::report::value(index),
            crate::report::value(name)
        ))
        .with_hint("publish the release first, or compare with files you have: --expect FILE"));
    }
    wanted
        .into_iter()
        .map(|f| download(&agent, &page_url, f, into))
        .collect()
}

fn download(
    agent: &ureq::Agent,
    page_url: &str,
    f: &File,
    into: &Path,
) -> Result<Expected, UserError> {
    let shown = crate::report::value(&f.filename).into_owned();
    let Some(sha256) = f.hashes.get("sha256").map(|h| h.to_ascii_lowercase()) else {
        return Err(UserError::refused(format!("the index gives no sha256 for {shown}"))
            .with_hint("use an index that publishes SHA-256 hashes (PEP 691), or download the file and pass --expect FILE"));
    };
    // A file name from the index becomes a local file name: one plain component only.
    let safe = !f.filename.is_empty()
        && !f.filename.starts_with('.')
        && !f.filename.contains(['/', '\\', '\0']);
    if !safe {
        return Err(UserError::refused(format!(
            "the index names a file {shown}, which is not a plain file name"
        ))
        .with_hint("the index is broken or hostile; compare with files you trust: --expect FILE"));
    }
    let link = f.url.split('#').next().unwrap_or_default();
    let url = join(page_url, link);
    let mut response = agent.get(&url).call().map_err(|e| unreachable(&url, &e))?;
    if response.status().as_u16() != 200 {
        return Err(unreachable(
            &url,
            &format!("HTTP status {}", response.status().as_u16()),
        ));
    }
    let mut bytes = Vec::new();
    response
        .body_mut()
        .with_config()
        .limit(FILE_LIMIT)
        .reader()
        .read_to_end(&mut bytes)
        .map_err(|e| unreachable(&url, &e))?;
    let got = expect::sha256_hex(&bytes);
    if got != sha256 {
        return Err(UserError::refused(format!(
            "{shown} from the index has SHA-256 {got}, but the index lists {}",
            crate::report::value(&sha256)
        ))
        .with_hint("the download was changed on its way or the index is inconsistent; try again, or download it yourself and pass --expect FILE"));
    }
    let path = into.join(&f.filename);
    std::fs::write(&path, &bytes)
        .map_err(|e| super::temp_error(&format!("write {}", path.display()), &e))?;
    Ok(Expected {
        name: Some(f.filename.clone()),
        sha256,
        source: url,
        file: Some(path),
    })
}

/// `link` resolved against the page it is on (absolute, host-relative or relative).
fn join(page: &str, link: &str) -> String {
    if link.starts_with("http://") || link.starts_with("https://") {
        return link.to_owned();
    }
    let scheme_end = page.find("://").map_or(0, |i| i + 3);
    if let Some(rest) = link.strip_prefix("//") {
        return format!("{}{rest}", &page[..scheme_end]);
    }
    if link.starts_with('/') {
        let host_end = page[scheme_end..]
            .find('/')
            .map_or(page.len(), |i| scheme_end + i);
        return format!("{}{link}", &page[..host_end]);
    }
    let dir_end = page.rfind('/').map_or(page.len(), |i| i + 1);
    format!("{}{link}", &page[..dir_end])
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn links_resolve_against_the_page() {
        let page = "http://127.0.0.1:8080/simple/pkg/";
        assert_eq!(
            join(page, "https://files.example/p.whl"),
            "https://files.example/p.whl"
        );
        assert_eq!(
            join(page, "/files/p.whl"),
            "http://127.0.0.1:8080/files/p.whl"
        );
        assert_eq!(
            join(page, "../../files/p.whl"),
            "http://127.0.0.1:8080/simple/pkg/../../files/p.whl"
        );
        assert_eq!(
            join(page, "p.whl"),
            "http://127.0.0.1:8080/simple/pkg/p.whl"
        );
        assert_eq!(
            join(page, "//cdn.example/p.whl"),
            "http://cdn.example/p.whl"
        );
    }
}
