//! Commands for operators and automation: organizer accounts and events from files.

use crate::config::{DatabaseArgs, EventCommand, ServeArgs, UserCommand, ensure_sqlite_dir};
use anyhow::{Context, bail};
use app::core::store::Store;
use app::core::{Core, attendee_url, role_link_url, secrets};
use app::domain::account::{Email, NewPassword, parse_display_name};
use app::domain::event::{EventDraft, Role};
use serde::Serialize;
use std::io::BufRead;

/// The tutorial of seed 000, bundled for `lectern serve --demo`.
const DEMO_EVENT: &str = include_str!("../../examples/dask-tutorial.toml");

/// An event's three links, as `lectern event create` prints them.
#[derive(Debug, Serialize)]
pub struct EventLinks {
    pub slug: String,
    pub attendee: String,
    pub presenter: String,
    pub moderator: String,
}

async fn open(db: &DatabaseArgs) -> anyhow::Result<Store> {
    ensure_sqlite_dir(&db.database_url)?;
    Store::connect_with(&db.database_url, db.sqlite_synchronous)
        .await
        .context("opening the database")
}

pub async fn user(db: DatabaseArgs, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Create { email, name } => {
            let email = Email::parse(&email)?;
            let name = parse_display_name(&name)?;
            let password = match std::env::var("LECTERN_PASSWORD") {
                Ok(password) => password,
                Err(_) => {
                    eprintln!(
                        "Password for {} (at least {} characters), then Enter:",
                        email.as_str(),
                        NewPassword::MIN_CHARS
                    );
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let password = NewPassword::parse(&password)?;
            let hash = secrets::hash_password(password.expose())
                .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))?;
            let store = open(&db).await?;
            let id = store.create_organizer(email.as_str(), &name, &hash).await?;
            store.create_team(&format!("{name}'s team"), id).await?;
            store.close().await;
            println!(
                "Created organizer {} (id {id}) and their team.",
                email.as_str()
            );
            Ok(())
        }
    }
}

pub async fn event(
    db: DatabaseArgs,
    serve: ServeArgs,
    command: EventCommand,
) -> anyhow::Result<()> {
    match command {
        EventCommand::Create { file, team, series } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let draft: EventDraft = toml::from_str(&text)
                .with_context(|| format!("{} is not a valid event file", file.display()))?;
            let core = Core::open(
                open(&db).await?,
                None,
                Default::default(),
                false,
                app::core::mailer::Mailer::new(&Default::default()).map_err(anyhow::Error::msg)?,
            )
            .await?;
            let base = serve
                .public_url
                .unwrap_or_else(|| format!("http://{}", serve.addr));
            let series_id = match team {
                None => None,
                Some(team) => {
                    let team_id = core.store.team_named(&team).await?.with_context(|| {
                        format!("there is no team named {team:?} (organizers make teams on the events page)")
                    })?;
                    let title = series.unwrap_or_else(|| draft.title.trim().to_string());
                    Some(core.store.series_named(team_id, &title).await?)
                }
            };
            let links = create_event(&core, &draft, &base, series_id).await?;
            core.store.close().await;
            println!("{}", serde_json::to_string_pretty(&links)?);
            Ok(())
        }
    }
}

async fn create_event(
    core: &Core,
    draft: &EventDraft,
    base: &str,
    series_id: Option<i64>,
) -> anyhow::Result<EventLinks> {
    let new_event = draft.parse()?;
    let created = core.create_event(&new_event, None, series_id).await?;
    let link = |role: Role| {
        created
            .tokens
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, token)| role_link_url(base, token))
            .unwrap_or_default()
    };
    let links = EventLinks {
        slug: created.slug.to_string(),
        attendee: attendee_url(base, &created.slug),
        presenter: link(Role::Presenter),
        moderator: link(Role::Moderator),
    };
    if links.presenter.is_empty() || links.moderator.is_empty() {
        bail!("the event was stored without its role links");
    }
    Ok(links)
}

/// The Dask tutorial, starting half an hour from now in UTC, for trying Lectern out.
pub async fn create_demo_event(core: &Core, base: &str) -> anyhow::Result<EventLinks> {
    let mut draft: EventDraft = toml::from_str(DEMO_EVENT).context("the bundled demo event")?;
    let start = chrono::Utc::now() + chrono::Duration::minutes(30);
    draft.starts_at = start.format("%Y-%m-%dT%H:%M").to_string();
    draft.time_zone = "UTC".into();
    create_event(core, &draft, base, None).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::event::{SectionKind, planned_minutes};

    #[test]
    fn the_bundled_dask_tutorial_has_the_seed_agenda() {
        let draft: EventDraft = toml::from_str(DEMO_EVENT).unwrap();
        let event = draft.parse().unwrap();
        assert_eq!(event.sections.len(), 8);
        assert_eq!(
            event.sections[0].title,
            "Overview of Dask with Dask Dataframe"
        );
        assert_eq!(event.sections[1].kind, SectionKind::Lab);
        assert_eq!(event.sections[7].title, "Wrapup and close");
        assert_eq!(planned_minutes(&event.sections), 85);
        assert_eq!(event.materials.len(), 2);
    }
}
