//! One incident as the listings show it: the few fields `list` prints and
//! filters on, and how many temporary mitigations are still in place; which
//! of them a listing keeps, and in what order.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::incident::{Incident, Status};
use super::{Identity, IncidentId};

/// One incident as the listings show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub id: IncidentId,
    pub title: String,
    pub severity: String,
    pub status: Status,
    pub lead: Option<Identity>,
    pub services: Vec<String>,
    pub declared_at: DateTime<Utc>,
    /// Temporary mitigations still in place.
    pub pending_cleanups: usize,
}

impl Summary {
    pub fn of(incident: &Incident) -> Self {
        Self {
            id: incident.id.clone(),
            title: incident.title.clone(),
            severity: incident.severity.clone(),
            status: incident.status,
            lead: incident.lead.clone(),
            services: incident.services.clone(),
            declared_at: incident.declared_at,
            pending_cleanups: incident.pending_mitigations().count(),
        }
    }
}

/// Which incidents a listing keeps. Each part left empty keeps everything;
/// the parts given must all hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Any of these statuses.
    pub statuses: Vec<Status>,
    /// Any of these severities.
    pub severities: Vec<String>,
    /// Affecting this service.
    pub service: Option<String>,
    /// Declared at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only open incidents: declared, acknowledged or mitigated.
    pub open: bool,
}

impl Filter {
    pub fn keeps(&self, incident: &Summary) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(&incident.status))
            && (self.severities.is_empty() || self.severities.contains(&incident.severity))
            && self
                .service
                .as_ref()
                .is_none_or(|s| incident.services.contains(s))
            && self.since.is_none_or(|t| incident.declared_at >= t)
            && (!self.open || incident.status.is_open())
    }
}

/// The listing order: newest declaration first, the higher number first
/// among those declared at the same time.
pub fn newest_first(a: &Summary, b: &Summary) -> Ordering {
    (b.declared_at, b.id.number()).cmp(&(a.declared_at, a.id.number()))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn summary(number: u64, status: Status, severity: &str, hour: u32) -> Summary {
        Summary {
            id: IncidentId::new("INC", number),
            title: "checkout errors".into(),
            severity: severity.into(),
            status,
            lead: None,
            services: vec!["checkout".into()],
            declared_at: Utc.with_ymd_and_hms(2026, 11, 26, hour, 0, 0).unwrap(),
            pending_cleanups: 0,
        }
    }

    #[test]
    fn an_empty_filter_keeps_everything() {
        let s = summary(1, Status::Closed, "SEV-3", 9);
        assert!(Filter::default().keeps(&s));
    }

    #[test]
    fn every_part_given_must_hold() {
        let s = summary(1, Status::Acknowledged, "SEV-2", 9);
        let sev2_open = Filter {
            severities: vec!["SEV-2".into()],
            open: true,
            ..Filter::default()
        };
        assert!(sev2_open.keeps(&s));
        let other_service = Filter {
            service: Some("search".into()),
            ..sev2_open.clone()
        };
        assert!(!other_service.keeps(&s));
        let later = Filter {
            since: Some(Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap()),
            ..sev2_open
        };
        assert!(!later.keeps(&s));
    }

    #[test]
    fn open_leaves_out_resolved_and_closed() {
        let open = Filter {
            open: true,
            ..Filter::default()
        };
        assert!(open.keeps(&summary(1, Status::Mitigated, "SEV-2", 9)));
        assert!(!open.keeps(&summary(2, Status::Resolved, "SEV-2", 9)));
        assert!(!open.keeps(&summary(3, Status::Closed, "SEV-2", 9)));
    }

    #[test]
    fn newest_first_then_the_higher_number() {
        let mut all = [
            summary(1, Status::Declared, "SEV-2", 9),
            summary(3, Status::Declared, "SEV-2", 8),
            summary(2, Status::Declared, "SEV-2", 9),
        ];
        all.sort_by(newest_first);
        let order: Vec<u64> = all.iter().map(|s| s.id.number()).collect();
        assert_eq!(order, [2, 1, 3]);
    }
}
