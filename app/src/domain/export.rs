//! CSV as spreadsheets read it (RFC 4180), made safe to open: a cell that a spreadsheet
//! would run as a formula (`=`, `+`, `-`, `@`, a tab or a carriage return first) gets
//! a leading apostrophe, so an attendee who types `=HYPERLINK(…)` as their city gets
//! their text shown, not run. Numbers are left alone.

/// A CSV document, one row at a time.
#[derive(Debug, Clone)]
pub struct Csv {
    text: String,
    columns: usize,
}

impl Csv {
    /// Starts a document with its header row.
    pub fn new(header: &[&str]) -> Self {
        let mut csv = Self {
            text: String::new(),
            columns: header.len(),
        };
        csv.push(header.iter().map(|h| h.to_string()));
        csv
    }

    /// Adds a row; it must have as many cells as the header.
    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.push(cells.into_iter().map(Into::into));
    }

    fn push(&mut self, cells: impl Iterator<Item = String>) {
        let mut count = 0;
        for (i, cell) in cells.enumerate() {
            if i > 0 {
                self.text.push(',');
            }
            self.text.push_str(&cell_text(&cell));
            count += 1;
        }
        debug_assert_eq!(
            count, self.columns,
            "a CSV row has as many cells as its header"
        );
        self.text.push_str("\r\n");
    }

    pub fn finish(self) -> String {
        self.text
    }
}

/// One cell, neutralised and quoted as needed.
pub fn cell_text(raw: &str) -> String {
    let risky = raw.starts_with(['=', '+', '-', '@', '\t', '\r']) && raw.parse::<f64>().is_err();
    let text = if risky {
        format!("'{raw}")
    } else {
        raw.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The tables an organizer can download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    CheckIns,
    Polls,
    Pace,
    Questions,
    Survey,
    /// Registrants (names and addresses: organizers only, like every export).
    Registrations,
}

impl Export {
    pub const ALL: [Export; 6] = [
        Export::CheckIns,
        Export::Polls,
        Export::Pace,
        Export::Questions,
        Export::Survey,
        Export::Registrations,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Export::CheckIns => "checkins",
            Export::Polls => "polls",
            Export::Pace => "pace",
            Export::Questions => "questions",
            Export::Survey => "survey",
            Export::Registrations => "registrations",
        }
    }

    /// What it holds, for the page that links to it.
    pub fn label(self) -> &'static str {
        match self {
            Export::CheckIns => "Check-ins",
            Export::Polls => "Poll answers",
            Export::Pace => "Pace over time",
            Export::Questions => "Questions",
            Export::Survey => "Survey answers",
            Export::Registrations => "Registrations",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.name() == raw)
    }
}

/// One exported table: its columns and its rows of JSON values, written out as CSV
/// or as JSON (an array of objects keyed by column) from the same rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<serde_json::Value>>,
}

impl Table {
    pub fn new(columns: &[&'static str]) -> Self {
        Self {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<serde_json::Value>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    pub fn to_csv(&self) -> String {
        let mut csv = Csv::new(&self.columns);
        for row in &self.rows {
            csv.row(row.iter().map(plain_text));
        }
        csv.finish()
    }

    pub fn to_json(&self) -> serde_json::Value {
        self.rows
            .iter()
            .map(|row| {
                self.columns
                    .iter()
                    .map(|c| c.to_string())
                    .zip(row.iter().cloned())
                    .collect::<serde_json::Map<_, _>>()
                    .into()
            })
            .collect::<Vec<serde_json::Value>>()
            .into()
    }
}

/// A value as a spreadsheet cell: nothing for null, lists joined by "; ".
fn plain_text(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Value::Array(items) => items.iter().map(plain_text).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_table_writes_the_same_rows_as_csv_and_json() {
        let mut table = Table::new(&["place", "count", "names", "note"]);
        table.push(vec![
            json!("Oslo, Norway"),
            json!(3),
            json!(["Ann", "Bo"]),
            json!(null),
        ]);
        table.push(vec![json!("=cmd"), json!(-1), json!([]), json!(true)]);
        assert_eq!(
            table.to_csv(),
            "place,count,names,note\r\n\"Oslo, Norway\",3,Ann; Bo,\r\n'=cmd,-1,,yes\r\n"
        );
        assert_eq!(
            table.to_json(),
            json!([
                {"place": "Oslo, Norway", "count": 3, "names": ["Ann", "Bo"], "note": null},
                {"place": "=cmd", "count": -1, "names": [], "note": true},
            ])
        );
    }

    #[test]
    fn commas_quotes_and_newlines_are_quoted() {
        assert_eq!(cell_text("Berlin"), "Berlin");
        assert_eq!(cell_text("Paris, France"), "\"Paris, France\"");
        assert_eq!(cell_text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell_text("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell_text(" padded"), "\" padded\"");
        assert_eq!(cell_text(""), "");
    }

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        assert_eq!(
            cell_text("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(cell_text("+1+2"), "'+1+2");
        assert_eq!(cell_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell_text("-2+3"), "'-2+3");
        assert_eq!(cell_text("\tx"), "'\tx");
        assert_eq!(cell_text("-3"), "-3");
        assert_eq!(cell_text("42.5"), "42.5");
    }

    #[test]
    fn rows_end_in_crlf_under_their_header() {
        let mut csv = Csv::new(&["place", "count"]);
        csv.row(["Oslo, Norway", "3"]);
        csv.row(["=1+1".to_string(), "-1".to_string()]);
        assert_eq!(
            csv.finish(),
            "place,count\r\n\"Oslo, Norway\",3\r\n'=1+1,-1\r\n"
        );
    }
}
