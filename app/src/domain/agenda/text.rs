//! How the section clock reads in words: "12:05", "8 min left", "over by 3 min", "On pace
//! to finish 6 min late".

use chrono::{DateTime, Duration, Utc};

/// "12:05", "1:02:09", "-3:10": a clock reading of a duration, to the second.
pub fn clock_text(d: Duration) -> String {
    let secs = d.num_seconds();
    let sign = if secs < 0 { "-" } else { "" };
    let secs = secs.abs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{sign}{h}:{m:02}:{s:02}")
    } else {
        format!("{sign}{m}:{s:02}")
    }
}

/// "on pace to finish on time", "… 6 min late", "… 4 min early": the projected finish
/// against the scheduled end, to the minute.
pub fn finish_text(projected: DateTime<Utc>, scheduled: DateTime<Utc>) -> String {
    let minutes = ((projected - scheduled).num_seconds() as f64 / 60.0).round() as i64;
    let amount = span_text(minutes);
    match minutes {
        0 => "On pace to finish on time".to_string(),
        m if m > 0 => format!("On pace to finish {amount} late"),
        _ => format!("On pace to finish {amount} early"),
    }
}

/// "25 min", "3 h", "18 days": a span of whole minutes (its size, sign ignored). Far off
/// (a rehearsal days before the date), hours or days read better than minutes.
pub fn span_text(minutes: i64) -> String {
    match minutes.abs() {
        m if m >= 48 * 60 => format!("{} days", (m + 12 * 60) / (24 * 60)),
        m if m >= 120 => format!("{} h", (m + 30) / 60),
        m => format!("{m} min"),
    }
}

/// The time left of the current section, to the minute as people say it (each page
/// says it in its language: [`left_text`] in English).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remaining {
    /// Past its plan by this many minutes (started ones count whole).
    Over(i64),
    UnderAMinute,
    /// This many minutes left, a started one counted whole.
    Minutes(i64),
}

impl Remaining {
    pub fn of(left: Duration) -> Self {
        let secs = left.num_seconds();
        if secs < 0 {
            Remaining::Over((-secs + 59) / 60)
        } else if secs < 60 {
            Remaining::UnderAMinute
        } else {
            Remaining::Minutes((secs + 59) / 60)
        }
    }
}

/// "8 min left", "1 min left", "over by 3 min": the current section against its plan.
pub fn left_text(left: Duration) -> String {
    match Remaining::of(left) {
        Remaining::Over(m) => format!("over by {m} min"),
        Remaining::UnderAMinute => "less than a minute left".to_string(),
        Remaining::Minutes(m) => format!("{m} min left"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::at;
    use super::*;

    #[test]
    fn clock_and_status_texts_read_naturally() {
        assert_eq!(clock_text(Duration::seconds(725)), "12:05");
        assert_eq!(clock_text(Duration::seconds(3729)), "1:02:09");
        assert_eq!(clock_text(Duration::seconds(-190)), "-3:10");
        assert_eq!(left_text(Duration::seconds(450)), "8 min left");
        assert_eq!(left_text(Duration::seconds(30)), "less than a minute left");
        assert_eq!(left_text(Duration::seconds(-130)), "over by 3 min");
        assert_eq!(
            finish_text(at("17:41:00"), at("17:45:00")),
            "On pace to finish 4 min early"
        );
        assert_eq!(
            finish_text(at("17:45:20"), at("17:45:00")),
            "On pace to finish on time"
        );
        assert_eq!(
            finish_text(at("17:00:00"), at("20:10:00")),
            "On pace to finish 3 h early"
        );
        assert_eq!(
            finish_text(at("17:00:00"), at("17:00:00") + Duration::days(18)),
            "On pace to finish 18 days early",
            "a rehearsal weeks before the date"
        );
    }
}
