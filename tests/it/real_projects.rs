//! Real projects' pyproject.toml and uv.lock, used in place from
//! `../shared/fixtures/real-projects` (see its README): `version --json` must find what
//! `expected.toml` says, and a bump must change exactly the version bytes of exactly the
//! expected files.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use git_secure_release::project::Project;
use git_secure_release::version::Version;
use toml_edit::{DocumentMut, Item};

use crate::common::{assert_only_version_changed, json, World};

fn fixtures() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/real-projects");
    assert!(
        dir.is_dir(),
        "{} is missing: the shared/ folder must sit beside the project (CI has it there)",
        dir.display()
    );
    dir
}

struct Fixture {
    name: String,
    layout: String,
    version: String,
    files: Vec<String>,
    world: World,
}

/// Build the project of one fixture folder in a temp dir: its files byte for byte, and
/// each `[[module]]` made from its real lines around a few of our own.
fn build(dir: &Path) -> Fixture {
    let expected: DocumentMut = std::fs::read_to_string(dir.join("expected.toml"))
        .expect("expected.toml")
        .parse()
        .expect("expected.toml is TOML");
    let world = World::new();
    for file in ["pyproject.toml", "uv.lock"] {
        if dir.join(file).is_file() {
            world.write(file, std::fs::read(dir.join(file)).expect("fixture file"));
        }
    }
    let lines = |t: &toml_edit::Table, key: &str| -> Vec<String> {
        t.get(key)
            .and_then(Item::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    if let Some(modules) = expected.get("module").and_then(Item::as_array_of_tables) {
        for m in modules.iter() {
            let path = m.get("path").and_then(Item::as_str).expect("module path");
            let mut text = String::from("\"\"\"A module of the fixture.\"\"\"\n\nimport os\n");
            for l in lines(m, "import_lines")
                .iter()
                .chain(&lines(m, "version_lines"))
            {
                text.push_str(l);
                text.push('\n');
            }
            text.push_str("\n\ndef where():\n    return os.path.dirname(__file__)\n");
            world.write(path, text);
        }
    }
    let str_of = |k: &str| {
        expected
            .get(k)
            .and_then(Item::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Fixture {
        name: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        layout: str_of("layout"),
        version: str_of("current_version"),
        files: expected["files"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        world,
    }
}

fn all() -> Vec<Fixture> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("read fixtures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("expected.toml").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 10, "only {} fixtures found", dirs.len());
    dirs.iter().map(|d| build(d)).collect()
}

#[test]
fn version_json_finds_what_each_real_project_declares() {
    for f in all() {
        let out = f.world.cmd(&["version", "--json"]).success();
        let got = json(&out);
        assert_eq!(got["layout"], f.layout.as_str(), "{}", f.name);
        let want_version = if f.version.is_empty() {
            serde_json::Value::Null
        } else {
            f.version.clone().into()
        };
        assert_eq!(got["version"], want_version, "{}", f.name);
        let mut files: Vec<String> = got["files"]
            .as_array()
            .expect("files")
            .iter()
            .map(|v| v.as_str().expect("str").to_owned())
            .collect();
        files.sort();
        let mut want = f.files.clone();
        want.sort();
        assert_eq!(files, want, "{}", f.name);
        assert_eq!(got["tag_prefix"], "v", "{}", f.name);
    }
}

#[test]
fn bumping_a_real_project_changes_only_version_bytes() {
    for f in all().into_iter().filter(|f| !f.version.is_empty()) {
        let before = f.world.snapshot();
        let project = Project::load(&f.world.root).unwrap_or_else(|e| panic!("{}: {e}", f.name));
        let current = Version::from_str(&f.version).expect("fixture version");
        let next = Version::new([current.release()[0] + 1, 0, 0]);
        let edits = project.plan_edits(&next);
        let mut edited: Vec<&str> = edits.iter().map(|e| e.file.as_str()).collect();
        edited.sort();
        let mut want: Vec<&str> = f.files.iter().map(String::as_str).collect();
        want.sort();
        assert_eq!(edited, want, "{}", f.name);
        for e in &edits {
            let old_text = std::str::from_utf8(&e.old).expect("utf-8");
            // uv.lock writes the normalised version; the other files as the project wrote it.
            let old_v = if e.file == "uv.lock" {
                current.to_string()
            } else {
                f.version.clone()
            };
            assert!(
                old_text.contains(&old_v),
                "{}: {} lacks {old_v}",
                f.name,
                e.file
            );
            assert_only_version_changed(
                &format!("{}/{}", f.name, e.file),
                &e.old,
                &e.new,
                &old_v,
                &next.to_string(),
            );
            if e.file == "uv.lock" {
                let lock: DocumentMut = std::str::from_utf8(&e.new)
                    .expect("utf-8")
                    .parse()
                    .expect("still TOML");
                let ours = lock["package"]
                    .as_array_of_tables()
                    .expect("packages")
                    .iter()
                    .filter(|p| {
                        p.get("version").and_then(Item::as_str) == Some(next.to_string().as_str())
                    })
                    .count();
                assert_eq!(
                    ours, 1,
                    "{}: exactly the project's own entry carries the new version",
                    f.name
                );
            }
        }
        assert_eq!(
            f.world.snapshot(),
            before,
            "{}: planning wrote to disk",
            f.name
        );
    }
}
