//! The word cloud's rules: "In one word: what do you use Dask for?" — each attendee sends up to three
//! short answers; answers that mean the same are grouped ("Dataframes", "dataframe",
//! "DataFrame " are one); the cloud is laid out by the app, each word sized by its count,
//! none overlapping another, all inside the box. A word cloud is asked like a poll
//! (`PollSpec::words`), which keeps its answers in a [`WordTally`].

use super::DomainError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How many answers one attendee may give to one prompt.
pub const MAX_ANSWERS: usize = 3;
/// How long one answer may be, in characters.
pub const MAX_ANSWER_CHARS: usize = 40;

/// An attendee's answers as typed: each trimmed, 1 to 40 characters, at most three,
/// empty ones dropped, the same one twice counted once.
pub fn parse_answers(raw: &[String]) -> Result<Vec<String>, DomainError> {
    let mut answers: Vec<String> = Vec::new();
    for answer in raw {
        let answer = answer.split_whitespace().collect::<Vec<_>>().join(" ");
        if answer.is_empty() {
            continue;
        }
        if answer.chars().count() > MAX_ANSWER_CHARS {
            return Err(DomainError::new(
                "answer",
                format!("is at most {MAX_ANSWER_CHARS} characters"),
            ));
        }
        if !answers.iter().any(|a| group_key(a) == group_key(&answer)) {
            answers.push(answer);
        }
    }
    if answers.is_empty() {
        return Err(DomainError::new("answer", "is required"));
    }
    if answers.len() > MAX_ANSWERS {
        return Err(DomainError::new(
            "answers",
            format!("are at most {MAX_ANSWERS}"),
        ));
    }
    Ok(answers)
}

/// What answers are grouped by: lower case, accents and punctuation at the ends gone,
/// and each word's simple plural made singular ("Dataframes" and "dataframe",
/// "Libraries" and "library", "boxes" and "box"; "class" and "analysis" stay whole).
pub fn group_key(answer: &str) -> String {
    deunicode::deunicode(answer)
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(|w| match w.strip_suffix('s') {
            // An acronym's plural: "GPUs", "APIs".
            Some(acronym)
                if acronym.len() >= 2 && acronym.chars().all(|c| c.is_ascii_uppercase()) =>
            {
                acronym.to_lowercase()
            }
            _ => singular(&w.to_lowercase()),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn singular(word: &str) -> String {
    let n = word.chars().count();
    if n > 4 && word.ends_with("ies") {
        return format!("{}y", &word[..word.len() - 3]);
    }
    for ending in ["sses", "xes", "zes", "ches", "shes"] {
        if n > ending.len() + 1 && word.ends_with(ending) {
            return word[..word.len() - 2].to_string();
        }
    }
    let keeps_its_s = ["ss", "us", "is", "os"].iter().any(|e| word.ends_with(e));
    if n > 3 && word.ends_with('s') && !keeps_its_s {
        return word[..word.len() - 1].to_string();
    }
    word.to_string()
}

/// One word of the cloud: how it is shown (the form most people typed, the first of
/// equals), what it groups, and how many gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudWord {
    pub label: String,
    pub key: String,
    pub count: u32,
}

/// The answers grouped, the most given first (then by label).
pub fn tally<'a>(answers: impl IntoIterator<Item = &'a str>) -> Vec<CloudWord> {
    let mut tally = WordTally::default();
    for answer in answers {
        tally.add(answer);
    }
    tally.words()
}

/// The answers to one prompt grouped as they come and go (an attendee may change theirs):
/// reading the cloud is O(groups), not O(answers).
#[derive(Debug, Clone, Default)]
pub struct WordTally {
    /// key → the forms typed, in the order first seen, with their counts.
    groups: HashMap<String, Vec<(String, u32)>>,
}

impl WordTally {
    pub fn add(&mut self, answer: &str) {
        let key = group_key(answer);
        if key.is_empty() {
            return;
        }
        let forms = self.groups.entry(key).or_default();
        match forms.iter_mut().find(|(form, _)| form == answer) {
            Some((_, n)) => *n += 1,
            None => forms.push((answer.to_string(), 1)),
        }
    }

    /// Takes back one `answer` added before.
    pub fn remove(&mut self, answer: &str) {
        let key = group_key(answer);
        let Some(forms) = self.groups.get_mut(&key) else {
            return;
        };
        if let Some(i) = forms.iter().position(|(form, _)| form == answer) {
            forms[i].1 -= 1;
            if forms[i].1 == 0 {
                forms.remove(i);
            }
        }
        if forms.is_empty() {
            self.groups.remove(&key);
        }
    }

    /// The groups, the most given first (then by label); each shown as the form most
    /// people typed, the first seen of equals.
    pub fn words(&self) -> Vec<CloudWord> {
        let mut words: Vec<CloudWord> = self
            .groups
            .iter()
            .map(|(key, forms)| {
                let count = forms.iter().map(|(_, n)| n).sum();
                // max_by_key keeps the last of equals: reversed, the first seen.
                let label = forms
                    .iter()
                    .rev()
                    .max_by_key(|(_, n)| *n)
                    .map_or(String::new(), |(form, _)| form.clone());
                CloudWord {
                    label,
                    key: key.clone(),
                    count,
                }
            })
            .collect();
        words.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.label.cmp(&b.label))
                .then_with(|| a.key.cmp(&b.key))
        });
        words
    }
}

/// A word placed in the cloud's box: its top-left corner, its font size and the box its
/// text takes (all in the SVG's units).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placed {
    pub label: String,
    pub count: u32,
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub width: f64,
    pub height: f64,
}

impl Placed {
    fn overlaps(&self, other: &Placed) -> bool {
        // A little air between words keeps them readable.
        const GAP: f64 = 2.0;
        self.x < other.x + other.width + GAP
            && other.x < self.x + self.width + GAP
            && self.y < other.y + other.height + GAP
            && other.y < self.y + self.height + GAP
    }
}

/// The smallest and largest font size, in the box's units: the smallest stays readable
/// on a phone-sized box, the largest is the most given answer.
const MIN_SIZE: f64 = 14.0;
const MAX_SIZE: f64 = 56.0;
/// cos and sin of the spiral's step, 0.1 radian.
const COS_STEP: f64 = 0.995_004_165_278_025_8;
const SIN_STEP: f64 = 0.099_833_416_646_828_15;
/// How wide a word is for a font size of 1: a bold sans-serif's letters, roughly
/// (narrow i and l, wide m and W). Pages draw each word exactly this wide (SVG
/// `textLength`), so a good guess only keeps the letters from looking squeezed.
fn em_width(word: &str) -> f64 {
    word.chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | 'I' | '.' | ',' | '\'' | '!' | '|' => 0.32,
            ' ' | 'f' | 't' | 'r' => 0.42,
            'm' | 'w' => 0.92,
            'M' | 'W' => 1.0,
            'A'..='Z' => 0.74,
            _ => 0.62,
        })
        .sum::<f64>()
        .max(0.5)
}

/// Lays `words` (most given first, as [`tally`] gives them) out in a `width` × `height`
/// box: sizes from 14 to 56 by count (square root, so one word does not dwarf all), the
/// first in the middle, each next on a spiral out from it at the first place that
/// overlaps nothing; a word that fits nowhere (the box is full) is left out.
/// Deterministic: the same words give the same cloud on every screen.
pub fn layout(words: &[CloudWord], width: f64, height: f64) -> Vec<Placed> {
    let most = words.iter().map(|w| w.count).max().unwrap_or(1).max(1) as f64;
    let mut placed: Vec<Placed> = Vec::new();
    for word in words {
        let share = (word.count as f64 / most).sqrt();
        // A box narrower than a wide screen's 640 units (a phone's card) keeps the least
        // given words' size and lowers the most given one's, so more words fit.
        let largest = (MAX_SIZE * width / 640.0).clamp(MIN_SIZE * 2.0, MAX_SIZE);
        let mut size = MIN_SIZE + (largest - MIN_SIZE) * share;
        let em = em_width(&word.label);
        // A long word shrinks to fit the box's width.
        size = size.min(width / em).max(1.0);
        let (w, h) = (em * size, size * 1.2);
        if w > width || h > height {
            continue;
        }
        let (cx, cy) = ((width - w) / 2.0, (height - h) / 2.0);
        // An Archimedean spiral, wider than tall like the box, turning 0.1 radian a step.
        // Its angle is turned by multiplying (cos, sin) by a fixed rotation rather than
        // calling cos and sin: the same arithmetic on the server and in every browser
        // (so a server-drawn cloud and the page's own are alike), and no trigonometry in
        // the attendee's bundle.
        let (mut cos, mut sin) = (1.0_f64, 0.0_f64);
        let stretch = (width / height).max(1.0);
        let mut spot = None;
        for step in 0..4000 {
            let r = 2.0 * (step as f64 * 0.1);
            let candidate = Placed {
                label: word.label.clone(),
                count: word.count,
                x: cx + r * cos * stretch,
                y: cy + r * sin,
                size,
                width: w,
                height: h,
            };
            let inside = candidate.x >= 0.0
                && candidate.y >= 0.0
                && candidate.x + w <= width
                && candidate.y + h <= height;
            if inside && !placed.iter().any(|p| p.overlaps(&candidate)) {
                spot = Some(candidate);
                break;
            }
            (cos, sin) = (
                cos * COS_STEP - sin * SIN_STEP,
                sin * COS_STEP + cos * SIN_STEP,
            );
        }
        if let Some(spot) = spot {
            placed.push(spot);
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn answers_are_trimmed_counted_once_and_limited() {
        assert_eq!(
            parse_answers(&strings(&["  big   data ", "", "ETL", "Big Data"])).unwrap(),
            vec!["big data", "ETL"]
        );
        assert!(parse_answers(&strings(&["", "  "])).is_err());
        assert!(parse_answers(&strings(&["a", "b", "c", "d"])).is_err());
        assert!(parse_answers(&strings(&[&"x".repeat(41)])).is_err());
        assert!(parse_answers(&strings(&[&"é".repeat(40)])).is_ok());
    }

    #[test]
    fn answers_that_mean_the_same_are_grouped() {
        assert_eq!(group_key("DataFrames"), group_key("dataframe "));
        assert_eq!(group_key("Libraries"), "library");
        assert_eq!(group_key("boxes"), "box");
        assert_eq!(group_key("Análisis!"), "analisis");
        assert_eq!(group_key("class"), "class");
        assert_eq!(group_key("machine-learning"), "machine learning");
        assert_eq!(group_key("GPUs"), "gpu");
        assert_eq!(group_key("ETL"), "etl");
        assert_eq!(group_key("bus"), "bus");
    }

    #[test]
    fn the_tally_shows_the_form_most_typed_and_puts_the_most_given_first() {
        let words = tally([
            "ETL",
            "dataframes",
            "DataFrames",
            "DataFrames",
            "dataframe",
            "ML",
            "etl",
        ]);
        assert_eq!(
            words
                .iter()
                .map(|w| (w.label.as_str(), w.count))
                .collect::<Vec<_>>(),
            vec![("DataFrames", 4), ("ETL", 2), ("ML", 1)]
        );
    }

    #[test]
    fn the_cloud_sizes_by_count_and_nothing_overlaps_or_leaves_the_box() {
        let answers: Vec<String> = (0..60)
            .flat_map(|i| std::iter::repeat_n(format!("word{i}"), 60 - i))
            .collect();
        let words = tally(answers.iter().map(String::as_str));
        for (width, height) in [(800.0, 400.0), (340.0, 300.0)] {
            let placed = layout(&words, width, height);
            assert!(
                placed.len() >= 10,
                "{} placed in {width}×{height}",
                placed.len()
            );
            for (i, a) in placed.iter().enumerate() {
                assert!(a.x >= 0.0 && a.y >= 0.0, "{a:?}");
                assert!(a.x + a.width <= width && a.y + a.height <= height, "{a:?}");
                for b in &placed[i + 1..] {
                    assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
                }
            }
            assert_eq!(placed[0].label, "word0");
            assert!(placed[0].size > placed[placed.len() - 1].size);
            assert_eq!(
                layout(&words, width, height),
                placed,
                "the same on every screen"
            );
        }
        let long = tally(["a very long answer of forty characters!!"]);
        let placed = layout(&long, 200.0, 100.0);
        assert_eq!(placed.len(), 1, "a long word shrinks to fit");
        assert!(placed[0].width <= 200.0);
    }

    #[test]
    fn a_tally_kept_as_answers_come_and_go_equals_one_made_at_once() {
        let mut kept = WordTally::default();
        for answer in ["Dataframes", "ETL", "dataframe", "spam", "GPUs"] {
            kept.add(answer);
        }
        kept.remove("spam");
        kept.remove("Dataframes");
        kept.remove("not there");
        assert_eq!(kept.words(), tally(["ETL", "dataframe", "GPUs"]));
        assert!(kept.words().iter().all(|w| w.count > 0));
    }
}
