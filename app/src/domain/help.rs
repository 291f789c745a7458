//! The help queue of a lab: pressing Stuck puts an attendee in line, in the order pressed,
//! with their optional note. A co-instructor presses "I'm on it" (one helper at a time:
//! a second press is told who has it), then "Helped" or "Back to the queue" (the attendee
//! keeps their place). The attendee sees their place and who is coming; the presenter
//! sees how many wait and the longest wait; the report keeps each lab's waits.
//!
//! A request is known by its ticket, the id of the press that made it: the attendee's
//! page knows it, so the public line carries tickets, never attendee ids, and each page
//! works out its own place ([`HelpLine::place`]).

use super::DomainError;
use super::agenda::SectionId;
use super::bounded_text;
use super::lab::LabNote;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub type Ticket = Uuid;

pub const MAX_HELPER_CHARS: usize = 40;

/// How many places of a line every page gets (about 50 bytes each, in every snapshot to
/// every attendee): far more than a lab's co-instructors can work through; those further
/// back see no number until the line moves.
pub const LINE_SHOWN: usize = 100;

/// A co-instructor's name as attendees see it ("Ana is on her way").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Helper(String);

impl Helper {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Ok(Self(bounded_text("name", raw, 1, MAX_HELPER_CHARS)?))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a request left the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Helped,
    /// The attendee pressed Done, or took Stuck back.
    Withdrawn,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Helped => "helped",
            Outcome::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "helped" => Some(Outcome::Helped),
            "withdrawn" => Some(Outcome::Withdrawn),
            _ => None,
        }
    }
}

/// One attendee's request for help in one lab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRequest<A> {
    pub attendee: A,
    pub ticket: Ticket,
    pub section: SectionId,
    pub note: Option<LabNote>,
    pub stuck_at: DateTime<Utc>,
    pub helper: Option<Helper>,
    pub taken_at: Option<DateTime<Utc>>,
    pub closed: Option<(DateTime<Utc>, Outcome)>,
}

impl<A> HelpRequest<A> {
    fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    /// How long they waited for someone to come: until taken, else until they left the
    /// line, else until `now`.
    pub fn wait(&self, now: DateTime<Utc>) -> Duration {
        let until = self
            .taken_at
            .or(self.closed.map(|(at, _)| at))
            .unwrap_or(now);
        until - self.stuck_at
    }
}

/// What a co-instructor does to a request in the line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum HelpAction {
    /// "I'm on it", under the name attendees see.
    Take { helper: Helper },
    /// "Back to the queue": nobody is on it; the attendee keeps their place.
    Release,
    /// "Helped": the request leaves the line.
    Helped,
}

/// One request as co-instructors see it: who (by their check-in name, if they gave one),
/// what they wrote, since when, and who is on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpView {
    pub ticket: Ticket,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<LabNote>,
    pub stuck_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helper: Option<Helper>,
}

/// Why "I'm on it" was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TakeRefused {
    /// Helped already, withdrawn, or never asked.
    NotWaiting,
    /// Another co-instructor pressed first.
    TakenBy(Helper),
}

impl TakeRefused {
    pub fn message(&self) -> String {
        match self {
            TakeRefused::NotWaiting => "That attendee is not waiting for help any more.".into(),
            TakeRefused::TakenBy(helper) => {
                format!("{} is on it already.", helper.as_str())
            }
        }
    }
}

/// One place in the line as every page gets it: no attendee id, no note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineEntry {
    pub ticket: Ticket,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helper: Option<Helper>,
}

/// A lab's line in the order pressed, as every page gets it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpLine {
    pub entries: Vec<LineEntry>,
}

impl HelpLine {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A ticket's place in the line, 1 for the first (who may already be being helped).
    pub fn place(&self, ticket: Ticket) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.ticket == ticket)
            .map(|i| i + 1)
    }

    pub fn helper_of(&self, ticket: Ticket) -> Option<&Helper> {
        self.entries
            .iter()
            .find(|e| e.ticket == ticket)?
            .helper
            .as_ref()
    }
}

/// "1st", "2nd", "3rd", "4th", "11th", "21st" …
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// What the presenter glances at: how many wait, how many are being helped, and the
/// longest wait of those nobody has come to yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineSummary {
    pub waiting: u32,
    pub being_helped: u32,
    pub longest_wait_secs: Option<i64>,
}

/// A lab's waits for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitStats {
    /// How many asked for help (each attendee once per request).
    pub stuck: u32,
    pub median_wait_secs: Option<i64>,
    pub longest_wait_secs: Option<i64>,
}

/// Every help request of an event, in the order pressed.
#[derive(Debug, Clone)]
pub struct HelpQueue<A> {
    requests: Vec<HelpRequest<A>>,
}

impl<A> Default for HelpQueue<A> {
    fn default() -> Self {
        Self {
            requests: Vec::new(),
        }
    }
}

impl<A: Eq + Clone> HelpQueue<A> {
    /// The queue as the store kept it.
    pub fn restored(mut requests: Vec<HelpRequest<A>>) -> Self {
        requests.sort_by_key(|r| r.stuck_at);
        Self { requests }
    }

    /// The open request of `ticket`.
    fn open(&self, ticket: Ticket) -> Option<&HelpRequest<A>> {
        self.requests
            .iter()
            .find(|r| r.is_open() && r.ticket == ticket)
    }

    /// An attendee's open request in a lab.
    fn open_in(&self, section: SectionId, attendee: &A) -> Option<&HelpRequest<A>> {
        self.requests
            .iter()
            .find(|r| r.is_open() && r.section == section && r.attendee == *attendee)
    }

    /// Whether `helper` may take `ticket` now: it is waiting, and nobody else is on it.
    pub fn can_take(&self, ticket: Ticket, helper: &Helper) -> Result<(), TakeRefused> {
        match &self.open(ticket).ok_or(TakeRefused::NotWaiting)?.helper {
            Some(other) if other != helper => Err(TakeRefused::TakenBy(other.clone())),
            _ => Ok(()),
        }
    }

    /// Whether `ticket` is in a line now.
    pub fn is_waiting(&self, ticket: Ticket) -> bool {
        self.open(ticket).is_some()
    }

    /// An attendee's place in a lab's line, by the ticket they hold, if they are in it.
    pub fn ticket_of(&self, section: SectionId, attendee: &A) -> Option<Ticket> {
        self.open_in(section, attendee).map(|r| r.ticket)
    }

    /// A co-instructor's action; false when it changed nothing (or was refused: check
    /// with [`HelpQueue::can_take`] first).
    pub fn act(&mut self, ticket: Ticket, action: &HelpAction, at: DateTime<Utc>) -> bool {
        match action {
            HelpAction::Take { helper } => self.take(ticket, helper.clone(), at).is_ok(),
            HelpAction::Release => self.release(ticket),
            HelpAction::Helped => self.helped(ticket, at),
        }
    }

    /// A lab's line as co-instructors see it, with each attendee's name from `name_of`.
    pub fn views(
        &self,
        section: SectionId,
        name_of: impl Fn(&A) -> Option<String>,
    ) -> Vec<HelpView> {
        self.waiting(section)
            .into_iter()
            .map(|r| HelpView {
                ticket: r.ticket,
                name: name_of(&r.attendee),
                note: r.note.clone(),
                stuck_at: r.stuck_at,
                helper: r.helper.clone(),
            })
            .collect()
    }

    fn open_of(&mut self, section: SectionId, attendee: &A) -> Option<&mut HelpRequest<A>> {
        let ticket = self.open_in(section, attendee)?.ticket;
        self.open_ticket(ticket)
    }

    fn open_ticket(&mut self, ticket: Ticket) -> Option<&mut HelpRequest<A>> {
        self.requests
            .iter_mut()
            .find(|r| r.is_open() && r.ticket == ticket)
    }

    /// Puts an attendee in line (Stuck pressed). Pressing again while in line only
    /// changes the note: they keep their place and their helper. Returns their ticket.
    pub fn join(
        &mut self,
        section: SectionId,
        attendee: A,
        ticket: Ticket,
        note: Option<LabNote>,
        at: DateTime<Utc>,
    ) -> Ticket {
        if let Some(request) = self.open_of(section, &attendee) {
            request.note = note;
            return request.ticket;
        }
        self.requests.push(HelpRequest {
            attendee,
            ticket,
            section,
            note,
            stuck_at: at,
            helper: None,
            taken_at: None,
            closed: None,
        });
        ticket
    }

    /// The attendee left the line by themself (Done, or Stuck taken back).
    pub fn withdraw(&mut self, section: SectionId, attendee: &A, at: DateTime<Utc>) -> bool {
        match self.open_of(section, attendee) {
            Some(request) => {
                request.closed = Some((at, Outcome::Withdrawn));
                true
            }
            None => false,
        }
    }

    /// "I'm on it": one helper at a time. The same helper pressing again changes nothing.
    pub fn take(
        &mut self,
        ticket: Ticket,
        helper: Helper,
        at: DateTime<Utc>,
    ) -> Result<(), TakeRefused> {
        self.can_take(ticket, &helper)?;
        if let Some(request) = self.open_ticket(ticket)
            && request.helper.is_none()
        {
            request.helper = Some(helper);
            request.taken_at = Some(at);
        }
        Ok(())
    }

    /// "Back to the queue": nobody is on it any more; the attendee keeps their place
    /// (and the wait the report counts restarts from their first press).
    pub fn release(&mut self, ticket: Ticket) -> bool {
        match self.open_ticket(ticket) {
            Some(request) if request.helper.is_some() => {
                request.helper = None;
                request.taken_at = None;
                true
            }
            _ => false,
        }
    }

    /// "Helped": the request leaves the line.
    pub fn helped(&mut self, ticket: Ticket, at: DateTime<Utc>) -> bool {
        match self.open_ticket(ticket) {
            Some(request) => {
                request.closed = Some((at, Outcome::Helped));
                true
            }
            None => false,
        }
    }

    /// A lab's open requests in the order pressed.
    pub fn waiting(&self, section: SectionId) -> Vec<&HelpRequest<A>> {
        let mut open: Vec<_> = self
            .requests
            .iter()
            .filter(|r| r.is_open() && r.section == section)
            .collect();
        open.sort_by_key(|r| r.stuck_at);
        open
    }

    /// The line as every page gets it: its first [`LINE_SHOWN`] places.
    pub fn line(&self, section: SectionId) -> HelpLine {
        HelpLine {
            entries: self
                .waiting(section)
                .into_iter()
                .take(LINE_SHOWN)
                .map(|r| LineEntry {
                    ticket: r.ticket,
                    helper: r.helper.clone(),
                })
                .collect(),
        }
    }

    pub fn summary(&self, section: SectionId, now: DateTime<Utc>) -> LineSummary {
        let open = self.waiting(section);
        let untaken = open.iter().filter(|r| r.helper.is_none());
        LineSummary {
            waiting: untaken.clone().count() as u32,
            being_helped: open.iter().filter(|r| r.helper.is_some()).count() as u32,
            longest_wait_secs: untaken.map(|r| r.wait(now).num_seconds()).max(),
        }
    }

    /// A lab's waits, each request counted once: until someone came, or until the
    /// attendee left the line; those still waiting count until `now`.
    pub fn waits(&self, section: SectionId, now: DateTime<Utc>) -> WaitStats {
        let mut waits: Vec<i64> = self
            .requests
            .iter()
            .filter(|r| r.section == section)
            .map(|r| r.wait(now).num_seconds())
            .collect();
        waits.sort_unstable();
        let median = match waits.len() {
            0 => None,
            n if n % 2 == 1 => Some(waits[n / 2]),
            n => Some((waits[n / 2 - 1] + waits[n / 2]) / 2),
        };
        WaitStats {
            stuck: waits.len() as u32,
            median_wait_secs: median,
            longest_wait_secs: waits.last().copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-04T17:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn at(secs: i64) -> DateTime<Utc> {
        t0() + Duration::seconds(secs)
    }

    fn ticket(n: u128) -> Ticket {
        Uuid::from_u128(n)
    }

    fn name(n: &str) -> Helper {
        Helper::parse(n).unwrap()
    }

    fn line_of(queue: &HelpQueue<&'static str>) -> Vec<Ticket> {
        queue.line(2).entries.iter().map(|e| e.ticket).collect()
    }

    #[test]
    fn pages_get_the_first_places_of_a_long_line_and_the_staff_all_of_it() {
        let attendees: Vec<String> = (0..LINE_SHOWN + 20).map(|i| format!("a{i}")).collect();
        let mut queue = HelpQueue::<String>::default();
        for (i, a) in attendees.iter().enumerate() {
            queue.join(2, a.clone(), ticket(i as u128), None, at(i as i64));
        }
        assert_eq!(queue.line(2).entries.len(), LINE_SHOWN);
        assert_eq!(queue.line(2).place(ticket(0)), Some(1));
        assert_eq!(queue.line(2).place(ticket(LINE_SHOWN as u128)), None);
        assert_eq!(queue.views(2, |_| None).len(), LINE_SHOWN + 20);
        assert_eq!(queue.summary(2, at(1000)).waiting, (LINE_SHOWN + 20) as u32);
    }

    #[test]
    fn the_line_keeps_the_order_pressed_and_a_second_press_keeps_the_place() {
        let mut queue = HelpQueue::default();
        queue.join(2, "ana", ticket(1), None, at(0));
        queue.join(2, "ben", ticket(2), None, at(5));
        queue.join(2, "cleo", ticket(3), None, at(9));
        let note = LabNote::parse("Binder will not start").unwrap();
        assert_eq!(
            queue.join(2, "ana", ticket(4), note.clone(), at(20)),
            ticket(1),
            "a second press is the same request"
        );
        assert_eq!(line_of(&queue), vec![ticket(1), ticket(2), ticket(3)]);
        assert_eq!(queue.waiting(2)[0].note, note);
        let line = queue.line(2);
        assert_eq!(line.place(ticket(2)), Some(2));
        assert_eq!(ordinal(line.place(ticket(2)).unwrap()), "2nd");
        assert_eq!(line.place(ticket(9)), None);
        assert!(
            queue.line(3).entries.is_empty(),
            "each lab has its own line"
        );
    }

    #[test]
    fn one_helper_at_a_time_and_the_second_is_told_who() {
        let mut queue = HelpQueue::default();
        queue.join(2, "ana", ticket(1), None, at(0));
        assert_eq!(queue.take(ticket(1), name("Ana"), at(30)), Ok(()));
        assert_eq!(
            queue.take(ticket(1), name("Ben"), at(31)),
            Err(TakeRefused::TakenBy(name("Ana")))
        );
        assert_eq!(
            queue.take(ticket(1), name("Ana"), at(32)),
            Ok(()),
            "the same helper pressing twice changes nothing"
        );
        assert_eq!(queue.waiting(2)[0].taken_at, Some(at(30)));
        assert_eq!(queue.line(2).helper_of(ticket(1)), Some(&name("Ana")));
        assert_eq!(
            TakeRefused::TakenBy(name("Ana")).message(),
            "Ana is on it already."
        );
        assert_eq!(
            queue.take(ticket(7), name("Ana"), at(33)),
            Err(TakeRefused::NotWaiting)
        );
    }

    #[test]
    fn back_to_the_queue_keeps_the_place_and_helped_leaves_the_line() {
        let mut queue = HelpQueue::default();
        queue.join(2, "ana", ticket(1), None, at(0));
        queue.join(2, "ben", ticket(2), None, at(5));
        queue.take(ticket(1), name("Ana"), at(10)).unwrap();
        assert!(queue.release(ticket(1)));
        assert!(!queue.release(ticket(1)), "nobody is on it now");
        assert_eq!(line_of(&queue), vec![ticket(1), ticket(2)]);
        assert_eq!(queue.line(2).helper_of(ticket(1)), None);
        queue.take(ticket(1), name("Ben"), at(40)).unwrap();
        assert!(queue.helped(ticket(1), at(100)));
        assert!(!queue.helped(ticket(1), at(101)));
        assert_eq!(
            queue.take(ticket(1), name("Ana"), at(102)),
            Err(TakeRefused::NotWaiting)
        );
        assert_eq!(line_of(&queue), vec![ticket(2)]);
        assert_eq!(queue.line(2).place(ticket(2)), Some(1));
        // Stuck again later: a new request, at the back.
        queue.join(2, "ana", ticket(3), None, at(200));
        assert_eq!(line_of(&queue), vec![ticket(2), ticket(3)]);
    }

    #[test]
    fn pressing_done_leaves_the_line() {
        let mut queue = HelpQueue::default();
        queue.join(2, "ana", ticket(1), None, at(0));
        assert!(queue.withdraw(2, &"ana", at(50)));
        assert!(!queue.withdraw(2, &"ana", at(51)));
        assert!(queue.line(2).entries.is_empty());
    }

    #[test]
    fn the_presenter_sees_how_many_wait_and_the_longest_untaken_wait() {
        let mut queue = HelpQueue::default();
        assert_eq!(queue.summary(2, at(0)), LineSummary::default());
        queue.join(2, "ana", ticket(1), None, at(0));
        queue.join(2, "ben", ticket(2), None, at(30));
        queue.join(2, "cleo", ticket(3), None, at(60));
        queue.take(ticket(1), name("Ana"), at(70)).unwrap();
        assert_eq!(
            queue.summary(2, at(100)),
            LineSummary {
                waiting: 2,
                being_helped: 1,
                longest_wait_secs: Some(70),
            }
        );
    }

    #[test]
    fn the_report_has_each_labs_count_median_and_longest_wait() {
        let mut queue = HelpQueue::default();
        queue.join(2, "ana", ticket(1), None, at(0));
        queue.join(2, "ben", ticket(2), None, at(10));
        queue.join(2, "cleo", ticket(3), None, at(20));
        queue.join(2, "dev", ticket(4), None, at(30));
        queue.join(4, "ana", ticket(5), None, at(500));
        queue.take(ticket(1), name("Ana"), at(60)).unwrap(); // 60 s
        queue.take(ticket(2), name("Ben"), at(130)).unwrap(); // 120 s
        queue.withdraw(2, &"cleo", at(50)); // left after 30 s
        // dev still waiting at 330: 300 s
        let stats = queue.waits(2, at(330));
        assert_eq!(
            stats,
            WaitStats {
                stuck: 4,
                median_wait_secs: Some(90),
                longest_wait_secs: Some(300),
            }
        );
        assert_eq!(queue.waits(4, at(530)).stuck, 1);
        assert_eq!(queue.waits(7, at(0)), WaitStats::default());
    }

    #[test]
    fn ordinals_read_as_english_does() {
        let read: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            read,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
                "111th"
            ]
        );
    }

    #[test]
    fn a_helpers_name_is_short_plain_text() {
        assert!(Helper::parse("  ").is_err());
        assert!(Helper::parse(&"x".repeat(41)).is_err());
        assert_eq!(Helper::parse(" Ana ").unwrap().as_str(), "Ana");
    }
}
