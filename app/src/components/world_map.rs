//! The world map: the land drawn once by the server (`/map.svg`, dots where the
//! gazetteer has cities) under one live dot per place people joined from, sized by
//! how many came from there.

use super::live::LiveHandle;
use crate::domain::checkin::PlaceCount;
use crate::domain::place::map_point;
use leptos::prelude::*;

/// The map of the live check-ins.
#[component]
pub fn WorldMap(live: LiveHandle) -> impl IntoView {
    let places = Signal::derive(move || {
        live.snapshot.with(|s| {
            s.as_ref()
                .map(|s| s.checkins.places.clone())
                .unwrap_or_default()
        })
    });
    view! { <PlacesMap places/> }
}

/// A dot for each place, sized by how many joined from there.
#[component]
pub fn PlacesMap(#[prop(into)] places: Signal<Vec<PlaceCount>>) -> impl IntoView {
    let places = move || places.get();
    let drawn = move || places().into_iter().filter(|p| p.point.is_some()).count();
    view! {
        <figure class="world-map">
            <img class="world-map-land" src="/map.svg" alt=""/>
            <svg class="world-map-dots" viewBox="0 0 360 180" role="img"
                aria-label=move || format!("World map with {} place{} people are joining from", drawn(), if drawn() == 1 { "" } else { "s" })>
                {move || places().into_iter().filter_map(|place| {
                    let (latitude, longitude) = place.point?;
                    let (x, y) = map_point(latitude, longitude);
                    // Area, not radius, grows with the count, so a crowd does not swamp the map.
                    let radius = 1.8 + 1.2 * (place.count as f32).sqrt();
                    Some(view! {
                        <circle class="map-dot" data-testid="map-dot" cx=x cy=y r=radius>
                            <title>{format!("{} ({})", place.label, place.count)}</title>
                        </circle>
                    })
                }).collect_view()}
            </svg>
        </figure>
    }
}
