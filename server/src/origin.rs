//! Whether a request comes from a page of this same site (cross-site request forgery,
//! cross-site WebSockets).

use axum::http::{HeaderMap, header};
use std::net::IpAddr;

/// Whether a browser request comes from a page of this same site: its `Origin`, when
/// sent, must be this deployment's own — scheme, host and port — as the public URL
/// names it, or as the request itself was made: to the `Host` it names, over the scheme
/// a proxy on this machine says in `X-Forwarded-Proto` (else plain HTTP).
pub fn same_origin(headers: &HeaderMap, peer: IpAddr, public_url: Option<&str>) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Some(origin) = origin.to_str().ok().and_then(WebOrigin::parse) else {
        return false;
    };
    if public_url.and_then(WebOrigin::parse).as_ref() == Some(&origin) {
        return true;
    }
    let scheme = headers
        .get("x-forwarded-proto")
        .filter(|_| peer.is_loopback())
        .and_then(|v| v.to_str().ok())
        .unwrap_or("http");
    let own = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|host| WebOrigin::parse(&format!("{scheme}://{host}")));
    own.as_ref() == Some(&origin)
}

/// A web origin: scheme, host and port, as browsers compare them (case aside, and the
/// scheme's default port written or not).
#[derive(Debug, PartialEq, Eq)]
struct WebOrigin {
    scheme: String,
    host: String,
    port: u16,
}

impl WebOrigin {
    /// `https://host[:port][/…]`; only http and https are origins of pages.
    fn parse(text: &str) -> Option<Self> {
        let (scheme, rest) = text.trim().split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let authority = rest.split(['/', '?', '#']).next()?;
        if authority.is_empty() || authority.contains('@') {
            return None;
        }
        // "[::1]:3000", "127.0.0.1:3000", "lectern.example.org".
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) if !port.contains(']') => (host, port.parse().ok()?),
            _ => (authority, default_port),
        };
        Some(Self {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(host: &str, origin: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        h
    }

    const BROWSER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 7));
    const PROXY: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn same_site_or_originless_requests_pass() {
        let direct = |host, origin| same_origin(&headers(host, origin), BROWSER, None);
        assert!(direct("127.0.0.1:3000", Some("http://127.0.0.1:3000")));
        assert!(direct(
            "LECTERN.example.org:80",
            Some("http://lectern.example.org")
        ));
        assert!(direct("[::1]:3000", Some("http://[::1]:3000")));
        assert!(direct("127.0.0.1:3000", None));
        // Behind a proxy on this machine that says the page came over HTTPS.
        let mut proxied = headers("lectern.example.org", Some("https://lectern.example.org"));
        proxied.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(same_origin(&proxied, PROXY, None));
        // The public URL names the origin whatever the proxy says.
        let public = headers("127.0.0.1:3001", Some("https://lectern.example.org"));
        assert!(same_origin(
            &public,
            PROXY,
            Some("https://lectern.example.org/")
        ));
    }

    #[test]
    fn foreign_origins_are_refused() {
        let direct = |host, origin| same_origin(&headers(host, Some(origin)), BROWSER, None);
        assert!(!direct("127.0.0.1:3000", "http://evil.example"));
        assert!(!direct("127.0.0.1:3000", "http://127.0.0.1:3001"));
        assert!(!direct("127.0.0.1:3000", "null"));
        // Same host and port, another scheme: another origin.
        assert!(!direct("127.0.0.1:3000", "https://127.0.0.1:3000"));
        assert!(!direct("127.0.0.1:3000", "evil://127.0.0.1:3000"));
        assert!(!direct(
            "lectern.example.org",
            "https://lectern.example.org"
        ));
        // Only a proxy on this machine may vouch for the scheme.
        let mut spoofed = headers("lectern.example.org", Some("https://lectern.example.org"));
        spoofed.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(!same_origin(&spoofed, BROWSER, None));
        // With a public URL, another site is still another site.
        let public = headers("127.0.0.1:3001", Some("https://evil.example"));
        assert!(!same_origin(
            &public,
            PROXY,
            Some("https://lectern.example.org")
        ));
    }
}
