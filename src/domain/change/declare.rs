//! A declaration becomes an incident: the first version of its file.

use super::rules::{
    check_not_future, check_not_long_ago, check_service, check_severity, check_text,
};
use super::{
    Actor, Applied, ChangeError, Declaration, Guard, Settings, Trailer, Verb, short, time,
};
use crate::domain::IncidentId;
use crate::domain::incident::Incident;
use crate::domain::when::shown;

impl Declaration {
    /// Builds the new incident, or says why it cannot be declared.
    pub fn into_incident(
        self,
        id: IncidentId,
        uid: String,
        runbook: Option<String>,
        first_step: Option<String>,
        actor: &Actor,
        settings: &Settings,
    ) -> Result<(Incident, Applied), ChangeError> {
        check_text("title", &self.title)?;
        if self.title.contains('\n') {
            return Err(ChangeError::invalid("the title must be one line"));
        }
        let severity = check_severity(&self.severity, settings)?;
        for service in &self.services {
            check_service(service, settings)?;
        }
        if let Some(impact) = &self.impact {
            check_text("impact", impact)?;
        }
        check_not_future(actor)?;
        let mut guard = Guard::new(actor);
        if actor.at != actor.now {
            check_not_long_ago("event time", actor.at, actor, &mut guard)?;
        }
        if let Some(started_at) = self.started_at {
            check_not_long_ago("impact start", started_at, actor, &mut guard)?;
        }
        let started_at = self.started_at.unwrap_or(actor.at);
        if started_at > actor.at {
            return Err(ChangeError::invalid(format!(
                "the impact cannot start ({}) after the incident is declared ({})",
                shown(started_at),
                shown(actor.at)
            )));
        }
        let mut incident = Incident {
            lead: self.lead,
            services: self.services,
            impact: self.impact,
            started_at,
            step: first_step,
            runbook,
            ..Incident::declared(
                id,
                uid,
                self.title.trim().to_owned(),
                severity.clone(),
                actor.at,
                actor.by.clone(),
            )
        };
        let mut applied = Applied::new(
            Verb::Declare,
            format!("declared {severity}: {}", short(&incident.title)),
        )
        .trailer(Trailer::Severity, severity);
        guard.record(&mut incident, &mut applied, actor);
        // As for every other change: a backdated declaration says so.
        if actor.at != actor.now {
            applied = applied.trailer(Trailer::EventTime, time(actor.at));
        }
        Ok((incident, applied))
    }
}
