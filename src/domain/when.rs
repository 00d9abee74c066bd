//! Times as responders type them: RFC 3339, `14:05` (the last 14:05),
//! `yesterday 14:05`, `Dec 1 21:05`, `21:05 UTC`, `15m ago`, `an hour ago`.
//!
//! Pure: the caller passes the current time and the local time zone (a
//! zone, not an offset, so a time across a daylight-saving change reads in
//! the offset of its own day).
//!
//! Every time read is bounded to the years 1970 to 9999 and every duration
//! to 100 years, so the arithmetic on them cannot overflow chrono's range
//! and every time written stays a TOML datetime (whose year has 4 digits).

mod phrase;

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, TimeZone, Utc};

/// Why a time or a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("`{0}` is not a time I can read")]
    Unreadable(String),
    #[error("`{0}` is outside the years 1970 to 9999")]
    OutOfRange(String),
    #[error("`{0}` is longer than 100 years")]
    TooLong(String),
    /// A local time the clocks passed twice (when they went back).
    #[error("`{text}` happened twice in local time, at {earlier} and at {later}")]
    Ambiguous {
        text: String,
        earlier: String,
        later: String,
    },
    /// A local time the clocks skipped (when they went forward).
    #[error("`{0}` never happened in local time: the clocks skipped it")]
    Skipped(String),
}

impl TimeError {
    pub const HINT: &'static str = "use a clock time such as 14:05 (the last 14:05), \
`yesterday 14:05`, `Dec 1 21:05`, `21:05 UTC`, a date and time (2026-11-26 18:40), \
RFC 3339 (2026-11-26T18:40:00Z), or an age such as `15m ago` or `an hour ago`";

    /// What to type instead.
    pub fn hint(&self) -> &'static str {
        match self {
            TimeError::Ambiguous { .. } | TimeError::Skipped(_) => {
                "give the zone, such as `01:30 UTC` or `01:30 +02:00`, or an age such as `2h ago`"
            }
            _ => Self::HINT,
        }
    }
}

/// How far ahead of the clock a time may be and still count as now: the
/// responder's watch and the machine's clock rarely agree to the second.
pub const CLOCK_SKEW: Duration = Duration::minutes(1);

/// The longest duration accepted anywhere: an age, a deadline, a cadence.
pub const MAX_SPAN: Duration = Duration::days(36_525);

/// Whether `t` lies in the years the ledger accepts (1970 to 9999).
pub fn in_range(t: DateTime<Utc>) -> bool {
    (0..=253_402_300_799).contains(&t.timestamp())
}

/// `t`, if it lies in the years the ledger accepts.
fn bounded(text: &str, t: DateTime<Utc>) -> Result<DateTime<Utc>, TimeError> {
    if in_range(t) {
        Ok(t)
    } else {
        Err(TimeError::OutOfRange(text.to_owned()))
    }
}

/// Parses a point in time relative to `now`, reading local times in `local`
/// (chrono's `Local` for the user's zone, or a fixed offset).
pub fn parse_time<Tz: TimeZone>(
    text: &str,
    now: DateTime<Utc>,
    local: Tz,
) -> Result<DateTime<Utc>, TimeError> {
    let text = text.trim();
    bounded(text, parse_unbounded(text, now, &local)?)
}

fn parse_unbounded<Tz: TimeZone>(
    text: &str,
    now: DateTime<Utc>,
    local: &Tz,
) -> Result<DateTime<Utc>, TimeError> {
    let err = || TimeError::Unreadable(text.to_owned());
    if text.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Some(phrase) = phrase::Phrase::read(text)? {
        return phrase.resolve(text, now, local);
    }
    let lower = text.to_ascii_lowercase();
    let age = lower.strip_suffix("ago").unwrap_or(&lower).trim();
    // `an hour ago`, `a day ago`: one of the unit.
    let one = ["a ", "an "]
        .iter()
        .find_map(|a| age.strip_prefix(a))
        .map(|unit| format!("1 {}", unit.trim_start()));
    let age = parse_duration(one.as_deref().unwrap_or(age)).map_err(|e| match e {
        TimeError::TooLong(_) => TimeError::OutOfRange(text.to_owned()),
        _ => err(),
    })?;
    now.checked_sub_signed(age)
        .ok_or_else(|| TimeError::OutOfRange(text.to_owned()))
}

/// Parses a calendar date, YYYY-MM-DD, in the years 1970 to 9999.
pub fn parse_date(text: &str) -> Result<NaiveDate, TimeError> {
    let text = text.trim();
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| TimeError::Unreadable(text.to_owned()))?;
    if (1970..=9999).contains(&date.year()) {
        Ok(date)
    } else {
        Err(TimeError::OutOfRange(text.to_owned()))
    }
}

/// Parses a duration such as `30m`, `1h`, `7d`, of at most [`MAX_SPAN`].
pub fn parse_duration(text: &str) -> Result<chrono::Duration, TimeError> {
    let d = humantime::parse_duration(text.trim())
        .ok()
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .ok_or_else(|| TimeError::Unreadable(text.to_owned()))?;
    if d > MAX_SPAN {
        return Err(TimeError::TooLong(text.to_owned()));
    }
    Ok(d)
}

/// A time as every text output and error message writes it:
/// `2026-12-01 22:08 UTC`. JSON, trailers and files use RFC 3339 with `Z`.
pub fn shown(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Formats a duration for people: `2h 47m`, `3d 4h`, `45s`.
pub fn human_duration(d: chrono::Duration) -> String {
    let secs = d.num_seconds();
    let sign = if secs < 0 { "-" } else { "" };
    let secs = secs.unsigned_abs();
    let (days, hours, minutes) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60);
    let text = if days > 0 {
        if hours > 0 {
            format!("{days}d {hours}h")
        } else {
            format!("{days}d")
        }
    } else if hours > 0 {
        if minutes > 0 {
            format!("{hours}h {minutes}m")
        } else {
            format!("{hours}h")
        }
    } else if minutes > 0 {
        format!("{minutes}m")
    } else {
        format!("{secs}s")
    };
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    use chrono::FixedOffset;

    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-26T18:52:11Z".parse().unwrap()
    }

    #[test]
    fn reads_every_documented_form() {
        let utc = FixedOffset::east_opt(0).unwrap();
        let cet = FixedOffset::east_opt(3600).unwrap();
        let at = |s, tz| parse_time(s, now(), tz).unwrap().to_rfc3339();
        assert_eq!(at("2026-11-26T18:40:00Z", utc), "2026-11-26T18:40:00+00:00");
        assert_eq!(at("18:40", utc), "2026-11-26T18:40:00+00:00");
        assert_eq!(at("18:40", cet), "2026-11-26T17:40:00+00:00");
        assert_eq!(at("15m ago", utc), "2026-11-26T18:37:11+00:00");
        assert_eq!(at("2h ago", utc), "2026-11-26T16:52:11+00:00");
        assert_eq!(at("2026-11-25 09:00", utc), "2026-11-25T09:00:00+00:00");
        assert!(parse_time("yesterday-ish", now(), utc).is_err());
    }

    /// Issue 11: `--at "3000 years ago"` panicked writing a negative year,
    /// and a time before 1970 silently meant the present.
    #[test]
    fn refuses_times_outside_the_years_1970_to_9999() {
        let utc = FixedOffset::east_opt(0).unwrap();
        for text in ["3000 years ago", "1969-12-31T23:59:59Z", "100 years ago"] {
            assert_eq!(
                parse_time(text, now(), utc),
                Err(TimeError::OutOfRange(text.to_owned())),
                "{text}"
            );
        }
        assert!(parse_time("1970-01-01T00:00:00Z", now(), utc).is_ok());
        assert!(parse_time("9999-12-31T23:59:59Z", now(), utc).is_ok());
        assert!(parse_time("10000-01-01T00:00:00Z", now(), utc).is_err());
    }

    #[test]
    fn refuses_durations_over_100_years() {
        assert_eq!(
            parse_duration("261000y"),
            Err(TimeError::TooLong("261000y".into()))
        );
        assert!(parse_duration("100y").is_ok());
        assert!(parse_date("+12345-01-01").is_err());
        assert!(parse_date("2026-12-10").is_ok());
        assert!(parse_duration("99999999999999999999y").is_err());
    }

    #[test]
    fn formats_durations_compactly() {
        assert_eq!(human_duration(chrono::Duration::seconds(45)), "45s");
        assert_eq!(human_duration(chrono::Duration::minutes(167)), "2h 47m");
        assert_eq!(human_duration(chrono::Duration::hours(76)), "3d 4h");
    }
}
