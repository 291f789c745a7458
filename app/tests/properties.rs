//! Property tests (proptest): what arrives from the network or is typed by people never
//! panics a parser, and what the formats write can be read back. A few hundred cases
//! each, so the run is short enough for every `cargo test`.

use app::domain::calendar::CalendarEntry;
use app::domain::chart::percents;
use app::domain::event::{EventDraft, SectionDraft, SectionKind};
use app::domain::export::cell_text;
use app::domain::feedback::{Survey, SurveyAnswer, SurveyResponse};
use app::domain::place::{Gazetteer, PlaceText, parse_check_in_name};
use app::domain::question::Question;
use app::live::{ClientMsg, decode_client};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Frames shaped like the protocol's, with the real message types and field names, so
/// the decoder's deeper paths are reached and not only its first refusal.
fn protocol_like() -> impl Strategy<Value = String> {
    let kinds = prop::sample::select(vec![
        "vote",
        "check_in",
        "start",
        "end",
        "agenda",
        "ask_poll",
        "close_poll",
        "answer",
        "lab",
        "ask",
        "upvote",
        "moderate",
        "places_read",
        "nonsense",
    ]);
    let fields = prop::sample::select(vec![
        "id", "vote", "place", "name", "from", "command", "question", "options", "poll", "choice",
        "signal", "note", "text", "action", "do",
    ]);
    let values = prop_oneof![
        Just("null".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[a-z0-9 <>&\"\\\\-]{0,24}".prop_map(|s| format!("{s:?}")),
        Just("\"3f2b8c1e-9a4d-4e7f-8b6a-1c2d3e4f5a6b\"".to_string()),
        Just("[]".to_string()),
        Just("{\"do\":\"bubble\"}".to_string()),
    ];
    (kinds, prop::collection::vec((fields, values), 0..5)).prop_map(|(kind, fields)| {
        let mut frame = format!("{{\"type\":\"{kind}\"");
        for (field, value) in fields {
            frame.push_str(&format!(",\"{field}\":{value}"));
        }
        frame.push('}');
        frame
    })
}

proptest! {
    #[test]
    fn the_decoder_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = decode_client(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn what_the_decoder_accepts_reads_back_the_same(frame in protocol_like()) {
        if let Ok(message) = decode_client(&frame) {
            let again: ClientMsg = serde_json::from_str(&serde_json::to_string(&message).unwrap()).unwrap();
            prop_assert_eq!(again, message);
        }
    }

    #[test]
    fn event_drafts_are_checked_without_panicking(
        title in "\\PC{0,130}", start in "\\PC{0,20}", zone in "\\PC{0,30}",
        section in "\\PC{0,130}", minutes in any::<u32>(), exercise in any::<u32>(),
    ) {
        let draft = EventDraft {
            title: title.clone(),
            starts_at: start,
            time_zone: zone,
            sections: vec![SectionDraft { title: section, kind: SectionKind::Lab, minutes, exercise_minutes: exercise }],
            ..EventDraft::default()
        };
        if let Ok(event) = draft.parse() {
            prop_assert!(!event.title.is_empty() && event.title.chars().count() <= 120);
            prop_assert!(event.sections[0].exercise_minutes <= event.sections[0].minutes);
        }
    }

    #[test]
    fn survey_answers_are_checked_without_panicking(
        answers in prop::collection::btree_map(0usize..12, (prop::collection::vec(any::<u8>(), 0..6), "\\PC{0,40}"), 0..8)
    ) {
        let survey = Survey::default_for("Dask tutorial", &[]);
        let raw = SurveyResponse {
            answers: answers.into_iter().map(|(i, (choices, text))| (i, SurveyAnswer { choices, text })).collect::<BTreeMap<_, _>>(),
        };
        if let Ok(checked) = survey.check(&raw) {
            for (index, answer) in &checked.answers {
                let options = survey.questions[*index].options().len();
                prop_assert!(answer.choices.iter().all(|&c| usize::from(c) < options));
            }
        }
    }

    #[test]
    fn typed_text_is_bounded_or_refused(text in "\\PC{0,600}", name in "\\PC{0,90}") {
        if let Ok(question) = Question::ask(uuid::Uuid::nil(), &text, &name, false, Utc::now()) {
            prop_assert!((1..=500).contains(&question.text.chars().count()));
        }
        let _ = PlaceText::parse(&text);
        let _ = parse_check_in_name(&name);
        let _ = GAZETTEER.resolve(&text);
    }

    #[test]
    fn a_csv_cell_reads_back_as_written_or_neutralised(text in "\\PC{0,40}|[=+@\\-][a-z0-9(),\"]{0,10}") {
        let read = read_cell(&cell_text(&text));
        prop_assert!(read == text || read == format!("'{text}"), "{:?} read back as {:?}", text, read);
        if read == text {
            prop_assert!(!text.starts_with(['=', '+', '@']) || text.parse::<f64>().is_ok());
        }
    }

    #[test]
    fn calendar_lines_fit_and_unfold_to_the_title(title in "\\PC{0,200}") {
        let ics = CalendarEntry {
            uid: "x@example.org".into(),
            title: title.clone(),
            description: String::new(),
            url: "https://example.org/e/x".into(),
            starts_at: Utc.with_ymd_and_hms(2026, 5, 19, 16, 0, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, 5, 19, 17, 0, 0).unwrap(),
            stamp: Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap(),
        }
        .to_ics();
        prop_assert!(ics.split("\r\n").all(|line| line.len() <= 75));
        let summary = ics.replace("\r\n ", "").lines().find(|l| l.starts_with("SUMMARY:")).map(str::to_string);
        prop_assert!(summary.is_some());
    }

    #[test]
    fn shares_of_a_whole_add_up_to_one_hundred(counts in prop::collection::vec(0u32..10_000, 1..12)) {
        let total: u32 = counts.iter().sum();
        let shares = percents(&counts, total);
        prop_assert_eq!(shares.iter().sum::<u32>(), if total == 0 { 0 } else { 100 });
    }
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| {
    Gazetteer::from_tsv(
        include_str!("../data/cities.tsv"),
        include_str!("../data/countries.tsv"),
    )
});

/// One CSV cell as a spreadsheet reads it (RFC 4180): quotes removed, doubled quotes
/// undone.
fn read_cell(cell: &str) -> String {
    match cell.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => cell.to_string(),
    }
}
