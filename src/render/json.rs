//! JSON for scripts: the same values the files hold, times as RFC 3339
//! strings.

use serde::Serialize;
use serde_json::Value as Json;

/// Converts any value that serialises to TOML into JSON, writing TOML
/// datetimes as strings (serde_json would otherwise see a private map).
pub fn to_json<T: Serialize>(value: &T) -> Json {
    let toml = toml::Value::try_from(value).expect("ledger values serialise to TOML");
    convert(toml)
}

fn convert(value: toml::Value) -> Json {
    match value {
        toml::Value::String(s) => Json::String(s),
        toml::Value::Integer(i) => Json::from(i),
        toml::Value::Float(f) => Json::from(f),
        toml::Value::Boolean(b) => Json::Bool(b),
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(a) => Json::Array(a.into_iter().map(convert).collect()),
        toml::Value::Table(t) => {
            // A datetime that went through `Value::try_from` arrives as
            // serde's private one-key map.
            if t.len() == 1
                && let Some(toml::Value::String(s)) = t.get("$__toml_private_datetime")
            {
                return Json::String(s.clone());
            }
            Json::Object(t.into_iter().map(|(k, v)| (k, convert(v))).collect())
        }
    }
}
