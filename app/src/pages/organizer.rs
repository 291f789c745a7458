//! The organizer's pages: their events, and one event's links.

use super::account::{AccountMenu, last_error};
use super::{Loading, failure, slug_param};
use crate::api::events::{RevokeRoleLink, RotateRoleLink, fetch_event_admin, my_events};
use crate::api::reports::SeriesRef;
use crate::api::reports::{DuplicateEvent, SetRecording};
use crate::api::teams::{AddTeamMember, CreateTeam, FileEvent, InviteOrganizer, my_teams};
use crate::api::{EventAdmin, EventSummary};
use crate::components::agenda::AgendaList;
use crate::components::chrome::{CopyLink, ErrorNote, TopBar, event_time};
use crate::components::feedback::SurveyEditor;
use crate::components::zones::ZoneSuggestions;
use crate::domain::event::Role;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn EventList() -> impl IntoView {
    let events = Resource::new(|| (), |_| my_events());
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
                        Ok(events) => view! { <EventsBySeries events/> }.into_any(),
                    }
                })}
            </Suspense>
            <TeamsPanel/>
        </main>
    }
}

/// The events grouped by their series, each series with its comparison of runs.
#[component]
fn EventsBySeries(events: Vec<EventSummary>) -> impl IntoView {
    let mut groups: Vec<(Option<SeriesRef>, Vec<EventSummary>)> = Vec::new();
    for event in events {
        match groups
            .iter_mut()
            .find(|(series, _)| *series == event.series)
        {
            Some((_, runs)) => runs.push(event),
            None => groups.push((event.series.clone(), vec![event])),
        }
    }
    groups
        .into_iter()
        .map(|(series, runs)| {
            let heading = match &series {
                Some(s) => view! {
                    <div class="series-head">
                        <h2>{s.title.clone()}<span class="muted">{format!(" · {}", s.team)}</span></h2>
                        <a class="button button-quiet" href=format!("/series/{}", s.id)>"Compare runs"</a>
                    </div>
                }
                .into_any(),
                None => view! { <h2>"Not in a series (made on the command line)"</h2> }.into_any(),
            };
            view! {
                <section class="series-group" data-testid="series-group">
                    {heading}
                    <ul class="event-list">
                        {runs.into_iter().map(|e| view! {
                            <li class="card event-row">
                                <a href=format!("/events/{}", e.slug)><strong>{e.title}</strong></a>
                                <span class="muted">{event_time(e.starts_at, &e.time_zone)}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
        .collect_view()
}

/// The organizer's teams: members, bringing a colleague in, and a new team.
#[component]
fn TeamsPanel() -> impl IntoView {
    let create = ServerAction::<CreateTeam>::new();
    let add = ServerAction::<AddTeamMember>::new();
    let invite = ServerAction::<InviteOrganizer>::new();
    let teams = Resource::new(
        move || (create.version().get(), add.version().get()),
        |_| my_teams(),
    );
    let invited_team = RwSignal::new(None::<i64>);
    view! {
        <section class="card" aria-labelledby="teams-heading">
            <h2 id="teams-heading">"Teams"</h2>
            <p class="muted">"A team's organizers see its series and their events, reports and exports; nobody else does."</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let teams = match teams.await {
                        Ok(teams) => teams,
                        Err(error) => return view! { <ErrorNote error/> }.into_any(),
                    };
                    teams.into_iter().map(|team| {
                        let id = team.id;
                        view! {
                            <div class="team" data-testid="team">
                                <h3>{team.name}</h3>
                                <p class="muted">{team.members.iter().map(|(name, email)| format!("{name} <{email}>")).collect::<Vec<_>>().join(", ")}</p>
                                <ActionForm action=add attr:class="inline-form">
                                    <input type="hidden" name="team_id" value=id.to_string()/>
                                    <label class="field grow">
                                        <span>"Add an organizer who has an account"</span>
                                        <input type="email" name="email" required placeholder="colleague@example.org"/>
                                    </label>
                                    <button type="submit" class="button button-quiet">"Add"</button>
                                </ActionForm>
                                <div class="button-row">
                                    <button type="button" class="button button-quiet"
                                        on:click=move |_| {
                                            invited_team.set(Some(id));
                                            invite.dispatch(InviteOrganizer { team_id: id });
                                        }>
                                        "Make an invitation link for someone new"
                                    </button>
                                </div>
                                {move || (invited_team.get() == Some(id)).then(|| invite.value().get().map(|result| match result {
                                    Ok(url) => view! { <CopyLink label="Invitation (works once)" url testid="invite-url"/> }.into_any(),
                                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                                }))}
                            </div>
                        }
                    }).collect_view().into_any()
                })}
            </Transition>
            {last_error(add)}
            <ActionForm action=create attr:class="inline-form new-team">
                <label class="field grow">
                    <span>"New team"</span>
                    <input type="text" name="name" required maxlength="80" placeholder="Dask maintainers"/>
                </label>
                <button type="submit" class="button button-quiet">"Create team"</button>
            </ActionForm>
            {last_error(create)}
        </section>
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
        series,
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
            <div class="button-row">
                <a class="button" href=format!("/events/{}/report", event.slug)>"Report"</a>
                <a class="button button-quiet" href=format!("/events/{}/registrations", event.slug)>"Registrations"</a>
                <a class="button button-quiet" href=format!("/e/{}", event.slug)>"Open the attendee page"</a>
            </div>
        </div>
        <section class="card">
            <h2>"Links"</h2>
            <CopyLink label="Attendees (public)" url=attendee_url testid="attendee-url"/>
            {role_row(Role::Presenter)}
            {role_row(Role::Moderator)}
        </section>
        <SeriesCard slug=event.slug.clone() series/>
        <RecordingCard slug=event.slug.clone() recording=event.recording_url.clone()/>
        <SurveyEditor slug=event.slug.clone()/>
        <NextRunCard slug=event.slug.clone() time_zone=event.time_zone.clone()/>
        <AgendaList planned=event.sections/>
    }
}

/// Which recurring tutorial the event is a run of, and moving it to another.
#[component]
fn SeriesCard(slug: String, series: Option<SeriesRef>) -> impl IntoView {
    let file = ServerAction::<FileEvent>::new();
    let teams = Resource::new(|| (), |_| my_teams());
    let now_in = move || match file.value().get() {
        Some(Ok(())) => Some(
            view! { <p class="note" role="status">"Filed. Reload to see it under its series."</p> }
                .into_any(),
        ),
        _ => None,
    };
    view! {
        <section class="card" aria-labelledby="series-heading">
            <h2 id="series-heading">"Series"</h2>
            {match series {
                Some(s) => view! {
                    <p data-testid="event-series">"A run of "<a href=format!("/series/{}", s.id)><strong>{s.title}</strong></a>{format!(" ({})", s.team)}</p>
                }.into_any(),
                None => view! { <p data-testid="event-series">"Not in a series: every organizer can see it. File it under one of your team's series."</p> }.into_any(),
            }}
            <ActionForm action=file attr:class="inline-form">
                <input type="hidden" name="slug" value=slug/>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let teams = teams.await.unwrap_or_default();
                        view! {
                            <label class="field">
                                <span>"Team"</span>
                                <select name="team_id">
                                    {teams.into_iter().map(|t| view! { <option value=t.id.to_string()>{t.name}</option> }).collect_view()}
                                </select>
                            </label>
                        }
                    })}
                </Suspense>
                <label class="field grow">
                    <span>"Series"</span>
                    <input type="text" name="series" maxlength="120" placeholder="The event's title, if left empty"/>
                </label>
                <button type="submit" class="button button-quiet">"File under this series"</button>
            </ActionForm>
            {now_in}
            {last_error(file)}
        </section>
    }
}

/// The recording, added after the event; attendees see it on the event page.
#[component]
fn RecordingCard(slug: String, recording: Option<String>) -> impl IntoView {
    let save = ServerAction::<SetRecording>::new();
    view! {
        <section class="card" aria-labelledby="recording-heading">
            <h2 id="recording-heading">"Recording"</h2>
            <ActionForm action=save attr:class="inline-form">
                <input type="hidden" name="slug" value=slug/>
                <label class="field grow">
                    <span>"Link to the recording (shown on the attendee page; empty removes it)"</span>
                    <input type="url" name="url" value=recording.unwrap_or_default() placeholder="https://www.youtube.com/watch?v=…"/>
                </label>
                <button type="submit" class="button button-quiet">"Save"</button>
            </ActionForm>
            {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! { <p class="note" role="status">"Saved."</p> })}
            {last_error(save)}
        </section>
    }
}

/// The next run: the same agenda, materials, settings and survey at a new time.
#[component]
fn NextRunCard(slug: String, time_zone: String) -> impl IntoView {
    let duplicate = ServerAction::<DuplicateEvent>::new();
    view! {
        <section class="card" aria-labelledby="next-run-heading">
            <h2 id="next-run-heading">"Run it again"</h2>
            <p class="muted">"A copy in the same series with the agenda, materials, settings and survey; new links, nothing from this run's attendees."</p>
            <ActionForm action=duplicate attr:class="inline-form">
                <input type="hidden" name="slug" value=slug/>
                <label class="field">
                    <span>"Starts at"</span>
                    <input type="datetime-local" name="starts_at" required/>
                </label>
                <label class="field">
                    <span>"Time zone"</span>
                    <input type="text" name="time_zone" required value=time_zone list="zones" autocomplete="off"/>
                    <ZoneSuggestions/>
                </label>
                <button type="submit" class="button button-quiet">"Duplicate"</button>
            </ActionForm>
            {move || duplicate.value().get().and_then(Result::ok).map(|created| view! {
                <div class="note" role="status" data-testid="duplicated">
                    <p>"The next run: "<a href=format!("/events/{}", created.slug)>{format!("/events/{}", created.slug)}</a></p>
                    {created.secret_links.into_iter().map(|link| view! {
                        <CopyLink label=format!("{} link", match link.role { Role::Presenter => "Presenter", Role::Moderator => "Co-instructor" }) url=link.url testid=format!("next-{}-url", link.role.as_str())/>
                    }).collect_view()}
                </div>
            })}
            {last_error(duplicate)}
        </section>
    }
}
