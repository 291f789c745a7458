//! Registration over HTTP (issue 20): the form at `/e/{slug}/register` and the personal
//! page at `/e/{slug}/me/{token}` with what it does (join, calendar, change the email,
//! cancel). Plain forms and redirects; the rules are in `core/signup.rs` and
//! `domain::registration`, the pages in `app/src/pages/register.rs`.

use crate::state::{AppState, HttpError};
use app::core::mailer::personal_link;
use app::core::signup::Personal;
use app::core::store::registrations::Signup;
use app::domain::registration::{RegistrantForm, Standing};
use app::error::AppError;
use app::lang::Locale;
use app::pages::register::{PersonalPage, PersonalView, RegisterPage, RegisterView, Say, say};
use app::static_shell;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use leptos::prelude::*;
use serde::Deserialize;
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/e/{slug}/register", get(form).post(submit))
        .route("/e/{slug}/me/{token}", get(personal))
        .route("/e/{slug}/me/{token}/join", get(join))
        .route("/e/{slug}/me/{token}/calendar.ics", get(calendar))
        .route("/e/{slug}/me/{token}/email", post(change_email))
        .route("/e/{slug}/me/{token}/cancel", post(cancel))
}

fn locale_of(req: &Request<Body>) -> Locale {
    let query = req.uri().query().and_then(app::lang::query_value);
    app::lang::of_request(query, req.headers())
}

/// Renders a page without a script around `body`, with `status`.
async fn page<IV: IntoView + 'static>(
    state: &AppState,
    req: Request<Body>,
    title: String,
    status: StatusCode,
    body: impl Fn() -> IV + Clone + Send + Sync + 'static,
) -> Response {
    let assets = state.assets.clone();
    let core = state.core.clone();
    let mut response = leptos_axum::render_app_async_with_context(
        move || provide_context(core.clone()),
        move || static_shell(assets.clone(), title.clone(), body()),
    )(req)
    .await;
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

async fn places_left(
    state: &AppState,
    event: &app::core::store::EventRecord,
) -> Result<u32, AppError> {
    match event.seats() {
        Some(seats) => state.core.store.places_left(seats).await,
        None => Ok(0),
    }
}

/// `GET /e/{slug}/register`: the form (or why it is closed).
async fn form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request<Body>,
) -> Result<Response, HttpError> {
    let event = state.core.registration_event(&slug).await?;
    let locale = locale_of(&req);
    let ended = event.lifecycle.ended_at.is_some();
    let view = RegisterView {
        places_left: places_left(&state, &event).await?,
        notice: ended.then(|| say(locale, &Say::Closed)),
        event,
        locale,
        form: RegistrantForm::default(),
        error: None,
    };
    Ok(show_form(&state, req, view, StatusCode::OK).await)
}

async fn show_form(
    state: &AppState,
    req: Request<Body>,
    view: RegisterView,
    status: StatusCode,
) -> Response {
    let title = view.event.title.clone();
    page(
        state,
        req,
        title,
        status,
        move || view! { <RegisterPage page=view.clone()/> },
    )
    .await
}

/// The form as sent: a checkbox is there only when ticked.
#[derive(Debug, Default, Deserialize)]
struct FormFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    consent: Option<String>,
    #[serde(default)]
    answer: String,
}

/// Reads a urlencoded body, giving back the request's head to render with.
async fn read_form<T: for<'de> Deserialize<'de> + Default>(
    req: Request<Body>,
) -> (Request<Body>, T) {
    let (parts, body) = req.into_parts();
    let fields = axum::body::to_bytes(body, crate::http::MAX_BODY_BYTES)
        .await
        .ok()
        .and_then(|bytes| serde_urlencoded::from_bytes(&bytes).ok())
        .unwrap_or_default();
    (Request::from_parts(parts, Body::empty()), fields)
}

/// `POST /e/{slug}/register`: registers, then goes to the personal page; a refusal
/// shows the form again with what was typed and why.
async fn submit(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request<Body>,
) -> Result<Response, HttpError> {
    let event = state.core.registration_event(&slug).await?;
    let locale = locale_of(&req);
    let address = app::core::limits::client_address(peer.ip(), req.headers());
    let base = state.core.base_url(Some(req.headers()));
    let (req, fields) = read_form::<FormFields>(req).await;
    let form = RegistrantForm {
        name: fields.name,
        email: fields.email,
        consent: fields.consent.is_some(),
        answer: fields.answer,
    };
    let mut view = RegisterView {
        places_left: places_left(&state, &event).await?,
        event: event.clone(),
        locale,
        form: form.clone(),
        error: None,
        notice: None,
    };
    if state.core.limits.registration(address).is_err() {
        view.notice = Some(say(locale, &Say::TooMany));
        return Ok(show_form(&state, req, view, StatusCode::TOO_MANY_REQUESTS).await);
    }
    match state.core.register(&event, &form, &base, "form").await {
        Ok(Signup::New(registration)) => {
            let done = if state.core.mailer.is_on() {
                "new"
            } else {
                "new-no-email"
            };
            Ok(
                Redirect::to(&format!("/e/{slug}/me/{}?done={done}", registration.token))
                    .into_response(),
            )
        }
        Ok(Signup::Already(_)) => {
            view.notice = Some(say(locale, &Say::Already));
            Ok(show_form(&state, req, view, StatusCode::CONFLICT).await)
        }
        Err(AppError::Invalid(error)) => {
            view.error = Some(error);
            Ok(show_form(&state, req, view, StatusCode::UNPROCESSABLE_ENTITY).await)
        }
        Err(AppError::Conflict(_)) => {
            view.notice = Some(say(locale, &Say::Closed));
            Ok(show_form(&state, req, view, StatusCode::CONFLICT).await)
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /e/{slug}/me/{token}`: where the registration stands, the call, the buttons.
async fn personal(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    req: Request<Body>,
) -> Result<Response, HttpError> {
    let found = state.core.personal(&slug, &token).await?;
    let locale = locale_of(&req);
    let done = req
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("done=")))
        .unwrap_or_default()
        .to_string();
    let notice = match done.as_str() {
        "new" => Some(say(locale, &Say::Welcome)),
        "new-no-email" => Some(say(locale, &Say::WelcomeNoEmail)),
        "email" => Some(say(
            locale,
            &Say::EmailChanged(found.registration.email.clone()),
        )),
        _ => None,
    };
    Ok(show_personal(&state, req, found, locale, notice, None, StatusCode::OK).await?)
}

async fn show_personal(
    state: &AppState,
    req: Request<Body>,
    found: Personal,
    locale: Locale,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let position = match found.registration.standing {
        Standing::Waitlisted => Some(
            state
                .core
                .store
                .waitlist_position(&found.registration)
                .await?,
        ),
        _ => None,
    };
    let link = personal_link(
        &found.registration.base_url,
        found.event.slug.as_str(),
        &found.registration.token,
    );
    let view = PersonalView {
        event: found.event,
        registration: found.registration,
        locale,
        position,
        notice,
        error,
        link,
    };
    let title = view.event.title.clone();
    Ok(page(
        state,
        req,
        title,
        status,
        move || view! { <PersonalPage page=view.clone()/> },
    )
    .await)
}

/// `GET …/join`: ties this browser's attendee to the registration, then opens the live
/// page (or, `?to=feedback`, the survey). Only a registrant with a place joins.
async fn join(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    req: Request<Body>,
) -> Result<Response, HttpError> {
    let found = state.core.personal(&slug, &token).await?;
    if found.registration.standing != Standing::Registered {
        return Ok(Redirect::to(&format!("/e/{slug}/me/{token}")).into_response());
    }
    let (id, new_cookie) = state.core.attendees.read_or_issue(req.headers());
    state.core.join(&found, &id).await?;
    let to_survey = req
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|kv| kv == "to=feedback"));
    let target = if to_survey {
        format!("/e/{slug}/feedback")
    } else {
        format!("/e/{slug}")
    };
    let mut response = Redirect::to(&target).into_response();
    if let Some(cookie) = new_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// `GET …/calendar.ics`: the registrant's calendar file, with the call in it.
async fn calendar(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    let found = state.core.personal(&slug, &token).await?;
    if found.registration.standing != Standing::Registered {
        return Err(
            AppError::NotFound("a calendar file: this registration has no place".into()).into(),
        );
    }
    let link = personal_link(&found.registration.base_url, &slug, &token);
    let ics =
        app::core::report::registrant_calendar(&found.event, &found.registration.base_url, &link);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{slug}.ics\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        ics,
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
struct EmailField {
    #[serde(default)]
    email: String,
}

/// `POST …/email`: the next emails go to another address.
async fn change_email(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request<Body>,
) -> Result<Response, HttpError> {
    let found = state.core.personal(&slug, &token).await?;
    let locale = locale_of(&req);
    let address = app::core::limits::client_address(peer.ip(), req.headers());
    let (req, field) = read_form::<EmailField>(req).await;
    let (refusal, status) = if state.core.limits.registration(address).is_err() {
        (Say::TooMany, StatusCode::TOO_MANY_REQUESTS)
    } else {
        match state
            .core
            .change_registration_email(&found, &field.email)
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/e/{slug}/me/{token}?done=email")).into_response()
                );
            }
            Err(AppError::Invalid(_)) => (Say::BadEmail, StatusCode::UNPROCESSABLE_ENTITY),
            Err(AppError::Conflict(_)) => (Say::Already, StatusCode::CONFLICT),
            Err(e) => return Err(e.into()),
        }
    };
    let error = Some(say(locale, &refusal));
    Ok(show_personal(&state, req, found, locale, None, error, status).await?)
}

/// `POST …/cancel`: from the page's button, or a mail program's one-click unsubscribe
/// (RFC 8058, which sends no Origin: the link's secret is the permission).
async fn cancel(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    let found = state.core.personal(&slug, &token).await?;
    state.core.cancel_registration(&found).await?;
    Ok(Redirect::to(&format!("/e/{slug}/me/{token}")).into_response())
}
