//! Organizers: first-run setup, sign-in, invitations, creating events and their links,
//! and the command line.

use crate::helpers::{TestDb, draft, error_of, spawn_app};
use app::api::CreatedEvent;
use app::api::auth::{AcceptInvite, SetUpFirstOrganizer, SignIn, SignOut};
use app::api::events::{CreateEvent, FetchEventAdmin};
use app::api::teams::InviteOrganizer;
use app::domain::event::Role;
use app::error::AppError;

#[tokio::test]
async fn first_run_setup_makes_one_organizer_then_closes() {
    let app = spawn_app().await;
    let ada = app.browser();
    assert!(
        ada.get("/setup")
            .await
            .text()
            .await
            .unwrap()
            .contains("Create the first organizer account")
    );
    assert!(ada.set_up("ada@example.org").await.status().is_success());
    assert_eq!(
        ada.me().await.map(|m| m.email),
        Some("ada@example.org".into()),
        "signed in after setup"
    );

    let mallory = app.browser();
    let refused = mallory.set_up("mallory@example.org").await;
    assert!(!refused.status().is_success());
    assert!(refused.text().await.unwrap().contains("already set up"));
    assert_eq!(app.core.store.organizer_count().await.unwrap(), 1);
    assert!(mallory.me().await.is_none());
    assert!(
        mallory
            .get("/setup")
            .await
            .text()
            .await
            .unwrap()
            .contains("Lectern is set up")
    );
}

#[tokio::test]
async fn setup_refuses_a_short_password_with_a_clear_message() {
    let app = spawn_app().await;
    let ada = app.browser();
    let refused = ada
        .call::<SetUpFirstOrganizer>(&[
            ("name", "Ada"),
            ("email", "ada@example.org"),
            ("password", "short"),
        ])
        .await;
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("at least 10 characters")
    );
    assert_eq!(
        app.core.store.organizer_count().await.unwrap(),
        0,
        "nothing half-made"
    );
}

#[tokio::test]
async fn sign_in_needs_the_right_password() {
    let app = spawn_app().await;
    app.browser().set_up("ada@example.org").await;
    let again = app.browser();
    let wrong = again
        .call::<SignIn>(&[
            ("email", "ada@example.org"),
            ("password", "wrong horse battery"),
        ])
        .await;
    assert!(wrong.text().await.unwrap().contains("do not match"));
    assert!(again.me().await.is_none());
    again
        .call::<SignIn>(&[
            ("email", "ADA@example.org"),
            ("password", "correct horse battery"),
        ])
        .await;
    assert!(
        again.me().await.is_some(),
        "emails match whatever their case"
    );
    again.call::<SignOut>(&[]).await;
    assert!(again.me().await.is_none(), "signed out");
}

#[tokio::test]
async fn an_organizer_creates_an_event_and_gets_its_three_links() {
    let app = spawn_app().await;
    let ada = app.browser();
    ada.set_up("ada@example.org").await;
    let created: CreatedEvent = ada
        .call_json::<CreateEvent>(
            serde_json::json!({ "draft": with_survey(draft("Dask tutorial")) }),
        )
        .await
        .json()
        .await
        .expect("created event");
    assert!(created.slug.starts_with("dask-tutorial-"));
    assert_eq!(
        created.attendee_url,
        ada.url(&format!("/e/{}", created.slug))
    );
    assert_eq!(created.secret_links.len(), 2);

    let presenter_link = created
        .secret_links
        .iter()
        .find(|l| l.role == Role::Presenter)
        .unwrap();
    let presenter = app.browser();
    let page = presenter
        .http
        .get(&presenter_link.url)
        .send()
        .await
        .unwrap();
    assert_eq!(page.url().path(), format!("/e/{}/present", created.slug));
    assert!(page.text().await.unwrap().contains("Dask tutorial"));

    let admin = ada.get(&format!("/events/{}", created.slug)).await;
    assert_eq!(admin.status(), 200);
    assert!(admin.text().await.unwrap().contains("Presenter link"));

    let waiting = app
        .browser()
        .get(&format!("/e/{}", created.slug))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        waiting.contains("You are in the right place"),
        "the page waits before Start"
    );
    assert!(
        waiting.contains(r#"href="https://forms.example.org/dask""#),
        "and offers the survey"
    );
}

fn with_survey(mut draft: app::domain::event::EventDraft) -> app::domain::event::EventDraft {
    draft.survey_url = Some("https://forms.example.org/dask".into());
    draft
}

#[tokio::test]
async fn an_invalid_event_is_refused_by_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let ada = app.browser();
    ada.set_up("ada@example.org").await;
    let mut bad = draft("Bad zone");
    bad.time_zone = "Mars/Olympus".into();
    let refused = ada
        .call_json::<CreateEvent>(serde_json::json!({ "draft": bad }))
        .await;
    assert!(!refused.status().is_success());
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("time_zone") && body.contains("Mars/Olympus"),
        "{body}"
    );
    assert!(
        app.core
            .store
            .events_for_organizer(1)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn creating_an_event_needs_a_signed_in_organizer() {
    let app = spawn_app().await;
    let stranger = app.browser();
    let refused = stranger
        .call_json::<CreateEvent>(serde_json::json!({ "draft": draft("Sneaky") }))
        .await;
    assert_eq!(refused.status(), 401);
    assert_eq!(error_of(refused).await, AppError::Unauthorized);
    assert_eq!(
        stranger.get("/events").await.url().path(),
        "/signin",
        "the events page sends strangers to sign in"
    );
}

#[tokio::test]
async fn an_invitation_brings_a_colleague_into_the_team_once() {
    let app = spawn_app().await;
    let ada = app.browser();
    ada.set_up("ada@example.org").await;
    let created: CreatedEvent = ada
        .call_json::<CreateEvent>(serde_json::json!({ "draft": draft("Ada's") }))
        .await
        .json()
        .await
        .unwrap();
    let team = ada.teams().await[0].id.to_string();
    let invite: String = ada
        .call::<InviteOrganizer>(&[("team_id", &team)])
        .await
        .json()
        .await
        .unwrap();
    let token = invite.rsplit('/').next().unwrap().to_string();

    let bob = app.browser();
    assert!(
        bob.get(&format!("/join/{token}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("Join your team")
    );
    let joined = bob
        .call::<AcceptInvite>(&[
            ("token", &token),
            ("name", "Bob"),
            ("email", "bob@example.org"),
            ("password", "another long phrase"),
        ])
        .await;
    assert!(joined.status().is_success());
    assert_eq!(bob.me().await.map(|m| m.name), Some("Bob".into()));

    let shared = bob
        .call::<FetchEventAdmin>(&[("slug", &created.slug)])
        .await;
    assert_eq!(
        shared.status(),
        200,
        "the team's events are Bob's to manage too"
    );
    assert_eq!(bob.teams().await[0].members.len(), 2);

    let reused = app
        .browser()
        .call::<AcceptInvite>(&[
            ("token", &token),
            ("name", "Eve"),
            ("email", "eve@example.org"),
            ("password", "yet another phrase"),
        ])
        .await;
    assert!(
        matches!(error_of(reused).await, AppError::NotFound(what) if what.contains("invitation")),
        "an invitation works once"
    );
}

#[tokio::test]
async fn health_answers_when_the_database_does() {
    let app = spawn_app().await;
    let health = app.browser().get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn the_cli_creates_the_seed_tutorial_and_prints_its_links() {
    let db = TestDb::new().await;
    let url = db.url.clone();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lectern"))
        .args([
            "event",
            "create",
            "--file",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../examples/dask-tutorial.toml"
            ),
        ])
        .args([
            "--database-url",
            &url,
            "--public-url",
            "https://lectern.example.org",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let links: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let slug = links["slug"].as_str().unwrap();
    assert!(slug.starts_with("dask-tutorial-"));
    assert_eq!(
        links["attendee"],
        format!("https://lectern.example.org/e/{slug}")
    );
    assert!(
        links["presenter"]
            .as_str()
            .unwrap()
            .starts_with("https://lectern.example.org/r/")
    );
    assert_ne!(links["presenter"], links["moderator"]);
}

#[tokio::test]
async fn the_cli_creates_an_organizer_who_can_sign_in() {
    let db = TestDb::new().await;
    let url = db.url.clone();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lectern"))
        .args([
            "user",
            "create",
            "--email",
            "ops@example.org",
            "--name",
            "Ops",
            "--database-url",
            &url,
        ])
        .env("LECTERN_PASSWORD", "a long enough password")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let store = app::core::store::Store::connect(&url).await.unwrap();
    let organizer = store
        .organizer_by_email("ops@example.org")
        .await
        .unwrap()
        .unwrap();
    assert!(app::core::secrets::verify_password(
        "a long enough password",
        &organizer.password_hash
    ));

    let short = std::process::Command::new(env!("CARGO_BIN_EXE_lectern"))
        .args([
            "user",
            "create",
            "--email",
            "x@example.org",
            "--name",
            "X",
            "--database-url",
            &url,
        ])
        .env("LECTERN_PASSWORD", "short")
        .output()
        .unwrap();
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10 characters"));
}
