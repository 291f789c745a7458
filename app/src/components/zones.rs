//! The time zones a form suggests.

use leptos::prelude::*;

/// Common zones offered as suggestions; any IANA name is accepted.
const ZONES: [&str; 16] = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Africa/Lagos",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
];

/// The suggestions for a time-zone field: a `<datalist id="zones">` that its input names
/// with `list="zones"`.
#[component]
pub fn ZoneSuggestions() -> impl IntoView {
    view! { <datalist id="zones">{ZONES.map(|z| view! { <option value=z/> }).collect_view()}</datalist> }
}
