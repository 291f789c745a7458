//! The frame around pages: top bar, status pill, error notes, copyable links, times.

use super::live::LinkState;
use crate::error::AppError;
use crate::lang::Lang;
use crate::lang::i18n::td_string;
use crate::tr;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// The bar at the top of every page; to its right the live connection's state (`link`)
/// and the children (a sign-out).
#[component]
pub fn TopBar(
    #[prop(into)] context: Signal<String>,
    #[prop(optional)] link: Option<RwSignal<LinkState>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let lang = Lang::current();
    view! {
        <header class="topbar">
            <a class="brand" href="/" aria-label=move || td_string!(lang.get(), top.home)>
                <span class="brand-mark" aria-hidden="true">"▮"</span>
                <span class="brand-name">"Lectern"</span>
            </a>
            <span class="topbar-context">{context}</span>
            <div class="topbar-aside">{link.map(|state| view! { <LinkPill state/> })}{children.map(|c| c())}</div>
        </header>
    }
}

/// "Live" or "Reconnecting in 3 s", in words and colour, announced to screen readers.
#[component]
pub fn LinkPill(state: RwSignal<LinkState>) -> impl IntoView {
    let lang = Lang::current();
    let text = move || match state.get() {
        LinkState::Connecting => td_string!(lang.get(), top.connecting).to_string(),
        LinkState::Live => td_string!(lang.get(), top.connected).to_string(),
        LinkState::Retrying(secs) => tr!(lang.get(), top.retrying, secs = secs),
        LinkState::Closed => td_string!(lang.get(), top.disconnected).to_string(),
    };
    let class = move || match state.get() {
        LinkState::Live => "pill pill-live",
        LinkState::Connecting => "pill",
        LinkState::Retrying(_) | LinkState::Closed => "pill pill-warn",
    };
    view! { <span class=class role="status" aria-live="polite" data-testid="link-state">{text}</span> }
}

/// A refusal or failure, said plainly.
#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    let hint = (error == AppError::Unauthorized).then(|| view! { <a href="/signin">"Sign in"</a> });
    view! {
        <div class="note note-error" role="alert">
            <p>{error.to_string()}</p>
            {hint}
        </div>
    }
}

/// A link to hand out, with a button that copies it.
#[component]
pub fn CopyLink(
    #[prop(into)] label: String,
    #[prop(into)] url: String,
    #[prop(into)] testid: String,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let to_copy = url.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&to_copy);
            copied.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &to_copy;
    };
    view! {
        <div class="copy-link">
            <span class="copy-link-label">{label.clone()}</span>
            <code class="copy-link-url" data-testid=testid>{url.clone()}</code>
            <button type="button" class="button button-quiet" on:click=copy aria-label=format!("Copy the {} link", label.to_lowercase())>
                {move || if copied.get() { "Copied" } else { "Copy" }}
            </button>
        </div>
    }
}

/// A start time as the event's own clock reads it, e.g. "Thu 14 May 2026, 17:00 BST"
/// (UTC for a zone Lectern does not know).
pub fn event_time(at: DateTime<Utc>, time_zone: &str) -> String {
    match time_zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => crate::domain::event::wall_time(at, tz),
        Err(_) => at.format("%a %-d %b %Y, %H:%M UTC").to_string(),
    }
}

/// A time as this browser's own clock and zone read it, in the page's language ("Thu,
/// 10 Dec 2026, 18:00 CET"), filled in once the page is live in the browser (the server
/// does not know the zone) and written anew when the language changes.
pub fn use_viewer_time(at: DateTime<Utc>) -> RwSignal<Option<String>> {
    let text = RwSignal::new(None);
    let lang = crate::lang::Lang::current();
    Effect::new(move |_| text.set(crate::lang::intl_time(lang.get(), at, None)));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_times_read_in_the_event_zone() {
        let at = DateTime::parse_from_rfc3339("2026-05-14T16:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            event_time(at, "Europe/London"),
            "Thu 14 May 2026, 17:00 BST"
        );
        assert_eq!(event_time(at, "Nowhere/Else"), "Thu 14 May 2026, 16:00 UTC");
    }
}

/// A join address as people type it: no scheme, and on a big screen broken only after
/// a "/" or a ".", never in the middle of a word.
#[component]
pub fn JoinAddress(url: String) -> impl IntoView {
    let address = short_address(&url);
    let mut parts = Vec::new();
    let mut rest = address.as_str();
    while let Some(i) = rest.find(['/', '.']) {
        parts.push(rest[..=i].to_string());
        rest = &rest[i + 1..];
    }
    parts.push(rest.to_string());
    parts
        .into_iter()
        .map(|part| view! { {part}<wbr/> })
        .collect_view()
}

/// The join address without its scheme.
pub fn short_address(url: &str) -> String {
    url.trim_start_matches("https://")
        .trim_start_matches("http://")
        .to_string()
}
