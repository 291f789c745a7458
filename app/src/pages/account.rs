//! Organizer accounts: first-run setup, sign-in, and accepting an invitation.

use crate::api::auth::{
    AcceptInvite as AcceptInviteFn, SetUpFirstOrganizer, SignIn as SignInFn, SignOut,
    current_organizer, invite_open, setup_open,
};
use crate::components::chrome::{ErrorNote, TopBar};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The error of the last submission, if it failed.
pub(crate) fn last_error<S>(
    action: ServerAction<S>,
) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| view! { <ErrorNote error/> }.into_any())
    }
}

/// Name, email and password fields shared by setup and invitations.
#[component]
fn AccountFields() -> impl IntoView {
    view! {
        <label class="field">
            <span>"Your name"</span>
            <input type="text" name="name" required maxlength="80" autocomplete="name"/>
        </label>
        <label class="field">
            <span>"Email"</span>
            <input type="email" name="email" required autocomplete="email"/>
        </label>
        <label class="field">
            <span>"Password"</span>
            <input type="password" name="password" required minlength="10" autocomplete="new-password" aria-describedby="password-hint"/>
            <small id="password-hint" class="muted">"At least 10 characters; a phrase is easiest to remember."</small>
        </label>
    }
}

/// First-run setup: open only while no organizer exists.
#[component]
pub fn Setup() -> impl IntoView {
    let open = Resource::new(|| (), |_| setup_open());
    let action = ServerAction::<SetUpFirstOrganizer>::new();
    view! {
        <Title text="Set up"/>
        <TopBar context="First-run setup"/>
        <main class="page narrow">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match open.await {
                        Ok(true) => view! {
                            <h1>"Welcome to Lectern"</h1>
                            <p class="lead">"Create the first organizer account. Later organizers join by invitation."</p>
                            <ActionForm action attr:class="card form">
                                <AccountFields/>
                                {last_error(action)}
                                <button type="submit" class="button" disabled=move || action.pending().get()>"Create account"</button>
                            </ActionForm>
                        }.into_any(),
                        Ok(false) => view! {
                            <h1>"Lectern is set up"</h1>
                            <p>"An organizer account exists already. "<a href="/signin">"Sign in"</a>", or ask an organizer for an invitation."</p>
                        }.into_any(),
                        Err(error) => view! { <ErrorNote error/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
pub fn SignIn() -> impl IntoView {
    let action = ServerAction::<SignInFn>::new();
    view! {
        <Title text="Sign in"/>
        <TopBar context="Organizers"/>
        <main class="page narrow">
            <h1>"Sign in"</h1>
            <ActionForm action attr:class="card form">
                <label class="field">
                    <span>"Email"</span>
                    <input type="email" name="email" required autocomplete="email"/>
                </label>
                <label class="field">
                    <span>"Password"</span>
                    <input type="password" name="password" required autocomplete="current-password"/>
                </label>
                {last_error(action)}
                <button type="submit" class="button" disabled=move || action.pending().get()>"Sign in"</button>
            </ActionForm>
        </main>
    }
}

/// `/join/{token}`: an invited colleague makes their account.
#[component]
pub fn AcceptInvite() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let open = Resource::new(token, invite_open);
    let action = ServerAction::<AcceptInviteFn>::new();
    view! {
        <Title text="Join"/>
        <TopBar context="Invitation"/>
        <main class="page narrow">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match open.await {
                        Ok(true) => view! {
                            <h1>"Join your team on Lectern"</h1>
                            <ActionForm action attr:class="card form">
                                <input type="hidden" name="token" value=token()/>
                                <AccountFields/>
                                {last_error(action)}
                                <button type="submit" class="button" disabled=move || action.pending().get()>"Create my account"</button>
                            </ActionForm>
                        }.into_any(),
                        Ok(false) => view! {
                            <h1>"This invitation is not valid"</h1>
                            <p>"It may have been used already. Ask the organizer who sent it for a new one."</p>
                        }.into_any(),
                        Err(error) => view! { <ErrorNote error/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

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
