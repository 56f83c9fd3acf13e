//! Building the widget into `pkg/`: the wasm in its own size-tuned profile,
//! wasm-bindgen's ES module glue, then wasm-opt.

use crate::shell;

pub fn widget() -> Result<(), String> {
    shell::step("Building the widget (wasm32, profile wasm-release)");
    shell::run(
        "cargo",
        &[
            "build",
            "-p",
            "lojal",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm-release",
        ],
    )?;
    shell::step("Generating the JS glue (wasm-bindgen)");
    shell::run(
        "wasm-bindgen",
        &[
            "target/wasm32-unknown-unknown/wasm-release/lojal.wasm",
            "--out-dir",
            "pkg",
            "--out-name",
            "lojal_wasm",
            "--target",
            "web",
        ],
    )?;
    shell::step("Shrinking the wasm (wasm-opt -Oz)");
    // The features Rust's wasm32 target emits by default; wasm-opt must be
    // told it may keep them.
    shell::run(
        "node_modules/.bin/wasm-opt",
        &[
            "-Oz",
            "--strip-debug",
            "--strip-producers",
            "--enable-bulk-memory",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-nontrapping-float-to-int",
            "--enable-multivalue",
            "--enable-reference-types",
            "pkg/lojal_wasm_bg.wasm",
            "-o",
            "pkg/lojal_wasm_bg.wasm",
        ],
    )?;
    let wasm = std::fs::metadata(shell::root().join("pkg/lojal_wasm_bg.wasm"))
        .map_err(|e| e.to_string())?;
    println!("pkg/lojal_wasm_bg.wasm: {} bytes", wasm.len());
    Ok(())
}
