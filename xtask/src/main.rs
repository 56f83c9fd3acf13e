//! Lojal's automation, run as `cargo xtask <command>`.
//!
//! - `demo`: build everything and run the demo shop with its storefront;
//! - `test`: run every check and test: format, lints, unit and HTTP tests,
//!   the deployment files' tests, and browser tests in headless Chromium
//!   against the real server;
//! - `build-widget`: build the widget into `pkg/`;
//! - `build-server`: build the widget, then the release server, which
//!   compiles it in (the server's build needs the widget built first).
//!
//! Each installs what it lacks first and says what it is doing. Kept free of
//! dependencies so it builds in seconds on a fresh machine.

mod bench;
mod build;
mod bundle;
mod load;
mod setup;
mod shell;

use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <command>

  demo [--port N]   build everything and run the demo (API on N, storefront on N+1; default 8080)
  test              every check and test: fmt, clippy, unit, HTTP, deployment and browser tests
  build-widget      build the widget into pkg/ (wasm-bindgen + wasm-opt)
  build-server      the widget, then the release server with it built in: target/release/lojal-server
  bench [--quick]   measure and write BENCHMARKS.md (--quick: a short run into target/)
  fuzz              the long property, fuzz and crash runs (the test command runs short ones)
  postgres          start the tests' private PostgreSQL and print its URL
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(&args[1..]),
        Some("test") => test(),
        Some("build-widget") => setup::for_build().and_then(|()| build::widget()),
        Some("build-server") => setup::for_build().and_then(|()| build::widget()).and_then(|()| build::server()),
        Some("bench") => bench(&args[1..]),
        Some("fuzz") => fuzz(),
        Some("postgres") => setup::postgres().map(|url| println!("LOJAL_TEST_POSTGRES={url}")),
        Some("help" | "--help" | "-h") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn demo(args: &[String]) -> Result<(), String> {
    let port: u16 = match args {
        [] => 8080,
        [flag, port] if flag == "--port" => port.parse().map_err(|_| format!("--port takes a number, not `{port}`"))?,
        _ => return Err(format!("demo takes only --port N\n\n{HELP}")),
    };
    setup::for_build()?;
    build::widget()?;
    build::server()?;
    let db = shell::root().join("target/demo.db");
    shell::step(&format!("Starting the demo (database: {}; Ctrl-C stops it)", db.display()));
    shell::run(
        "target/release/lojal-server",
        &[
            "demo",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--storefront-addr",
            &format!("127.0.0.1:{}", port + 1),
            "--db",
            &format!("sqlite://{}", db.display()),
            "--www",
            "www",
        ],
    )
}

fn bench(args: &[String]) -> Result<(), String> {
    let quick = match args {
        [] => false,
        [flag] if flag == "--quick" => true,
        _ => return Err(format!("bench takes only --quick\n\n{HELP}")),
    };
    setup::for_build()?;
    build::widget()?;
    bench::run(quick)
}

fn fuzz() -> Result<(), String> {
    // The server compiles the widget in.
    setup::for_build()?;
    build::widget()?;
    let postgres = setup::postgres()?;
    setup::drop_old_test_databases(&postgres)?;
    let cases = [("PROPTEST_CASES", "20000"), ("LOJAL_TEST_POSTGRES", postgres.as_str())];
    shell::step("Property tests of the rules and parsers, 20,000 cases each");
    shell::run_with_env("cargo", &["test", "--release", "-p", "lojal-core", "--test", "properties"], &cases)?;
    shell::step("Generated bodies, paths, queries and methods on every endpoint, each backend, 20,000 cases");
    shell::run_with_env(
        "cargo",
        &["test", "--release", "-p", "lojal-server", "--test", "api", "fuzz", "--", "--include-ignored"],
        &cases,
    )?;
    for round in 1..=5 {
        shell::step(&format!("SIGKILL mid-ingestion, round {round} of 5"));
        shell::run_with_env(
            "cargo",
            &["test", "--release", "-p", "lojal-server", "--test", "crash", "--", "--include-ignored"],
            &cases,
        )?;
    }
    shell::step("All long runs passed");
    Ok(())
}

fn test() -> Result<(), String> {
    setup::for_build()?;
    setup::for_browser_tests()?;
    setup::for_deploy_tests()?;
    let postgres = setup::postgres()?;
    setup::drop_old_test_databases(&postgres)?;
    shell::step("Checking formatting (cargo fmt --check)");
    shell::run("cargo", &["fmt", "--all", "--check"])?;
    // First: the server compiles the built widget in.
    build::widget()?;
    shell::step("Linting the server, core and tools (cargo clippy)");
    shell::run("cargo", &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;
    shell::step("Linting the widget for wasm32 (cargo clippy)");
    shell::run(
        "cargo",
        &["clippy", "-p", "lojal", "--target", "wasm32-unknown-unknown", "--all-targets", "--", "-D", "warnings"],
    )?;
    shell::step("Unit and HTTP tests, on SQLite and PostgreSQL (cargo test)");
    // The PostgreSQL cases are `#[ignore]`d so that a plain `cargo test`
    // reports them as not run; here they run.
    shell::run_with_env(
        "cargo",
        &["test", "--workspace", "--", "--include-ignored"],
        &[("LOJAL_TEST_POSTGRES", &postgres)],
    )?;
    audit_test_databases(&postgres)?;
    shell::step("A short benchmark run, so the benchmark code cannot rot");
    bench::run(true)?;
    shell::step("Building the server for the deployment and browser tests");
    shell::run("cargo", &["build", "-p", "lojal-server"])?;
    shell::step(
        "Deployment files: the Dockerfile linted and parsed, the systemd unit verified by systemd-analyze, \
         and the commands of both run",
    );
    shell::run_with_env(
        "node",
        &["--test", "--test-timeout=120000", "tests/deploy/"],
        &[("LOJAL_SERVER", "target/debug/lojal-server")],
    )?;
    shell::step("Browser tests (headless Chromium against the real server on loopback)");
    shell::run_with_env(
        "node",
        // A test that hangs fails after two minutes instead of holding CI.
        &["--test", "--test-concurrency=1", "--test-timeout=120000", "tests/browser/"],
        &[("LOJAL_SERVER", "target/debug/lojal-server")],
    )?;
    shell::step("All tests passed");
    Ok(())
}

/// `ledger verify` on every database the HTTP tests left in PostgreSQL:
/// whatever the tests did, no ledger they wrote breaks an invariant.
fn audit_test_databases(admin: &str) -> Result<(), String> {
    let names = shell::capture(
        "psql",
        &[admin, "-Atc", "SELECT datname FROM pg_database WHERE datname LIKE 'lojal\\_test\\_%'"],
    )?;
    let names: Vec<&str> = names.lines().filter(|n| !n.is_empty()).collect();
    shell::step(&format!(
        "Auditing the ledgers of the {} databases the tests left (lojal-server ledger verify)",
        names.len()
    ));
    let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
    for name in names {
        shell::ledger_verify("target/debug/lojal-server", &format!("{base}/{name}"), None)?;
    }
    Ok(())
}
