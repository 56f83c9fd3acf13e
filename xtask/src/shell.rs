//! Running commands from the workspace root, loudly.

use std::path::PathBuf;
use std::process::Command;

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().expect("xtask sits inside the workspace").to_path_buf()
}

pub fn step(what: &str) {
    println!("\n==> {what}");
}

pub fn run(program: &str, args: &[&str]) -> Result<(), String> {
    run_with_env(program, args, &[])
}

pub fn run_with_env(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    println!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .status()
        .map_err(|e| format!("could not start `{program}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// A command's standard output, or `None` if it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).current_dir(root()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A command's standard output; its failure is an error with its stderr.
pub fn capture(program: &str, args: &[&str]) -> Result<String, String> {
    capture_with_env(program, args, &[])
}

pub fn capture_with_env(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .output()
        .map_err(|e| format!("could not start `{program}`: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("`{program} {}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr)))
    }
}

/// Runs `lojal-server ledger verify` (the binary at `server`) on `db`, and
/// returns its summary line; its findings, when there are any, as the error.
pub fn ledger_verify(server: &str, db: &str, shop: Option<&str>) -> Result<String, String> {
    let mut args = vec!["ledger", "verify", "--db", db];
    if let Some(shop) = shop {
        args.extend(["--shop", shop]);
    }
    let out = Command::new(server)
        .args(&args)
        .env("RUST_LOG", "warn")
        .current_dir(root())
        .output()
        .map_err(|e| format!("could not start `{server}`: {e}"))?;
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(said.lines().last().unwrap_or_default().trim().to_owned())
    } else {
        Err(format!("the ledger audit of {db} failed:\n{said}{}", String::from_utf8_lossy(&out.stderr)))
    }
}
