//! The incident list: one line per incident, newest first, fitted to the
//! terminal by cutting the long columns (…) rather than wrapping them.

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
        declared_at: i.declared_at.to_rfc3339(),
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
/// narrowest they get: services, lead, then the title.
const SHRINK: [(usize, usize); 3] = [(5, 8), (4, 8), (6, 12)];

/// A table, fitted to `width` columns when given.
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
    let mut widths: Vec<usize> = (0..7)
        .map(|c| {
            rows.iter()
                .map(|r| measure_text_width(&r[c]))
                .chain([HEADER[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    if let Some(limit) = width {
        for (column, narrowest) in SHRINK {
            let total: usize = widths.iter().sum::<usize>() + GAP * 6;
            if total <= limit {
                break;
            }
            let floor = narrowest.max(HEADER[column].len()).min(widths[column]);
            widths[column] = widths[column].saturating_sub(total - limit).max(floor);
        }
        // Still too wide with every column at its floor: the title, last on
        // the line, takes what is left, so that no line wraps.
        let total: usize = widths.iter().sum::<usize>() + GAP * 6;
        if total > limit {
            widths[6] = widths[6].saturating_sub(total - limit).max(HEADER[6].len());
        }
    }
    let mut out = String::new();
    let header = HEADER.map(str::to_owned);
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, &w)| {
                pad_str(
                    &truncate_str(cell, w, "…"),
                    w,
                    console::Alignment::Left,
                    None,
                )
                .into_owned()
            })
            .collect();
        out.push_str(line.join(&" ".repeat(GAP)).trim_end());
        out.push('\n');
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
    fn a_narrow_terminal_cuts_services_then_the_title_and_never_wraps() {
        let a = incident(
            "INC-1",
            "Checkout API returning 502s for EU customers",
            &["checkout-api", "payments"],
        );
        let text = table(&[&a], Some(70));
        for line in text.lines() {
            assert!(measure_text_width(line) <= 70, "{line:?} is too wide");
        }
        assert_eq!(text.lines().count(), 2);
        assert!(text.contains("checkou…"), "{text}");
        assert!(text.contains("Checkout AP…"), "{text}");
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
        assert!(text.contains("  Disk full …\n"), "{text}");
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
