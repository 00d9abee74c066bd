//! One incident as the listings show it: the few fields `list` prints and
//! filters on, and how many temporary mitigations are still in place.

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
