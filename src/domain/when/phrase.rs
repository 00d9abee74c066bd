//! Clock times as responders type them, with or without a day and a zone:
//! `14:05`, `yesterday 14:05`, `today 9:30`, `Dec 1 21:05`, `1 Dec 21:05`,
//! `2026-11-26 18:40`, `21:05 UTC`, `21:05Z`, `18:40 +01:00`, and
//! `2026-11-26 18:40 UTC`, the views' own format, so a time shown can be
//! typed back.
//!
//! A clock time with no day is the last time the clock showed it: `23:50`
//! typed just after midnight is yesterday's. A local time is read in the
//! offset of its own day; across a daylight-saving change, a time the clocks
//! skipped is refused, and one they showed twice is refused unless only one
//! of the two has happened yet.

use chrono::{
    DateTime, Datelike as _, FixedOffset, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc,
};

use super::{CLOCK_SKEW, TimeError, shown};

/// Which day a clock time is on, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Day {
    /// No day: the last time the clock showed it.
    Last,
    Today,
    Yesterday,
    Date(NaiveDate),
    /// A month and a day of it, no year: the last one, this year's or the
    /// year before's.
    OfMonth(u32, u32),
}

/// A day, a clock time and a zone, as read from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Phrase {
    day: Day,
    /// `None`: midnight, as for a date alone.
    time: Option<NaiveTime>,
    /// `UTC`, `Z` or an offset; `None` reads the time in the local zone.
    zone: Option<FixedOffset>,
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

impl Phrase {
    /// The phrase `text` is, or `None` where it is none (an age, say). A
    /// date outside the years 1970 to 9999 is an error.
    pub(super) fn read(text: &str) -> Result<Option<Phrase>, TimeError> {
        let lower = text.to_ascii_lowercase().replace(',', " ");
        let mut words: Vec<&str> = Vec::new();
        for word in lower.split_whitespace() {
            // `2026-11-26T18:40`: a date and a time.
            match word.split_once('t') {
                Some((date, time)) if iso_date(date).is_some() => words.extend([date, time]),
                _ => words.push(word),
            }
        }
        let mut zone = None;
        if let Some(z) = words.last().and_then(|w| zone_of(w)) {
            zone = Some(z);
            words.pop();
        }
        let mut time = None;
        if let Some(word) = words.last() {
            if let Some(t) = clock(word) {
                time = Some(t);
            } else if zone.is_none()
                && let Some(t) = word.strip_suffix('z').and_then(clock)
            {
                time = Some(t);
                zone = FixedOffset::east_opt(0);
            }
        }
        if time.is_some() {
            words.pop();
        }
        let day = match words.as_slice() {
            [] => Day::Last,
            ["today"] => Day::Today,
            ["yesterday"] => Day::Yesterday,
            [date] => match iso_date(date) {
                Some(date) if (1970..=9999).contains(&date.year()) => Day::Date(date),
                Some(_) => return Err(TimeError::OutOfRange(text.to_owned())),
                None => return Ok(None),
            },
            [a, b] => match (month(a), day_of_month(b), day_of_month(a), month(b)) {
                (Some(m), Some(d), _, _) | (_, _, Some(d), Some(m)) => Day::OfMonth(m, d),
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        if day == Day::Last && time.is_none() {
            return Ok(None);
        }
        Ok(Some(Phrase { day, time, zone }))
    }

    /// The time the phrase names, typed at `now`, local times read in `local`.
    pub(super) fn resolve<Tz: TimeZone>(
        &self,
        text: &str,
        now: DateTime<Utc>,
        local: &Tz,
    ) -> Result<DateTime<Utc>, TimeError> {
        match self.zone {
            Some(zone) => self.resolve_in(text, now, &zone),
            None => self.resolve_in(text, now, local),
        }
    }

    fn resolve_in<Z: TimeZone>(
        &self,
        text: &str,
        now: DateTime<Utc>,
        zone: &Z,
    ) -> Result<DateTime<Utc>, TimeError> {
        let unreadable = || TimeError::Unreadable(text.to_owned());
        let today = now.with_timezone(zone).date_naive();
        let yesterday = || {
            today
                .pred_opt()
                .ok_or_else(|| TimeError::OutOfRange(text.to_owned()))
        };
        let time = self.time.unwrap_or(NaiveTime::MIN);
        let on = |date: NaiveDate| at(text, zone, date, time);
        match self.day {
            Day::Today => on(today),
            Day::Yesterday => on(yesterday()?),
            Day::Date(date) => on(date),
            Day::OfMonth(month, day) => {
                let this_year =
                    NaiveDate::from_ymd_opt(today.year(), month, day).filter(|date| *date <= today);
                let date = match this_year {
                    Some(date) => date,
                    None => NaiveDate::from_ymd_opt(today.year() - 1, month, day)
                        .ok_or_else(unreadable)?,
                };
                on(date)
            }
            Day::Last => {
                let latest = now.checked_add_signed(CLOCK_SKEW).unwrap_or(now);
                let happened = |t: &DateTime<Z>| t.with_timezone(&Utc) <= latest;
                let naive = today.and_time(time);
                match zone.from_local_datetime(&naive) {
                    LocalResult::Single(t) if happened(&t) => Ok(t.with_timezone(&Utc)),
                    LocalResult::Ambiguous(a, b) => {
                        let (first, second) = if a <= b { (a, b) } else { (b, a) };
                        if happened(&second) {
                            Err(ambiguous(text, &first, &second))
                        } else if happened(&first) {
                            Ok(first.with_timezone(&Utc))
                        } else {
                            on(yesterday()?)
                        }
                    }
                    LocalResult::None if naive <= now.with_timezone(zone).naive_local() => {
                        Err(TimeError::Skipped(text.to_owned()))
                    }
                    _ => on(yesterday()?),
                }
            }
        }
    }
}

/// `date` at `time` in `zone`, where that is one instant.
fn at<Z: TimeZone>(
    text: &str,
    zone: &Z,
    date: NaiveDate,
    time: NaiveTime,
) -> Result<DateTime<Utc>, TimeError> {
    match zone.from_local_datetime(&date.and_time(time)) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) if a <= b => Err(ambiguous(text, &a, &b)),
        LocalResult::Ambiguous(a, b) => Err(ambiguous(text, &b, &a)),
        LocalResult::None => Err(TimeError::Skipped(text.to_owned())),
    }
}

fn ambiguous<Z: TimeZone>(text: &str, earlier: &DateTime<Z>, later: &DateTime<Z>) -> TimeError {
    let utc = |t: &DateTime<Z>| shown(t.with_timezone(&Utc));
    TimeError::Ambiguous {
        text: text.to_owned(),
        earlier: utc(earlier),
        later: utc(later),
    }
}

fn iso_date(word: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(word, "%Y-%m-%d").ok()
}

/// `9:30`, `21:05`, `21:05:30`.
fn clock(word: &str) -> Option<NaiveTime> {
    let mut parts = word.split(':');
    let (hour, minute, second) = (parts.next()?, parts.next()?, parts.next());
    if parts.next().is_some() {
        return None;
    }
    let number = |digits: &str, widths: std::ops::RangeInclusive<usize>| {
        (widths.contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse::<u32>().ok())
            .flatten()
    };
    NaiveTime::from_hms_opt(
        number(hour, 1..=2)?,
        number(minute, 2..=2)?,
        second.map_or(Some(0), |s| number(s, 2..=2))?,
    )
}

/// `utc`, `gmt`, `z`, `+01:00`, `-0500`, `+02`.
fn zone_of(word: &str) -> Option<FixedOffset> {
    if matches!(word, "utc" | "gmt" | "z") {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match word.as_bytes().first()? {
        b'+' => (1, &word[1..]),
        b'-' => (-1, &word[1..]),
        _ => return None,
    };
    if !rest.is_ascii() {
        return None;
    }
    let (hours, minutes) = match rest.split_once(':') {
        Some(parts) => parts,
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, "00"),
    };
    let two_digits = |d: &str| {
        (d.len() == 2 && d.bytes().all(|b| b.is_ascii_digit()))
            .then(|| d.parse::<i32>().ok())
            .flatten()
    };
    let (hours, minutes) = (two_digits(hours)?, two_digits(minutes)?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// `dec`, `december`, `sept`: at least three letters of a month's name.
fn month(word: &str) -> Option<u32> {
    let word = word.strip_suffix('.').unwrap_or(word);
    if word.len() < 3 {
        return None;
    }
    let index = MONTHS.iter().position(|m| m.starts_with(word))?;
    u32::try_from(index + 1).ok()
}

fn day_of_month(word: &str) -> Option<u32> {
    if word.is_empty() || word.len() > 2 || !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    word.parse().ok().filter(|d| (1..=31).contains(d))
}

#[cfg(test)]
mod tests;
