//! The incident list: one line per incident, newest first, fitted to the
//! terminal by cutting the services and lead columns (…) rather than
//! wrapping them; where the title would get too few columns it goes on a
//! line of its own, wrapped, so that it reads whole.

use console::{measure_text_width, pad_str, truncate_str};

use std::path::Path;

use serde::Serialize;

use crate::domain::{Identity, IncidentId, Summary};

/// One row of `list --json`, serialised straight from the summary: no JSON
/// tree of thousands of rows is built first.
#[derive(Serialize)]
pub(crate) struct Row<'a> {
    id: &'a IncidentId,
    title: &'a str,
    severity: &'a str,
    status: &'a str,
    lead: &'a Option<Identity>,
    services: &'a [String],
    declared_at: String,
    pending_cleanups: usize,
    path: &'a Path,
}

/// The row of one incident, read from the file at `path`.
pub(crate) fn row<'a>(i: &'a Summary, path: &'a Path) -> Row<'a> {
    Row {
        id: &i.id,
        title: &i.title,
        severity: &i.severity,
        status: i.status.as_str(),
        lead: &i.lead,
        services: &i.services,
        declared_at: i
            .declared_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        pending_cleanups: i.pending_cleanups,
        path,
    }
}

const HEADER: [&str; 7] = [
    "ID",
    "SEV",
    "STATUS",
    "DECLARED (UTC)",
    "LEAD",
    "SERVICES",
    "TITLE",
];
const GAP: usize = 2;
/// Columns that give way when the line is too long, in order, with the
/// narrowest they get: services, then lead.
const SHRINK: [(usize, usize); 2] = [(5, 8), (4, 8)];
/// The fewest columns a title gets on the incident's own line; below that
/// it goes on a line of its own beneath, where it reads whole.
const TITLE_FLOOR: usize = 30;
/// How far a title on its own line is indented.
const TITLE_INDENT: usize = 4;

/// A table, fitted to `width` columns when given: one line per incident
/// while the title keeps [`TITLE_FLOOR`] columns, else each title on a
/// line of its own under its incident, wrapped, never cut.
pub(crate) fn table(incidents: &[&Summary], width: Option<usize>) -> String {
    if incidents.is_empty() {
        return "No incidents match.\n".to_owned();
    }
    let rows: Vec<[String; 7]> = incidents
        .iter()
        .map(|i| {
            [
                i.id.to_string(),
                i.severity.clone(),
                i.status.as_str().to_owned(),
                i.declared_at.format("%Y-%m-%d %H:%M").to_string(),
                i.lead.as_ref().map_or("-", |who| who.name()).to_owned(),
                if i.services.is_empty() {
                    "-".to_owned()
                } else {
                    i.services.join(", ")
                },
                i.title.clone(),
            ]
        })
        .collect();
    // Each column's natural width: its longest cell or header.
    let natural: Vec<usize> = (0..7)
        .map(|c| {
            rows.iter()
                .map(|r| measure_text_width(&r[c]))
                .chain([HEADER[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut widths = natural.clone();
    let mut title_below = false;
    if let Some(limit) = width {
        let fields = |widths: &[usize]| widths[..6].iter().sum::<usize>() + GAP * 6;
        for (column, narrowest) in SHRINK {
            let total = fields(&widths) + widths[6];
            if total <= limit {
                break;
            }
            let floor = narrowest.max(HEADER[column].len()).min(widths[column]);
            widths[column] = widths[column].saturating_sub(total - limit).max(floor);
        }
        let room = limit.saturating_sub(fields(&widths));
        if room >= widths[6] {
            // Everything fits.
        } else if room >= TITLE_FLOOR {
            widths[6] = room;
        } else {
            // The title moves below: the other columns take the line, the
            // ones that gave way for the title get back what they can.
            title_below = true;
            for (column, _) in SHRINK.iter().rev() {
                let spare = limit.saturating_sub(fields(&widths) - GAP);
                widths[*column] = natural[*column].min(widths[*column] + spare);
            }
        }
    }
    let cell = |text: &str, w: usize| {
        pad_str(
            &truncate_str(text, w, "…"),
            w,
            console::Alignment::Left,
            None,
        )
        .into_owned()
    };
    let columns = if title_below { 6 } else { 7 };
    let mut out = String::new();
    let header = HEADER.map(str::to_owned);
    for (n, row) in std::iter::once(&header).chain(&rows).enumerate() {
        let line: Vec<String> = (0..columns).map(|c| cell(&row[c], widths[c])).collect();
        out.push_str(line.join(&" ".repeat(GAP)).trim_end());
        out.push('\n');
        if title_below && n > 0 {
            let indent = " ".repeat(TITLE_INDENT);
            super::wrap_into(
                &mut out,
                &indent,
                &indent,
                &row[6],
                width.map(|w| w.max(TITLE_INDENT + 10)),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(id: &str, title: &str, services: &[&str]) -> Summary {
        Summary {
            id: id.into(),
            title: title.into(),
            severity: "SEV-2".into(),
            status: crate::domain::Status::Declared,
            lead: None,
            services: services.iter().map(|s| (*s).to_owned()).collect(),
            declared_at: "2026-11-26T18:40:00Z".parse().unwrap(),
            pending_cleanups: 0,
        }
    }

    #[test]
    fn a_narrow_terminal_puts_the_title_below_and_never_cuts_it() {
        let a = incident(
            "INC-1",
            "Checkout API returning 502s for EU customers",
            &["checkout-api", "payments"],
        );
        let text = table(&[&a], Some(70));
        for line in text.lines() {
            assert!(measure_text_width(line) <= 70, "{line:?} is too wide");
        }
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(
            text.contains("Checkout API returning 502s for EU customers"),
            "{text}"
        );
    }

    #[test]
    fn every_line_fits_an_80_column_terminal() {
        let a = Summary {
            lead: Some("Katherine Johnson <kj@example.com>".into()),
            status: crate::domain::Status::Acknowledged,
            ..incident(
                "INC-1000",
                "Disk full on db-primary hosts after the nightly compaction",
                &["db-primary", "billing"],
            )
        };
        let text = table(&[&a], Some(80));
        for line in text.lines() {
            assert!(measure_text_width(line) <= 80, "{line:?} is too wide");
        }
        assert!(!text.contains("TITLE"), "{text}");
        assert!(text.contains("Katherine Johnson"), "{text}");
        assert!(
            text.contains("\n    Disk full on db-primary hosts after the nightly compaction\n"),
            "{text}"
        );
    }

    #[test]
    fn a_title_too_long_for_its_own_line_wraps_and_loses_nothing() {
        let title = "Checkout API returning 502s for EU customers after the payments \
                     provider rotated its certificates without telling anyone";
        let a = incident("INC-1", title, &["checkout-api", "payments"]);
        let text = table(&[&a], Some(60));
        for line in text.lines() {
            assert!(measure_text_width(line) <= 60, "{line:?} is too wide");
        }
        let words: Vec<&str> = text
            .lines()
            .skip(2)
            .flat_map(str::split_whitespace)
            .collect();
        assert_eq!(words.join(" "), title);
    }

    #[test]
    fn a_wide_terminal_keeps_one_line_per_incident() {
        let a = incident(
            "INC-1",
            "Checkout API returning 502s for EU customers",
            &["checkout-api", "payments"],
        );
        let text = table(&[&a], Some(120));
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.lines().next().unwrap().ends_with("TITLE"), "{text}");
    }

    #[test]
    fn without_a_terminal_nothing_is_cut() {
        let a = incident(
            "INC-1",
            "Checkout API returning 502s for EU customers",
            &["checkout-api"],
        );
        let text = table(&[&a], None);
        assert!(text.contains("Checkout API returning 502s for EU customers"));
    }
}
