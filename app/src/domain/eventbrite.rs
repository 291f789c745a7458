//! Importing an Eventbrite attendee report (CSV), for teams who keep Eventbrite for now:
//! each attending row becomes a registrant, as if they had used Lectern's form (they
//! agreed to the event's emails on Eventbrite's). Rows that cannot be used are listed
//! with their line and why, and the rest still come in.

use super::DomainError;
use super::registration::{Registrant, RegistrantForm};
use std::collections::HashSet;

/// The most rows one import takes.
pub const MAX_ROWS: usize = 10_000;

/// Eventbrite's statuses for people who will not come.
const NOT_COMING: [&str; 6] = [
    "not attending",
    "refunded",
    "cancelled",
    "canceled",
    "deleted",
    "transferred",
];

/// What an import found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    pub people: Vec<Registrant>,
    pub skipped: Vec<SkippedRow>,
}

/// A row left out, by its line in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRow {
    pub line: usize,
    pub reason: String,
}

/// Reads an attendee report: a header row naming `Email` and either `First Name` and
/// `Last Name` or `Name` (Eventbrite's exports, or a team's own sheet), and optionally
/// `Attendee Status`.
pub fn parse_attendees(csv: &str) -> Result<Imported, DomainError> {
    let refuse = |why: String| Err(DomainError::new("csv", why));
    let records = records(csv.strip_prefix('\u{feff}').unwrap_or(csv)).map_err(|line| {
        DomainError::new(
            "csv",
            format!("has a quoted field opened on line {line} that never closes"),
        )
    })?;
    let mut rows = records
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((_, header)) = rows.next() else {
        return refuse(
            "is empty: export the attendee report from Eventbrite and choose that file".into(),
        );
    };
    let column = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let Some(email) = column(&["email", "email address", "e-mail"]) else {
        return refuse(format!(
            "has no Email column (its columns: {}): is it Eventbrite's attendee report?",
            header.join(", ")
        ));
    };
    let first = column(&["first name"]);
    let last = column(&["last name"]);
    let full = column(&["name", "attendee name", "full name"]);
    if full.is_none() && first.is_none() {
        return refuse("has no First Name or Name column".into());
    }
    let status = column(&["attendee status", "status"]);
    let mut imported = Imported::default();
    let mut seen = HashSet::new();
    for (line, cells) in rows {
        if imported.people.len() + imported.skipped.len() >= MAX_ROWS {
            return refuse(format!("has more than {MAX_ROWS} rows: import it in parts"));
        }
        let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).map_or("", |c| c.trim());
        let mut skip = |reason: String| imported.skipped.push(SkippedRow { line, reason });
        let state = cell(status).to_ascii_lowercase();
        if NOT_COMING.iter().any(|s| state.starts_with(s)) {
            skip(format!("not attending ({})", cell(status)));
            continue;
        }
        let name = match full {
            Some(_) if !cell(full).is_empty() => cell(full).to_string(),
            _ => format!("{} {}", cell(first), cell(last)).trim().to_string(),
        };
        let form = RegistrantForm {
            name,
            email: cell(Some(email)).to_string(),
            consent: true,
            answer: String::new(),
        };
        match form.parse() {
            Ok(person) if !seen.insert(person.email.key()) => {
                skip(format!("{} is listed twice", person.email.as_str()));
            }
            Ok(person) => imported.people.push(person),
            Err(error) => skip(error.to_string()),
        }
    }
    Ok(imported)
}

/// RFC 4180 records with the line each starts on; `Err(line)` for a quote left open.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, usize> {
    let mut out = Vec::new();
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut starts = 1;
    let mut quote_line = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                cell.push(c);
            }
            (false, '"') => {
                quoted = true;
                quote_line = line;
            }
            (false, ',') => cells.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                cells.push(std::mem::take(&mut cell));
                out.push((starts, std::mem::take(&mut cells)));
                line += 1;
                starts = line;
            }
            (false, c) => cell.push(c),
        }
    }
    if quoted {
        return Err(quote_line);
    }
    if !cell.is_empty() || !cells.is_empty() {
        cells.push(cell);
        out.push((starts, cells));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENTBRITE: &str = "\u{feff}Order #,Order Date,First Name,Last Name,Email,Quantity,Ticket Type,Attendee #,Attendee Status\r\n\
        1001,2026-05-01,Ada,Lovelace,ada@example.org,1,General,1,Attending\r\n\
        1002,2026-05-01,Grace,\"Hopper, Jr.\",grace@example.org,1,General,2,Checked In\r\n\
        1003,2026-05-02,Alan,Turing,alan@example.org,1,General,3,Not Attending\r\n\
        1004,2026-05-02,Bob,,not-an-address,1,General,4,Attending\r\n\
        1005,2026-05-03,Ada,L.,ADA@example.org,1,General,5,Attending\r\n\
        \r\n";

    #[test]
    fn attending_rows_come_in_and_the_rest_are_listed_with_their_line() {
        let imported = parse_attendees(EVENTBRITE).expect("a report");
        let names: Vec<&str> = imported.people.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Ada Lovelace", "Grace Hopper, Jr."]);
        let lines: Vec<usize> = imported.skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, [4, 5, 6]);
        assert!(imported.skipped[0].reason.contains("not attending"));
        assert!(
            imported.skipped[1].reason.starts_with("Email needs an @"),
            "{:?}",
            imported.skipped[1]
        );
        assert!(imported.skipped[2].reason.contains("listed twice"));
    }

    #[test]
    fn a_sheet_with_one_name_column_and_quoted_newlines_reads_too() {
        let sheet = "Name,Email,Note\n\"Edsger\nDijkstra\",ed@example.org,x\nKaren,karen@example.org,\"a, b\"";
        let imported = parse_attendees(sheet).expect("a sheet");
        assert_eq!(
            imported.people.len(),
            1,
            "a two-line name is refused: {imported:?}"
        );
        assert_eq!(imported.skipped[0].line, 2);
        assert_eq!(imported.people[0].name, "Karen");
    }

    #[test]
    fn files_that_are_not_attendee_reports_are_refused_whole() {
        assert_eq!(parse_attendees("").expect_err("empty").field, "csv");
        let no_email = parse_attendees("First Name,Last Name\nAda,Lovelace").expect_err("no email");
        assert!(no_email.message.contains("no Email column"), "{no_email}");
        assert!(
            parse_attendees("Email\nada@example.org").is_err(),
            "no name column"
        );
        let open = parse_attendees("Name,Email\n\"Ada,ada@example.org\n").expect_err("open quote");
        assert!(open.message.contains("line 2"), "{open}");
    }
}
