//! The word filter for what attendees write (issue 19, part 5; the rules, not yet wired
//! to the event's setting or the hub): does a text contain a word from the lists?
//!
//! Matching reads words, not letters inside words, so "Scunthorpe", "analysis" and
//! "assessment" pass while "ass" does not (the Scunthorpe problem). Before comparing it
//! undoes what people do to slip a word past a filter: case ("ASS"), accents ("pútà"),
//! digits and signs for letters ("d4sk", "$h1t", "@ss"), letters held down ("fuuuuck"),
//! and letters spaced or dotted apart ("f u c k", "f.u.c.k"). A listed word also matches
//! with the endings of its plural and verb forms ("shits", "fucking"). Phrases in the
//! lists ("blow job") match as a run of words.

use std::collections::HashMap;

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
}
