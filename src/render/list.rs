//! The incident list.

use comfy_table::{Cell, ContentArrangement, Table, presets};

use crate::domain::Incident;

use super::name_of;

/// A table, newest first, fitted to `width` columns when given.
pub fn table(incidents: &[&Incident], width: Option<u16>) -> String {
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    match width {
        Some(width) => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(width);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    table.set_header([
        "ID",
        "SEV",
        "STATUS",
        "DECLARED (UTC)",
        "LEAD",
        "SERVICES",
        "TITLE",
    ]);
    for incident in incidents {
        table.add_row([
            Cell::new(&incident.id),
            Cell::new(&incident.severity),
            Cell::new(incident.status.as_str()),
            Cell::new(incident.declared_at.format("%Y-%m-%d %H:%M")),
            Cell::new(incident.lead.as_deref().map_or("-", name_of)),
            Cell::new(if incident.services.is_empty() {
                "-".to_owned()
            } else {
                incident.services.join(", ")
            }),
            Cell::new(&incident.title),
        ]);
    }
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    let mut text: String = table
        .lines()
        .map(|line| line.trim_end().to_owned() + "\n")
        .collect();
    if incidents.is_empty() {
        text = "No incidents match.\n".to_owned();
    }
    text
}
