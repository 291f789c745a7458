//! When writes fail: a full disk (SQLite on a small tmpfs) and a database backend killed
//! mid-commit (PostgreSQL). Nothing acknowledged may be lost, `/healthz` must say the
//! server cannot write, and the server must recover by itself once it can again.
//!
//! The tmpfs needs root (`mount`); where mounting is not allowed the test says so and
//! passes over.

use crate::helpers::{LiveClient, TestApp, TestDb, spawn_app_on};
use app::live::{ClientMsg, ServerMsg};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A tmpfs of `size` mounted on a folder of its own, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("a folder");
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Bytes still free.
    fn free(&self) -> u64 {
        let out = std::process::Command::new("df")
            .args(["--output=avail", "-B1"])
            .arg(self.path())
            .output()
            .expect("df");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .and_then(|l| l.trim().parse().ok())
            .expect("df's answer")
    }

    /// Fills it up to `leave` bytes free; the file that does it.
    fn fill(&self, leave: u64) -> PathBuf {
        let filler = self.path().join("filler");
        let size = self.free().saturating_sub(leave);
        let file = std::fs::File::create(&filler).expect("filler");
        // Written, not sparse: tmpfs counts what is written.
        use std::io::Write;
        let mut file = std::io::BufWriter::new(file);
        let chunk = vec![0xA5u8; 64 * 1024];
        let mut left = size;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            if file.write_all(&chunk[..n]).is_err() {
                break;
            }
            left -= n as u64;
        }
        let _ = file.flush();
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

async fn healthz(app: &TestApp) -> u16 {
    reqwest::get(format!("{}/healthz", app.base))
        .await
        .expect("GET")
        .status()
        .as_u16()
}

/// `n` attendees check in at once, each from their own long-named place; who was
/// acknowledged, and how many were refused.
async fn check_in_crowd(app: &TestApp, slug: &str, n: usize, tag: &str) -> (Vec<String>, usize) {
    let results = futures_util::future::join_all((0..n).map(|i| {
        let browser = app.browser();
        let slug = slug.to_string();
        let place = format!("{tag} {i:03} {}", "Llanfairpwllgwyngyll".repeat(3));
        async move {
            let mut live: LiveClient = browser.live(&slug, None).await.ok()?;
            let place = place.clone();
            // No answer at all (the page was told to reconnect, the socket closed): the
            // page cannot know, and neither counts.
            match live
                .try_act(|id| ClientMsg::CheckIn {
                    id,
                    place: place.clone(),
                    name: String::new(),
                })
                .await?
            {
                ServerMsg::Ack { .. } => Some(Ok(place)),
                _ => Some(Err(())),
            }
        }
    }))
    .await;
    let acked: Vec<String> = results
        .iter()
        .flatten()
        .filter_map(|r| r.clone().ok())
        .collect();
    let refused = results.iter().flatten().filter(|r| r.is_err()).count();
    (acked, refused)
}

/// The places stored for the event, read by a connection of the test's own.
async fn stored_places(url: &str, event_id: i64) -> HashSet<String> {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.expect("the database");
    let rows = sqlx::query("select place_text from check_in where event_id = $1")
        .bind(event_id)
        .fetch_all(&pool)
        .await
        .expect("check-ins");
    pool.close().await;
    rows.iter()
        .map(|r| r.try_get::<String, _>("place_text").expect("text"))
        .collect()
}

#[tokio::test]
async fn a_full_disk_loses_nothing_acknowledged_says_so_and_recovers_when_space_returns() {
    if std::env::var("LECTERN_TEST_POSTGRES").is_ok_and(|v| !v.is_empty()) {
        return; // SQLite's file only; PostgreSQL's case is the next test.
    }
    let Some(disk) = Tmpfs::mount("8m") else {
        eprintln!("skipping the full-disk test: this user may not mount a tmpfs");
        return;
    };
    let db = Arc::new(TestDb {
        url: format!("sqlite://{}/lectern.db?mode=rwc", disk.path().display()),
        dir: tempfile::tempdir().expect("a folder"),
    });
    let app = spawn_app_on(db.clone()).await;
    let event = app.create_event("Full disk").await;
    let event_id = app.stored(&event).await.id;
    let filler = disk.fill(120 * 1024);

    // Check-ins until the disk is full, and on while it is.
    let mut acked = Vec::new();
    let mut refused = 0;
    // What healthz said right after each round in which writes were refused. Its probe
    // is a write of its own: one that lands in a page SQLite just freed (a checkpoint
    // in the background) truly succeeds, so one answer may be 200 while the disk is
    // full (seen once with the whole suite running beside it).
    let mut while_refused = Vec::new();
    for round in 0..12 {
        if refused > 0 && round >= 2 {
            break;
        }
        let (ok, no) = check_in_crowd(&app, &event.slug, 120, &format!("r{round}")).await;
        let health = healthz(&app).await;
        eprintln!(
            "round {round}: {} acknowledged, {no} refused, {} bytes free, healthz {health}",
            ok.len(),
            disk.free(),
        );
        if no > 0 {
            while_refused.push(health);
        }
        acked.extend(ok);
        refused += no;
    }
    // And more while it is full.
    let (ok, no) = check_in_crowd(&app, &event.slug, 120, "full").await;
    if no > 0 {
        while_refused.push(healthz(&app).await);
    }
    acked.extend(ok);
    refused += no;
    assert!(
        refused > 0,
        "the disk never filled ({} acknowledged)",
        acked.len()
    );
    assert!(
        while_refused.contains(&503),
        "healthz must say writes fail while they do: {while_refused:?}"
    );
    let stored = stored_places(&db.url, event_id).await;
    let lost: Vec<&String> = acked.iter().filter(|p| !stored.contains(*p)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged check-ins are not stored: {lost:?}",
        lost.len(),
        acked.len()
    );

    // Space returns: within 10 s the server writes again, by itself.
    std::fs::remove_file(filler).expect("free the space");
    let freed = Instant::now();
    let recovered = loop {
        let (ok, _) = check_in_crowd(&app, &event.slug, 5, "after").await;
        if ok.len() == 5 && healthz(&app).await == 200 {
            break freed.elapsed();
        }
        assert!(
            freed.elapsed() < Duration::from_secs(10),
            "no recovery within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    eprintln!("recovered {recovered:?} after the space returned");
    let stored = stored_places(&db.url, event_id).await;
    assert!(
        acked.iter().all(|p| stored.contains(p)),
        "acknowledged check-ins lost after recovery"
    );
    drop(app);
}

/// Ends every PostgreSQL backend serving `database` but the caller's.
async fn kill_backends(database: &str) -> u64 {
    use sqlx::Row;
    let server = std::env::var("LECTERN_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432".into());
    let pool = sqlx::AnyPool::connect(&format!("{server}/postgres"))
        .await
        .expect("the PostgreSQL server");
    let killed = sqlx::query(
        "select count(pg_terminate_backend(pid)) as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
    )
    .bind(database)
    .fetch_one(&pool)
    .await
    .expect("terminating backends")
    .try_get::<i64, _>("n")
    .expect("a count");
    pool.close().await;
    killed as u64
}

#[tokio::test]
async fn killed_database_backends_mid_commit_lose_nothing_acknowledged_and_the_server_carries_on() {
    sqlx::any::install_default_drivers();
    let db = TestDb::postgres().await;
    let database = db
        .url
        .rsplit('/')
        .next()
        .expect("a database name")
        .to_string();
    let app = spawn_app_on(db.clone()).await;
    let event = app.create_event("Killed backends").await;
    let event_id = app.stored(&event).await.id;

    // Crowds check in while the database's backends are killed under them.
    let mut acked = Vec::new();
    let mut refused = 0;
    let mut killed = 0;
    for round in 0..5 {
        let tag = format!("k{round}");
        let crowd = check_in_crowd(&app, &event.slug, 100, &tag);
        let killer = async {
            let mut killed = 0;
            for _ in 0..5 {
                tokio::time::sleep(Duration::from_millis(10)).await;
                killed += kill_backends(&database).await;
            }
            killed
        };
        let ((ok, no), k) = tokio::join!(crowd, killer);
        acked.extend(ok);
        refused += no;
        killed += k;
    }
    assert!(killed > 0, "no backend was killed");
    let stored = stored_places(&db.url, event_id).await;
    let lost: Vec<&String> = acked.iter().filter(|p| !stored.contains(*p)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged check-ins are not stored",
        lost.len(),
        acked.len()
    );
    eprintln!(
        "{} acknowledged, {refused} refused, {killed} backends killed",
        acked.len()
    );

    // The server opens new connections by itself.
    let (ok, _) = check_in_crowd(&app, &event.slug, 10, "after").await;
    assert_eq!(ok.len(), 10, "check-ins after the kills");
    assert_eq!(healthz(&app).await, 200);
}

/// Starts `lectern serve` on `url` and waits for it to exit: its status, what it
/// printed on stderr, and how long it took.
fn serve_once(url: &str) -> (std::process::ExitStatus, String, Duration) {
    let started = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lectern"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", url])
        .env("RUST_BACKTRACE", "1")
        .env("RUST_LOG", "warn")
        .output()
        .expect("lectern runs");
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).trim().to_string(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_damaged_or_read_only_database_is_named_in_one_line_at_once() {
    let dir = tempfile::tempdir().expect("a folder");
    let damaged = dir.path().join("damaged.db");
    std::fs::write(&damaged, vec![0x5Au8; 20_000]).expect("a file that is no database");
    let (status, said, took) = serve_once(&format!("sqlite://{}?mode=rwc", damaged.display()));
    assert!(!status.success());
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert_eq!(said.lines().count(), 1, "one line, no backtrace: {said}");
    assert!(said.contains("is not a SQLite database"), "{said}");

    let Some(disk) = Tmpfs::mount("4m") else {
        eprintln!("skipping the read-only part: this user may not mount a tmpfs");
        return;
    };
    let url = format!("sqlite://{}/lectern.db?mode=rwc", disk.path().display());
    // A database made (by the command line, which exits), then its file system turned
    // read-only.
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_lectern"))
        .args(["event", "create", "--file"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/dask-tutorial.toml"
        ))
        .args(["--database-url", &url])
        .output()
        .expect("lectern runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let remount = |how: &str| {
        let done = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{how}")])
            .arg(disk.path())
            .status()
            .is_ok_and(|s| s.success());
        assert!(done, "remounting {how}");
    };
    remount("ro");
    let (status, said, took) = serve_once(&url);
    assert!(!status.success());
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert_eq!(said.lines().count(), 1, "one line, no backtrace: {said}");
    // Without -wal and -shm files SQLite cannot open it at all; with them (the command
    // line's pool does not always remove them) it opens read-only and the commit fails.
    assert!(
        said.contains("may this user write there") || said.contains("is read-only"),
        "{said}"
    );

    // A server killed (kill -9) leaves the -wal and -shm files behind; SQLite then opens
    // the file on a read-only disk and even takes the write lock: only a commit fails.
    remount("rw");
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_lectern"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", &url])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("lectern runs");
    // It says so once its start-up writes (migrations, keys) are done.
    let mut said = std::io::BufReader::new(server.stdout.take().expect("its stdout"));
    let mut line = String::new();
    while !line.contains("Lectern is running") {
        line.clear();
        let read = std::io::BufRead::read_line(&mut said, &mut line).expect("reads");
        assert!(read > 0, "the server stopped before it ran");
    }
    let shm = disk.path().join("lectern.db-shm");
    server.kill().expect("kill -9");
    server.wait().expect("reaped");
    assert!(shm.exists(), "the killed server left its -shm file");
    remount("ro");
    let (status, said, took) = serve_once(&url);
    assert!(!status.success(), "served from a read-only disk: {said}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert_eq!(said.lines().count(), 1, "one line, no backtrace: {said}");
    assert!(said.contains("is read-only"), "{said}");
}
