//! Serde adapters that store times as native TOML datetimes and dates.
//!
//! chrono's own serde impls write quoted strings and cannot read a native TOML
//! datetime, which reaches serde as a private map; these adapters go through
//! `toml::value::Datetime` instead, so files read `at = 2026-11-26T18:40:00Z`.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _, ser::Error as _};
use toml::value::Datetime;

/// A time as a TOML datetime; a year outside 0 to 9999 (which no time read
/// by `when` or from a file has) is an error rather than a panic.
fn to_datetime<E: serde::ser::Error>(t: &DateTime<Utc>) -> Result<Datetime, E> {
    let text = t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    text.parse()
        .map_err(|_| E::custom(format!("`{text}` cannot be written as a TOML datetime")))
}

fn from_datetime<E: serde::de::Error>(d: &Datetime) -> Result<DateTime<Utc>, E> {
    if d.date.is_none() || d.time.is_none() || d.offset.is_none() {
        return Err(E::custom(format!(
            "`{d}` needs a date, a time and an offset, as in 2026-11-26T18:40:00Z"
        )));
    }
    DateTime::parse_from_rfc3339(&d.to_string())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| E::custom(format!("`{d}` is not a valid time: {e}")))
}

/// A required UTC time.
pub mod utc {
    use super::*;

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        to_datetime(t)?.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        from_datetime(&Datetime::deserialize(d)?)
    }
}

/// An optional UTC time.
pub mod utc_opt {
    use super::*;

    #[allow(clippy::ref_option)]
    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => to_datetime(t)?.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<Datetime>::deserialize(d)?
            .as_ref()
            .map(from_datetime)
            .transpose()
    }
}

/// An optional calendar date (`due = 2026-12-10`).
pub mod date_opt {
    use super::*;

    #[allow(clippy::ref_option)]
    pub fn serialize<S: Serializer>(t: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => {
                let text = t.format("%Y-%m-%d").to_string();
                text.parse::<Datetime>()
                    .map_err(|_| S::Error::custom(format!("`{text}` is not a TOML date")))?
                    .serialize(s)
            }
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        let Some(dt) = Option::<Datetime>::deserialize(d)? else {
            return Ok(None);
        };
        match (dt.date, dt.time) {
            (Some(date), None) => NaiveDate::from_ymd_opt(
                i32::from(date.year),
                u32::from(date.month),
                u32::from(date.day),
            )
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("`{dt}` is not a valid date"))),
            _ => Err(D::Error::custom(format!(
                "`{dt}` should be a plain date, as in 2026-12-10"
            ))),
        }
    }
}
