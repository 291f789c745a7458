//! The word filter for what attendees write: does a text contain a word from the lists,
//! and what the event does with one that does ([`FilterMode`], applied by
//! [`TextFilter::check`]; the hub calls it for check-ins, questions, lab notes and
//! word-cloud answers, the survey for its comments).
//!
//! Matching reads words, not letters inside words, so "Scunthorpe", "analysis" and
//! "assessment" pass while "ass" does not (the Scunthorpe problem). Before comparing it
//! undoes what people do to slip a word past a filter: case ("ASS"), accents ("pútà"),
//! digits and signs for letters ("d4sk", "$h1t", "@ss"), letters held down ("fuuuuck"),
//! and letters spaced or dotted apart ("f u c k", "f.u.c.k"). A listed word also matches
//! with the endings of its plural and verb forms ("shits", "fucking"). Phrases in the
//! lists ("blow job") match as a run of words.

use super::DomainError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::LazyLock;

/// What an event does with a text that has a listed word in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FilterMode {
    /// Every text goes through as written.
    #[default]
    Off,
    /// The text is kept but held back from other attendees until a co-instructor lets
    /// it through (questions wait in review, word-cloud answers start hidden, a place
    /// is counted but not named).
    Review,
    /// The text is refused with a clear message, and nothing is stored.
    Refuse,
}

impl FilterMode {
    pub const ALL: [Self; 3] = [Self::Off, Self::Review, Self::Refuse];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Review => "review",
            Self::Refuse => "refuse",
        }
    }

    /// The mode of a stored or typed name; unknown names are `None`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == name.trim())
    }

    /// How the editor names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Off => "Off: everything is shown as written",
            Self::Review => {
                "Hide for review: questions wait for a co-instructor's approval, places are counted but not named, word-cloud answers start hidden"
            }
            Self::Refuse => {
                "Refuse: the attendee is asked to say it another way, and nothing is sent"
            }
        }
    }
}

/// The organizer's own words: at most this many, each this long.
pub const MAX_OWN_WORDS: usize = 200;
pub const MAX_OWN_WORD_CHARS: usize = 40;

/// Checks the organizer's own words (one word or phrase each, blank ones dropped).
pub fn parse_own_words(words: &[String]) -> Result<Vec<String>, DomainError> {
    let words: Vec<String> = words
        .iter()
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() > MAX_OWN_WORDS {
        return Err(DomainError::new(
            "blocked_words",
            format!("at most {MAX_OWN_WORDS} words"),
        ));
    }
    if let Some(long) = words
        .iter()
        .find(|w| w.chars().count() > MAX_OWN_WORD_CHARS)
    {
        return Err(DomainError::new(
            "blocked_words",
            format!("\"{long}\" is longer than {MAX_OWN_WORD_CHARS} characters"),
        ));
    }
    // Checked without `words_of` (its transliteration tables would weigh on the editor's
    // bundle, which parses the draft too): a word needs a letter or a digit.
    if let Some(empty) = words.iter().find(|w| !w.chars().any(char::is_alphanumeric)) {
        return Err(DomainError::new(
            "blocked_words",
            format!("\"{empty}\" has no letters to match"),
        ));
    }
    Ok(words)
}

/// An event's filter as organizers set it: `[word_filter]` in the event file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterSettings {
    #[serde(default)]
    pub mode: FilterMode,
    /// Their own words and phrases, caught like the shipped lists' words.
    #[serde(default)]
    pub words: Vec<String>,
}

impl FilterSettings {
    pub fn parse(&self) -> Result<Self, DomainError> {
        Ok(Self {
            mode: self.mode,
            words: parse_own_words(&self.words)?,
        })
    }

    pub fn filter(&self) -> TextFilter {
        TextFilter::new(self.mode, &self.words)
    }
}

/// What the filter says about one text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Clean, or the filter is off: as written.
    Pass,
    /// Keep it, but hold it back from other attendees.
    Hold,
    /// Refuse it; nothing is stored.
    Refuse,
}

/// An event's filter: its mode, the shipped lists and its organizers' own words.
#[derive(Debug, Clone, Default)]
pub struct TextFilter {
    mode: FilterMode,
    own: WordFilter,
}

/// The shipped lists, compiled once per process (the browser never loads them).
static SHIPPED: LazyLock<WordFilter> = LazyLock::new(|| WordFilter::standard([]));

impl TextFilter {
    pub fn new(mode: FilterMode, own: &[String]) -> Self {
        Self {
            mode,
            own: WordFilter::new(own.iter().map(String::as_str)),
        }
    }

    pub fn mode(&self) -> FilterMode {
        self.mode
    }

    /// What happens to `texts` (a question and its name, say): held or refused when any
    /// of them has a listed word.
    pub fn check<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> Verdict {
        if self.mode == FilterMode::Off {
            return Verdict::Pass;
        }
        let flagged = texts
            .into_iter()
            .any(|text| !self.own.is_clean(text) || !SHIPPED.is_clean(text));
        match (flagged, self.mode) {
            (false, _) | (_, FilterMode::Off) => Verdict::Pass,
            (true, FilterMode::Review) => Verdict::Hold,
            (true, FilterMode::Refuse) => Verdict::Refuse,
        }
    }
}

/// The sentence a refused text gets, naming what was refused ("question", "place").
pub fn refusal(what: &str) -> String {
    format!(
        "Your {what} has a word this event's filter does not allow, so it was not sent. Please say it another way."
    )
}

/// A compiled set of words and phrases to catch.
#[derive(Debug, Clone, Default)]
pub struct WordFilter {
    /// Single words by their squeezed form ([`squeeze`]), each as its letter runs.
    words: HashMap<String, Vec<Runs>>,
    /// Phrases as their words' letter runs.
    phrases: Vec<Vec<Runs>>,
}

/// A word as runs of one letter: "ass" is a×1, s×2.
type Runs = Vec<(char, usize)>;

/// Endings a listed word may take and still be the word: plurals and verb forms.
const ENDINGS: [&str; 8] = ["s", "es", "ed", "er", "ers", "ing", "in", "y"];

impl WordFilter {
    /// A filter of `entries` (one word or phrase each; blank ones ignored).
    pub fn new<'a>(entries: impl IntoIterator<Item = &'a str>) -> Self {
        let mut filter = Self::default();
        for entry in entries {
            let mut words: Vec<Runs> = words_of(entry).iter().map(|w| runs(w)).collect();
            match words.len() {
                0 => {}
                1 => {
                    let word = words.remove(0);
                    filter.words.entry(letters(&word)).or_default().push(word);
                }
                _ => filter.phrases.push(words),
            }
        }
        filter
    }

    /// The lists Lectern ships (English, Spanish, Portuguese, German and French, from
    /// the `naughty-words` package, CC BY 4.0) and the organizer's own words.
    pub fn standard<'a>(own: impl IntoIterator<Item = &'a str>) -> Self {
        const LISTS: [&str; 5] = [
            include_str!("../../wordlists/en.txt"),
            include_str!("../../wordlists/es.txt"),
            include_str!("../../wordlists/pt.txt"),
            include_str!("../../wordlists/de.txt"),
            include_str!("../../wordlists/fr.txt"),
        ];
        Self::new(LISTS.iter().flat_map(|list| list.lines()).chain(own))
    }

    /// The first listed word or phrase `text` contains (as its letters, squeezed); none
    /// when the text is clean.
    pub fn find(&self, text: &str) -> Option<String> {
        let words: Vec<String> = joined_letters(&words_of(text));
        if let Some(hit) = words.iter().find_map(|w| self.word_hit(w)) {
            return Some(hit);
        }
        let words: Vec<Runs> = words.iter().map(|w| runs(w)).collect();
        self.phrases
            .iter()
            .find(|phrase| {
                words
                    .windows(phrase.len())
                    .any(|run| run.iter().zip(phrase.iter()).all(|(w, p)| fits(w, p)))
            })
            .map(|phrase| phrase.iter().map(letters).collect::<Vec<_>>().join(" "))
    }

    pub fn is_clean(&self, text: &str) -> bool {
        self.find(text).is_none()
    }

    /// `word` if it is a listed word, held-down letters and an ending allowed.
    fn word_hit(&self, word: &str) -> Option<String> {
        let stems =
            std::iter::once(word).chain(ENDINGS.iter().filter_map(|e| word.strip_suffix(e)));
        for stem in stems {
            let stem = runs(stem);
            let key = letters(&stem);
            if key.len() >= 2
                && let Some(listed) = self.words.get(&key)
                && listed.iter().any(|l| fits(&stem, l))
            {
                return Some(key);
            }
        }
        None
    }
}

/// Whether a written word (as runs) is a listed one: the same letters in the same order,
/// each held at least as long ("fuuuck" is "fuck", "as" is not "ass").
fn fits(written: &Runs, listed: &Runs) -> bool {
    written.len() == listed.len()
        && written
            .iter()
            .zip(listed)
            .all(|((w, wn), (l, ln))| w == l && wn >= ln)
}

fn runs(word: &str) -> Runs {
    let mut out: Runs = Vec::new();
    for c in word.chars() {
        match out.last_mut() {
            Some((last, n)) if *last == c => *n += 1,
            _ => out.push((c, 1)),
        }
    }
    out
}

/// A word's letters with each run squeezed to one: "fuuuck" → "fuck", "ass" → "as".
fn letters(runs: &Runs) -> String {
    runs.iter().map(|(c, _)| *c).collect()
}

/// A text's words, lower case, accents and look-alike signs undone: "D4SK-Ñandú" →
/// ["dask", "nandu"]. A digit is a letter only beside another letter or digit ("455hole",
/// but "2 workers" keeps its 2); a sign only before one ("$hit", "@ss", "sh!t", but not
/// the "!" that ends a sentence).
fn words_of(text: &str) -> Vec<String> {
    let chars: Vec<char> = deunicode::deunicode(text).to_lowercase().chars().collect();
    let alnum = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(|c| c.is_ascii_alphanumeric())
    };
    let mut words = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let (before, after) = (alnum(i.checked_sub(1)), alnum(Some(i + 1)));
        let mapped = match c {
            'a'..='z' => Some(c),
            '0'..='9' if before || after => Some(look_alike(c)),
            '0'..='9' => Some(c),
            '@' | '$' | '!' | '|' | '+' | '*' | '#' if after => Some(look_alike(c)),
            _ => None,
        };
        match mapped {
            Some(letter) => word.push(letter),
            None if !word.is_empty() => words.push(std::mem::take(&mut word)),
            None => {}
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The letter a digit or sign stands for; `*` for one that stands for a letter nobody
/// can know ("sh*t"), which matches nothing but keeps the word whole.
fn look_alike(c: char) -> char {
    match c {
        '4' | '@' => 'a',
        '8' => 'b',
        '3' => 'e',
        '6' | '9' => 'g',
        '1' | '!' | '|' => 'i',
        '0' => 'o',
        '5' | '$' => 's',
        '7' | '+' => 't',
        '2' => 'z',
        _ => '*',
    }
}

/// Runs of single letters joined back into the word they spell: "f u c k" or "f.u.c.k"
/// is "fuck" (the letters stay words too: "a b" is still "a" and "b").
fn joined_letters(words: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut run = String::new();
    for word in words {
        if word.chars().count() == 1 {
            run.push_str(word);
            out.push(word.clone());
        } else {
            if run.chars().count() > 1 {
                out.push(std::mem::take(&mut run));
            }
            run.clear();
            out.push(word.clone());
        }
    }
    if run.chars().count() > 1 {
        out.push(run);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter() -> WordFilter {
        WordFilter::standard(["kubernetes sucks", "pandas"])
    }

    #[test]
    fn listed_words_are_caught_in_any_case_and_with_accents() {
        let f = filter();
        assert_eq!(f.find("What the FUCK is this").as_deref(), Some("fuck"));
        assert!(f.find("Quelle merde, ce kernel").is_some());
        assert!(f.find("¡Qué PÚTA lata!").is_some(), "accents undone");
        assert!(f.find("Das ist Scheiße").is_some(), "ß read as ss");
        assert!(f.find("isso é uma merda").is_some());
    }

    #[test]
    fn simple_obfuscation_is_caught() {
        let f = filter();
        for text in [
            "sh1t happens",
            "$hit happens",
            "f u c k",
            "f.u.c.k this",
            "fuuuuuck",
            "what an @sshole",
            "you 455hole",
            "FUCKING dask",
            "shits",
        ] {
            assert!(f.find(text).is_some(), "{text}");
        }
    }

    #[test]
    fn innocent_words_that_contain_a_listed_one_pass() {
        let f = filter();
        for text in [
            "I live in Scunthorpe",
            "Our analysis of the assessment",
            "A classic bass class in Essex",
            "Cocktail at the Sussex therapist's",
            "As I said, as fast as it goes",
            "Dickens wrote about Penistone",
            "The shitake mushroom",
            "Pune, India",
            "How do I read Parquet with dask?",
            "2 workers, 4 threads",
            "Matsushita and Hancock",
            "Kill the worker, execute the cell, restart the kernel: the job hangs",
            "Can I use a GPU? My dataframe has 3 billion rows; the scheduler dies",
            "Merci ! ¿Cómo se instala? Wie geht das? Obrigado pela aula",
        ] {
            assert_eq!(f.find(text), None, "{text}");
        }
    }

    #[test]
    fn phrases_and_the_organizers_own_words_are_caught() {
        let f = filter();
        assert!(f.find("let's talk about a blow job").is_some());
        assert!(
            f.find("Kubernetes SUCKS honestly").is_some(),
            "their phrase"
        );
        assert!(f.find("I prefer PANDAS").is_some(), "their word, any case");
        assert_eq!(f.find("kubernetes rocks"), None);
        assert!(WordFilter::new(["", "  "]).is_clean("anything at all"));
    }

    #[test]
    fn the_events_mode_decides_what_a_flagged_text_gets() {
        let own = vec!["pandas".to_string()];
        let rude = ["where the f u c k is my cluster"];
        for (mode, flagged) in [
            (FilterMode::Off, Verdict::Pass),
            (FilterMode::Review, Verdict::Hold),
            (FilterMode::Refuse, Verdict::Refuse),
        ] {
            let filter = TextFilter::new(mode, &own);
            assert_eq!(filter.check(rude), flagged, "{mode:?}");
            assert_eq!(
                filter.check(["Pune", "I like PANDAS"]),
                flagged,
                "own words"
            );
            assert_eq!(
                filter.check(["Scunthorpe", "Ana"]),
                Verdict::Pass,
                "{mode:?}"
            );
            assert_eq!(filter.check([]), Verdict::Pass);
        }
    }

    #[test]
    fn own_words_are_checked_and_modes_round_trip() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_own_words(&words(&[" pandas ", "", "spark sucks"])).unwrap(),
            words(&["pandas", "spark sucks"])
        );
        assert!(parse_own_words(&words(&["!!!"])).is_err(), "no letters");
        assert!(parse_own_words(&words(&[&"x".repeat(41)])).is_err());
        assert!(parse_own_words(&vec!["ab".to_string(); 201]).is_err());
        for mode in FilterMode::ALL {
            assert_eq!(FilterMode::from_name(mode.as_str()), Some(mode));
        }
        assert_eq!(FilterMode::from_name("strict"), None);
    }
}
