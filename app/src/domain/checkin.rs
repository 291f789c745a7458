//! Check-ins: "where are you joining from?" — one per attendee, editable — and the
//! tally every page shows: how many are here, from which places and countries, and
//! which places are new since the presenter last read them out.

use super::place::{Place, PlaceText};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::Hash;

/// How many of the newest places every page lists.
pub const NEWEST: usize = 6;
/// How many unread places the presenter's panel lists at most.
pub const UNREAD: usize = 20;
/// How many places and countries live pages get, the most checked-in first: the map
/// and the lists need no more, and every page gets them (the report has them all).
pub const LIVE_PLACES: usize = 40;
pub const LIVE_COUNTRIES: usize = 30;

/// One attendee's check-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckIn {
    /// The place as typed, kept even when the gazetteer knows it.
    pub place_text: PlaceText,
    pub name: Option<String>,
    /// Where the gazetteer put it; `None` for places it does not know.
    pub place: Option<Place>,
    /// When it was made or last changed.
    pub at: DateTime<Utc>,
    /// Held back by the event's word filter: counted, but its place is named nowhere.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub held: bool,
}

impl CheckIn {
    /// How the place is shown: the gazetteer's label, else the words as typed.
    pub fn label(&self) -> &str {
        self.place
            .as_ref()
            .map_or(self.place_text.as_str(), |p| &p.label)
    }
}

/// A place on the map and in the list, with how many checked in from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceCount {
    pub label: String,
    /// `None` for places the gazetteer does not know: they are listed, not drawn.
    pub point: Option<(f32, f32)>,
    pub count: u32,
}

/// What every page shows about check-ins. Empty lists are left out on the wire.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckInTally {
    pub count: u32,
    /// Most checked-in places first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<PlaceCount>,
    /// (country, attendees), most first; unknown places are not counted here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<(String, u32)>,
    /// The newest places, newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub newest: Vec<String>,
    /// Places checked in since the presenter last marked them read, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<String>,
}

/// The check-ins of one event, one per attendee.
#[derive(Debug, Clone)]
pub struct CheckInBoard<A> {
    by_attendee: HashMap<A, CheckIn>,
}

impl<A> Default for CheckInBoard<A> {
    fn default() -> Self {
        Self {
            by_attendee: HashMap::new(),
        }
    }
}

impl<A: Eq + Hash> CheckInBoard<A> {
    /// Records a check-in; a second one from the same attendee replaces the first.
    pub fn record(&mut self, attendee: A, check_in: CheckIn) {
        self.by_attendee.insert(attendee, check_in);
    }

    pub fn of<Q: Eq + Hash + ?Sized>(&self, attendee: &Q) -> Option<&CheckIn>
    where
        A: std::borrow::Borrow<Q>,
    {
        self.by_attendee.get(attendee)
    }

    /// The tally, with places after `read_at` counted as unread.
    pub fn tally(&self, read_at: Option<DateTime<Utc>>) -> CheckInTally {
        let mut places: HashMap<&str, PlaceCount> = HashMap::new();
        let mut countries: HashMap<&str, u32> = HashMap::new();
        let shown = || self.by_attendee.values().filter(|c| !c.held);
        for check_in in shown() {
            let entry = places
                .entry(check_in.label())
                .or_insert_with(|| PlaceCount {
                    label: check_in.label().to_string(),
                    point: check_in.place.as_ref().map(|p| (p.latitude, p.longitude)),
                    count: 0,
                });
            entry.count += 1;
            if let Some(place) = &check_in.place {
                *countries.entry(&place.country).or_default() += 1;
            }
        }
        let mut places: Vec<PlaceCount> = places.into_values().collect();
        places.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
        let mut countries: Vec<(String, u32)> = countries
            .into_iter()
            .map(|(c, n)| (c.to_string(), n))
            .collect();
        countries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

        let mut by_time: Vec<&CheckIn> = shown().collect();
        by_time.sort_by_key(|c| c.at);
        let newest = distinct(by_time.iter().rev().map(|c| c.label()), NEWEST);
        let unread = distinct(
            by_time
                .iter()
                .filter(|c| read_at.is_none_or(|read| c.at > read))
                .map(|c| c.label()),
            UNREAD,
        );
        CheckInTally {
            count: self.by_attendee.len() as u32,
            places,
            countries,
            newest,
            unread,
        }
    }
}

impl CheckInTally {
    /// The tally as live pages get it: the most checked-in [`LIVE_PLACES`] places and
    /// [`LIVE_COUNTRIES`] countries (the count stays everyone's), without the unread
    /// places, which only the presenter's panel needs.
    pub fn for_live_pages(&self) -> Self {
        Self {
            count: self.count,
            places: self.places.iter().take(LIVE_PLACES).cloned().collect(),
            countries: self
                .countries
                .iter()
                .take(LIVE_COUNTRIES)
                .cloned()
                .collect(),
            newest: self.newest.clone(),
            unread: Vec::new(),
        }
    }
}

/// The first `limit` distinct labels, in order.
fn distinct<'a>(labels: impl Iterator<Item = &'a str>, limit: usize) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for label in labels {
        if seen.len() == limit {
            break;
        }
        if !seen.iter().any(|s| s == label) {
            seen.push(label.to_string());
        }
    }
    seen
}

/// "Pune", "Pune and Lagos", "Pune, Lagos and Leeds": places as a presenter says them,
/// with the language's word for "and".
pub fn spoken_list(labels: &[String], and: &str) -> String {
    let short: Vec<&str> = labels
        .iter()
        .map(|l| l.split(',').next().unwrap_or(l).trim())
        .collect();
    match short.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} {and} {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-12-10T16:{minute:02}:00Z"))
            .unwrap()
            .with_timezone(&Utc)
    }

    fn check_in(text: &str, known: Option<(&str, &str)>, minute: u32) -> CheckIn {
        CheckIn {
            place_text: PlaceText::parse(text).unwrap(),
            name: None,
            place: known.map(|(label, country)| Place {
                label: label.into(),
                country_code: "XX".into(),
                country: country.into(),
                latitude: 1.0,
                longitude: 2.0,
            }),
            at: at(minute),
            held: false,
        }
    }

    #[test]
    fn a_held_check_in_is_counted_but_its_place_is_named_nowhere() {
        let mut board = CheckInBoard::default();
        board.record(1, check_in("Pune", Some(("Pune, India", "India")), 1));
        board.record(
            2,
            CheckIn {
                held: true,
                ..check_in("rude words", None, 2)
            },
        );
        let tally = board.tally(None);
        assert_eq!(tally.count, 2);
        let named: Vec<&str> = tally.places.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(named, ["Pune, India"]);
        assert_eq!(tally.newest, ["Pune, India"]);
        assert_eq!(tally.unread, ["Pune, India"]);
    }

    #[test]
    fn each_attendee_counts_once_and_an_edit_replaces() {
        let mut board = CheckInBoard::default();
        board.record("ana", check_in("Pune", Some(("Pune, India", "India")), 1));
        board.record(
            "ana",
            check_in("Lagos", Some(("Lagos, Nigeria", "Nigeria")), 2),
        );
        let tally = board.tally(None);
        assert_eq!(tally.count, 1);
        assert_eq!(tally.places.len(), 1);
        assert_eq!(tally.places[0].label, "Lagos, Nigeria");
    }

    #[test]
    fn places_and_countries_are_tallied_and_unknown_places_still_count() {
        let mut board = CheckInBoard::default();
        board.record(1, check_in("pune", Some(("Pune, India", "India")), 1));
        board.record(2, check_in("Poona", Some(("Pune, India", "India")), 2));
        board.record(3, check_in("Mumbai", Some(("Mumbai, India", "India")), 3));
        board.record(4, check_in("my kitchen", None, 4));
        let tally = board.tally(None);
        assert_eq!(tally.count, 4);
        assert_eq!(
            tally.places[0],
            PlaceCount {
                label: "Pune, India".into(),
                point: Some((1.0, 2.0)),
                count: 2
            }
        );
        assert!(
            tally
                .places
                .iter()
                .any(|p| p.label == "my kitchen" && p.point.is_none())
        );
        assert_eq!(tally.countries, vec![("India".to_string(), 3)]);
        assert_eq!(
            tally.newest,
            vec!["my kitchen", "Mumbai, India", "Pune, India"]
        );
    }

    #[test]
    fn unread_places_are_those_after_the_last_read_mark() {
        let mut board = CheckInBoard::default();
        board.record(1, check_in("Pune", Some(("Pune, India", "India")), 1));
        board.record(
            2,
            check_in(
                "Leeds",
                Some(("Leeds, United Kingdom", "United Kingdom")),
                5,
            ),
        );
        assert_eq!(board.tally(None).unread.len(), 2);
        assert_eq!(
            board.tally(Some(at(3))).unread,
            vec!["Leeds, United Kingdom"]
        );
        assert!(board.tally(Some(at(9))).unread.is_empty());
    }

    #[test]
    fn places_are_read_aloud_as_a_list() {
        let labels = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            spoken_list(
                &labels(&["Pune, India", "Lagos, Nigeria", "Leeds, United Kingdom"]),
                "and"
            ),
            "Pune, Lagos and Leeds"
        );
        assert_eq!(spoken_list(&labels(&["Germany"]), "and"), "Germany");
        assert_eq!(spoken_list(&[], "and"), "");
    }

    #[test]
    fn live_pages_get_the_most_checked_in_places_and_everyone_counted() {
        let mut board = CheckInBoard::default();
        for n in 0..500 {
            board.record(n, check_in(&format!("Village {n}"), None, 1));
        }
        for n in 500..503 {
            board.record(n, check_in("Pune", Some(("Pune, India", "India")), 2));
        }
        let live = board.tally(Some(at(0))).for_live_pages();
        assert_eq!(live.count, 503);
        assert_eq!(live.places.len(), LIVE_PLACES);
        assert_eq!(live.places[0].label, "Pune, India");
        assert_eq!(live.places[0].count, 3);
        assert!(
            live.unread.is_empty(),
            "the presenter's list is not for every page"
        );
    }
}
