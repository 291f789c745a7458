//! The nginx example (`deploy/nginx.conf`) in front of two replicas on one PostgreSQL
//! database, with Debian's nginx on loopback: attendees land on both replicas and every
//! page sees one tally.

use crate::helpers::{Browser, PATIENCE, Reply, TestDb, spawn_app_on};
use app::domain::pace::PaceVote;
use app::live::{ClientMsg, ServerMsg};
use std::path::Path;
use std::process::Stdio;

/// nginx running the deploy example, rewritten only where a test must: its port, the
/// replicas' addresses, and where it keeps its files.
struct Nginx {
    base: String,
    _process: tokio::process::Child,
}

impl Nginx {
    async fn start(dir: &Path, replicas: &[&str]) -> Self {
        let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect(
                "nginx is needed for this test: apt-get install nginx (scripts/test installs it)",
            );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let example =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/nginx.conf"))
                .expect("deploy/nginx.conf");
        let site = example
            .replace("listen 80;", &format!("listen 127.0.0.1:{port};"))
            .replace("127.0.0.1:3001", replicas[0])
            .replace("127.0.0.1:3002", replicas[1]);
        assert_ne!(
            site, example,
            "the example's addresses are where the test expects them"
        );
        let root = dir.join("nginx");
        std::fs::create_dir_all(&root).expect("nginx folder");
        std::fs::write(root.join("lectern.conf"), site).expect("site config");
        let d = root.display();
        std::fs::write(
            root.join("nginx.conf"),
            format!(
                "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
                 events {{ worker_connections 1024; }}\n\
                 http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
                 fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  \
                 include {d}/lectern.conf;\n}}\n"
            ),
        )
        .expect("main config");
        let process = tokio::process::Command::new(nginx)
            .arg("-p")
            .arg(&root)
            .arg("-c")
            .arg(root.join("nginx.conf"))
            .arg("-e")
            .arg(root.join("error.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("nginx starts");
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "nginx did not listen: {}",
                std::fs::read_to_string(root.join("error.log")).unwrap_or_default()
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        Self {
            base: format!("http://127.0.0.1:{port}"),
            _process: process,
        }
    }
}

#[tokio::test]
async fn attendees_spread_over_two_replicas_behind_nginx_see_one_tally() {
    let db = TestDb::postgres().await;
    let a = spawn_app_on(db.clone()).await;
    let b = spawn_app_on(db.clone()).await;
    let proxy = Nginx::start(
        db.dir.path(),
        &[
            a.base.trim_start_matches("http://"),
            b.base.trim_start_matches("http://"),
        ],
    )
    .await;
    let event = a.create_event("Behind nginx").await;
    let event_id = a.stored(&event).await.id;

    // The presenter opens their link through the proxy, like everyone else.
    let presenter_browser = Browser::at(&proxy.base);
    let page = presenter_browser
        .get(&format!("/r/{}", event.presenter_token))
        .await;
    assert_eq!(page.status(), 200);
    let mut presenter = presenter_browser
        .live(&event.slug, Some("presenter"))
        .await
        .expect("the presenter's socket through nginx");

    const ATTENDEES: u32 = 6;
    let mut attendees = Vec::new();
    for _ in 0..ATTENDEES {
        let browser = Browser::at(&proxy.base);
        assert_eq!(
            browser.get(&format!("/e/{}", event.slug)).await.status(),
            200
        );
        let mut live = browser
            .live(&event.slug, None)
            .await
            .expect("an attendee's socket through nginx");
        // The handshake is answered before the page joins its room; the welcome comes
        // after, so the page is counted once it has arrived.
        assert!(matches!(live.next().await, ServerMsg::Welcome { .. }));
        attendees.push((browser, live));
    }
    let (on_a, on_b) = (
        a.core.hub.online_here(event_id),
        b.core.hub.online_here(event_id),
    );
    assert_eq!(on_a.attendees + on_b.attendees, ATTENDEES);
    assert!(
        on_a.attendees > 0 && on_b.attendees > 0,
        "nginx spreads the attendees over both replicas ({} and {})",
        on_a.attendees,
        on_b.attendees
    );

    for (_, live) in &mut attendees {
        let answer = live
            .act(|id| ClientMsg::Pace {
                id,
                vote: Some(PaceVote::Faster),
            })
            .await;
        answer.expect_ack();
    }
    let seen = presenter
        .snapshot_where(|s| s.pace.faster == ATTENDEES && s.online.attendees == ATTENDEES)
        .await;
    assert_eq!(seen.pace.total(), ATTENDEES);
    for (_, live) in &mut attendees {
        live.snapshot_where(|s| s.pace.faster == ATTENDEES).await;
    }
}
