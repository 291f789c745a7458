//! An event as an iCalendar file (RFC 5545) for attendees' calendars: one VEVENT in
//! UTC, text escaped (backslash, semicolon, comma, newline) and lines folded at 75
//! octets without splitting a character.

use chrono::{DateTime, Utc};

/// What goes into the calendar entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    /// Stable across downloads, so a second import updates the first.
    pub uid: String,
    pub title: String,
    pub description: String,
    pub url: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// When the file was made.
    pub stamp: DateTime<Utc>,
}

impl CalendarEntry {
    pub fn to_ics(&self) -> String {
        let time = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
        let lines = [
            "BEGIN:VCALENDAR".to_string(),
            "VERSION:2.0".to_string(),
            "PRODID:-//Lectern//Lectern//EN".to_string(),
            "CALSCALE:GREGORIAN".to_string(),
            "METHOD:PUBLISH".to_string(),
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}", escape(&self.uid)),
            format!("DTSTAMP:{}", time(self.stamp)),
            format!("DTSTART:{}", time(self.starts_at)),
            format!("DTEND:{}", time(self.ends_at)),
            format!("SUMMARY:{}", escape(&self.title)),
            format!("DESCRIPTION:{}", escape(&self.description)),
            format!("URL:{}", self.url),
            "END:VEVENT".to_string(),
            "END:VCALENDAR".to_string(),
        ];
        lines.iter().map(|l| fold(l)).collect()
    }
}

/// TEXT values: backslash, semicolon and comma escaped, newlines as `\n`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded: at most 75 octets a line, continuations start with a space.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entry(title: &str, description: &str) -> CalendarEntry {
        CalendarEntry {
            uid: "dask-tutorial-x7k2@lectern.example.org".into(),
            title: title.into(),
            description: description.into(),
            url: "https://lectern.example.org/e/dask-tutorial-x7k2".into(),
            starts_at: Utc.with_ymd_and_hms(2026, 5, 19, 16, 0, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, 5, 19, 17, 30, 0).unwrap(),
            stamp: Utc.with_ymd_and_hms(2026, 5, 1, 9, 30, 5).unwrap(),
        }
    }

    /// Undoes the folding, as a calendar reader does.
    fn unfold(ics: &str) -> String {
        ics.replace("\r\n ", "")
    }

    #[test]
    fn the_file_has_every_required_property_in_utc_with_crlf_lines() {
        let ics = entry("Dask tutorial", "Join here").to_ics();
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"));
        assert!(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        for property in [
            "UID:dask-tutorial-x7k2@lectern.example.org\r\n",
            "DTSTAMP:20260501T093005Z\r\n",
            "DTSTART:20260519T160000Z\r\n",
            "DTEND:20260519T173000Z\r\n",
            "SUMMARY:Dask tutorial\r\n",
        ] {
            assert!(ics.contains(property), "{property} missing from {ics}");
        }
        assert!(!ics.replace("\r\n", "").contains('\n'), "a bare LF");
        let lines: Vec<&str> = ics.lines().collect();
        let begins = lines.iter().filter(|l| l.starts_with("BEGIN:")).count();
        let ends = lines.iter().filter(|l| l.starts_with("END:")).count();
        assert_eq!((begins, ends), (2, 2));
    }

    #[test]
    fn text_is_escaped() {
        let ics = entry("Dask; pandas, and \\ more", "Line one\nLine two").to_ics();
        assert!(ics.contains("SUMMARY:Dask\\; pandas\\, and \\\\ more\r\n"));
        assert!(ics.contains("DESCRIPTION:Line one\\nLine two\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let title = "Überblick über Dask — verteiltes Rechnen in Python für Einsteigerinnen und Fortgeschrittene";
        let ics = entry(title, &"é".repeat(100)).to_ics();
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = unfold(&ics);
        assert!(unfolded.contains(&format!("SUMMARY:{title}\r\n")));
        assert!(unfolded.contains(&format!("DESCRIPTION:{}\r\n", "é".repeat(100))));
    }
}
