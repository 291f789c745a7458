//! Organizer accounts: first-run setup, sign-in and out, invitations.

use super::OrganizerView;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::ssr::{answer, client_address, core, session},
    crate::core::{access, secrets},
    crate::domain::account::{Email, NewPassword, parse_display_name},
};

/// The signed-in organizer, if any.
#[server]
pub async fn current_organizer() -> Result<Option<OrganizerView>, AppError> {
    answer(async move {
        let core = core()?;
        let Some(id) = access::organizer_id(&session().await?).await? else {
            return Ok(None);
        };
        Ok(core.store.organizer(id).await?.map(|o| OrganizerView {
            name: o.name,
            email: o.email,
        }))
    })
    .await
}

/// Whether first-run setup is still open (no organizer exists yet).
#[server]
pub async fn setup_open() -> Result<bool, AppError> {
    answer(async move { Ok(core()?.store.organizer_count().await? == 0) }).await
}

/// A new organizer's details, checked, with the password hashed.
#[cfg(feature = "ssr")]
struct NewAccount {
    name: String,
    email: Email,
    password_hash: String,
}

#[cfg(feature = "ssr")]
impl NewAccount {
    async fn parse(name: &str, email: &str, password: &str) -> Result<Self, AppError> {
        let name = parse_display_name(name)?;
        let email = Email::parse(email)?;
        let password = NewPassword::parse(password)?;
        // argon2 is slow on purpose: keep it off the async workers.
        let password_hash =
            tokio::task::spawn_blocking(move || secrets::hash_password(password.expose()))
                .await
                .map_err(|_| AppError::Internal)?
                .map_err(|e| {
                    tracing::error!(error = %e, "password hashing failed");
                    AppError::Internal
                })?;
        Ok(Self {
            name,
            email,
            password_hash,
        })
    }
}

/// Signs the organizer in and sends them on to `next`.
#[cfg(feature = "ssr")]
async fn signed_in(organizer_id: i64, next: &str) -> Result<(), AppError> {
    access::sign_in(&session().await?, organizer_id).await?;
    leptos_axum::redirect(next);
    Ok(())
}

/// Creates the first organizer account and signs them in. Refused once any exists.
#[server]
pub async fn set_up_first_organizer(
    name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    answer(async move {
        let account = NewAccount::parse(&name, &email, &password).await?;
        let core = core()?;
        let id = core
            .store
            .create_first_organizer(
                account.email.as_str(),
                &account.name,
                &account.password_hash,
            )
            .await?;
        core.store
            .create_team(&format!("{}'s team", account.name), id)
            .await?;
        signed_in(id, "/events/new").await
    })
    .await
}

#[server]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    answer(async move {
        let core = core()?;
        let refused = || {
            AppError::invalid(
                "password",
                "That email and password do not match an organizer account.",
            )
        };
        let address = client_address().await?;
        // Limited by the email as stored (" Ada@Example.org" is ada@example.org).
        let email = Email::parse(&email).ok();
        if let Err(wait) = core.limits.sign_in(address, email.as_ref()) {
            return Err(AppError::TooMany(format!(
                "Too many sign-in attempts; try again {}, or from a device you signed in from before.",
                crate::domain::limit::wait_text(wait)
            )));
        }
        let email = email.ok_or_else(refused)?;
        let organizer = core.store.organizer_by_email(email.as_str()).await?;
        let stored = organizer
            .as_ref()
            .map(|o| o.password_hash.clone())
            .unwrap_or_else(|| secrets::decoy_hash().to_string());
        let matches =
            tokio::task::spawn_blocking(move || secrets::verify_password(&password, &stored))
                .await
                .map_err(|_| AppError::Internal)?;
        match organizer {
            Some(organizer) if matches => {
                core.limits.signed_in(address, &email);
                signed_in(organizer.id, "/events").await
            }
            _ => Err(refused()),
        }
    })
    .await
}

#[server]
pub async fn sign_out() -> Result<(), AppError> {
    answer(async move {
        access::sign_out(&session().await?).await?;
        leptos_axum::redirect("/signin");
        Ok(())
    })
    .await
}

#[server]
pub async fn invite_open(token: String) -> Result<bool, AppError> {
    answer(async move {
        core()?
            .store
            .invite_is_open(&secrets::token_hash(&token))
            .await
    })
    .await
}

#[server]
pub async fn accept_invite(
    token: String,
    name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    answer(async move {
        let account = NewAccount::parse(&name, &email, &password).await?;
        let id = core()?
            .store
            .accept_invite(
                &secrets::token_hash(&token),
                account.email.as_str(),
                &account.name,
                &account.password_hash,
            )
            .await?;
        signed_in(id, "/events").await
    })
    .await
}
