//! The JSON Schemas in schema/ against the Rust types, both ways: the files
//! are what the types generate, every example passes both, every invalid
//! fixture fails both.

use std::path::{Path, PathBuf};

use git_incident::domain::Incident;
use git_incident::domain::change::check_milestones;
use git_incident::domain::runbook::Runbook;
use git_incident::ledger::LedgerConfig;
use git_incident::ledger::schema;
use git_incident::to_json;
use serde_json::Value as Json;

use crate::harness::fixtures;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn validator(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("schema").join(name)).unwrap();
    let schema: Json = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn schema_errors(validator: &jsonschema::Validator, text: &str) -> Vec<String> {
    let value: toml::Value = toml::from_str(text).unwrap();
    validator
        .iter_errors(&to_json(&value))
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn schema_files_are_what_the_types_generate() {
    for (name, generated) in [
        ("incident.schema.json", schema::incident()),
        ("ledger.schema.json", schema::ledger()),
        ("runbook.schema.json", schema::runbook()),
    ] {
        let path = root().join("schema").join(name);
        #[allow(clippy::disallowed_methods)]
        if std::env::var_os("UPDATE_SCHEMAS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == generated,
            "schema/{name} is out of date: run `UPDATE_SCHEMAS=1 cargo test --test cli schema` and commit it"
        );
    }
}

#[test]
fn every_example_validates_and_deserializes() {
    let dir = root().join("schema/examples");
    let files = toml_files(&dir);
    assert!(files.len() >= 5, "examples missing: {files:?}");
    for path in files {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let (schema, parsed): (&str, Result<(), String>) = if name.starts_with("incident") {
            let parsed = toml::from_str::<Incident>(&text)
                .map_err(|e| e.to_string())
                .and_then(|i| check_milestones(&i).map_err(|e| e.to_string()));
            ("incident.schema.json", parsed)
        } else if name.starts_with("ledger") {
            let parsed = toml::from_str::<LedgerConfig>(&text)
                .map(|_| ())
                .map_err(|e| e.to_string());
            ("ledger.schema.json", parsed)
        } else if name.starts_with("runbook") {
            let parsed = toml::from_str::<Runbook>(&text)
                .map_err(|e| e.to_string())
                .and_then(|r| match r.problems().first() {
                    Some(p) => Err(p.clone()),
                    None => Ok(()),
                });
            ("runbook.schema.json", parsed)
        } else {
            panic!("{name}: name examples incident-*, ledger* or runbook*");
        };
        assert_eq!(parsed, Ok(()), "{name} does not deserialize");
        let errors = schema_errors(&validator(schema), &text);
        assert!(errors.is_empty(), "{name} fails {schema}: {errors:?}");
    }
}

#[test]
fn every_invalid_fixture_is_rejected_by_schema_and_types() {
    let files = toml_files(&fixtures().join("invalid"));
    assert!(files.len() >= 8, "fixtures missing: {files:?}");
    let validator = validator("incident.schema.json");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(
            toml::from_str::<Incident>(&text).is_err(),
            "{name} deserializes but should not"
        );
        assert!(
            !schema_errors(&validator, &text).is_empty(),
            "{name} passes the schema but should not"
        );
    }
}

#[test]
fn init_writes_the_same_schemas_into_the_ledger() {
    let env = crate::harness::TestEnv::ledger();
    for name in [
        "incident.schema.json",
        "ledger.schema.json",
        "runbook.schema.json",
    ] {
        assert_eq!(
            env.read(&format!("schema/{name}")),
            std::fs::read_to_string(root().join("schema").join(name)).unwrap(),
            "{name}"
        );
    }
    assert!(env.read("incidents/.gitkeep").is_empty());
}
