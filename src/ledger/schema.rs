//! JSON Schemas of the files a person may edit, generated from the Rust types
//! so the two cannot drift apart; `schema/` holds the generated files and a
//! test checks they are current.

use schemars::generate::SchemaSettings;

use super::LedgerConfig;
use crate::domain::Incident;
use crate::domain::runbook::Runbook;

fn generate<T: schemars::JsonSchema>() -> String {
    // Draft 7: what the TOML language servers (taplo, Even Better TOML)
    // validate against.
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is JSON");
    text.push('\n');
    text
}

/// The schema of an incident file.
pub fn incident() -> String {
    generate::<Incident>()
}

/// The schema of `ledger.toml`.
pub fn ledger() -> String {
    generate::<LedgerConfig>()
}

/// The schema of `runbook.toml`.
pub fn runbook() -> String {
    generate::<Runbook>()
}
