//! The phrases' edge cases: midnight, daylight saving in a real zone's
//! rule, the years 1970 to 9999, and text that is no time.

use chrono::{Days, Duration, NaiveDateTime};

use super::super::parse_time;
use super::*;

/// Central European time with its daylight-saving rule (the last Sunday
/// of March and of October, at 01:00 UTC): a real zone's behaviour for
/// the tests, without a time-zone database.
#[derive(Debug, Clone, Copy)]
struct Berlin;

impl Berlin {
    fn offset_at(utc: &NaiveDateTime) -> FixedOffset {
        let last_sunday = |month| {
            let last = NaiveDate::from_ymd_opt(utc.year(), month, 31).unwrap();
            let back = last.weekday().num_days_from_sunday();
            (last - Days::new(back.into()))
                .and_hms_opt(1, 0, 0)
                .unwrap()
        };
        let summer = (last_sunday(3)..last_sunday(10)).contains(utc);
        FixedOffset::east_opt(if summer { 7200 } else { 3600 }).unwrap()
    }
}

impl TimeZone for Berlin {
    type Offset = FixedOffset;

    fn from_offset(_: &FixedOffset) -> Self {
        Berlin
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<FixedOffset> {
        self.offset_from_local_datetime(&local.and_time(NaiveTime::MIN))
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<FixedOffset> {
        // Summer first: the earlier instant of a time shown twice.
        let fits: Vec<FixedOffset> = [7200, 3600]
            .into_iter()
            .map(|secs| FixedOffset::east_opt(secs).unwrap())
            .filter(|off| {
                let utc = *local - Duration::seconds(off.local_minus_utc().into());
                Self::offset_at(&utc) == *off
            })
            .collect();
        match fits.as_slice() {
            [one] => LocalResult::Single(*one),
            [first, second] => LocalResult::Ambiguous(*first, *second),
            _ => LocalResult::None,
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> FixedOffset {
        Self::offset_at(&utc.and_time(NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> FixedOffset {
        Self::offset_at(utc)
    }
}

fn utc(t: &str) -> DateTime<Utc> {
    t.parse().unwrap()
}

/// `text` typed at `now` in Berlin, as RFC 3339 in UTC.
fn berlin(text: &str, now: &str) -> Result<String, TimeError> {
    parse_time(text, utc(now), Berlin).map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

fn ok(text: &str, now: &str) -> String {
    berlin(text, now).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn the_test_zone_keeps_central_european_time() {
    let offset = |t: &str| Berlin.offset_from_utc_datetime(&utc(t).naive_utc());
    assert_eq!(offset("2026-03-29T00:59:59Z").local_minus_utc(), 3600);
    assert_eq!(offset("2026-03-29T01:00:00Z").local_minus_utc(), 7200);
    assert_eq!(offset("2026-10-25T00:59:59Z").local_minus_utc(), 7200);
    assert_eq!(offset("2026-10-25T01:00:00Z").local_minus_utc(), 3600);
}

#[test]
fn a_clock_time_alone_is_the_last_time_the_clock_showed_it() {
    // Just after midnight, 23:50 was ten minutes before it.
    assert_eq!(ok("23:50", "2026-11-26T23:05:00Z"), "2026-11-26T22:50:00Z");
    // Later today than now: yesterday's.
    assert_eq!(ok("18:00", "2026-11-26T15:00:00Z"), "2026-11-25T17:00:00Z");
    // Earlier today: today's.
    assert_eq!(ok("9:30", "2026-11-26T15:00:00Z"), "2026-11-26T08:30:00Z");
    assert_eq!(
        ok("09:30:15", "2026-11-26T15:00:00Z"),
        "2026-11-26T08:30:15Z"
    );
    // A minute ahead of the machine's clock is still now.
    assert_eq!(ok("16:01", "2026-11-26T15:00:30Z"), "2026-11-26T15:01:00Z");
    assert_eq!(ok("16:02", "2026-11-26T15:00:30Z"), "2026-11-25T15:02:00Z");
    // Midnight itself, typed at midnight and just before it.
    assert_eq!(ok("00:00", "2026-11-26T23:00:00Z"), "2026-11-26T23:00:00Z");
    assert_eq!(ok("00:00", "2026-11-26T22:59:00Z"), "2026-11-25T23:00:00Z");
}

#[test]
fn today_and_yesterday_name_the_local_day() {
    assert_eq!(
        ok("today 9:30", "2026-11-26T15:00:00Z"),
        "2026-11-26T08:30:00Z"
    );
    // `today` is today even later than now: the rules refuse the future.
    assert_eq!(
        ok("today 23:50", "2026-11-26T23:05:00Z"),
        "2026-11-27T22:50:00Z"
    );
    assert_eq!(
        ok("Yesterday 14:05", "2026-11-26T15:00:00Z"),
        "2026-11-25T13:05:00Z"
    );
    // Just after local midnight, yesterday is the day that just ended.
    assert_eq!(
        ok("yesterday 14:05", "2026-11-26T23:05:00Z"),
        "2026-11-26T13:05:00Z"
    );
    assert_eq!(
        ok("yesterday", "2026-11-26T15:00:00Z"),
        "2026-11-24T23:00:00Z"
    );
}

#[test]
fn a_zone_reads_the_time_there_whatever_the_local_zone() {
    for text in [
        "21:05 UTC",
        "21:05Z",
        "21:05 z",
        "21:05 GMT",
        "22:05 +01:00",
    ] {
        assert_eq!(
            ok(text, "2026-12-01T22:08:00Z"),
            "2026-12-01T21:05:00Z",
            "{text}"
        );
    }
    assert_eq!(
        ok("16:05 -0500", "2026-12-01T22:08:00Z"),
        "2026-12-01T21:05:00Z"
    );
    // The last 23:00 in UTC, though it is already tomorrow in Berlin.
    assert_eq!(
        ok("23:00 UTC", "2026-12-01T23:30:00Z"),
        "2026-12-01T23:00:00Z"
    );
    assert_eq!(
        ok("23:40 UTC", "2026-12-01T23:30:00Z"),
        "2026-11-30T23:40:00Z"
    );
    assert_eq!(
        ok("yesterday 21:05 UTC", "2026-12-01T22:08:00Z"),
        "2026-11-30T21:05:00Z"
    );
    // What the views print reads back as the same time.
    assert_eq!(
        ok("2026-12-01 22:08 UTC", "2026-12-02T00:00:00Z"),
        "2026-12-01T22:08:00Z"
    );
    assert_eq!(
        ok("2026-12-01T22:08Z", "2026-12-02T00:00:00Z"),
        "2026-12-01T22:08:00Z"
    );
}

#[test]
fn a_month_and_day_is_the_last_such_day() {
    for text in [
        "Dec 1 21:05",
        "dec 1, 21:05",
        "1 Dec 21:05",
        "December 1 21:05",
    ] {
        assert_eq!(
            ok(text, "2026-12-03T10:00:00Z"),
            "2026-12-01T20:05:00Z",
            "{text}"
        );
    }
    // Typed in January: last December's.
    assert_eq!(
        ok("Dec 1 21:05", "2027-01-02T10:00:00Z"),
        "2026-12-01T20:05:00Z"
    );
    // Today's date, even at a later hour.
    assert_eq!(
        ok("Dec 1 21:05", "2026-12-01T10:00:00Z"),
        "2026-12-01T20:05:00Z"
    );
    assert_eq!(
        ok("Sept 30 08:00", "2026-12-01T10:00:00Z"),
        "2026-09-30T06:00:00Z"
    );
    for text in ["Feb 30 10:00", "Dec 32 10:00", "De 1 10:00", "Decx 1 10:00"] {
        assert_eq!(
            berlin(text, "2026-12-01T10:00:00Z"),
            Err(TimeError::Unreadable(text.to_owned())),
            "{text}"
        );
    }
}

#[test]
fn local_times_take_the_offset_of_their_own_day() {
    // Typed in winter (+01:00), a summer time is read at +02:00.
    assert_eq!(
        ok("2026-07-01 12:00", "2026-11-26T15:00:00Z"),
        "2026-07-01T10:00:00Z"
    );
    assert_eq!(
        ok("Jul 1 12:00", "2026-11-26T15:00:00Z"),
        "2026-07-01T10:00:00Z"
    );
    // The day the clocks go forward: before and after the jump.
    let spring = "2026-03-29T10:00:00Z";
    assert_eq!(ok("01:30", spring), "2026-03-29T00:30:00Z");
    assert_eq!(ok("03:30", spring), "2026-03-29T01:30:00Z");
    assert_eq!(ok("yesterday 02:30", spring), "2026-03-28T01:30:00Z");
    // Yesterday across the jump, at the same local clock time.
    assert_eq!(ok("yesterday 12:00", spring), "2026-03-28T11:00:00Z");
}

#[test]
fn a_local_time_the_clocks_skipped_is_refused() {
    let spring = "2026-03-29T10:00:00Z";
    for text in ["02:30", "today 02:30", "2026-03-29 02:30", "Mar 29 02:30"] {
        assert_eq!(
            berlin(text, spring),
            Err(TimeError::Skipped(text.to_owned())),
            "{text}"
        );
    }
    // Typed before the jump, the skipped 02:30 is still to come today:
    // the last 02:30 was yesterday's.
    assert_eq!(ok("02:30", "2026-03-29T00:30:00Z"), "2026-03-28T01:30:00Z");
    assert_eq!(ok("02:30 UTC", spring), "2026-03-29T02:30:00Z");
}

#[test]
fn a_local_time_shown_twice_is_refused_unless_one_is_still_to_come() {
    let ambiguous = |text: &str| TimeError::Ambiguous {
        text: text.to_owned(),
        earlier: "2026-10-25 00:30 UTC".into(),
        later: "2026-10-25 01:30 UTC".into(),
    };
    // After both 02:30s (the clocks went back at 03:00).
    let after = "2026-10-25T01:45:00Z";
    for text in ["02:30", "today 02:30", "2026-10-25 02:30", "Oct 25 02:30"] {
        assert_eq!(berlin(text, after), Err(ambiguous(text)), "{text}");
    }
    assert_eq!(ok("02:30 +02:00", after), "2026-10-25T00:30:00Z");
    assert_eq!(ok("02:30 +01:00", after), "2026-10-25T01:30:00Z");
    // Between the two: the one that has happened.
    assert_eq!(ok("02:30", "2026-10-25T00:45:00Z"), "2026-10-25T00:30:00Z");
    // Before both: yesterday's.
    assert_eq!(ok("02:30", "2026-10-24T23:30:00Z"), "2026-10-24T00:30:00Z");
    let shown = ambiguous("02:30").to_string();
    assert!(
        shown.contains("2026-10-25 00:30 UTC and at 2026-10-25 01:30 UTC"),
        "{shown}"
    );
}

#[test]
fn days_outside_the_years_1970_to_9999_are_refused_without_panic() {
    let out = |text: &str, now: &str| {
        assert_eq!(
            parse_time(text, utc(now), FixedOffset::east_opt(0).unwrap()),
            Err(TimeError::OutOfRange(text.to_owned())),
            "{text}"
        );
    };
    out("yesterday 10:00", "1970-01-01T05:00:00Z");
    out("23:00", "1970-01-01T05:00:00Z");
    out("Dec 31 23:00", "1970-01-01T05:00:00Z");
    out("+12345-01-01 10:00", "2026-11-26T15:00:00Z");
    out("1969-12-31 23:00", "2026-11-26T15:00:00Z");
    out("9999-12-31 23:59 -01:00", "2026-11-26T15:00:00Z");
    // Ahead of UTC, the last local minute of 9999 is still in it.
    assert_eq!(
        ok("9999-12-31 23:59", "2026-11-26T15:00:00Z"),
        "9999-12-31T22:59:00Z"
    );
    assert!(berlin("1970-01-01 00:30 UTC", "2026-11-26T15:00:00Z").is_ok());
}

#[test]
fn what_is_no_time_stays_unreadable() {
    let now = "2026-11-26T15:00:00Z";
    for text in [
        "24:00",
        "9:5",
        "123:00",
        "12:00:00:00",
        "21:05 +ü0",
        "21:05 +1:00",
        "21:05 +24:00",
        "today tomorrow 10:00",
        "yesterday-ish",
        "Dec",
        "utc",
        "z",
        "ü 1 10:00",
        "+",
    ] {
        assert_eq!(
            berlin(text, now),
            Err(TimeError::Unreadable(text.to_owned())),
            "{text}"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 512,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Phrases made of the words the parser knows, at any time from
    /// 1970 to 9999, in a zone with daylight saving: no panic, and a time
    /// accepted lies in the years the ledger stores.
    #[test]
    fn any_phrase_at_any_time_is_read_or_refused_without_panic(
        words in proptest::collection::vec(proptest::sample::select(vec![
            "yesterday", "today", "dec", "feb", "mar", "oct", "1", "29", "31", "0",
            "23:59", "00:00", "02:30", "2:30:59", "utc", "z", "+14:00", "-23:59",
            "9999-12-31", "1970-01-01", "9999-12-31t23:59z", "ago", "an", "hour",
        ]), 1..5),
        now in 0i64..=253_402_300_799,
    ) {
        let now = DateTime::from_timestamp(now, 0).unwrap();
        let text = words.join(" ");
        if let Ok(t) = parse_time(&text, now, Berlin) {
            proptest::prop_assert!(super::super::in_range(t), "{text} at {now}: {t}");
        }
    }
}

#[test]
fn an_age_may_say_a_or_an() {
    let now = "2026-11-26T15:00:00Z";
    assert_eq!(ok("an hour ago", now), "2026-11-26T14:00:00Z");
    assert_eq!(ok("a minute ago", now), "2026-11-26T14:59:00Z");
    assert_eq!(ok("An hour ago", now), "2026-11-26T14:00:00Z");
    assert_eq!(ok("1 hour ago", now), "2026-11-26T14:00:00Z");
    assert_eq!(ok("NOW", now), "2026-11-26T15:00:00Z");
}
