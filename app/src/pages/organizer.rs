//! The organizer's pages: their events, and one event's links.

use super::{Loading, failure, slug_param};
use crate::api::EventAdmin;
use crate::api::auth::{InviteOrganizer, SignOut, current_organizer};
use crate::api::events::{RevokeRoleLink, RotateRoleLink, fetch_event_admin, my_events};
use crate::components::agenda::AgendaList;
use crate::components::chrome::{CopyLink, ErrorNote, TopBar, event_time};
use crate::domain::event::Role;
use leptos::prelude::*;
use leptos_meta::Title;

/// Who is signed in, and the way out.
#[component]
pub(crate) fn AccountMenu() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_organizer());
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                me.await.ok().flatten().map(|me| view! {
                    <span class="muted">{me.name}</span>
                    <ActionForm action=sign_out attr:class="inline-form">
                        <button type="submit" class="button button-quiet">"Sign out"</button>
                    </ActionForm>
                })
            })}
        </Suspense>
    }
}

#[component]
pub fn EventList() -> impl IntoView {
    let events = Resource::new(|| (), |_| my_events());
    let invite = ServerAction::<InviteOrganizer>::new();
    view! {
        <Title text="Your events"/>
        <TopBar context="Organizer"><AccountMenu/></TopBar>
        <main class="page">
            <div class="page-head">
                <h1>"Your events"</h1>
                <a class="button" href="/events/new">"New event"</a>
            </div>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match events.await {
                        Err(error) => failure(error),
                        Ok(events) if events.is_empty() => view! {
                            <p class="card empty">"No events yet. Create your first one: a title, a start time and an agenda."</p>
                        }.into_any(),
                        Ok(events) => view! {
                            <ul class="event-list">
                                {events.into_iter().map(|e| view! {
                                    <li class="card event-row">
                                        <a href=format!("/events/{}", e.slug)><strong>{e.title}</strong></a>
                                        <span class="muted">{event_time(e.starts_at, &e.time_zone)}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <section class="card">
                <h2>"Invite an organizer"</h2>
                <p class="muted">"Make a one-time link for a colleague to create their own account."</p>
                <ActionForm action=invite attr:class="inline-form">
                    <button type="submit" class="button button-quiet">"Make an invitation link"</button>
                </ActionForm>
                {move || invite.value().get().map(|result| match result {
                    Ok(url) => view! { <CopyLink label="Invitation" url testid="invite-url"/> }.into_any(),
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                })}
            </section>
        </main>
    }
}

/// `/events/{slug}`: the event's public link, its secret role links, its agenda.
#[component]
pub fn EventPage() -> impl IntoView {
    let slug = slug_param();
    let rotate = ServerAction::<RotateRoleLink>::new();
    let revoke = ServerAction::<RevokeRoleLink>::new();
    let rotated = RwSignal::new(None);
    let admin = Resource::new(
        move || (slug.get(), rotate.version().get(), revoke.version().get()),
        |(slug, _, _)| fetch_event_admin(slug),
    );
    view! {
        <Title text="Event"/>
        <TopBar context="Organizer"><AccountMenu/></TopBar>
        <main class="page">
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match admin.await {
                        Err(error) => failure(error),
                        Ok(admin) => view! { <EventAdminView admin rotate revoke rotated/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn EventAdminView(
    admin: EventAdmin,
    rotate: ServerAction<RotateRoleLink>,
    revoke: ServerAction<RevokeRoleLink>,
    /// The role whose link was replaced last; kept by the page so it outlives a reload of the data.
    rotated: RwSignal<Option<Role>>,
) -> impl IntoView {
    let EventAdmin {
        event,
        attendee_url,
        active_links,
    } = admin;
    let slug = event.slug.clone();
    let role_row = move |role: Role| {
        let active = active_links
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, at)| *at);
        let (name, who) = match role {
            Role::Presenter => ("Presenter", "the presenter"),
            Role::Moderator => ("Co-instructor", "co-instructors"),
        };
        let slug_rotate = slug.clone();
        let slug_revoke = slug.clone();
        // The new link of the last rotation, under the role it was made for.
        let fresh = move || {
            match rotate.value().get() {
            _ if rotated.get() != Some(role) => None,
            Some(Ok(url)) => Some(
                view! { <CopyLink label=format!("New {} link", name.to_lowercase()) url testid=format!("{}-url", role.as_str())/> }
                    .into_any(),
            ),
            Some(Err(error)) => Some(view! { <ErrorNote error/> }.into_any()),
            None => None,
        }
        };
        view! {
            <div class="role-link">
                <h3>{format!("{name} link")}</h3>
                <p class="muted">
                    {match active {
                        Some(at) => format!("Active since {}. Share it only with {who}; it is shown once, when made.", at.format("%-d %b %Y %H:%M UTC")),
                        None => "No active link: nobody can open this role's page.".to_string(),
                    }}
                </p>
                {fresh}
                <div class="button-row">
                    <button type="button" class="button button-quiet"
                        on:click=move |_| {
                            rotated.set(Some(role));
                            rotate.dispatch(RotateRoleLink { slug: slug_rotate.clone(), role });
                        }>
                        {if active.is_some() { "Replace with a new link" } else { "Make a link" }}
                    </button>
                    {active.is_some().then(|| view! {
                        <button type="button" class="button button-danger"
                            on:click=move |_| {
                                rotated.set(None);
                                revoke.dispatch(RevokeRoleLink { slug: slug_revoke.clone(), role });
                            }>
                            "Revoke"
                        </button>
                    })}
                </div>
            </div>
        }
    };
    view! {
        <div class="page-head">
            <div>
                <h1>{event.title.clone()}</h1>
                <p class="muted">{event_time(event.starts_at, &event.time_zone)}" ("{event.time_zone.clone()}")"</p>
            </div>
            <a class="button button-quiet" href=format!("/e/{}", event.slug)>"Open the attendee page"</a>
        </div>
        <section class="card">
            <h2>"Links"</h2>
            <CopyLink label="Attendees (public)" url=attendee_url testid="attendee-url"/>
            {role_row(Role::Presenter)}
            {role_row(Role::Moderator)}
        </section>
        <AgendaList planned=event.sections/>
    }
}
