//! The front door: first-run setup until an organizer exists, then a short welcome.

use crate::api::auth::{current_organizer, setup_open};
use crate::components::chrome::TopBar;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

#[component]
pub fn Home() -> impl IntoView {
    let setup = Resource::new(|| (), |_| setup_open());
    let me = Resource::new(|| (), |_| current_organizer());
    view! {
        <Title text="Welcome"/>
        <TopBar context=""/>
        <main class="page narrow">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    if setup.await.unwrap_or(false) {
                        return view! { <Redirect path="/setup"/> }.into_any();
                    }
                    let signed_in = me.await.ok().flatten().is_some();
                    view! {
                        <section class="hero">
                            <h1>"The live companion for your tutorial"</h1>
                            <p class="lead">
                                "Lectern runs beside the video call: a waiting screen, check-ins, pace votes and quick polls for attendees; "
                                "section timers and a pacing panel for the presenter; a question queue for co-instructors."
                            </p>
                            <p class="muted">"Attendees: open the link your hosts sent you — it looks like /e/your-tutorial."</p>
                            {if signed_in {
                                view! { <a class="button" href="/events">"Your events"</a> }.into_any()
                            } else {
                                view! { <a class="button" href="/signin">"Organizer sign-in"</a> }.into_any()
                            }}
                        </section>
                    }
                    .into_any()
                })}
            </Suspense>
        </main>
    }
}
