//! Compiles the built widget (`pkg/`) into the server, so that one binary,
//! copied anywhere, serves it.
//!
//! `widget.js`, the stable entry merchants paste, is the one-script bundle
//! `cargo xtask build-widget` makes (`pkg/lojal_wasm_bundle.js`: loader,
//! module and glue in one file, issue 17), rewritten to fetch the wasm by
//! its hashed name. The wasm, and the separate module and glue (for a page
//! that imports the module from the server), are served under names
//! holding a hash of what they serve (`lojal_wasm_bg.<hash>.wasm`,
//! `index.<hash>.js`, `lojal_wasm.<hash>.js`) and cached for a year. Each
//! file's references to the next are rewritten before it is hashed, so a
//! new wasm renames the glue and the module too, while a change to the
//! module alone leaves the wasm's name, and the shopper's cached copy, as
//! they were.
//!
//! `pkg/` itself stays the npm package with its plain names. Without the
//! generated files (`cargo xtask build-widget` makes them), the crate fails
//! to compile with a message saying so; the build script itself succeeds, so
//! that an editor's analysis of the rest of the crate carries on.

use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The files `pkg/` must hold: the loader and the module written by hand,
/// and the glue, the wasm and the bundle that `cargo xtask build-widget`
/// generates.
const NEEDED: [&str; 5] = ["widget.js", "index.js", "lojal_wasm.js", "lojal_wasm_bg.wasm", "lojal_wasm_bundle.js"];
const JS: &str = "text/javascript; charset=utf-8";
const WASM: &str = "application/wasm";
/// Hex digits of SHA-256 in a hashed name: 64 bits, plenty to tell releases apart.
const NAME_HASH_LEN: usize = 16;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let pkg = manifest.join("../../pkg");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for name in NEEDED {
        // A missing file counts as changed: the script runs again on every
        // build until the widget is built, then only when a file changes.
        println!("cargo:rerun-if-changed={}", pkg.join(name).display());
    }
    let code = match read_pkg(&pkg) {
        Ok(files) => generate(files, &out),
        Err(missing) => {
            println!("cargo:warning={}", not_built(&missing));
            format!("compile_error!({:?});\npub(super) static FILES: &[super::File] = &[];\n", not_built(&missing))
        }
    };
    std::fs::write(out.join("widget_assets.rs"), code).expect("writing widget_assets.rs");
}

fn not_built(missing: &[String]) -> String {
    format!(
        "the widget is not built ({} missing), and lojal-server compiles it in: run `cargo xtask build-widget` \
         first, or `cargo xtask build-server` to build the widget and then the release server",
        missing.join(", ")
    )
}

struct Pkg {
    index: Vec<u8>,
    glue: Vec<u8>,
    wasm: Vec<u8>,
    /// The loader with the module and the glue inside: what `/widget.js` serves.
    bundle: Vec<u8>,
}

fn read_pkg(pkg: &Path) -> Result<Pkg, Vec<String>> {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for name in NEEDED {
        match std::fs::read(pkg.join(name)) {
            Ok(bytes) => files.push(bytes),
            Err(_) => missing.push(format!("pkg/{name}")),
        }
    }
    if !missing.is_empty() {
        return Err(missing);
    }
    // The loader alone is in the bundle; it is read only so that a change
    // to it reruns this script, and so that its absence is reported.
    let [_loader, index, glue, wasm, bundle] = <[Vec<u8>; 5]>::try_from(files).expect("five files");
    Ok(Pkg { index, glue, wasm, bundle })
}

/// One file to serve under one or two names: the hashed one, cached for
/// good, and the plain one, cached briefly.
struct Served {
    hashed: Option<String>,
    plain: &'static str,
    body: Vec<u8>,
    content_type: &'static str,
}

fn generate(pkg: Pkg, out: &Path) -> String {
    let wasm_hash = hash(&pkg.wasm);
    let wasm_name = format!("lojal_wasm_bg.{}.wasm", &wasm_hash[..NAME_HASH_LEN]);
    // wasm-bindgen's default path, used when no wasm is handed to `init`.
    let glue = rewrite("lojal_wasm.js", &pkg.glue, &[("lojal_wasm_bg.wasm", &wasm_name)]);
    let glue_name = format!("lojal_wasm.{}.js", &hash(&glue)[..NAME_HASH_LEN]);
    let index = rewrite(
        "index.js",
        &pkg.index,
        &[("./lojal_wasm.js", &format!("./{glue_name}")), ("./lojal_wasm_bg.wasm", &format!("./{wasm_name}"))],
    );
    let index_name = format!("index.{}.js", &hash(&index)[..NAME_HASH_LEN]);
    // The bundle names the wasm twice: the loader's early download, and the
    // module's default; and index.js once, in the loader's fallback import,
    // which the bundle never takes.
    let widget = rewrite(
        "lojal_wasm_bundle.js",
        &pkg.bundle,
        &[
            ("lojal_wasm_bg.wasm", &wasm_name),
            ("./lojal_wasm_bg.wasm", &format!("./{wasm_name}")),
            ("index.js", &index_name),
        ],
    );
    let served = [
        Served { hashed: Some(index_name), plain: "index.js", body: index, content_type: JS },
        Served { hashed: Some(glue_name), plain: "lojal_wasm.js", body: glue, content_type: JS },
        Served { hashed: Some(wasm_name), plain: "lojal_wasm_bg.wasm", body: pkg.wasm, content_type: WASM },
        // The stable entry merchants paste: its own name only.
        Served { hashed: None, plain: "widget.js", body: widget, content_type: JS },
    ];

    let mut code = String::from("// Generated by build.rs from pkg/: the widget's files as the server serves them.\n");
    let mut entries = String::new();
    for (i, file) in served.iter().enumerate() {
        let at = out.join(file.plain);
        std::fs::write(&at, &file.body).unwrap_or_else(|e| panic!("writing {}: {e}", at.display()));
        let at = at.to_str().expect("OUT_DIR is UTF-8");
        writeln!(code, "static BODY_{i}: &[u8] = include_bytes!({at:?});").expect("writing to a String");
        // Weak: the compression layer may send the same file in another encoding.
        let etag = format!("W/\"{}\"", &hash(&file.body)[..NAME_HASH_LEN * 2]);
        // The plain names of the module, glue and wasm too, cached briefly
        // like widget.js: for a page that imports the module from the
        // server, and for a widget.js a browser cached before an upgrade.
        let names = file.hashed.iter().map(|name| (name.as_str(), true)).chain([(file.plain, false)]);
        for (path, immutable) in names {
            writeln!(
                entries,
                "    super::File {{ path: {path:?}, body: BODY_{i}, content_type: {:?}, etag: {etag:?}, immutable: {immutable} }},",
                file.content_type,
            )
            .expect("writing to a String");
        }
    }
    writeln!(code, "pub(super) static FILES: &[super::File] = &[\n{entries}];").expect("writing to a String");
    code
}

/// `bytes` with each quoted reference `from` (in single or double quotes)
/// replaced by `to`. Each must occur exactly once: a loader or glue that
/// names its files differently must fail the build, not ship a widget that
/// loads nothing.
fn rewrite(file: &str, bytes: &[u8], references: &[(&str, &str)]) -> Vec<u8> {
    let mut text = String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| panic!("pkg/{file} is not UTF-8"));
    for (from, to) in references {
        let mut found = 0;
        for quote in ['"', '\''] {
            let quoted = format!("{quote}{from}{quote}");
            found += text.matches(&quoted).count();
            text = text.replace(&quoted, &format!("{quote}{to}{quote}"));
        }
        assert!(
            found == 1,
            "pkg/{file} names \"{from}\" {found} times, not once: lojal-server's build.rs rewrites that reference \
             to the file's hashed name, so it must be exactly one quoted string (update build.rs if the file changed)"
        );
    }
    text.into_bytes()
}

fn hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::with_capacity(64), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}
