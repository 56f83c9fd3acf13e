// The deployment files, tried as far as a machine without a container
// runtime or a running systemd can:
//
// - the Dockerfile: linted by dockerfile-utils (the validator behind VS
//   Code's Docker support) at its strictest, read with its parser
//   (dockerfile-ast) for what the image must be (multi-stage, a small final
//   stage, not root), its build context checked against .dockerignore, its
//   wasm-bindgen version step run, and its CMD, ENV and HEALTHCHECK run;
// - the systemd unit: checked by systemd's own `systemd-analyze verify`
//   and `security`, and its ExecStart and Environment run.
//
// "Run" means: the server binary, copied alone into an empty folder as an
// operator would copy it, started as the file says (the address and data
// folder moved to a temporary place), serving the widget it has built in,
// answering its health check, and stopping cleanly on the file's signal.
//
// node --test tests/deploy/      (LOJAL_SERVER: the server binary)

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DockerfileParser } from "dockerfile-ast";
import { validate } from "dockerfile-utils";

const ROOT = resolve(import.meta.dirname, "../..");
const DOCKERFILE = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const UNIT = readFileSync(join(ROOT, "deploy/lojal.service"), "utf8");

let work;
let binary;

before(() => {
  work = mkdtempSync(join(tmpdir(), "lojal-deploy-"));
  chmodSync(work, 0o755);
  // The binary alone, away from the repository and its pkg/.
  mkdirSync(join(work, "bin"));
  binary = join(work, "bin/lojal-server");
  copyFileSync(resolve(ROOT, process.env.LOJAL_SERVER ?? "target/debug/lojal-server"), binary);
  chmodSync(binary, 0o755);
});

after(() => rmSync(work, { recursive: true, force: true }));

/**
 * Starts `argv` (argv[0] replaced by the copied binary) in the empty folder
 * `cwd`, with `env` on top of a bare environment, as `user` when this runs
 * as root; resolves once it prints its address.
 */
async function start(argv, env, cwd, { user } = {}) {
  let command = binary;
  let args = argv.slice(1);
  if (user !== undefined && process.getuid() === 0) {
    // As the image's and the unit's unprivileged user would run it.
    args = [`--reuid=${user}`, `--regid=${user}`, "--clear-groups", command, ...args];
    command = "setpriv";
  }
  const child = spawn(command, args, {
    cwd,
    env: { PATH: "/usr/bin:/bin", RUST_LOG: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let log = "";
  child.stderr.on("data", (chunk) => (log += chunk));
  const exited = new Promise((done) => child.on("exit", (code, signal) => done({ code, signal })));
  const api = await new Promise((resolveApi, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address in 60 s:\n${out}\n${log}`)), 60_000);
    exited.then(({ code }) => reject(new Error(`exited (${code}):\n${out}\n${log}`)));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const found = out.match(/Lojal API on (http:\/\/\S+)/);
      if (found) {
        clearTimeout(timer);
        resolveApi(found[1]);
      }
    });
  });
  return { api, child, exited, log: () => log };
}

/** The widget as a shop's page loads it: the stable entry, then its hashed files. */
async function assertServesTheWidget(api) {
  const widget = await fetch(`${api}/widget.js`);
  assert.equal(widget.status, 200);
  assert.equal(widget.headers.get("cache-control"), "public, max-age=300");
  const loader = await widget.text();
  const hashed = [...loader.matchAll(/"((?:index|lojal_wasm_bg)\.[0-9a-f]{16}\.(?:js|wasm))"/g)].map((m) => m[1]);
  assert.equal(hashed.length, 2, loader);
  for (const name of hashed) {
    const file = await fetch(`${api}/${name}`);
    assert.equal(file.status, 200, name);
    assert.equal(file.headers.get("cache-control"), "public, max-age=31536000, immutable", name);
    assert.equal(file.headers.get("access-control-allow-origin"), "*", name);
    assert.equal(file.headers.get("content-type"), name.endsWith(".wasm") ? "application/wasm" : "text/javascript; charset=utf-8");
    await file.arrayBuffer();
  }
}

/** Sends `signal` and expects a clean exit within `seconds`. */
async function assertStopsCleanly(server, signal, seconds) {
  server.child.kill(signal);
  const timer = setTimeout(() => server.child.kill("SIGKILL"), seconds * 1000);
  const { code, signal: killedBy } = await server.exited;
  clearTimeout(timer);
  assert.deepEqual({ code, killedBy }, { code: 0, killedBy: null }, `${signal}: ${server.log()}`);
}

/** A fresh folder the unprivileged user (65534, nobody) may write. */
function dataFolder(name) {
  const dir = join(work, name);
  mkdirSync(dir);
  chmodSync(dir, 0o777);
  return dir;
}

describe("the Dockerfile", () => {
  const dockerfile = DockerfileParser.parse(DOCKERFILE);
  const instructions = dockerfile.getInstructions();
  const froms = dockerfile.getFROMs();
  const finalFrom = froms.at(-1);
  const finalStage = instructions.filter((i) => i.getRange().start.line > finalFrom.getRange().start.line);
  const one = (keyword) => {
    const found = finalStage.filter((i) => i.getKeyword() === keyword);
    assert.equal(found.length, 1, `one ${keyword} in the final stage`);
    return found[0];
  };
  const raw = (instruction) => instruction.getRawArgumentsContent().replace(/\\\n/g, " ");

  test("lints clean at the strictest settings", () => {
    const strict = {
      deprecatedMaintainer: 2,
      directiveCasing: 2,
      emptyContinuationLine: 2,
      instructionCasing: 2,
      instructionCmdMultiple: 2,
      instructionEntrypointMultiple: 2,
      instructionHealthcheckMultiple: 2,
      instructionJSONInSingleQuotes: 2,
      instructionWorkdirRelative: 2,
    };
    const problems = validate(DOCKERFILE, strict).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    assert.deepEqual(problems, []);
  });

  test("builds the widget and then the server in a builder stage, keeping only the binary", () => {
    assert.ok(froms.length >= 2, "multi-stage");
    const builder = froms.find((f) => f.getBuildStage() === "builder");
    assert.ok(builder, "a stage named builder");
    assert.equal(builder.getImageName(), "rust");
    const runs = instructions.filter((i) => i.getKeyword() === "RUN").map(raw);
    assert.ok(runs.some((r) => r.includes("rustup target add wasm32-unknown-unknown")));
    assert.ok(runs.some((r) => r.trim() === "cargo xtask build-server"), "xtask knows the build order");
    const copies = finalStage.filter((i) => i.getKeyword() === "COPY");
    assert.deepEqual(
      copies.map((c) => [c.getFromFlag()?.getValue(), ...c.getArguments().map((a) => a.getValue())]),
      [["builder", "/src/target/release/lojal-server", "/usr/local/bin/lojal-server"]],
      "the final stage takes the binary alone",
    );
  });

  test("runs on a slim Debian as an unprivileged user, with its data in a volume", () => {
    assert.equal(finalFrom.getImage(), "debian:bookworm-slim");
    const installs = finalStage.filter((i) => i.getKeyword() === "RUN").map(raw).join(" ");
    const packages = installs.match(/apt-get install -y --no-install-recommends ([^&]+)/)[1].trim().split(/\s+/);
    assert.deepEqual(packages, ["ca-certificates"], "nothing else installed");
    assert.match(installs, /rm -rf \/var\/lib\/apt\/lists\/\*/, "no package lists left in the image");
    const user = one("USER").getArguments()[0].getValue();
    assert.ok(!/^(root|0)(:|$)/.test(user), `USER ${user}`);
    assert.match(user, /^[1-9][0-9]*:[1-9][0-9]*$/, "numeric, so runAsNonRoot can check it");
    assert.match(installs, new RegExp(`useradd --system --uid ${user.split(":")[0]} `), "the user exists");
    assert.deepEqual(one("VOLUME").getArguments().map((a) => a.getValue()), ["/data"]);
    assert.match(installs, /chown lojal:lojal \/data/, "the user owns its data");
    assert.deepEqual(one("ENV").getProperties().map((p) => [p.getName(), p.getValue()]), [["DATABASE_URL", "sqlite:///data/lojal.db"]]);
    assert.deepEqual(one("EXPOSE").getArguments().map((a) => a.getValue()), ["8080"]);
    assert.deepEqual(one("CMD").getJSONStrings().map((s) => s.getJSONValue()), ["lojal-server", "serve", "--addr", "0.0.0.0:8080"]);
  });

  test("installs the wasm-bindgen-cli of Cargo.lock", () => {
    const run = instructions.filter((i) => i.getKeyword() === "RUN").map(raw).find((r) => r.includes("wasm-bindgen-cli"));
    const prefix = "cargo install wasm-bindgen-cli --version ";
    assert.ok(run.startsWith(prefix), run);
    // The step's own shell words, with printf in place of cargo install.
    const version = execFileSync("sh", ["-c", `printf %s ${run.slice(prefix.length)}`], { cwd: ROOT, encoding: "utf8" });
    const lock = readFileSync(join(ROOT, "Cargo.lock"), "utf8");
    const locked = lock.match(/^name = "wasm-bindgen"\nversion = "([^"]+)"$/m)[1];
    assert.equal(version, locked);
  });

  test("its build context has the sources and none of the build's leftovers", () => {
    const patterns = readFileSync(join(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    assert.ok(!patterns.some((p) => p.startsWith("!")), "this check reads no exceptions");
    // Docker's matching (Go's filepath.Match): `*` within a path segment, and a
    // pattern that matches a folder leaves out all it holds.
    const regexes = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}(/|$)`));
    const ignored = (path) => regexes.some((r) => r.test(path));
    for (const path of ["target/release/lojal-server", "node_modules/binaryen/package.json", "pkg/lojal_wasm_bg.wasm", "pkg/lojal_wasm.js", ".git/HEAD", "demo.db"]) {
      assert.ok(ignored(path), `${path} left out`);
    }
    const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
    assert.ok(tracked.includes("pkg/widget.js"));
    assert.deepEqual(tracked.filter(ignored), [], "every file in the repository goes into the context");
    // What the builder copies by name is there.
    for (const copy of instructions.filter((i) => i.getKeyword() === "COPY" && !i.getFromFlag())) {
      for (const source of copy.getArguments().slice(0, -1).map((a) => a.getValue())) {
        assert.ok(source === "." || tracked.includes(source), `COPY ${source}`);
      }
    }
  });

  test("its command serves the built-in widget from an empty folder as its user, passes its health check, and stops on its signal", async () => {
    const [cmd, ...args] = one("CMD").getJSONStrings().map((s) => s.getJSONValue());
    assert.equal(cmd, "lojal-server");
    const env = Object.fromEntries(one("ENV").getProperties().map((p) => [p.getName(), p.getValue()]));
    const data = dataFolder("docker-data");
    env.DATABASE_URL = env.DATABASE_URL.replace("/data/", `${data}/`);
    const port = "8080";
    const argv = [cmd, ...args.map((a) => a.replace(`0.0.0.0:${port}`, "127.0.0.1:0"))];
    const server = await start(argv, env, data, { user: 65534 });
    try {
      await assertServesTheWidget(server.api);
      const health = one("HEALTHCHECK");
      const check = JSON.parse(raw(health).replace(/^.*?CMD\s+/s, ""));
      assert.equal(check[0], "bash");
      const actualPort = new URL(server.api).port;
      const probe = spawnSync(check[0], check.slice(1).map((a) => a.replaceAll(`127.0.0.1/${port}`, `127.0.0.1/${actualPort}`)), {
        timeout: 5000,
      });
      assert.equal(probe.status, 0, `the health check: ${probe.stderr}`);
      // And it fails when the server does not answer 200 there.
      const wrong = spawnSync(check[0], check.slice(1).map((a) => a.replaceAll(`127.0.0.1/${port}`, `127.0.0.1/${actualPort}`).replace("/healthz", "/nope")), {
        timeout: 5000,
      });
      assert.notEqual(wrong.status, 0, "the health check tells a 404 from a 200");
      const signal = one("STOPSIGNAL").getArguments()[0].getValue();
      await assertStopsCleanly(server, signal, 10);
    } finally {
      server.child.kill("SIGKILL");
    }
  });
});

describe("the systemd unit", () => {
  const analyze = spawnSync("systemd-analyze", ["--version"]);
  const skip = analyze.error ? "systemd-analyze is not installed" : false;
  const service = Object.fromEntries(
    UNIT.split("\n")
      .filter((l) => /^[A-Za-z]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );

  /** The unit, its binary moved to the copy this test runs. */
  function unitCopy() {
    const dir = join(work, "unit");
    mkdirSync(dir, { recursive: true });
    const path = join(dir, "lojal.service");
    writeFileSync(path, UNIT.replaceAll("/usr/local/bin/lojal-server", binary));
    return path;
  }

  test("systemd-analyze verify finds nothing to say", { skip }, () => {
    const result = spawnSync("systemd-analyze", ["verify", unitCopy()], { encoding: "utf8" });
    // verify exits 0 on unknown keys and bad values, saying so on stderr.
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr.trim(), "");
  });

  test("is hardened: systemd-analyze security rates its exposure at most 2.0 of 10", { skip }, () => {
    const result = spawnSync("systemd-analyze", ["security", "--offline=yes", "--threshold=20", "--no-pager", unitCopy()], {
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stdout.split("\n").slice(-3).join("\n") + result.stderr);
  });

  test("runs as its own user with its state directory, and restarts on failure", () => {
    assert.equal(service.User, "lojal");
    assert.equal(service.StateDirectory, "lojal");
    assert.equal(service.WorkingDirectory, "/var/lib/lojal");
    assert.equal(service.Restart, "on-failure");
    assert.equal(service.NoNewPrivileges, "yes");
    assert.equal(service.ProtectSystem, "strict");
    assert.equal(service.Environment, "DATABASE_URL=sqlite:///var/lib/lojal/lojal.db");
    assert.match(service.ExecStart, /^\/usr\/local\/bin\/lojal-server serve /);
  });

  test("its command serves the built-in widget from its state directory, and stops on its signal", async () => {
    const state = dataFolder("var-lib-lojal");
    const [name, value] = [service.Environment.slice(0, service.Environment.indexOf("=")), service.Environment.slice(service.Environment.indexOf("=") + 1)];
    const env = { [name]: value.replace("/var/lib/lojal/", `${state}/`) };
    const argv = service.ExecStart.split(/\s+/).map((a) => a.replace("127.0.0.1:8080", "127.0.0.1:0"));
    const server = await start(argv, env, state, { user: 65534 });
    try {
      await assertServesTheWidget(server.api);
      assert.equal((await fetch(`${server.api}/healthz`)).status, 200);
      await assertStopsCleanly(server, service.KillSignal, Number(service.TimeoutStopSec));
    } finally {
      server.child.kill("SIGKILL");
    }
    assert.ok(readFileSync(join(state, "lojal.db")).length > 0, "the database is in the state directory");
  });
});
