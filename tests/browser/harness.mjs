// Shared set-up of the browser tests: a real lojal-server (the demo shop on
// a fresh SQLite file, on ephemeral loopback ports) and headless Chromium.

import { execFileSync, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { cpSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

export const ROOT = resolve(import.meta.dirname, "../..");
export const ARTIFACTS = join(ROOT, "tests/artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

/** The shop `startDemo` adds beside the demo shop, with a known secret. */
export const TEST_SHOP = { id: "test", secret: "5f0b3e8c2a7d91f46e1c8b5a3d07f92e6c4b1a8d3f5e7092b6c1d4a8e3f7b05c" };

/** The merchant's signature of a shopper (CONTRACT.md section 3). */
export function sign(secret, shop, customer, ts = Math.floor(Date.now() / 1000)) {
  const sig = createHmac("sha256", secret).update(`${shop}:${customer}:${ts}`).digest("hex");
  return { id: customer, ts, sig };
}

/** A merchant API call on the test shop. */
export async function merchant(server, method, path, body) {
  const response = await fetch(`${server.api}/v1/shops/${TEST_SHOP.id}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_SHOP.secret}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * A page on the shop's origin with the widget's script tag for the test
 * shop: `attrs` are extra data-* attributes, `customer` a signed shopper.
 */
export function scriptTag(server, { customer, attrs = {}, shop = TEST_SHOP } = {}) {
  const all = { shop: shop.id, ...attrs };
  if (customer) {
    const signed = sign(shop.secret, shop.id, customer);
    Object.assign(all, { customer: signed.id, "customer-ts": signed.ts, "customer-sig": signed.sig });
  }
  const data = Object.entries(all).map(([k, v]) => ` data-${k}="${String(v).replace(/"/g, "&quot;")}"`).join("");
  return `<script src="${server.api}/widget.js" async${data}></script>`;
}

export function htmlPage(title, head, body = "") {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="icon" href="data:,">${head}</head><body>${body}</body></html>`;
}

/**
 * Starts `lojal-server demo`; resolves once both origins are listening.
 * `log`: the server's RUST_LOG (`info` has one line per request, with its
 * method and route, readable through `log()`); `binary`: the server to run
 * (by default LOJAL_SERVER, else the debug build).
 */
export async function startDemo({ log: level = "warn", binary: chosen } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "lojal-browser-"));
  // The storefront serves a copy of www/, so a test can add pages of its own
  // that load from the shop's origin like the real page.
  const www = join(dir, "www");
  cpSync(join(ROOT, "www"), www, { recursive: true });
  const binary = resolve(ROOT, chosen ?? process.env.LOJAL_SERVER ?? "target/debug/lojal-server");
  const child = spawn(
    binary,
    [
      "demo",
      "--addr", "127.0.0.1:0",
      "--storefront-addr", "127.0.0.1:0",
      "--db", `sqlite://${join(dir, "demo.db")}`,
      // No --assets: the widget as the binary has it built in.
      "--www", www,
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: level } },
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
      const merchantPage = out.match(/Merchant page: (http:\/\/\S+)/);
      if (api && shop && merchantPage) {
        clearTimeout(timer);
        resolveOrigins({ api: api[1], storefront: shop[1], merchantPage: merchantPage[1] });
      }
    });
  });
  // A second shop whose secret the tests know, for pages they build.
  execFileSync(binary, [
    "shop", "add", "--id", TEST_SHOP.id, "--name", "Test shop", "--secret", TEST_SHOP.secret,
    "--origin", origins.storefront, "--db", `sqlite://${join(dir, "demo.db")}`,
  ]);
  return {
    ...origins,
    /** The storefront's folder (a copy of www/). */
    www,
    /** Serves `html` at `${storefront}/${name}`. */
    addPage: (name, html) => writeFileSync(join(www, name), html),
    // SIGKILL: a graceful shutdown could wait on a connection the browser
    // left open, and keep the test process alive. The data is thrown away.
    stop: () => {
      child.kill("SIGKILL");
      child.stdout.destroy();
      child.stderr.destroy();
    },
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

/** Lighthouse's mobile network, as `Network.emulateNetworkConditions` takes it. */
export const MOBILE_NETWORK = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1024 * 1024) / 8,
  uploadThroughput: (750 * 1024) / 8,
};

/** The desktop window the tests use, and a phone (an iPhone 14's CSS size, touch). */
export const DESKTOP = { viewport: { width: 1100, height: 760 } };
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/**
 * Opens `url` in a fresh page that records console errors, uncaught errors
 * and the requests made to the API. `context`: options of the browser
 * context (e.g. `{ ...PHONE, colorScheme: "dark" }`).
 */
export async function openPage(browser, url, { api, context: contextOptions } = {}) {
  const context = await browser.newContext({ ...DESKTOP, ...contextOptions });
  const page = await context.newPage();
  const problems = [];
  const apiRequests = [];
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  // Every lojal:* event from the very start of the page, so a test cannot
  // miss one that fired before it began to listen.
  await page.addInitScript(() => {
    window.lojalEvents = [];
    for (const name of ["lojal:ready", "lojal:error", "lojal:redeemed", "lojal:referral-copied"]) {
      document.addEventListener(name, (e) => window.lojalEvents.push({ type: name, detail: e.detail }));
    }
  });
  page.on("request", (request) => {
    if (api && request.url().startsWith(`${api}/v1/`)) apiRequests.push(`${request.method()} ${request.url()}`);
  });
  await page.goto(url);
  return { page, context, problems, apiRequests };
}

/** The text of the first element matching `selector` in any widget's shadow root. */
export async function widgetText(page, selector) {
  return page.evaluate((selector) => {
    for (const host of document.querySelectorAll("lojal-widget")) {
      const node = host.shadowRoot?.querySelector(selector);
      if (node) return node.textContent;
    }
    return null;
  }, selector);
}

/** Waits for the launcher, clicks it and waits for the panel. */
export async function openLauncher(page) {
  await page.waitForFunction(() => document.querySelector("lojal-widget[launcher]")?.shadowRoot?.querySelector(".launcher"));
  await page.locator("lojal-widget .launcher").click();
  await page.locator("lojal-widget .panel").waitFor({ state: "visible" });
}

/** The detail of the first `name` event the page has fired (waiting for one). */
export async function firstEvent(page, name) {
  await page.waitForFunction((name) => window.lojalEvents?.some((e) => e.type === name), name);
  return page.evaluate((name) => window.lojalEvents.find((e) => e.type === name).detail, name);
}

/** Resolves with the detail of the next `name` event on the document. */
export function nextEvent(page, name) {
  return page.evaluate(
    (name) => new Promise((resolve) => document.addEventListener(name, (e) => resolve(e.detail), { once: true })),
    name,
  );
}

/**
 * What the API says to the shopper the page signed in (the demo shop), read
 * with the page's own script tag signature. Fails on anything but a 200.
 */
export async function standingOf(server, page) {
  const attrs = await page.evaluate(() => {
    const s = document.querySelector("script[data-shop]");
    return { customer: s.dataset.customer, ts: s.dataset.customerTs, sig: s.dataset.customerSig };
  });
  const response = await fetch(`${server.api}/v1/shops/demo/widget`, {
    headers: { "X-Lojal-Customer": attrs.customer, "X-Lojal-Ts": attrs.ts, "X-Lojal-Sig": attrs.sig },
  });
  if (response.status !== 200) throw new Error(`the widget request answered ${response.status}`);
  return response.json();
}

const AXE = readFileSync(join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core (Deque's accessibility engine) on the whole page, open
 * shadow roots included; resolves with the serious and critical violations,
 * one line per element.
 */
export async function axeViolations(page) {
  // Evaluated, not a <script>: a page's Content Security Policy allows no inline script.
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ["violations"] });
    return results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id}: ${JSON.stringify(n.target)} ${n.failureSummary.replace(/\s+/g, " ")}`));
  });
}

/** Controls in any widget smaller than 44 by 44 CSS pixels (visible ones only). */
export async function smallTargets(page) {
  return page.evaluate(() => {
    const small = [];
    for (const host of document.querySelectorAll("lojal-widget")) {
      for (const el of host.shadowRoot?.querySelectorAll("button, a[href], select, input, textarea") ?? []) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (r.width < 44 || r.height < 44) {
          const where = host.getAttribute("view") ?? (host.hasAttribute("launcher") ? "launcher" : "panel");
          small.push(`${where}: <${el.localName} class="${el.className}"> "${el.textContent.trim().slice(0, 30)}" ${r.width.toFixed(1)}x${r.height.toFixed(1)}`);
        }
      }
    }
    return small;
  });
}

/** Resolves once every widget of the page has said `lojal:ready`. */
export async function allReady(page) {
  await page.waitForFunction(
    () =>
      document.querySelectorAll("lojal-widget").length > 0 &&
      window.lojalEvents.filter((e) => e.type === "lojal:ready").length >= document.querySelectorAll("lojal-widget").length,
  );
}
