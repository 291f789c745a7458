//! The agenda as snapshots carry it: only what pages do not already have.

use super::{Agenda, AgendaSection, SectionId};
use crate::domain::event::Section;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The agenda as snapshots carry it, kept small (it goes to every page several times a
/// second in a busy room): each section's live state in order, and the plan (title,
/// kind, minutes) only of sections added live. The other sections are the event's own
/// plan, ids 1 to n in the order planned, which every page already has; so is the
/// scheduled length.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaWire {
    pub version: u64,
    pub sections: Vec<SectionWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<SectionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_since: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_since: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub finished: bool,
}

/// One section's live state on the wire (see [`AgendaWire`]); a section of the event's
/// own plan that has not run yet travels as its bare id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "SectionWireRepr", into = "SectionWireRepr")]
pub struct SectionWire {
    pub id: SectionId,
    /// The plan of a section added live; `None` for the event's own sections.
    pub added: Option<Section>,
    pub extra_minutes: u32,
    pub skipped: bool,
    pub spent_ms: i64,
    pub first_started_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum SectionWireRepr {
    Id(SectionId),
    Live {
        id: SectionId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        added: Option<Section>,
        #[serde(default, skip_serializing_if = "super::is_zero")]
        extra_minutes: u32,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        skipped: bool,
        #[serde(default, skip_serializing_if = "super::is_zero_i64")]
        spent_ms: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_started_at: Option<DateTime<Utc>>,
    },
}

impl From<SectionWireRepr> for SectionWire {
    fn from(repr: SectionWireRepr) -> Self {
        match repr {
            SectionWireRepr::Id(id) => Self {
                id,
                added: None,
                extra_minutes: 0,
                skipped: false,
                spent_ms: 0,
                first_started_at: None,
            },
            SectionWireRepr::Live {
                id,
                added,
                extra_minutes,
                skipped,
                spent_ms,
                first_started_at,
            } => Self {
                id,
                added,
                extra_minutes,
                skipped,
                spent_ms,
                first_started_at,
            },
        }
    }
}

impl From<SectionWire> for SectionWireRepr {
    fn from(w: SectionWire) -> Self {
        let untouched = w.added.is_none()
            && w.extra_minutes == 0
            && !w.skipped
            && w.spent_ms == 0
            && w.first_started_at.is_none();
        if untouched {
            return SectionWireRepr::Id(w.id);
        }
        SectionWireRepr::Live {
            id: w.id,
            added: w.added,
            extra_minutes: w.extra_minutes,
            skipped: w.skipped,
            spent_ms: w.spent_ms,
            first_started_at: w.first_started_at,
        }
    }
}

impl Agenda {
    /// The wire form, for an event whose own plan has `planned` sections.
    pub fn to_wire(&self, planned: usize) -> AgendaWire {
        AgendaWire {
            version: self.version,
            sections: self
                .sections
                .iter()
                .map(|s| SectionWire {
                    id: s.id,
                    added: (s.id as usize > planned).then(|| s.section.clone()),
                    extra_minutes: s.extra_minutes,
                    skipped: s.skipped,
                    spent_ms: s.spent_ms,
                    first_started_at: s.first_started_at,
                })
                .collect(),
            current: self.current,
            current_since: self.current_since,
            running_since: self.running_since,
            finished: self.finished,
        }
    }

    /// The agenda from its wire form and the event's own plan. A section whose plan is
    /// missing (a page with an older plan) is left out.
    pub fn from_wire(wire: &AgendaWire, planned: &[Section]) -> Self {
        Self {
            version: wire.version,
            sections: wire
                .sections
                .iter()
                .filter_map(|w| {
                    let section = match &w.added {
                        Some(section) => section.clone(),
                        None => planned.get((w.id as usize).checked_sub(1)?)?.clone(),
                    };
                    Some(AgendaSection {
                        id: w.id,
                        section,
                        extra_minutes: w.extra_minutes,
                        skipped: w.skipped,
                        spent_ms: w.spent_ms,
                        first_started_at: w.first_started_at,
                    })
                })
                .collect(),
            current: wire.current,
            current_since: wire.current_since,
            running_since: wire.running_since,
            scheduled_minutes: crate::domain::event::planned_minutes(planned),
            finished: wire.finished,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::AgendaCommand;
    use super::super::fixtures::{agenda, run};
    use super::*;
    use crate::domain::event::{SectionDraft, SectionKind};

    #[test]
    fn the_wire_form_carries_only_what_pages_do_not_have_and_round_trips() {
        let planned: Vec<Section> = agenda()
            .sections
            .iter()
            .map(|s| s.section.clone())
            .collect();
        let a = run(&agenda(), AgendaCommand::Begin, "17:00:00");
        let a = run(&a, AgendaCommand::Move { section: 4, to: 1 }, "17:01:00");
        let a = run(
            &a,
            AgendaCommand::Add {
                after: Some(1),
                section: SectionDraft {
                    title: "Live demo".into(),
                    kind: SectionKind::Teaching,
                    minutes: 5,
                    exercise_minutes: 0,
                },
            },
            "17:02:00",
        );
        let a = run(&a, AgendaCommand::Next, "17:09:00");
        let wire = a.to_wire(planned.len());
        let json = serde_json::to_string(&wire).unwrap();
        assert!(
            json.contains("Live demo"),
            "an added section's plan travels"
        );
        assert!(
            !json.contains("Overview"),
            "the event's own plan does not: {json}"
        );
        assert_eq!(Agenda::from_wire(&wire, &planned), a);
    }
}
