// Shared set-up of the browser tests: a real lojal-server (the demo shop on
// a fresh SQLite file, on ephemeral loopback ports) and headless Chromium.

import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

export const ROOT = resolve(import.meta.dirname, "../..");
export const ARTIFACTS = join(ROOT, "tests/artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

/** Starts `lojal-server demo`; resolves once both origins are listening. */
export async function startDemo() {
  const dir = mkdtempSync(join(tmpdir(), "lojal-browser-"));
  // The storefront serves a copy of www/, so a test can add pages of its own
  // that load from the shop's origin like the real page.
  const www = join(dir, "www");
  cpSync(join(ROOT, "www"), www, { recursive: true });
  const binary = resolve(ROOT, process.env.LOJAL_SERVER ?? "target/debug/lojal-server");
  const child = spawn(
    binary,
    [
      "demo",
      "--addr", "127.0.0.1:0",
      "--storefront-addr", "127.0.0.1:0",
      "--db", `sqlite://${join(dir, "demo.db")}`,
      "--assets", join(ROOT, "pkg"),
      "--www", www,
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: "warn" } },
  );
  let log = "";
  child.stderr.on("data", (chunk) => (log += chunk));
  const origins = await new Promise((resolveOrigins, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start in 120 s:\n${out}\n${log}`)), 120_000);
    child.on("exit", (code) => reject(new Error(`server exited (${code}):\n${out}\n${log}`)));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const api = out.match(/Lojal API on (http:\/\/\S+)/);
      const shop = out.match(/Demo storefront: (http:\/\/\S+?)\/?\s/);
      if (api && shop) {
        clearTimeout(timer);
        resolveOrigins({ api: api[1], storefront: shop[1] });
      }
    });
  });
  return {
    ...origins,
    /** Serves `html` at `${storefront}/${name}`. */
    addPage: (name, html) => writeFileSync(join(www, name), html),
    stop: () => child.kill("SIGTERM"),
    log: () => log,
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}

/**
 * Opens `url` in a fresh page that records console errors, uncaught errors
 * and the requests made to the API.
 */
export async function openPage(browser, url, { api } = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const page = await context.newPage();
  const problems = [];
  const apiRequests = [];
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("request", (request) => {
    if (api && request.url().startsWith(`${api}/v1/`)) apiRequests.push(`${request.method()} ${request.url()}`);
  });
  await page.goto(url);
  return { page, context, problems, apiRequests };
}

/** The text of the first element matching `selector` in the widget's shadow root. */
export async function widgetText(page, selector) {
  return page.evaluate((selector) => {
    const host = document.querySelector("lojal-widget");
    const node = host?.shadowRoot?.querySelector(selector);
    return node ? node.textContent : null;
  }, selector);
}
