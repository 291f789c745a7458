//! The one error type users see, from server functions and pages.
//!
//! Policy: validation problems carry their field and a sentence for the person who
//! typed them; anything internal (a database failure, a bug) is logged on the server
//! with its detail and reaches the client only as "something went wrong on our side".

use crate::domain::DomainError;
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Invalid(DomainError),
    #[error("Please sign in first.")]
    Unauthorized,
    #[error("This link or page is not open to you.")]
    Forbidden,
    #[error("Not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A flood was cut: too many attempts in a short time.
    #[error("{0}")]
    TooMany(String),
    /// A request body larger than the server takes.
    #[error("That request is too large.")]
    TooLarge,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request never got a proper answer (network down, server restarting).
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: &str, message: &str) -> Self {
        AppError::Invalid(DomainError::new(field, message))
    }

    /// The HTTP status that says what kind of refusal this is.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Transport(_) => StatusCode::BAD_GATEWAY,
        }
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        AppError::Invalid(e)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// On the server this is a request that did not read (a body too large, a field
    /// missing): it answers 413 or 422 like any refusal, not the 500 of a failure. In
    /// the browser it is an answer that never came.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Args(e) | ServerFnErrorErr::Deserialization(e)
                if e.contains("length limit exceeded") =>
            {
                AppError::TooLarge
            }
            ServerFnErrorErr::Args(e) | ServerFnErrorErr::Deserialization(e) => AppError::Invalid(
                DomainError::new("request", format!("could not be read: {e}")),
            ),
            other => AppError::Transport(other.to_string()),
        };
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(error.status());
        }
        error
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        AppError::Internal
    }
}
