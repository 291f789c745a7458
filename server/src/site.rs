//! The built site on disk (`scripts/build-site` writes it): which files the pages load
//! (`assets.json`), and serving them the way a phone on a slow network needs.
//!
//! Everything under `/pkg/` has a content hash in its name, so it is cached for a year
//! and never asked for again (`immutable`); a new build has new names. The build writes
//! a brotli and a gzip copy of each file beside it, served to browsers that accept them.
//! Other files (the icon) are cached for an hour.

use app::site::Assets;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::Response;
use axum::routing::MethodRouter;
use std::path::Path;
use tower_http::services::ServeDir;

/// The manifest `scripts/build-site` writes beside `pkg/`.
pub const MANIFEST: &str = "assets.json";

/// The site's assets as its manifest names them. A site that is not built (or a manifest
/// that does not read) gives pages without styles or scripts, and says so in the log.
pub fn load_assets(site_root: &Path) -> Assets {
    let path = site_root.join(MANIFEST);
    match std::fs::read_to_string(&path) {
        Ok(text) => match serde_json::from_str(&text) {
            Ok(assets) => assets,
            Err(e) => {
                tracing::error!(path = %path.display(), error = %e, "the site's manifest does not read: pages will not be interactive; run scripts/build-site");
                Assets::default()
            }
        },
        Err(_) => {
            tracing::warn!(path = %path.display(), "no built site found: pages will not be interactive; run scripts/build-site");
            Assets::default()
        }
    }
}

/// `/pkg/…`: hashed files, precompressed, cached for good.
pub fn pkg_files(site_root: &Path) -> Router {
    let files = ServeDir::new(site_root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false);
    Router::new()
        .fallback_service(files)
        .layer(middleware::map_response(cached_for_good))
}

/// The other files at the site's root (the icon), cached for an hour; `not_found`
/// answers for the rest.
pub fn root_files(site_root: &Path, not_found: MethodRouter) -> Router {
    let files = ServeDir::new(site_root)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .not_found_service(not_found);
    Router::new()
        .fallback_service(files)
        .layer(middleware::map_response(cached_for_an_hour))
}

async fn cached_for_good(response: Response) -> Response {
    cache_if_found(response, "public, max-age=31536000, immutable")
}

async fn cached_for_an_hour(response: Response) -> Response {
    cache_if_found(response, "public, max-age=3600")
}

/// Only files that were found are cached: a 404 must not stick.
fn cache_if_found(mut response: Response, policy: &'static str) -> Response {
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}
