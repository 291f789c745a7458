//! What every handler shares: the router's state, and errors as HTTP answers.

use app::core::Core;
use app::error::AppError;
use app::site::Assets;
use axum::extract::FromRef;
use axum::response::{IntoResponse, Response};
use leptos::config::LeptosOptions;

/// The router's state: what handlers reach with `State`.
#[derive(Clone)]
pub struct AppState {
    /// Where the built site is and what its files are called.
    pub leptos_options: LeptosOptions,
    pub core: Core,
    /// The built site's stylesheet and bundles, by their hashed names.
    pub assets: Assets,
    /// Attendee pages rendered once and shown to many.
    pub pages: std::sync::Arc<crate::pages::PageCache>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// An [`AppError`] as an HTTP answer: the status it means and its sentence.
pub struct HttpError(pub AppError);

impl From<AppError> for HttpError {
    fn from(e: AppError) -> Self {
        HttpError(e)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        (self.0.status(), self.0.to_string()).into_response()
    }
}
