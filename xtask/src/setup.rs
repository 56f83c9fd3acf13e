//! Installing what the build and the tests need, when it is missing: the
//! wasm32 target, wasm-bindgen-cli at the exact version of the
//! `wasm-bindgen` crate, the npm tools (wasm-opt from `binaryen`,
//! `playwright-core`), and Debian's Chromium and ChromeDriver.

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

fn wasm_target() -> Result<(), String> {
    let installed = shell::output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    shell::step("Installing the wasm32-unknown-unknown target");
    shell::run("rustup", &["target", "add", "wasm32-unknown-unknown"])
}

/// The version of the `wasm-bindgen` crate in Cargo.lock: the CLI must match
/// it exactly or the generated JS will not fit the wasm.
pub fn wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(shell::root().join("Cargo.lock"))
        .map_err(|e| format!("reading Cargo.lock: {e}"))?;
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
    shell::step(&format!("Installing wasm-bindgen-cli {version} (matches the wasm-bindgen crate; takes a few minutes)"));
    // Without --locked: with it, one of the CLI's locked dependencies is missing from the registry.
    shell::run(
        "cargo",
        &["install", "wasm-bindgen-cli", "--version", &version],
    )
}

fn npm_tools() -> Result<(), String> {
    let root = shell::root();
    let ready = [
        "node_modules/.bin/wasm-opt",
        "node_modules/playwright-core/package.json",
    ]
    .iter()
    .all(|p| root.join(p).exists());
    if ready {
        return Ok(());
    }
    shell::step("Installing npm tools: binaryen (a current wasm-opt) and playwright-core");
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
        &[
            "install",
            "-y",
            "--no-install-recommends",
            "chromium",
            "chromium-driver",
        ],
        &[("DEBIAN_FRONTEND", "noninteractive")],
    )
}
