//! What the tests that run the real `lojal-server` binary share.

// Each test binary that includes this module uses only part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The server's standard error, collected as it is written (so a test can
/// read its log, and the pipe never fills and stalls the server).
pub fn collect_stderr(child: &mut Child) -> Arc<Mutex<String>> {
    let log = Arc::new(Mutex::new(String::new()));
    let mut stderr = child.stderr.take().expect("stderr piped");
    let sink = log.clone();
    std::thread::spawn(move || {
        let mut buf = [0; 8192];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    log
}

// As strong as `shop add --secret` asks: 32 random bytes in hex.
pub const SECRET: &str = "9c2e7f41b8d05a36e1f4c7b92d8a0e5f3b6c1d49a7e2f80c5d3b9a16e4f7c2d8";
pub const BIN: &str = env!("CARGO_BIN_EXE_lojal-server");

pub struct Server {
    pub child: Child,
    pub origin: String,
    pub log: Arc<Mutex<String>>,
}

impl Server {
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    pub fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }

    /// Waits at most `limit` for the process to exit.
    pub fn exit_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if started.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// A server a test forgot to stop is killed with the test.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(db: &str, extra: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--db", db, "--assets", "/nonexistent", "--no-rate-limits"])
        .args(extra)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let origin = loop {
        let line = lines.next().expect("the server prints its address").unwrap();
        if let Some(origin) = line.strip_prefix("Lojal API on ") {
            break origin.to_owned();
        }
    };
    let log = collect_stderr(&mut child);
    Server { child, origin, log }
}

pub fn lojal(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

pub fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

pub fn add_shop(db: &str) {
    let added = lojal(&["shop", "add", "--id", "shop", "--name", "Ops", "--secret", SECRET, "--db", db]);
    assert!(added.status.success(), "{}", text(&added));
}

pub fn ledger_verify(db: &str) {
    let verified = lojal(&["ledger", "verify", "--db", db]);
    assert!(verified.status.success(), "ledger verify on {db}: {}", text(&verified));
    assert!(text(&verified).contains("every invariant holds"), "{}", text(&verified));
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

pub fn execute(db: &str, sql: &str) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    runtime().block_on(async {
        let mut conn = sqlx::AnyConnection::connect(db).await.unwrap();
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    });
}

/// A new database on the PostgreSQL server `LOJAL_TEST_POSTGRES` names.
/// Its tests are ignored unless asked for (`--include-ignored`), and then
/// fail without a server rather than pass having tested nothing.
pub fn fresh_postgres(what: &str) -> String {
    let admin = std::env::var("LOJAL_TEST_POSTGRES").ok().filter(|u| !u.is_empty());
    let admin = admin.expect("LOJAL_TEST_POSTGRES names no server");
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let name = format!("lojal_ops_{what}_{}_{nanos}", std::process::id());
    execute(&admin, &format!("CREATE DATABASE {name}"));
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// Drops a database `fresh_postgres` made, once its test passed.
pub fn drop_postgres(db: &str) {
    let admin = std::env::var("LOJAL_TEST_POSTGRES").unwrap();
    let (_, name) = db.rsplit_once('/').unwrap();
    execute(&admin, &format!("DROP DATABASE {name} WITH (FORCE)"));
}
