//! The HTTP side: the router, the role-link door, health, and the middleware every
//! request passes (sessions, same-origin checks, request logs).

use crate::Settings;
use crate::origin::same_origin;
use crate::pages::PageKey;
use crate::state::{AppState, HttpError};
use crate::ws;
use app::api::AttendeeView;
use app::api::events::{Audience, attendee_page};
use app::components::chrome::{ErrorNote, TopBar};
use app::core::access::{self, Grant};
use app::core::report;
use app::core::store::{Backend, Store};
use app::core::{Core, secrets};
use app::domain::attendee::AttendeeId;
use app::domain::export::Export;
use app::error::AppError;
use app::{App, attendee_shell, shell, static_shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, Session, SessionManagerLayer, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// The largest request body accepted (an event with 40 sections, 10 links and a
/// 20-question survey is well under it).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub async fn router(core: Core, settings: &Settings, addr: SocketAddr) -> anyhow::Result<Router> {
    let leptos_options = LeptosOptions::builder()
        .output_name("lectern")
        .site_root(settings.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    core.keep_alive(ws::KEEPALIVE);
    let state = AppState {
        leptos_options: leptos_options.clone(),
        core: core.clone(),
        assets: crate::site::load_assets(&settings.site_root),
        pages: Default::default(),
    };
    let routes = route_list();
    let context = move || provide_context(core.clone());
    let not_found = get(not_found_page).with_state(state.clone());

    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/r/{token}", get(open_role_link))
        .route("/e/{slug}", get(attendee_event_page))
        .route("/e/{slug}/feedback", get(attendee_survey_page))
        .route("/e/{slug}/live", get(ws::live))
        .route("/e/{slug}/qr.svg", get(join_qr_code))
        .route("/e/{slug}/calendar.ics", get(calendar_file))
        .route("/events/{slug}/export/{file}", get(export_file))
        .route("/map.svg", get(world_map))
        .merge(crate::register::routes())
        .nest_service("/pkg", crate::site::pkg_files(&settings.site_root))
        .leptos_routes_with_context(&state, routes, context, {
            let assets = state.assets.clone();
            move || shell(assets.clone())
        })
        .fallback_service(crate::site::root_files(&settings.site_root, not_found))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            same_origin_writes,
        ))
        // Refused before anything reads it: no form or server function needs more.
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // Pages, server functions and SVGs (the built files come compressed already).
        .layer(CompressionLayer::new());
    Ok(
        with_sessions(app, &state.core.store, settings.secure_cookies)
            .await?
            .layer(SetResponseHeaderLayer::if_not_present(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(
                TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
                    // The route pattern, not the URI: no query strings, no tokens in logs.
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("(static or unknown)", MatchedPath::as_str);
                    tracing::info_span!("request", method = %req.method(), route = %route)
                }),
            )
            .with_state(state),
    )
}

/// The app's routes, generated once per process. Generating them renders the app with
/// resource loading suspended by a process-wide flag; a page rendered by another
/// server in the same process at that moment would wait forever (leptos issue 4773),
/// which matters to tests that start many servers at once.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Renders `app` (a whole document) for `req`, Leptos's context in place: the core for
/// server functions, the request's parts, the response's status.
async fn render<IV: IntoView + 'static>(
    state: &AppState,
    req: Request<Body>,
    app: impl Fn() -> IV + Clone + Send + Sync + 'static,
) -> Response {
    let core = state.core.clone();
    leptos_axum::render_app_async_with_context(move || provide_context(core.clone()), app)(req)
        .await
}

/// `/e/{slug}`: the attendee's page, drawn from what the server reads first.
async fn attendee_event_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request<Body>,
) -> Response {
    attendee(state, slug, req, AttendeeView::Event).await
}

/// `/e/{slug}/feedback`: the survey alone.
async fn attendee_survey_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request<Body>,
) -> Response {
    attendee(state, slug, req, AttendeeView::Survey).await
}

/// An attendee page; a first visit gets its attendee cookie with it (nothing is stored
/// for it: the cookie is the attendee). A page with nothing of the visitor's own on it
/// is rendered once and shown to everyone arriving in the next moments ([`PageCache`]).
async fn attendee(
    state: AppState,
    slug: String,
    req: Request<Body>,
    view: AttendeeView,
) -> Response {
    let (id, new_cookie) = state.core.attendees.read_or_issue(req.headers());
    let query = req.uri().query().and_then(app::lang::query_value);
    let locale = app::lang::of_request(query, req.headers());
    let generation = state.core.hub.pages_generation();
    let key = |unregistered| PageKey {
        slug: slug.clone(),
        survey: view == AttendeeView::Survey,
        lang: app::lang::code(locale),
        unregistered,
    };
    // A newcomer is nobody's registration yet.
    let shared = state.pages.get(&key(false), generation).or_else(|| {
        new_cookie
            .is_some()
            .then(|| state.pages.get(&key(true), generation))
            .flatten()
    });
    let mut response = match shared {
        Some(response) => response,
        None => match render_attendee(&state, &slug, &id, view, locale, req).await {
            (response, Some(Audience::Everyone)) => {
                state.pages.keep(key(false), generation, response).await
            }
            (response, Some(Audience::Unregistered)) => {
                state.pages.keep(key(true), generation, response).await
            }
            (response, _) => response,
        },
    };
    if let Some(cookie) = new_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Renders an attendee page for `id`; with whom else it may be shared (none for an
/// error page).
async fn render_attendee(
    state: &AppState,
    slug: &str,
    id: &AttendeeId,
    view: AttendeeView,
    locale: app::lang::Locale,
    req: Request<Body>,
) -> (Response, Option<Audience>) {
    let assets = state.assets.clone();
    match attendee_page(&state.core, slug, Some(id), view, locale).await {
        Ok((page, audience)) => {
            let response = render(state, req, move || {
                attendee_shell(assets.clone(), page.clone())
            })
            .await;
            let audience = (response.status() == StatusCode::OK).then_some(audience);
            (response, audience)
        }
        Err(error) => {
            let status = error.status();
            let mut response = render(state, req, move || {
                let error = error.clone();
                static_shell(
                    assets.clone(),
                    String::new(),
                    view! {
                        <TopBar context="Attendee"/>
                        <main class="page"><ErrorNote error/></main>
                    },
                )
            })
            .await;
            *response.status_mut() = status;
            (response, None)
        }
    }
}

/// An address Lectern does not know: the router's own "Nothing here" page, with 404.
async fn not_found_page(State(state): State<AppState>, req: Request<Body>) -> Response {
    let assets = state.assets.clone();
    render(&state, req, move || shell(assets.clone())).await
}

/// Cookie sessions, stored in Lectern's own database, 14 days from last use.
async fn with_sessions(
    router: Router<AppState>,
    store: &Store,
    secure: bool,
) -> anyhow::Result<Router<AppState>> {
    Ok(match store.backend() {
        Backend::Sqlite => {
            let options = SqliteConnectOptions::from_str(store.url())?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5));
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await?;
            let sessions = SqliteStore::new(pool);
            sessions.migrate().await?;
            router.layer(session_manager(sessions, secure))
        }
        Backend::Postgres => {
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .connect(store.url())
                .await?;
            let sessions = PostgresStore::new(pool);
            // Replicas starting at once may race to create the table: the loser tries again.
            if sessions.migrate().await.is_err() {
                tokio::time::sleep(Duration::from_millis(200)).await;
                sessions.migrate().await?;
            }
            router.layer(session_manager(sessions, secure))
        }
    })
}

fn session_manager<S>(sessions: S, secure: bool) -> SessionManagerLayer<S>
where
    S: SessionStore + ExpiredDeletion + Clone,
{
    // Sessions of attendees long gone would otherwise pile up, one row per browser.
    let sweeper = sessions.clone();
    tokio::spawn(async move {
        if let Err(e) = sweeper
            .continuously_delete_expired(Duration::from_secs(3600))
            .await
        {
            tracing::error!(error = %e, "expired-session sweeper stopped");
        }
    });
    SessionManagerLayer::new(sessions)
        .with_name("lectern_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(14),
        ))
}

/// Ready when the database answers and takes a write (a full disk does not).
async fn healthz(State(state): State<AppState>) -> Response {
    match state.core.store.health().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: the database does not take writes");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database cannot be written right now",
            )
                .into_response()
        }
    }
}

/// Prometheus metrics: connections by role, messages in and out, publish and database
/// commit times, dropped slow clients.
async fn metrics() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::telemetry::metrics().render(),
    )
        .into_response()
}

/// The land of the world map (static, cached by browsers for a day).
async fn world_map() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        app::core::world_map_svg(),
    )
        .into_response()
}

/// A QR code of the event's public address, for the stage screen.
async fn join_qr_code(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let event = state.core.event(&slug).await?;
    let base = state.core.base_url(Some(&headers));
    let code = qrcode::QrCode::new(app::core::attendee_url(&base, &event.slug).as_bytes())
        .map_err(|e| {
            tracing::error!(error = %e, "QR code");
            AppError::Internal
        })?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(320, 320)
        .quiet_zone(true)
        .build();
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

/// The event as an iCalendar file for attendees' calendars.
async fn calendar_file(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let event = state.core.event(&slug).await?;
    let ics = report::calendar(&event, &state.core.base_url(Some(&headers)));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.ics\"", event.slug),
            ),
        ],
        ics,
    )
        .into_response())
}

/// `/events/{slug}/export/{table}.{csv|json}`: one of the event's tables, for the
/// organizers who may manage it.
async fn export_file(
    State(state): State<AppState>,
    Path((slug, file)): Path<(String, String)>,
    session: Session,
) -> Result<Response, HttpError> {
    let me = access::require_organizer(&session).await?;
    let event = state.core.event(&slug).await?;
    if !state.core.store.may_manage(me, event.series_id).await? {
        return Err(AppError::Forbidden.into());
    }
    let (name, format) = file.rsplit_once('.').unwrap_or((&file, ""));
    let which = Export::parse(name).ok_or_else(|| {
        AppError::NotFound(format!(
            "the export {file:?} (there are checkins, polls, pace, questions and survey, each .csv or .json)"
        ))
    })?;
    let table = report::RunRecord::read(&state.core.store, event.clone())
        .await?
        .export(which);
    let (content_type, body) = match format {
        "csv" => ("text/csv; charset=utf-8", table.to_csv()),
        "json" => ("application/json", table.to_json().to_string()),
        _ => {
            return Err(
                AppError::NotFound(format!("the export {file:?}: ask for .csv or .json")).into(),
            );
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}-{}.{format}\"",
                    event.slug,
                    which.name()
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response())
}

/// `/r/{token}`: a secret role link. Grants the role to this browser's session and goes
/// to the role's page, so the token leaves the address bar at once.
async fn open_role_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    session: Session,
) -> Result<Response, HttpError> {
    let link = if token.len() == 64 {
        state
            .core
            .store
            .active_role_link(&secrets::token_hash(&token))
            .await?
    } else {
        None
    };
    let Some(link) = link else {
        let page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
            <title>Link not valid · Lectern</title><link rel=\"stylesheet\" href=\"/pkg/lectern.css\"></head>\
            <body><main class=\"page narrow\"><h1>This link is not valid</h1>\
            <p>It may have been replaced or revoked. Ask the organizer for the current one.</p></main></body></html>";
        return Ok((StatusCode::NOT_FOUND, Html(page)).into_response());
    };
    access::add_grant(
        &session,
        Grant {
            event_id: link.event_id,
            role: link.role,
            link_id: link.link_id,
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/e/{}/{}", link.slug, link.role.page())).into_response())
}

/// Refuses state-changing requests sent by other sites' pages (cross-site request forgery).
async fn same_origin_writes(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if writes && !same_origin(req.headers(), peer.ip(), state.core.public_url.as_deref()) {
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(req).await
}
