//! `spawn_app()` and typed clients for the tests.

use app::api::OrganizerView;
use app::api::auth::{CurrentOrganizer, SetUpFirstOrganizer};
use app::core::Core;
use app::core::limits::LimitSettings;
use app::domain::event::{EventDraft, Role, SectionDraft, SectionKind};
use app::error::AppError;
use app::live::{Applied, ClientMsg, ErrorCode, LiveSnapshot, ServerMsg};
use futures_util::{SinkExt, StreamExt};
use lectern::{Lectern, Settings};
use leptos::server_fn::ServerFn;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for something that should take milliseconds.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// How a test reads the server's answer to an action, as a sentence:
/// `ana.act(vote).await.expect_ack()`, `.expect_refused(ErrorCode::Forbidden)`.
pub trait Reply {
    /// Whether the action was taken.
    fn is_ack(&self) -> bool;
    /// The action was taken; panics with what came instead.
    fn expect_ack(&self);
    /// The action was refused with `code`; gives the sentence the page shows.
    fn expect_refused(&self, code: ErrorCode) -> String;
}

impl Reply for ServerMsg {
    fn is_ack(&self) -> bool {
        matches!(self, ServerMsg::Ack { .. })
    }

    #[track_caller]
    fn expect_ack(&self) {
        assert!(self.is_ack(), "expected an ack, got {self:?}");
    }

    #[track_caller]
    fn expect_refused(&self, code: ErrorCode) -> String {
        match self {
            ServerMsg::Error {
                code: got, message, ..
            } if *got == code => message.clone(),
            other => panic!("expected a refusal ({code:?}), got {other:?}"),
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub core: Core,
    /// The test's database, shared with replicas and restarts of this server.
    _db: Arc<TestDb>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// An event with its secret tokens, made directly through the core.
pub struct TestEvent {
    pub slug: String,
    pub presenter_token: String,
    pub moderator_token: String,
}

/// A database of the test's own: SQLite in a temporary folder, or, when
/// `LECTERN_TEST_POSTGRES` names a server (`postgres://user@host:port`), a fresh
/// PostgreSQL database there (`scripts/test` drops them afterwards).
pub struct TestDb {
    pub url: String,
    /// Holds the SQLite file, and the site folder either way.
    pub dir: tempfile::TempDir,
}

impl TestDb {
    pub async fn new() -> Arc<Self> {
        Self::create(
            std::env::var("LECTERN_TEST_POSTGRES")
                .ok()
                .filter(|s| !s.is_empty()),
        )
        .await
    }

    async fn create(postgres: Option<String>) -> Arc<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match postgres {
            Some(server) => {
                use sqlx::{Connection, Executor};
                let name = format!("lectern_t_{}", uuid::Uuid::new_v4().simple());
                let mut admin =
                    sqlx::postgres::PgConnection::connect(&format!("{server}/postgres"))
                        .await
                        .expect("the PostgreSQL server named by LECTERN_TEST_POSTGRES");
                admin
                    .execute(format!("create database {name}").as_str())
                    .await
                    .expect("a test database");
                let _ = admin.close().await;
                format!("{server}/{name}")
            }
            None => format!("sqlite://{}/lectern.db?mode=rwc", dir.path().display()),
        };
        Arc::new(Self { url, dir })
    }

    /// A fresh PostgreSQL database whichever backend the run is for (the server named
    /// by `LECTERN_TEST_POSTGRES`, else the local one): for the tests of several
    /// replicas, which only PostgreSQL serves.
    pub async fn postgres() -> Arc<Self> {
        let server = std::env::var("LECTERN_TEST_POSTGRES")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432".into());
        Self::create(Some(server)).await
    }
}

/// A server on a database of its own.
pub async fn spawn_app() -> TestApp {
    spawn_app_on(TestDb::new().await).await
}

/// A server on the given database: a second replica, or the same server started again.
pub async fn spawn_app_on(db: Arc<TestDb>) -> TestApp {
    spawn_app_with(db, LimitSettings::default()).await
}

/// A server with rate limits of the test's own.
pub async fn spawn_app_with(db: Arc<TestDb>, limits: LimitSettings) -> TestApp {
    spawn(
        db,
        limits,
        lectern::listen::ConnectionSettings::default(),
        Default::default(),
    )
    .await
}

/// A server that sends its emails to the SMTP server at `smtp_url`.
pub async fn spawn_app_mailing(db: Arc<TestDb>, smtp_url: &str) -> TestApp {
    spawn(
        db,
        LimitSettings::default(),
        lectern::listen::ConnectionSettings::default(),
        app::core::mailer::MailSettings {
            smtp_url: Some(smtp_url.to_string()),
            from: Some("Dask tutorials <tutorials@example.org>".to_string()),
        },
    )
    .await
}

/// A server with connection bounds of the test's own (header timeout, per address).
pub async fn spawn_app_with_connections(
    connections: lectern::listen::ConnectionSettings,
) -> TestApp {
    spawn(
        TestDb::new().await,
        LimitSettings::default(),
        connections,
        Default::default(),
    )
    .await
}

async fn spawn(
    db: Arc<TestDb>,
    limits: LimitSettings,
    connections: lectern::listen::ConnectionSettings,
    mail: app::core::mailer::MailSettings,
) -> TestApp {
    let settings = Settings {
        database_url: db.url.clone(),
        sqlite_synchronous: app::core::store::SqliteSynchronous::Full,
        site_root: db.dir.path().join("site"),
        public_url: None,
        secure_cookies: false,
        limits,
        connections,
        mail,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let server = Lectern::build(listener, settings)
        .await
        .expect("server builds");
    let addr = server.local_addr().expect("addr");
    let core = server.core.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    TestApp {
        base: format!("http://{addr}"),
        core,
        _db: db,
        stop: Some(stop),
    }
}

pub fn draft(title: &str) -> EventDraft {
    EventDraft {
        title: title.into(),
        hosts: "The test team".into(),
        starts_at: "2026-12-10T17:00".into(),
        time_zone: "Europe/London".into(),
        materials: vec![],
        sections: vec![
            SectionDraft {
                title: "Overview".into(),
                kind: SectionKind::Teaching,
                minutes: 10,
                exercise_minutes: 0,
            },
            SectionDraft {
                title: "Lab".into(),
                kind: SectionKind::Lab,
                minutes: 15,
                exercise_minutes: 10,
            },
        ],
        doors_open_minutes: None,
        survey_url: None,
        pace_expiry_minutes: None,
        pre_moderation: false,
        hide_poll_results: false,
        word_filter: Default::default(),
        survey: Vec::new(),
        registration: None,
        call: Default::default(),
    }
}

impl TestApp {
    /// The server's database, to start it again (or a replica) on.
    pub fn db(&self) -> Arc<TestDb> {
        self._db.clone()
    }

    /// Starts a graceful shutdown, as SIGTERM does.
    pub fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    pub async fn create_event(&self, title: &str) -> TestEvent {
        self.create_event_from(draft(title)).await
    }

    /// An event from a draft of the test's own (settings other than the defaults).
    pub async fn create_event_from(&self, draft: EventDraft) -> TestEvent {
        let created = self
            .core
            .create_event(&draft.parse().expect("valid draft"), None, None)
            .await
            .expect("event stored");
        let token = |role| {
            created
                .tokens
                .iter()
                .find(|(r, _)| *r == role)
                .map(|(_, t)| t.clone())
                .expect("token")
        };
        TestEvent {
            slug: created.slug.to_string(),
            presenter_token: token(Role::Presenter),
            moderator_token: token(Role::Moderator),
        }
    }

    /// The event as the database has it now.
    pub async fn stored(&self, event: &TestEvent) -> app::core::store::EventRecord {
        self.stored_by_slug(&event.slug).await
    }

    /// The event at `/e/{slug}` as the database has it now.
    pub async fn stored_by_slug(&self, slug: &str) -> app::core::store::EventRecord {
        self.core
            .store
            .event_by_slug(slug)
            .await
            .expect("store")
            .expect("event")
    }

    /// A browser-like HTTP client with its own cookie jar.
    pub fn browser(&self) -> Browser {
        Browser::at(&self.base)
    }

    /// An attendee who opened the event page (and so has a session) and its live socket.
    pub async fn attendee(&self, event: &TestEvent) -> (Browser, LiveClient) {
        let browser = self.browser();
        let page = browser.get(&format!("/e/{}", event.slug)).await;
        assert_eq!(page.status(), 200);
        let live = browser
            .live(&event.slug, None)
            .await
            .expect("attendee connects");
        (browser, live)
    }

    /// A presenter who opened the presenter link, and their live socket.
    pub async fn presenter(&self, event: &TestEvent) -> (Browser, LiveClient) {
        self.staff(event, Role::Presenter).await
    }

    /// A co-instructor who opened the moderator link, and their live socket.
    pub async fn moderator(&self, event: &TestEvent) -> (Browser, LiveClient) {
        self.staff(event, Role::Moderator).await
    }

    async fn staff(&self, event: &TestEvent, role: Role) -> (Browser, LiveClient) {
        let browser = self.browser();
        let token = match role {
            Role::Presenter => &event.presenter_token,
            Role::Moderator => &event.moderator_token,
        };
        let page = browser.get(&format!("/r/{token}")).await;
        assert_eq!(page.status(), 200, "the role link leads to its page");
        assert!(page.url().path().ends_with(role.page()));
        let live = browser
            .live(&event.slug, Some(role.as_str()))
            .await
            .expect("staff connects");
        (browser, live)
    }
}

pub struct Browser {
    pub http: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    base: String,
}

impl Browser {
    /// A browser of its own for the site at `base` (a proxy in front of servers, say).
    pub fn at(base: &str) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .build()
            .expect("client");
        Self {
            http,
            jar,
            base: base.to_string(),
        }
    }

    /// The same browser (its cookies) on the site at `base`: a server restarted on
    /// another port, say.
    pub fn on(&self, base: &str) -> Self {
        Self {
            http: self.http.clone(),
            jar: self.jar.clone(),
            base: base.to_string(),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Opens the event's live socket with this browser's cookies (and its Origin).
    pub async fn live(
        &self,
        slug: &str,
        role: Option<&str>,
    ) -> Result<LiveClient, tokio_tungstenite::tungstenite::Error> {
        self.live_from(slug, role, &self.base.clone()).await
    }

    pub async fn live_from(
        &self,
        slug: &str,
        role: Option<&str>,
        origin: &str,
    ) -> Result<LiveClient, tokio_tungstenite::tungstenite::Error> {
        let base_url = self.base.parse().expect("base url");
        let cookies = reqwest::cookie::CookieStore::cookies(&*self.jar, &base_url)
            .map(|c| HeaderValue::from_bytes(c.as_bytes()).expect("cookie header"));
        LiveClient::open(&self.base, slug, role, cookies, origin).await
    }
}

/// One live socket, speaking the protocol of `app::live`.
pub struct LiveClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The live state as the page holds it: the last snapshot with the deltas since.
    state: Option<LiveSnapshot>,
}

impl LiveClient {
    /// Opens the live socket of event `slug` on the server at `base` (`http://…`), with
    /// `cookies` if any (none: a new attendee, as a tool would be) and `origin`.
    pub async fn open(
        base: &str,
        slug: &str,
        role: Option<&str>,
        cookies: Option<HeaderValue>,
        origin: &str,
    ) -> Result<LiveClient, tokio_tungstenite::tungstenite::Error> {
        let ws_base = base.replacen("http://", "ws://", 1);
        let url = match role {
            Some(role) => format!("{ws_base}/e/{slug}/live?as={role}"),
            None => format!("{ws_base}/e/{slug}/live"),
        };
        let mut request = url.into_client_request()?;
        if let Some(cookies) = cookies {
            request.headers_mut().insert("cookie", cookies);
        }
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_str(origin).expect("origin"));
        let (ws, _) = tokio::time::timeout(PATIENCE, tokio_tungstenite::connect_async(request))
            .await
            .expect("handshake in time")?;
        Ok(LiveClient { ws, state: None })
    }

    /// The live state as this page holds it.
    pub fn state(&self) -> Option<&LiveSnapshot> {
        self.state.as_ref()
    }

    /// The next protocol message (pings and pongs skipped); panics after [`PATIENCE`].
    /// A delta comes back as the snapshot it makes of the page's state.
    pub async fn next(&mut self) -> ServerMsg {
        self.next_live().await.1
    }

    /// The next protocol message as the bytes on the wire and as read (a delta read as
    /// the snapshot it makes of the page's state).
    pub async fn next_live(&mut self) -> (String, ServerMsg) {
        let text = self.next_text().await;
        let msg = serde_json::from_str(&text).expect("a protocol message");
        let msg = match msg {
            ServerMsg::Snapshot(snapshot) => {
                self.state = Some(snapshot.clone());
                ServerMsg::Snapshot(snapshot)
            }
            ServerMsg::Delta(delta) => {
                let state = self.state.as_mut().expect("a snapshot before any delta");
                let (from, seq) = (delta.from, delta.seq);
                let applied = state.apply(delta);
                assert_eq!(
                    applied,
                    Applied::Applied,
                    "the server sent this page a delta from {from} to {seq}, and it holds {}",
                    state.seq
                );
                ServerMsg::Snapshot(state.clone())
            }
            other => other,
        };
        (text, msg)
    }

    /// The next protocol message as the bytes on the wire, not applied to the page's
    /// state (a test of the protocol itself).
    pub async fn next_text(&mut self) -> String {
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("a message in time");
            match frame.expect("socket open").expect("frame") {
                Message::Text(text) => return text.as_str().to_string(),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected frame {other:?}"),
            }
        }
    }

    pub async fn send(&mut self, msg: &ClientMsg) {
        self.send_text(&serde_json::to_string(msg).expect("json"))
            .await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.expect("send");
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.ws.send(Message::binary(bytes)).await.expect("send");
    }

    /// Reads until a snapshot satisfies `wanted`, and returns it.
    /// The id of the poll on screen once it is another than `old`.
    pub async fn poll_after(&mut self, old: uuid::Uuid) -> uuid::Uuid {
        self.snapshot_where(|s| s.poll.as_ref().is_some_and(|p| p.spec.id != old))
            .await
            .poll
            .expect("a poll")
            .spec
            .id
    }

    pub async fn snapshot_where(&mut self, wanted: impl Fn(&LiveSnapshot) -> bool) -> LiveSnapshot {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no snapshot matched in time"
            );
            if let ServerMsg::Snapshot(snapshot) = self.next().await
                && wanted(&snapshot)
            {
                return snapshot;
            }
        }
    }

    /// The state this page holds if it matches `wanted` already, else the next snapshot
    /// that does.
    pub async fn state_where(&mut self, wanted: impl Fn(&LiveSnapshot) -> bool) -> LiveSnapshot {
        if let Some(held) = self.state.as_ref().filter(|s| wanted(s)) {
            return held.clone();
        }
        self.snapshot_where(wanted).await
    }

    /// Sends an action with a fresh id and returns the server's answer to it.
    pub async fn act(&mut self, make: impl FnOnce(uuid::Uuid) -> ClientMsg) -> ServerMsg {
        let id = uuid::Uuid::new_v4();
        self.send(&make(id)).await;
        self.answer_to(id).await
    }

    /// Reads until the answer to action `id` (ack or error), skipping the welcome and snapshots.
    pub async fn answer_to(&mut self, id: uuid::Uuid) -> ServerMsg {
        loop {
            match self.next().await {
                ServerMsg::Snapshot(_) | ServerMsg::Welcome { .. } => continue,
                msg @ (ServerMsg::Ack { id: acked }
                | ServerMsg::Error {
                    id: Some(acked), ..
                }) if acked == id => return msg,
                other => panic!("expected the answer to {id}, got {other:?}"),
            }
        }
    }

    /// Reads the next message that is not a snapshot.
    pub async fn next_non_snapshot(&mut self) -> ServerMsg {
        loop {
            match self.next().await {
                ServerMsg::Snapshot(_) => continue,
                other => return other,
            }
        }
    }

    /// Sends an action and waits for its answer, or `None` if the socket fails first
    /// (a server killed mid-burst): what a client that cannot know the outcome sees.
    pub async fn try_act(
        &mut self,
        make: impl FnOnce(uuid::Uuid) -> ClientMsg,
    ) -> Option<ServerMsg> {
        let id = uuid::Uuid::new_v4();
        let text = serde_json::to_string(&make(id)).expect("json");
        self.ws.send(Message::text(text)).await.ok()?;
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .ok()??
                .ok()?;
            let Message::Text(text) = frame else {
                match frame {
                    Message::Close(_) => return None,
                    _ => continue,
                }
            };
            match serde_json::from_str::<ServerMsg>(text.as_str()).ok()? {
                msg @ (ServerMsg::Ack { id: acked }
                | ServerMsg::Error {
                    id: Some(acked), ..
                }) if acked == id => {
                    return Some(msg);
                }
                _ => continue,
            }
        }
    }

    /// The next raw frame, or `None` once the server has closed the socket.
    pub async fn try_next(&mut self) -> Option<Message> {
        match self.ws.next().await {
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => None,
            Some(Ok(frame)) => Some(frame),
        }
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// The error a failed server function answered with.
pub async fn error_of(response: reqwest::Response) -> AppError {
    assert!(!response.status().is_success(), "expected a refusal");
    response.json().await.expect("an AppError")
}

impl Browser {
    /// Calls a server function the way a hydrated page does.
    pub async fn call<S: ServerFn>(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(self.url(S::PATH))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    /// Calls a server function that must succeed, and reads what it answered.
    pub async fn read<S: ServerFn>(&self, form: &[(&str, &str)]) -> S::Output
    where
        S::Output: serde::de::DeserializeOwned,
    {
        let response = self.call::<S>(form).await;
        let status = response.status();
        assert!(
            status.is_success(),
            "{} answered {status}: {}",
            S::PATH,
            response.text().await.unwrap_or_default()
        );
        response
            .json()
            .await
            .unwrap_or_else(|e| panic!("{} answered unreadably: {e}", S::PATH))
    }

    pub async fn call_json<S: ServerFn>(&self, body: serde_json::Value) -> reqwest::Response {
        self.http
            .post(self.url(S::PATH))
            .header("accept", "application/json")
            .json(&body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn set_up(&self, email: &str) -> reqwest::Response {
        self.call::<SetUpFirstOrganizer>(&[
            ("name", "Ada"),
            ("email", email),
            ("password", "correct horse battery"),
        ])
        .await
    }

    pub async fn teams(&self) -> Vec<app::api::teams::TeamView> {
        self.read::<app::api::teams::MyTeams>(&[]).await
    }

    pub async fn me(&self) -> Option<OrganizerView> {
        self.read::<CurrentOrganizer>(&[]).await
    }
}

/// The seed's Dask tutorial, made with `lectern event create` on this database: the
/// links it printed (`slug`, `attendee`, `presenter`, `moderator`).
pub fn event_from_cli(db: &TestDb) -> serde_json::Value {
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_lectern"))
        .args(["event", "create", "--file"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/dask-tutorial.toml"
        ))
        .args(["--database-url", &db.url])
        .output()
        .expect("event create");
    serde_json::from_slice(&made.stdout).expect("links")
}

/// A free port on loopback, for a server process that must come back on the same one.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A real `lectern serve` process on `port` (not the in-process server of `spawn_app`:
/// for tests that kill it, or read its logs), logging at `log_level` into `server.log`
/// in the test's folder. Returns once `/healthz` answers.
pub async fn serve_process(
    db: &TestDb,
    port: u16,
    log_level: &str,
    extra_args: &[&str],
) -> tokio::process::Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(db.dir.path().join("server.log"))
        .expect("the server's log");
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_lectern"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(["--database-url", &db.url])
        .arg("--site-root")
        .arg(db.dir.path().join("site"))
        .args(extra_args)
        .env("RUST_LOG", log_level)
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("lectern starts");
    let health = format!("http://127.0.0.1:{port}/healthz");
    let deadline = tokio::time::Instant::now() + PATIENCE * 2;
    while !reqwest::get(&health)
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the server did not come up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child
}

/// An organizer who set Lectern up through first-run setup (and so has a team of their
/// own; any organizer may manage a command-line event), signed in.
pub async fn organizer(app: &TestApp) -> Browser {
    let ada = app.browser();
    assert!(ada.set_up("ada@example.org").await.status().is_success());
    ada
}

/// A yes/no poll, asked with its results shown or hidden until revealed.
pub fn ask_yes_no(question: &str, hide_results: bool) -> impl FnOnce(uuid::Uuid) -> ClientMsg {
    let question = question.to_string();
    move |id| ClientMsg::AskPoll {
        id,
        question,
        options: vec![],
        hide_results,
        right: vec![],
        words: false,
    }
}
