//! The languages the attendee-facing pages speak (the attendee's page and survey, the
//! stage and the stream overlay): English, Spanish, Portuguese (Brazil), German and
//! French. Staff pages stay English.
//!
//! The words live in `app/locales/{code}.json`, one file per language that a translator
//! edits; `leptos_i18n` reads them at compile time (a missing or misspelt key fails the
//! build) into the [`Locale`] enum and `td_string!`, whose sentences [`tr!`] fills. This module
//! chooses the language of a request ([`choose`]), carries it through a page ([`Lang`])
//! and says in each language what the domain's values are (a section's kind, a pace
//! vote, "3 people are here").

use crate::domain::agenda::Remaining;
use crate::domain::event::Countdown;
use crate::domain::event::SectionKind;
use crate::domain::pace::PaceVote;
use crate::domain::question::{Answer, QuestionState};
use crate::live::ErrorCode;
use leptos::prelude::*;
use leptos_i18n::Locale as _;

// Deprecated for a build script, but the build script's crate (leptos_i18n_build) brings
// ICU's data exporter with its network client into every build, for options Lectern does
// not use.
#[allow(deprecated)]
mod generated {
    leptos_i18n::load_locales!();
}
pub use generated::i18n;

pub use i18n::Locale;
use i18n::td_string;

/// A translation with its places filled: `tr!(locale, waiting.here, n = 12)` reads
/// `waiting.here` ("{n} people are here.") in `locale` and puts 12 for `{n}`. The words
/// are plain strings in every language (one copy each in the bundle, no code per
/// sentence); [`tests::every_language_has_the_places_english_has`] checks the places.
#[macro_export]
macro_rules! tr {
    ($locale:expr, $($key:ident).+ $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::lang::fill(
            $crate::lang::i18n::td_string!($locale, $($key).+),
            &[$((stringify!($name), ($value).to_string())),*],
        )
    };
}

/// `template` with each `{name}` replaced by its value.
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The cookie that remembers the language an attendee picked with the switch.
pub const LANG_COOKIE: &str = "lectern_lang";

/// The language of a request: a `?lang=` in the address (a stage or overlay link made for
/// one language), else the language the attendee picked before (the cookie), else the
/// first of the browser's `Accept-Language` that Lectern speaks, else English.
pub fn choose(query: Option<&str>, cookie: Option<&str>, accept_language: Option<&str>) -> Locale {
    query
        .and_then(from_code)
        .or_else(|| cookie.and_then(from_code))
        .or_else(|| accept_language.and_then(best_of))
        .unwrap_or_default()
}

/// The language of a request: its `?lang=` (`query`), its cookie, its `Accept-Language`.
#[cfg(feature = "ssr")]
pub fn of_request(query: Option<&str>, headers: &http::HeaderMap) -> Locale {
    let cookie = crate::core::access::cookie(headers, LANG_COOKIE);
    let accept = headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    choose(query, cookie, accept)
}

/// `lang`'s value in a query string ("lang=es&x=1").
pub fn query_value(query: &str) -> Option<&str> {
    query.split('&').find_map(|pair| pair.strip_prefix("lang="))
}

/// One of Lectern's languages by its exact code ("pt-BR"), as the switch and the cookie
/// write it.
pub fn from_code(code: &str) -> Option<Locale> {
    Locale::get_all()
        .iter()
        .copied()
        .find(|l| l.as_str().eq_ignore_ascii_case(code.trim()))
}

/// The best of Lectern's languages for an `Accept-Language` header ("de-AT,de;q=0.9,
/// en;q=0.5"): the languages in the order of their weights, the first that Lectern speaks
/// ("pt" and "pt-PT" get Brazilian Portuguese, "es-MX" Spanish); none when it speaks none.
pub fn best_of(accept_language: &str) -> Option<Locale> {
    let mut ranked: Vec<(f32, usize, &str)> = accept_language
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut fields = part.split(';');
            let tag = fields.next()?.trim();
            let weight = fields
                .find_map(|f| f.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (!tag.is_empty() && tag != "*" && weight > 0.0).then_some((weight, i, tag))
        })
        .collect();
    // Highest weight first; equal weights keep the header's order.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.into_iter().find_map(|(_, _, tag)| {
        from_code(tag).or_else(|| {
            let primary = tag.split(['-', '_']).next()?;
            Locale::get_all()
                .iter()
                .copied()
                .find(|l| l.as_str().split('-').next() == Some(primary))
        })
    })
}

/// A language's code: "en", "pt-BR".
pub fn code(locale: Locale) -> &'static str {
    locale.as_str()
}

/// A language's own name, for the switch.
pub fn native_name(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "English",
        Locale::es => "Español",
        Locale::pt_BR => "Português (BR)",
        Locale::de => "Deutsch",
        Locale::fr => "Français",
    }
}

/// The language a page speaks, shared by its components. Pages without one (the staff's)
/// speak English.
#[derive(Debug, Clone, Copy)]
pub struct Lang(RwSignal<Locale>);

impl Lang {
    /// Puts `locale` in place for this page's components.
    pub fn provide(locale: Locale) -> Self {
        let lang = Self(RwSignal::new(locale));
        provide_context(lang);
        lang
    }

    /// Puts the language named by `code` (a page's data) in place, English if none.
    pub fn provide_code(code: &str) -> Self {
        Self::provide(from_code(code).unwrap_or_default())
    }

    /// The page's language, English where the page has none.
    pub fn current() -> Self {
        use_context().unwrap_or_else(|| Self(RwSignal::new(Locale::en)))
    }

    /// The language now (tracked: what reads it follows the switch).
    pub fn get(self) -> Locale {
        self.0.get()
    }

    /// The language now, for what is drawn once (the stage's and the overlay's words).
    pub fn get_untracked(self) -> Locale {
        self.0.get_untracked()
    }

    /// Speaks `locale` from now on, and remembers it for this browser's next visits.
    pub fn switch(self, locale: Locale) {
        self.0.set(locale);
        #[cfg(feature = "hydrate")]
        remember(locale);
    }
}

/// The cookie for the next visit, and the document's language for screen readers and
/// hyphenation.
#[cfg(feature = "hydrate")]
fn remember(locale: Locale) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let cookie = format!(
        "{LANG_COOKIE}={}; path=/; max-age=31536000; samesite=lax",
        locale.as_str()
    );
    let _ = js_sys::Reflect::set(&document, &"cookie".into(), &cookie.into());
    if let Some(html) = document.document_element() {
        let _ = html.set_attribute("lang", locale.as_str());
    }
}

/// The switch between languages, each named in itself.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let lang = Lang::current();
    view! {
        <label class="lang-switch">
            <span class="visually-hidden">{move || td_string!(lang.get(), language.label)}</span>
            <select name="lang" data-testid="language" on:change:target=move |ev| {
                if let Some(locale) = from_code(&ev.target().value()) {
                    lang.switch(locale);
                }
            }>
                {Locale::get_all().iter().copied().map(|l| view! {
                    <option value=l.as_str() lang=l.as_str() selected=move || lang.get() == l>{native_name(l)}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// A start time as the event's own clock reads it, in `locale`'s words: "Thu 14 May
/// 2026, 17:00 BST", "Do, 14. Mai 2026, 17:00 BST". The server writes it into the page;
/// after a switch the browser writes it anew ([`use_event_time`]).
#[cfg(feature = "ssr")]
pub fn event_time(locale: Locale, at: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
    let (pattern, words) = match locale {
        Locale::en => return crate::domain::event::wall_time(at, tz),
        Locale::es => ("%a %-d %b %Y, %H:%M %Z", chrono::Locale::es_ES),
        Locale::pt_BR => ("%a, %-d de %b de %Y, %H:%M %Z", chrono::Locale::pt_BR),
        Locale::de => ("%a, %-d. %b %Y, %H:%M %Z", chrono::Locale::de_DE),
        Locale::fr => ("%a %-d %b %Y, %H:%M %Z", chrono::Locale::fr_FR),
    };
    at.with_timezone(&tz)
        .format_localized(pattern, words)
        .to_string()
}

/// The event's start in its own zone as the server wrote it (`initial`), written anew in
/// the browser (its `Intl`, which knows every zone's summer time) when the language
/// changes.
pub fn use_event_time(
    initial: String,
    at: chrono::DateTime<chrono::Utc>,
    time_zone: String,
) -> RwSignal<String> {
    let text = RwSignal::new(initial);
    let lang = Lang::current();
    Effect::new(move |first: Option<Locale>| {
        let locale = lang.get();
        if first.is_some_and(|was| was != locale)
            && let Some(t) = intl_time(locale, at, Some(&time_zone))
        {
            text.set(t);
        }
        first.unwrap_or(locale)
    });
    text
}

/// A moment as `locale` writes it, in `time_zone` or (without one) this browser's own
/// zone, by the browser's `Intl`: "Do., 14. Mai 2026, 18:00 MESZ". None on the server.
pub fn intl_time(
    locale: Locale,
    at: chrono::DateTime<chrono::Utc>,
    time_zone: Option<&str>,
) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsValue;
        let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
        let options = js_sys::Object::new();
        for (key, value) in [
            ("weekday", "short"),
            ("day", "numeric"),
            ("month", "short"),
            ("year", "numeric"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
            ("timeZoneName", "short"),
        ]
        .into_iter()
        .chain(time_zone.map(|z| ("timeZone", z)))
        {
            let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
        }
        // The browser's own variant of the language where it has one (en-GB writes 22:30,
        // en-US 10:30 PM; es-MX and de-AT have their own ways too).
        let own = web_sys::window()
            .and_then(|w| w.navigator().language())
            .filter(|tag| tag.split('-').next() == locale.as_str().split('-').next());
        let tag = own.unwrap_or_else(|| locale.as_str().to_string());
        date.to_locale_string(&tag, &options).as_string()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (locale, at, time_zone);
        None
    }
}

/// Whether `n` takes the singular in `locale` (French and Portuguese count 0 as one).
pub fn is_one(locale: Locale, n: u64) -> bool {
    match locale {
        Locale::fr | Locale::pt_BR => n <= 1,
        Locale::en | Locale::es | Locale::de => n == 1,
    }
}

/// A place in a line as `locale` says it: "2nd" in English, the number elsewhere (the
/// sentence around it says "number 2").
pub fn ordinal(locale: Locale, n: usize) -> String {
    match locale {
        Locale::en => crate::domain::help::ordinal(n),
        Locale::es | Locale::pt_BR | Locale::de | Locale::fr => n.to_string(),
    }
}

/// A share as `locale` writes it: "45%", "45 %".
pub fn percent(locale: Locale, n: impl std::fmt::Display) -> String {
    match locale {
        Locale::en | Locale::pt_BR => format!("{n}%"),
        Locale::es | Locale::de | Locale::fr => format!("{n}\u{a0}%"),
    }
}

/// "Pune, Lagos and Leeds", with `locale`'s "and".
pub fn spoken_list(locale: Locale, labels: &[String]) -> String {
    crate::domain::checkin::spoken_list(labels, td_string!(locale, event.and))
}

/// "Starts in 5 min 00 s", "Starts any moment now".
pub fn starts(locale: Locale, countdown: Countdown) -> String {
    match countdown {
        Countdown::Now => td_string!(locale, starts.now).to_string(),
        Countdown::Secs(s) => tr!(locale, starts.secs, s = s),
        Countdown::Mins(m, s) => {
            let s = format!("{s:02}");
            tr!(locale, starts.mins, m = m, s = s)
        }
        Countdown::Hours(h, m) => {
            let m = format!("{m:02}");
            tr!(locale, starts.hours, h = h, m = m)
        }
        Countdown::Days(d) => tr!(locale, starts.days, d = d),
    }
}

/// The big line of the stage and the overlay's countdown: "Starts in 5 min 00 s",
/// "Live now", "Thank you for joining!".
pub fn headline(
    locale: Locale,
    phase: crate::domain::event::Phase,
    countdown: Countdown,
) -> String {
    use crate::domain::event::Phase;
    match phase {
        Phase::Scheduled | Phase::DoorsOpen => starts(locale, countdown),
        Phase::Live => td_string!(locale, event.live_now).to_string(),
        Phase::Ended => td_string!(locale, ended.thanks).to_string(),
    }
}

/// "8 min left", "less than a minute left", "over by 3 min".
pub fn remaining(locale: Locale, left: Remaining) -> String {
    match left {
        Remaining::Over(m) => tr!(locale, agenda.over_by, m = m),
        Remaining::UnderAMinute => td_string!(locale, agenda.under_a_minute).to_string(),
        Remaining::Minutes(m) => tr!(locale, agenda.min_left, m = m),
    }
}

/// "Section 2 of 5".
pub fn position(locale: Locale, at: usize, n: usize) -> String {
    tr!(locale, agenda.position, at = at, n = n)
}

pub fn kind(locale: Locale, kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Teaching => td_string!(locale, agenda.teaching),
        SectionKind::Lab => td_string!(locale, agenda.lab),
        SectionKind::Break => td_string!(locale, agenda.break_time),
        SectionKind::Qa => td_string!(locale, agenda.qa),
        SectionKind::Results => td_string!(locale, agenda.results),
    }
}

pub fn pace(locale: Locale, vote: PaceVote) -> &'static str {
    match vote {
        PaceVote::Slower => td_string!(locale, pace.slower),
        PaceVote::JustRight => td_string!(locale, pace.just_right),
        PaceVote::Faster => td_string!(locale, pace.faster),
    }
}

/// Where an attendee's question stands ("in the queue").
pub fn question_state(locale: Locale, state: QuestionState) -> &'static str {
    match state {
        QuestionState::Review => td_string!(locale, questions.review),
        QuestionState::Open => td_string!(locale, questions.open),
        QuestionState::Bubbled => td_string!(locale, questions.bubbled),
        QuestionState::ForBreak => td_string!(locale, questions.for_break),
        QuestionState::Answered => td_string!(locale, questions.answered),
        QuestionState::Dismissed => td_string!(locale, questions.dismissed),
    }
}

/// A question's answer: the co-instructor's own words as typed, or how it was answered.
pub fn answer(locale: Locale, answer: &Answer) -> String {
    match answer {
        Answer::Typed { text } => text.clone(),
        Answer::InChat => td_string!(locale, questions.in_chat).to_string(),
        Answer::Live => td_string!(locale, questions.live).to_string(),
    }
}

/// What went wrong, as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The server refused an action: its reason in English, and its code.
    Server { code: ErrorCode, message: String },
    /// Ask was pressed with nothing typed.
    EmptyQuestion,
    /// A staff page's own words (staff pages speak English).
    Said(String),
}

/// A notice in `locale`. English pages get the server's own words (they name the limit
/// that was hit); other languages get what the refusal's kind means, in their words.
pub fn notice(locale: Locale, notice: &Notice) -> String {
    match notice {
        Notice::EmptyQuestion => td_string!(locale, notice.empty_question).to_string(),
        Notice::Said(words) => words.clone(),
        Notice::Server { message, .. } if locale == Locale::en => message.clone(),
        Notice::Server { code, .. } => match code {
            ErrorCode::Malformed => td_string!(locale, notice.malformed),
            ErrorCode::TooLarge => td_string!(locale, notice.too_large),
            ErrorCode::Forbidden => td_string!(locale, notice.forbidden),
            ErrorCode::Invalid => td_string!(locale, notice.invalid),
            ErrorCode::Refused => td_string!(locale, notice.refused),
            ErrorCode::Unavailable => td_string!(locale, notice.unavailable),
            ErrorCode::TooFast => td_string!(locale, notice.too_fast),
            ErrorCode::TooMany => td_string!(locale, notice.too_many),
            ErrorCode::Filtered => td_string!(locale, notice.filtered),
            ErrorCode::Revoked => td_string!(locale, notice.revoked),
        }
        .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `{place}` of every sentence, by key, in one language's file.
    fn places(code: &str) -> std::collections::BTreeMap<String, Vec<String>> {
        fn walk(
            prefix: &str,
            value: &serde_json::Value,
            out: &mut std::collections::BTreeMap<String, Vec<String>>,
        ) {
            match value {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        walk(&format!("{prefix}{k}."), v, out);
                    }
                }
                serde_json::Value::String(text) => {
                    let mut found: Vec<String> = text
                        .split('{')
                        .skip(1)
                        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
                        .collect();
                    found.sort();
                    out.insert(prefix.trim_end_matches('.').to_string(), found);
                }
                _ => {}
            }
        }
        let path = format!("{}/locales/{code}.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut out = Default::default();
        walk("", &json, &mut out);
        out
    }

    #[test]
    fn every_language_has_the_places_english_has() {
        let english = places("en");
        assert!(english["waiting.here"] == ["n"]);
        for locale in Locale::get_all() {
            assert_eq!(places(locale.as_str()), english, "{}", locale.as_str());
        }
    }

    #[test]
    fn places_are_filled_in_any_order() {
        assert_eq!(
            tr!(Locale::en, starts.mins, s = "05", m = 3),
            "Starts in 3 min 05 s"
        );
        assert_eq!(
            tr!(Locale::de, waiting.here, n = 12),
            "12 Personen sind hier."
        );
        assert_eq!(
            fill("{a} {b} {a}", &[("a", "x".into()), ("b", "y".into())]),
            "x y x"
        );
    }

    #[test]
    fn the_address_then_the_cookie_then_the_browser_choose() {
        assert_eq!(choose(Some("de"), Some("fr"), Some("es")), Locale::de);
        assert_eq!(choose(Some("xx"), Some("fr"), Some("es")), Locale::fr);
        assert_eq!(choose(None, Some("nope"), Some("es")), Locale::es);
        assert_eq!(choose(None, None, Some("ja,zh;q=0.8")), Locale::en);
        assert_eq!(choose(None, None, None), Locale::en);
        assert_eq!(choose(None, Some("pt-br"), None), Locale::pt_BR);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_start_reads_in_the_events_zone_and_summer_time_in_each_language() {
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .with_timezone(&chrono::Utc)
        };
        let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        // Germany moves its clocks at 01:00 UTC on 29 March 2026: half an hour either side.
        assert_eq!(
            event_time(Locale::de, at("2026-03-29T00:30:00Z"), berlin),
            "So, 29. Mär 2026, 01:30 CET"
        );
        assert_eq!(
            event_time(Locale::de, at("2026-03-29T01:30:00Z"), berlin),
            "So, 29. Mär 2026, 03:30 CEST"
        );
        let sao_paulo: chrono_tz::Tz = "America/Sao_Paulo".parse().unwrap();
        assert_eq!(
            event_time(Locale::pt_BR, at("2026-11-01T16:00:00Z"), sao_paulo),
            "dom, 1 de nov de 2026, 13:00 -03"
        );
        let new_york: chrono_tz::Tz = "America/New_York".parse().unwrap();
        // New York leaves summer time at 06:00 UTC on 1 November 2026.
        assert_eq!(
            event_time(Locale::en, at("2026-11-01T16:00:00Z"), new_york),
            "Sun 1 Nov 2026, 11:00 EST"
        );
        assert_eq!(
            event_time(Locale::fr, at("2026-10-31T16:00:00Z"), new_york),
            "sam. 31 oct. 2026, 12:00 EDT"
        );
        assert_eq!(
            event_time(Locale::es, at("2026-10-31T16:00:00Z"), new_york),
            "sáb 31 oct 2026, 12:00 EDT"
        );
    }

    #[test]
    fn cookies_and_queries_are_read_by_name() {
        #[cfg(feature = "ssr")]
        {
            let request = |cookie: &str| {
                let mut headers = http::HeaderMap::new();
                headers.insert(http::header::COOKIE, cookie.parse().unwrap());
                headers.insert(http::header::ACCEPT_LANGUAGE, "fr".parse().unwrap());
                of_request(None, &headers)
            };
            assert_eq!(request("a=1; lectern_lang=de; b=2"), Locale::de);
            assert_eq!(request("xlectern_lang=de"), Locale::fr);
        }
        assert_eq!(query_value("x=1&lang=pt-BR"), Some("pt-BR"));
        assert_eq!(query_value("language=de"), None);
    }

    #[test]
    fn accept_language_is_read_by_weight_and_by_primary_language() {
        assert_eq!(best_of("de-AT,de;q=0.9,en;q=0.5"), Some(Locale::de));
        assert_eq!(best_of("en;q=0.4, fr;q=0.9"), Some(Locale::fr));
        assert_eq!(best_of("pt-PT"), Some(Locale::pt_BR));
        assert_eq!(best_of("pt"), Some(Locale::pt_BR));
        assert_eq!(best_of("es-MX,es;q=0.9"), Some(Locale::es));
        assert_eq!(best_of("ja, ko;q=0.8, es;q=0.1"), Some(Locale::es));
        assert_eq!(best_of("fr;q=0, de"), Some(Locale::de));
        assert_eq!(best_of("*"), None);
        assert_eq!(best_of("ja;q=abc"), None);
        assert_eq!(best_of(""), None);
    }

    #[test]
    fn plurals_and_shares_follow_the_language() {
        assert!(is_one(Locale::fr, 0) && !is_one(Locale::en, 0));
        assert!(is_one(Locale::de, 1) && !is_one(Locale::de, 2));
        assert_eq!(percent(Locale::en, 45), "45%");
        assert_eq!(percent(Locale::fr, 45), "45\u{a0}%");
    }

    #[test]
    fn lists_and_refusals_speak_the_language() {
        let places = ["Pune, India".to_string(), "Lagos".into(), "Lyon".into()];
        assert_eq!(spoken_list(Locale::en, &places), "Pune, Lagos and Lyon");
        assert_eq!(spoken_list(Locale::fr, &places), "Pune, Lagos et Lyon");
        let refused = Notice::Server {
            code: ErrorCode::TooFast,
            message: "too many actions: wait 2 s".into(),
        };
        assert_eq!(notice(Locale::en, &refused), "too many actions: wait 2 s");
        assert!(notice(Locale::es, &refused).starts_with("Fue un poco rápido"));
    }
}
