//! Registration (seed 000, "Registering attendees" and "Count down to the tutorial"): the
//! event's settings (`[registration]` in an event file), what a registrant types, who
//! gets a place and who waits (capacity and the waitlist), and which emails each
//! registrant gets when (the schedule).
//!
//! Pure rules: the store applies them under the event row's lock
//! (`core/store/registrations.rs`), the mailer (`core/mailer.rs`) sends what the
//! schedule planned, and the words of each email are in [`super::mail`].

use super::{DomainError, bounded_text, event::web_address};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The share of registrants who turned up to the Dask tutorials (seed 000).
pub const DEFAULT_TURNOUT_PERCENT: u32 = 50;
pub const MAX_CAPACITY: u32 = 100_000;
pub const DEFAULT_FEEDBACK_AFTER_HOURS: u32 = 3;
pub const MAX_FEEDBACK_AFTER_HOURS: u32 = 72;
pub const MAX_QUESTION_CHARS: usize = 200;
pub const MAX_ANSWER_CHARS: usize = 500;
pub const MAX_NAME_CHARS: usize = 100;
/// RFC 5321's limits: 254 for the address, 64 before the `@`.
pub const MAX_EMAIL_CHARS: usize = 254;
/// An email's own text, as the organizer edits it.
pub const MAX_EMAIL_TEXT_CHARS: usize = 5_000;
/// Days after the event that registrants' names and addresses are kept (then forgotten;
/// the funnel's numbers stay).
pub const DEFAULT_KEEP_DAYS: u32 = 90;
pub const MAX_KEEP_DAYS: u32 = 3_650;

/// How many places to allow to have about `wanted` people, when `turnout_percent` of
/// those who register come ("to have about 75 people, allow 150").
pub fn suggested_capacity(wanted: u32, turnout_percent: u32) -> u32 {
    let turnout = u64::from(turnout_percent.clamp(1, 100));
    let places = (u64::from(wanted) * 100).div_ceil(turnout);
    u32::try_from(places).unwrap_or(u32::MAX).min(MAX_CAPACITY)
}

/// The emails Lectern sends a registrant. Each is sent at most once per registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailKind {
    /// On registering with a place: the personal link and the calendar file.
    Confirmation,
    /// On registering when the event is full: where they are on the list.
    Waitlisted,
    /// A place came free and is theirs now.
    Place,
    TwoDays,
    TwoHours,
    TenMinutes,
    /// A few hours after the end: the survey, the materials, the recording.
    Feedback,
}

impl EmailKind {
    pub const ALL: [Self; 7] = [
        Self::Confirmation,
        Self::Waitlisted,
        Self::Place,
        Self::TwoDays,
        Self::TwoHours,
        Self::TenMinutes,
        Self::Feedback,
    ];
    /// The ones the organizer may reword or skip, in the order they go out.
    pub const EDITABLE: [Self; 4] = [
        Self::TwoDays,
        Self::TwoHours,
        Self::TenMinutes,
        Self::Feedback,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmation => "confirmation",
            Self::Waitlisted => "waitlisted",
            Self::Place => "place",
            Self::TwoDays => "two_days",
            Self::TwoHours => "two_hours",
            Self::TenMinutes => "ten_minutes",
            Self::Feedback => "feedback",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// How the organizer's pages name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Confirmation => "Confirmation",
            Self::Waitlisted => "On the waitlist",
            Self::Place => "A place came free",
            Self::TwoDays => "Reminder 2 days before",
            Self::TwoHours => "Reminder 2 hours before",
            Self::TenMinutes => "Reminder 10 minutes before",
            Self::Feedback => "Feedback, after the end",
        }
    }

    /// How long before the start a reminder goes out.
    pub fn before_start(self) -> Option<Duration> {
        match self {
            Self::TwoDays => Some(Duration::days(2)),
            Self::TwoHours => Some(Duration::hours(2)),
            Self::TenMinutes => Some(Duration::minutes(10)),
            _ => None,
        }
    }
}

/// One editable email as typed: sent or skipped, and its text (empty: the seed's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailSetting {
    #[serde(default = "yes")]
    pub send: bool,
    #[serde(default)]
    pub text: String,
}

fn yes() -> bool {
    true
}

impl Default for EmailSetting {
    fn default() -> Self {
        Self {
            send: true,
            text: String::new(),
        }
    }
}

/// `[registration]` in an event file, and the editor's registration part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationDraft {
    /// Places; those who register after are put on the waitlist.
    pub capacity: u32,
    /// An optional question on the form ("What do you hope to learn?").
    #[serde(default)]
    pub question: String,
    /// Hours after the end that the feedback email goes out (default 3).
    #[serde(default)]
    pub feedback_after_hours: Option<u32>,
    #[serde(default)]
    pub two_days: EmailSetting,
    #[serde(default)]
    pub two_hours: EmailSetting,
    #[serde(default)]
    pub ten_minutes: EmailSetting,
    #[serde(default)]
    pub feedback: EmailSetting,
    /// Days after the end that names and addresses are forgotten (default 90).
    #[serde(default)]
    pub keep_days: Option<u32>,
}

/// An event's registration, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub capacity: u32,
    pub question: Option<String>,
    pub feedback_after_hours: u32,
    /// The editable emails, each sent or skipped, with the organizer's words (empty:
    /// the seed's).
    pub emails: Vec<(EmailKind, EmailSetting)>,
    /// Days after the end that names and addresses are kept.
    #[serde(default = "default_keep_days")]
    pub keep_days: u32,
}

fn default_keep_days() -> u32 {
    DEFAULT_KEEP_DAYS
}

impl RegistrationDraft {
    pub fn parse(&self) -> Result<Registration, DomainError> {
        if !(1..=MAX_CAPACITY).contains(&self.capacity) {
            return Err(DomainError::new(
                "registration.capacity",
                format!("must be between 1 and {MAX_CAPACITY} places"),
            ));
        }
        let question = bounded_text(
            "registration.question",
            &self.question,
            0,
            MAX_QUESTION_CHARS,
        )?;
        let feedback_after_hours = self
            .feedback_after_hours
            .unwrap_or(DEFAULT_FEEDBACK_AFTER_HOURS);
        if feedback_after_hours > MAX_FEEDBACK_AFTER_HOURS {
            return Err(DomainError::new(
                "registration.feedback_after_hours",
                format!("must be at most {MAX_FEEDBACK_AFTER_HOURS} hours"),
            ));
        }
        let keep_days = self.keep_days.unwrap_or(DEFAULT_KEEP_DAYS);
        if !(1..=MAX_KEEP_DAYS).contains(&keep_days) {
            return Err(DomainError::new(
                "registration.keep_days",
                format!("must be between 1 and {MAX_KEEP_DAYS} days"),
            ));
        }
        let mut emails = Vec::with_capacity(EmailKind::EDITABLE.len());
        for (kind, setting) in EmailKind::EDITABLE.into_iter().zip([
            &self.two_days,
            &self.two_hours,
            &self.ten_minutes,
            &self.feedback,
        ]) {
            let field = format!("registration.{}.text", kind.as_str());
            let text = bounded_text(&field, &setting.text, 0, MAX_EMAIL_TEXT_CHARS)?;
            super::mail::Template::parse(&field, &text)?;
            emails.push((
                kind,
                EmailSetting {
                    send: setting.send,
                    text,
                },
            ));
        }
        Ok(Registration {
            capacity: self.capacity,
            question: (!question.is_empty()).then_some(question),
            feedback_after_hours,
            emails,
            keep_days,
        })
    }
}

impl Registration {
    /// Back to its draft (the editor's form, "Run it again").
    pub fn draft(&self) -> RegistrationDraft {
        let setting = |kind: EmailKind| {
            self.emails
                .iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, s)| s.clone())
                .unwrap_or_default()
        };
        RegistrationDraft {
            capacity: self.capacity,
            question: self.question.clone().unwrap_or_default(),
            feedback_after_hours: Some(self.feedback_after_hours),
            two_days: setting(EmailKind::TwoDays),
            two_hours: setting(EmailKind::TwoHours),
            ten_minutes: setting(EmailKind::TenMinutes),
            feedback: setting(EmailKind::Feedback),
            keep_days: Some(self.keep_days),
        }
    }

    /// Whether the organizer kept this email (the fixed ones always go).
    pub fn sends(&self, kind: EmailKind) -> bool {
        match self.emails.iter().find(|(k, _)| *k == kind) {
            Some((_, setting)) => setting.send,
            None => !EmailKind::EDITABLE.contains(&kind),
        }
    }

    /// The organizer's words for this email, if they changed the seed's.
    pub fn text(&self, kind: EmailKind) -> Option<&str> {
        self.emails
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, setting)| setting.text.as_str())
            .filter(|t| !t.is_empty())
    }
}

/// The video call: its address and passcode, shown only to registrants when
/// registration is on (`[call]` in an event file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub url: String,
    #[serde(default)]
    pub passcode: String,
}

impl Call {
    /// Checks a typed call; a blank address means none.
    pub fn parse(&self) -> Result<Option<Call>, DomainError> {
        let url = self.url.trim();
        if url.is_empty() {
            return Ok(None);
        }
        Ok(Some(Call {
            url: web_address("call.url", url)?,
            passcode: bounded_text("call.passcode", &self.passcode, 0, 100)?,
        }))
    }
}

/// What a person typed on the registration form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrantForm {
    pub name: String,
    pub email: String,
    /// Agreed to the emails (the call link and reminders come by email).
    #[serde(default)]
    pub consent: bool,
    #[serde(default)]
    pub answer: String,
}

/// A registrant, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registrant {
    pub name: String,
    pub email: Email,
    pub answer: Option<String>,
}

impl RegistrantForm {
    pub fn parse(&self) -> Result<Registrant, DomainError> {
        let name = bounded_text("name", &self.name, 1, MAX_NAME_CHARS)?;
        if name.chars().any(char::is_control) {
            return Err(DomainError::new("name", "must be one line"));
        }
        let email = Email::parse(&self.email)?;
        if !self.consent {
            return Err(DomainError::new(
                "consent",
                "is needed: the call link and the reminders come by email",
            ));
        }
        let answer = bounded_text("answer", &self.answer, 0, MAX_ANSWER_CHARS)?;
        Ok(Registrant {
            name,
            email,
            answer: (!answer.is_empty()).then_some(answer),
        })
    }
}

/// An email address as typed (kept as typed), with the key that finds a second
/// registration of the same person (the domain's case does not matter; neither, in
/// practice, does the rest's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let address = raw.trim();
        let bad = |why: &str| Err(DomainError::new("email", why.to_string()));
        if address.is_empty() {
            return bad("is required");
        }
        if address.chars().count() > MAX_EMAIL_CHARS {
            return bad("is too long for an email address");
        }
        let Some((local, domain)) = address.rsplit_once('@') else {
            return bad("needs an @, like ada@example.org");
        };
        let allowed =
            |c: char| !c.is_whitespace() && !c.is_control() && !"<>()[],;:\"\\@".contains(c);
        if local.is_empty() || local.len() > 64 || !local.chars().all(allowed) {
            return bad("does not look like an email address (the part before the @)");
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels.iter().any(|l| {
                l.is_empty()
                    || l.starts_with('-')
                    || l.ends_with('-')
                    || !l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
        {
            return bad("does not look like an email address (the part after the @)");
        }
        Ok(Self(address.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Finds the same person registering twice: `Ada@Example.org` is `ada@example.org`.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Standing {
    /// Has a place.
    Registered,
    /// Waits for a place, in the order they registered.
    Waitlisted,
    Cancelled,
}

impl Standing {
    pub const ALL: [Self; 3] = [Self::Registered, Self::Waitlisted, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Waitlisted => "waitlisted",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// Places a newcomer can take now. Someone already waiting is ahead of any newcomer,
/// so there are none while anyone waits.
pub fn places_left(taken: u32, capacity: u32, waiting: u32) -> u32 {
    if waiting > 0 {
        0
    } else {
        capacity.saturating_sub(taken)
    }
}

/// Where a newcomer goes when `taken` of `capacity` places are taken.
pub fn admit(taken: u32, capacity: u32, waiting: u32) -> Standing {
    if places_left(taken, capacity, waiting) > 0 {
        Standing::Registered
    } else {
        Standing::Waitlisted
    }
}

/// How many of the `waiting` to promote (the first ones on the list) so that the
/// places are filled: after a cancellation, or when the organizer adds places.
pub fn places_to_fill(taken: u32, capacity: u32, waiting: u32) -> u32 {
    capacity.saturating_sub(taken).min(waiting)
}

/// The times the schedule reads: the start, and the end (as planned, or as it happened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventTimes {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// When an event's registrants' names and addresses are forgotten: `keep_days` after
/// the end (the real one once the event ended, else the planned one).
pub fn forget_at(times: EventTimes, keep_days: u32) -> DateTime<Utc> {
    times.ends_at + Duration::days(i64::from(keep_days))
}

/// When `kind` is due for this event, or `None` when it goes out as soon as it is
/// planned (the confirmation, the waitlist's, a place's).
pub fn due_at(
    kind: EmailKind,
    times: EventTimes,
    settings: &Registration,
) -> Option<DateTime<Utc>> {
    match kind {
        EmailKind::Feedback => {
            Some(times.ends_at + Duration::hours(i64::from(settings.feedback_after_hours)))
        }
        kind => kind.before_start().map(|before| times.starts_at - before),
    }
}

/// The emails a registrant gets from the moment they had a place (`since`: when they
/// registered, or were promoted off the waitlist), each with when it is due. A reminder
/// whose moment had passed by then is not planned (nobody wants "in two days" the
/// morning of); the organizer's skipped emails are not planned either. The first email
/// is the confirmation, or for a promotion the place's.
pub fn schedule(
    first: EmailKind,
    since: DateTime<Utc>,
    times: EventTimes,
    settings: &Registration,
) -> Vec<(EmailKind, DateTime<Utc>)> {
    let mut plan = vec![(first, since)];
    if first == EmailKind::Waitlisted {
        return plan;
    }
    for kind in [
        EmailKind::TwoDays,
        EmailKind::TwoHours,
        EmailKind::TenMinutes,
        EmailKind::Feedback,
    ] {
        if !settings.sends(kind) {
            continue;
        }
        if let Some(at) = due_at(kind, times, settings)
            && at > since
        {
            plan.push((kind, at));
        }
    }
    plan
}

/// What happens to an email still waiting to go when the event's times change (moved,
/// or ended earlier or later than planned) at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replan {
    /// Due at this new moment.
    At(DateTime<Utc>),
    /// Its new moment has passed already: "in two days" would be wrong now.
    Skip,
    /// Not tied to the event's times.
    Keep,
}

pub fn replan(
    kind: EmailKind,
    times: EventTimes,
    settings: &Registration,
    now: DateTime<Utc>,
) -> Replan {
    match due_at(kind, times, settings) {
        None => Replan::Keep,
        Some(at) if kind.before_start().is_some() && at < now => Replan::Skip,
        Some(at) => Replan::At(at),
    }
}

/// Whether an email that could not go out in time should still go at `now`: a
/// reminder is pointless once the event has started (a mail server down for two
/// days must not send "in two days" after the event), the rest keep for a week.
pub fn still_worth_sending(
    kind: EmailKind,
    due: DateTime<Utc>,
    times: EventTimes,
    now: DateTime<Utc>,
) -> bool {
    if kind.before_start().is_some() {
        now < times.starts_at + Duration::minutes(15)
    } else {
        now < due + Duration::days(7)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, minute, 0)
            .single()
            .expect("a valid test time")
    }

    fn settings() -> Registration {
        RegistrationDraft {
            capacity: 150,
            ..Default::default()
        }
        .parse()
        .expect("valid")
    }

    fn times() -> EventTimes {
        EventTimes {
            starts_at: at(10, 16, 0),
            ends_at: at(10, 17, 30),
        }
    }

    #[test]
    fn the_seeds_turnout_doubles_the_places() {
        assert_eq!(suggested_capacity(75, DEFAULT_TURNOUT_PERCENT), 150);
        assert_eq!(suggested_capacity(10, 30), 34);
        assert_eq!(suggested_capacity(0, 50), 0);
        assert_eq!(suggested_capacity(u32::MAX, 0), MAX_CAPACITY);
    }

    #[test]
    fn newcomers_take_free_places_then_wait_behind_those_already_waiting() {
        assert_eq!(admit(0, 2, 0), Standing::Registered);
        assert_eq!(admit(1, 2, 0), Standing::Registered);
        assert_eq!(admit(2, 2, 0), Standing::Waitlisted);
        // A place came free but someone waits: they get it, not the newcomer.
        assert_eq!(admit(1, 2, 1), Standing::Waitlisted);
        assert_eq!(places_left(1, 2, 1), 0);
        assert_eq!(places_left(1, 3, 0), 2);
        assert_eq!(
            places_left(5, 3, 0),
            0,
            "capacity lowered below the registered"
        );
    }

    #[test]
    fn a_cancellation_promotes_one_and_more_places_promote_more() {
        assert_eq!(places_to_fill(149, 150, 10), 1);
        assert_eq!(places_to_fill(150, 150, 10), 0);
        assert_eq!(places_to_fill(140, 160, 3), 3);
        // The organizer lowered the capacity below the registered: nobody is promoted.
        assert_eq!(places_to_fill(150, 100, 10), 0);
    }

    #[test]
    fn an_early_registrant_gets_every_reminder_and_the_feedback_email() {
        let plan = schedule(EmailKind::Confirmation, at(1, 9, 0), times(), &settings());
        assert_eq!(
            plan,
            vec![
                (EmailKind::Confirmation, at(1, 9, 0)),
                (EmailKind::TwoDays, at(8, 16, 0)),
                (EmailKind::TwoHours, at(10, 14, 0)),
                (EmailKind::TenMinutes, at(10, 15, 50)),
                (EmailKind::Feedback, at(10, 20, 30)),
            ]
        );
    }

    #[test]
    fn a_late_registrant_skips_the_reminders_whose_moment_has_passed() {
        // Registered the morning of: no "in two days".
        let plan = schedule(EmailKind::Confirmation, at(10, 9, 0), times(), &settings());
        let kinds: Vec<EmailKind> = plan.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            kinds,
            [
                EmailKind::Confirmation,
                EmailKind::TwoHours,
                EmailKind::TenMinutes,
                EmailKind::Feedback
            ]
        );
        // Five minutes before: the confirmation has the link; only feedback follows.
        let plan = schedule(
            EmailKind::Confirmation,
            at(10, 15, 55),
            times(),
            &settings(),
        );
        let kinds: Vec<EmailKind> = plan.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, [EmailKind::Confirmation, EmailKind::Feedback]);
    }

    #[test]
    fn the_waitlisted_get_reminders_only_once_promoted() {
        let plan = schedule(EmailKind::Waitlisted, at(1, 9, 0), times(), &settings());
        assert_eq!(plan, vec![(EmailKind::Waitlisted, at(1, 9, 0))]);
        let plan = schedule(EmailKind::Place, at(10, 15, 0), times(), &settings());
        let kinds: Vec<EmailKind> = plan.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            kinds,
            [EmailKind::Place, EmailKind::TenMinutes, EmailKind::Feedback]
        );
    }

    #[test]
    fn skipped_emails_are_not_planned_and_reworded_ones_keep_their_words() {
        let settings = RegistrationDraft {
            capacity: 10,
            two_days: EmailSetting {
                send: false,
                text: String::new(),
            },
            ten_minutes: EmailSetting {
                send: true,
                text: "Starting now: {call}".to_string(),
            },
            feedback_after_hours: Some(24),
            ..Default::default()
        }
        .parse()
        .expect("valid");
        let plan = schedule(EmailKind::Confirmation, at(1, 9, 0), times(), &settings);
        let kinds: Vec<EmailKind> = plan.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            kinds,
            [
                EmailKind::Confirmation,
                EmailKind::TwoHours,
                EmailKind::TenMinutes,
                EmailKind::Feedback
            ]
        );
        assert_eq!(plan[3].1, at(11, 17, 30));
        assert_eq!(
            settings.text(EmailKind::TenMinutes),
            Some("Starting now: {call}")
        );
        assert_eq!(settings.text(EmailKind::TwoHours), None);
        assert!(settings.sends(EmailKind::Confirmation));
        assert_eq!(settings.draft().parse(), Ok(settings.clone()));
    }

    #[test]
    fn a_moved_event_moves_its_reminders_and_skips_those_now_past() {
        let settings = settings();
        let moved = EventTimes {
            starts_at: at(5, 16, 0),
            ends_at: at(5, 17, 0),
        };
        // Moved on the 4th at noon to the 5th at 16:00: "two days before" has passed.
        let now = at(4, 12, 0);
        assert_eq!(
            replan(EmailKind::TwoDays, moved, &settings, now),
            Replan::Skip
        );
        assert_eq!(
            replan(EmailKind::TwoHours, moved, &settings, now),
            Replan::At(at(5, 14, 0))
        );
        assert_eq!(
            replan(EmailKind::Feedback, moved, &settings, now),
            Replan::At(at(5, 20, 0))
        );
        assert_eq!(
            replan(EmailKind::Confirmation, moved, &settings, now),
            Replan::Keep
        );
        // Moved later: every reminder comes later.
        let later = EventTimes {
            starts_at: at(20, 16, 0),
            ends_at: at(20, 17, 0),
        };
        assert_eq!(
            replan(EmailKind::TwoDays, later, &settings, now),
            Replan::At(at(18, 16, 0))
        );
    }

    #[test]
    fn a_reminder_late_past_the_start_is_dropped_feedback_keeps_a_week() {
        let t = times();
        assert!(still_worth_sending(
            EmailKind::TwoDays,
            at(8, 16, 0),
            t,
            at(9, 10, 0)
        ));
        assert!(!still_worth_sending(
            EmailKind::TwoDays,
            at(8, 16, 0),
            t,
            at(10, 16, 20)
        ));
        assert!(still_worth_sending(
            EmailKind::Feedback,
            at(10, 20, 30),
            t,
            at(15, 0, 0)
        ));
        assert!(!still_worth_sending(
            EmailKind::Feedback,
            at(10, 20, 30),
            t,
            at(18, 0, 0)
        ));
    }

    #[test]
    fn the_form_is_checked_field_by_field() {
        let form = RegistrantForm {
            name: "  Ada Lovelace ".into(),
            email: " Ada@Example.org ".into(),
            consent: true,
            answer: String::new(),
        };
        let person = form.parse().expect("valid");
        assert_eq!(person.name, "Ada Lovelace");
        assert_eq!(person.email.as_str(), "Ada@Example.org");
        assert_eq!(person.email.key(), "ada@example.org");
        assert_eq!(person.answer, None);
        let refused = |f: RegistrantForm| f.parse().expect_err("refused").field;
        assert_eq!(
            refused(RegistrantForm {
                consent: false,
                ..form.clone()
            }),
            "consent"
        );
        assert_eq!(
            refused(RegistrantForm {
                name: " ".into(),
                ..form.clone()
            }),
            "name"
        );
        assert_eq!(
            refused(RegistrantForm {
                name: "Ada\nBcc: x@y.z".into(),
                ..form.clone()
            }),
            "name"
        );
        for bad in [
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "ada@exa mple.org",
            "ada lovelace@example.org",
            "ada@example..org",
            "ada@-example.org",
            "ada@example.org>\r\nBcc: x@y.z",
            "a,b@example.org",
        ] {
            assert_eq!(
                refused(RegistrantForm {
                    email: bad.into(),
                    ..form.clone()
                }),
                "email",
                "{bad:?}"
            );
        }
        assert!(Email::parse("o'brien+tutorial@mail.example.co.uk").is_ok());
        assert!(Email::parse("zoë@exämple.de").is_ok());
        assert_eq!(
            refused(RegistrantForm {
                answer: "x".repeat(501),
                ..form
            }),
            "answer"
        );
    }

    #[test]
    fn settings_are_checked() {
        let draft = RegistrationDraft {
            capacity: 0,
            ..Default::default()
        };
        assert_eq!(
            draft.parse().expect_err("no places").field,
            "registration.capacity"
        );
        let draft = RegistrationDraft {
            capacity: 10,
            two_hours: EmailSetting {
                send: true,
                text: "See you at {zoom}".into(),
            },
            ..Default::default()
        };
        assert_eq!(
            draft.parse().expect_err("unknown placeholder").field,
            "registration.two_hours.text"
        );
        let call = Call {
            url: "javascript:alert(1)".into(),
            passcode: String::new(),
        };
        assert_eq!(
            call.parse().expect_err("not a web address").field,
            "call.url"
        );
        assert_eq!(Call::default().parse(), Ok(None));
    }

    #[test]
    fn names_and_addresses_are_forgotten_keep_days_after_the_end() {
        assert_eq!(settings().keep_days, DEFAULT_KEEP_DAYS);
        assert_eq!(
            forget_at(times(), settings().keep_days),
            at(10, 17, 30) + Duration::days(90)
        );
        let draft = RegistrationDraft {
            capacity: 10,
            keep_days: Some(0),
            ..Default::default()
        };
        assert_eq!(
            draft.parse().expect_err("zero days").field,
            "registration.keep_days"
        );
        let week = RegistrationDraft {
            capacity: 10,
            keep_days: Some(7),
            ..Default::default()
        }
        .parse()
        .expect("a week");
        assert_eq!(week.draft().parse(), Ok(week), "the draft round-trips");
    }
}
