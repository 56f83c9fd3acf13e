//! Installing what the build and the tests need, when it is missing: the
//! wasm32 target, wasm-bindgen-cli at the exact version of the
//! `wasm-bindgen` crate, the npm tools (wasm-opt from `binaryen`,
//! `playwright-core`, `axe-core` for the browser tests' accessibility
//! checks, `dockerfile-utils` for the Dockerfile's test), and
//! Debian's Chromium and ChromeDriver, and `systemd-analyze`.

use crate::shell;
use std::path::Path;

pub fn for_build() -> Result<(), String> {
    wasm_target()?;
    wasm_bindgen_cli()?;
    npm_tools()
}

pub fn for_browser_tests() -> Result<(), String> {
    chromium()
}

/// `systemd-analyze`, which checks the example systemd unit.
pub fn for_deploy_tests() -> Result<(), String> {
    if shell::output("systemd-analyze", &["--version"]).is_some() {
        return Ok(());
    }
    shell::step("Installing Debian's systemd for systemd-analyze (checks deploy/lojal.service)");
    shell::run("apt-get", &["update"])?;
    shell::run_with_env(
        "apt-get",
        &["install", "-y", "--no-install-recommends", "systemd"],
        &[("DEBIAN_FRONTEND", "noninteractive")],
    )
}

fn wasm_target() -> Result<(), String> {
    let installed = shell::output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|t| t.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    shell::step("Installing the wasm32-unknown-unknown target");
    shell::run("rustup", &["target", "add", "wasm32-unknown-unknown"])
}

/// The version of the `wasm-bindgen` crate in Cargo.lock: the CLI must match
/// it exactly or the generated JS will not fit the wasm.
pub fn wasm_bindgen_version() -> Result<String, String> {
    let lock =
        std::fs::read_to_string(shell::root().join("Cargo.lock")).map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(version.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock names no wasm-bindgen version".into())
}

fn wasm_bindgen_cli() -> Result<(), String> {
    let version = wasm_bindgen_version()?;
    let found = shell::output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if found.split_whitespace().nth(1) == Some(version.as_str()) {
        return Ok(());
    }
    shell::step(&format!(
        "Installing wasm-bindgen-cli {version} (matches the wasm-bindgen crate; takes a few minutes)"
    ));
    // Without --locked: with it, one of the CLI's locked dependencies is missing from the registry.
    shell::run("cargo", &["install", "wasm-bindgen-cli", "--version", &version])
}

fn npm_tools() -> Result<(), String> {
    let root = shell::root();
    let ready = [
        "node_modules/.bin/wasm-opt",
        "node_modules/playwright-core/package.json",
        "node_modules/axe-core/axe.min.js",
        "node_modules/dockerfile-utils/package.json",
    ]
    .iter()
    .all(|p| root.join(p).exists());
    if ready {
        return Ok(());
    }
    shell::step("Installing npm tools: binaryen (a current wasm-opt), playwright-core, axe-core and dockerfile-utils");
    shell::run("npm", &["ci", "--no-audit", "--no-fund"])
}

fn chromium() -> Result<(), String> {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        return Ok(());
    }
    shell::step("Installing Debian's chromium and chromium-driver for the browser tests");
    shell::run("apt-get", &["update"])?;
    shell::run_with_env(
        "apt-get",
        &["install", "-y", "--no-install-recommends", "chromium", "chromium-driver"],
        &[("DEBIAN_FRONTEND", "noninteractive")],
    )
}

/// Where the tests' PostgreSQL listens: its own port, so it never meets a
/// server the machine runs for something else.
const TEST_PG_PORT: &str = "54329";
const TEST_PG_DIR: &str = "/tmp/lojal-test-postgres";

/// A PostgreSQL server for the tests, as an admin URL: `LOJAL_TEST_POSTGRES`
/// if set, else a private cluster on loopback, installed from Debian's
/// packages and started when missing.
pub fn postgres() -> Result<String, String> {
    if let Ok(url) = std::env::var("LOJAL_TEST_POSTGRES") {
        if !url.is_empty() {
            return Ok(url);
        }
    }
    let url = format!("postgres://postgres@127.0.0.1:{TEST_PG_PORT}/postgres");
    let bin = match postgres_bin() {
        Some(bin) => bin,
        None => {
            shell::step("Installing PostgreSQL from Debian's packages for the tests");
            shell::run("apt-get", &["update"])?;
            shell::run_with_env(
                "apt-get",
                &["install", "-y", "--no-install-recommends", "postgresql"],
                &[("DEBIAN_FRONTEND", "noninteractive")],
            )?;
            postgres_bin().ok_or("postgresql installed, but no /usr/lib/postgresql/*/bin/postgres")?
        }
    };
    let pg_ctl = bin.join("pg_ctl");
    let pg_ctl = pg_ctl.to_str().ok_or("odd PostgreSQL path")?;
    let data = Path::new(TEST_PG_DIR).join("data");
    let data_str = data.to_str().expect("a UTF-8 path");
    let as_postgres = |args: &[&str]| -> Result<(), String> {
        // PostgreSQL refuses to run as root; run it as Debian's postgres user.
        if is_root() {
            let mut all = vec!["-u", "postgres", "--"];
            all.extend_from_slice(args);
            shell::run("runuser", &all)
        } else {
            shell::run(args[0], &args[1..])
        }
    };
    let running = if is_root() {
        shell::output("runuser", &["-u", "postgres", "--", pg_ctl, "status", "-D", data_str])
    } else {
        shell::output(pg_ctl, &["status", "-D", data_str])
    };
    if running.is_some() {
        return Ok(url);
    }
    shell::step(&format!("Starting a private PostgreSQL for the tests on 127.0.0.1:{TEST_PG_PORT}"));
    if !data.join("PG_VERSION").exists() {
        std::fs::create_dir_all(TEST_PG_DIR).map_err(|e| format!("creating {TEST_PG_DIR}: {e}"))?;
        if is_root() {
            shell::run("chown", &["postgres:postgres", TEST_PG_DIR])?;
        }
        let initdb = bin.join("initdb");
        as_postgres(&[initdb.to_str().unwrap(), "-D", data_str, "-A", "trust", "-U", "postgres", "--no-sync"])?;
    }
    let options = format!("-p {TEST_PG_PORT} -k {TEST_PG_DIR} -c listen_addresses=127.0.0.1 -c max_connections=200");
    let log = format!("{TEST_PG_DIR}/log");
    as_postgres(&[pg_ctl, "-D", data_str, "-o", &options, "-l", &log, "-w", "start"])?;
    Ok(url)
}

/// Drops the databases earlier test runs left in the private cluster (each
/// HTTP test makes its own, some 10 MB each), so repeated runs on one
/// machine do not fill its disk. Never touches a server given in
/// `LOJAL_TEST_POSTGRES`.
pub fn drop_old_test_databases(admin: &str) -> Result<(), String> {
    if std::env::var("LOJAL_TEST_POSTGRES").is_ok_and(|u| !u.is_empty()) {
        return Ok(());
    }
    let names = shell::capture(
        "psql",
        &[admin, "-Atc", "SELECT datname FROM pg_database WHERE datname LIKE 'lojal\\_test\\_%'"],
    )?;
    let drops: Vec<String> = names.lines().filter(|n| !n.is_empty()).map(|n| format!("DROP DATABASE {n}")).collect();
    if drops.is_empty() {
        return Ok(());
    }
    shell::step(&format!("Dropping {} databases left by earlier test runs", drops.len()));
    let mut args = vec![admin, "-q"];
    for drop in &drops {
        args.push("-c");
        args.push(drop);
    }
    shell::capture("psql", &args).map(|_| ())
}

fn postgres_bin() -> Option<std::path::PathBuf> {
    let mut versions: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("postgres").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    shell::output("id", &["-u"]).is_some_and(|id| id.trim() == "0")
}
