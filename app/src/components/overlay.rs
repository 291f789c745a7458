//! The stream overlay's controls on the staff panel: one row of scenes to choose from,
//! and on each question for the presenter a button to put it on the stream.

use super::live::LiveHandle;
use crate::domain::overlay::OverlayScene;
use crate::domain::question::QuestionId;
use crate::live::ClientMsg;
use leptos::prelude::*;

/// The scene on the overlay now, as the last snapshot says.
fn on_stream(live: LiveHandle) -> OverlayScene {
    live.snapshot.with(|s| {
        s.as_ref()
            .and_then(|s| s.overlay.as_ref())
            .map_or(OverlayScene::Nothing, |o| o.scene)
    })
}

fn show(live: LiveHandle, scene: OverlayScene) {
    live.act(|id| ClientMsg::Overlay { id, scene });
}

/// "On the stream: Nothing · Countdown · Section and time · Poll · Join QR", the one
/// shown pressed, with the overlay's address for OBS or vMix.
#[component]
pub fn OverlayPicker(live: LiveHandle, slug: String) -> impl IntoView {
    let current = Memo::new(move |_| on_stream(live));
    view! {
        <div class="overlay-picker" role="group" aria-labelledby="overlay-picker-label" data-testid="overlay-picker">
            <a id="overlay-picker-label" class="overlay-picker-label" href=format!("/e/{slug}/overlay") target="_blank"
                title="The overlay's address, for a browser source in OBS or vMix">"On the stream"</a>
            {OverlayScene::BUTTONS.map(|scene| view! {
                <button type="button" class="button button-quiet button-small"
                    aria-pressed=move || (current.get() == scene).to_string()
                    on:click=move |_| show(live, scene)>{scene.label()}</button>
            }).collect_view()}
            {move || matches!(current.get(), OverlayScene::Question { .. }).then(|| view! {
                <span class="pill pill-live">"A question is on"</span>
            })}
        </div>
    }
}

/// "On the stream" for one question: pressed while it is the overlay's; pressing it
/// again takes it off.
#[component]
pub fn OnStreamButton(live: LiveHandle, question: QuestionId) -> impl IntoView {
    let scene = OverlayScene::Question { id: question };
    let shown = Memo::new(move |_| on_stream(live) == scene);
    view! {
        <button type="button" class="button button-quiet button-small"
            aria-pressed=move || shown.get().to_string()
            on:click=move |_| show(live, if shown.get_untracked() { OverlayScene::Nothing } else { scene })>
            "On the stream"
        </button>
    }
}
