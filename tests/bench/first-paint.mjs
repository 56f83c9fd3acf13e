// Time to first paint: how long after the page's own first contentful paint
// a member's balance is on screen, and the widget's own main-thread time,
// over cold loads in headless Chromium against the real server. Two
// profiles: loopback, and Lighthouse's mobile profile (150 ms round trip,
// 1.6 Mbps down, 4x CPU slowdown, through the DevTools protocol:
// `Network.emulateNetworkConditions`, `Emulation.setCPUThrottlingRate`).
// Prints a Markdown section for BENCHMARKS.md.
//
// node tests/bench/first-paint.mjs [loads]     (LOJAL_SERVER: the server binary)
//
// With LOJAL_SERVER_BEFORE (another build of the server, e.g. from the
// commit before a change) both servers run and their loads alternate, so
// that one run, in the same minutes, gives the before and after rows.
//
// Nothing of the harness runs in the page while it loads: Playwright's
// `waitForFunction` or `evaluate` would inject its own script (about 200 ms
// of compiling at 4x CPU) into the page's main thread, in the middle of the
// widget's work. The page says it is done with a console message, and its
// marks are read through the protocol (`Runtime.evaluate`).

import { MOBILE_NETWORK, htmlPage, launchBrowser, merchant, scriptTag, startDemo } from "../browser/harness.mjs";

const loads = Number(process.argv[2] ?? 15);
/** The servers compared: `after` (LOJAL_SERVER) and, if given, `before`. */
const builds = { after: process.env.LOJAL_SERVER };
if (process.env.LOJAL_SERVER_BEFORE) builds.before = process.env.LOJAL_SERVER_BEFORE;
const servers = {};
for (const [name, binary] of Object.entries(builds)) {
  servers[name] = await startDemo({ binary });
  await merchant(servers[name], "POST", "/orders", { id: "fp-1", customer: "paula", total: 123400, currency: "SEK" });
}
const browser = await launchBrowser();

const PROFILES = {
  loopback: { network: null, cpu: 1 },
  mobile: { network: MOBILE_NETWORK, cpu: 4 },
};

const body = `<main><h1>Shop</h1><p>Products and prices.</p><lojal-widget id="w"></lojal-widget></main>`;
// Each page records when its content reached the screen: its own first
// contentful paint, and the frame in which the balance was first in the
// widget's shadow root (whoever drew it: the loader's first view, or the
// wasm); and when the wasm said it was ready.
const probe = `<script>
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === "first-contentful-paint") window.fcp = e.startTime;
  }).observe({ type: "paint", buffered: true });
  (function poll() {
    requestAnimationFrame(() => {
      const n = document.querySelector("#w")?.shadowRoot?.querySelector(".balance .n");
      if (n) window.balance = { at: performance.now(), text: n.textContent };
      // The page without the widget stops once it is parsed.
      else if (document.readyState === "loading" || document.querySelector("#w")) poll();
    });
  })();
  document.addEventListener("lojal:ready", () => { window.ready = performance.now(); });
  // Done: the harness hears it as a console message.
  (function done() {
    const widget = !!document.querySelector("#w");
    if (window.fcp !== undefined && (!widget || (window.balance && window.ready))) console.log("lojal-bench-done");
    else setTimeout(done, 50);
  })();
</script>`;
for (const server of Object.values(servers)) {
  server.addPage("fp-with.html", htmlPage("Shop", probe + scriptTag(server, { customer: "paula" }), body));
  server.addPage("fp-without.html", htmlPage("Shop", probe, body.replace('<lojal-widget id="w"></lojal-widget>', "")));
}

/** One cold load of `page` from `server` under `profile`: its paint times and main-thread time (ms). */
async function load(server, page, profile, withWidget) {
  // A new context each time: no cache, no connection reuse, a cold load.
  const context = await browser.newContext();
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await cdp.send("Performance.enable");
  if (profile.network) {
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", profile.network);
  }
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: profile.cpu });
  const done = tab.waitForEvent("console", { predicate: (m) => m.text() === "lojal-bench-done", timeout: 60_000 });
  await tab.goto(`${server.storefront}/${page}`);
  await done;
  await tab.waitForLoadState("load");
  // Let the last task (the wasm's render, the page's load) finish.
  await tab.waitForTimeout(300);
  const { result } = await cdp.send("Runtime.evaluate", {
    expression: "JSON.stringify({ fcp: window.fcp, balance: window.balance, ready: window.ready })",
    returnByValue: true,
  });
  const marks = JSON.parse(result.value);
  if (withWidget && marks.balance.text !== "1,234") throw new Error(`the balance on screen was ${marks.balance.text}`);
  const { metrics } = await cdp.send("Performance.getMetrics");
  const taskMs = metrics.find((m) => m.name === "TaskDuration").value * 1000;
  await context.close();
  return {
    fcp: marks.fcp,
    balanceAfterFcp: withWidget ? marks.balance.at - marks.fcp : null,
    readyAfterFcp: withWidget ? marks.ready - marks.fcp : null,
    taskMs,
  };
}

/** Every build's figures under `profile`, its loads alternating with the other build's. */
async function measure(profile) {
  const runs = { without: [] };
  for (const name of Object.keys(servers)) runs[name] = [];
  // Interleaved, so that a slow spell of the machine hits all pages alike.
  for (let i = 0; i < loads; i++) {
    runs.without.push(await load(servers.after, "fp-without.html", profile, false));
    for (const [name, server] of Object.entries(servers)) runs[name].push(await load(server, "fp-with.html", profile, true));
  }
  return Object.fromEntries(Object.keys(servers).map((name) => [name, summary(runs[name], runs.without)]));
}

function summary(withWidget, without) {
  const runs = { with: withWidget, without };
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const p95 = (values) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(0.95 * values.length))];
  const of = (list, key) => list.map((r) => r[key]);
  return {
    fcpWithout: median(of(runs.without, "fcp")),
    fcpWith: median(of(runs.with, "fcp")),
    balance: { median: median(of(runs.with, "balanceAfterFcp")), p95: p95(of(runs.with, "balanceAfterFcp")) },
    ready: { median: median(of(runs.with, "readyAfterFcp")), p95: p95(of(runs.with, "readyAfterFcp")) },
    mainThread: median(of(runs.with, "taskMs")) - median(of(runs.without, "taskMs")),
  };
}

const results = {};
try {
  // Warm the servers and the OS caches once, then measure.
  for (const server of Object.values(servers)) await load(server, "fp-with.html", PROFILES.loopback, true).catch(() => {});
  for (const [name, profile] of Object.entries(PROFILES)) results[name] = await measure(profile);
} finally {
  await browser.close();
  for (const server of Object.values(servers)) server.stop();
}

const ms = (v) => `${v.toFixed(1)} ms`;
const verdict = (ok) => (ok ? "**met**" : "**missed**");
const rows = Object.entries(results)
  .flatMap(([profile, byBuild]) =>
    Object.entries(byBuild).map(
      ([build, r]) =>
        `| ${profile}${builds.before ? `, ${build}` : ""} | ${ms(r.fcpWithout)} / ${ms(r.fcpWith)} | ${ms(r.balance.median)} | ${ms(r.balance.p95)} | ${ms(r.ready.median)} | ${ms(r.mainThread)} |`,
    ),
  )
  .join("\n");
const [loopback, mobile] = [results.loopback.after, results.mobile.after];
console.log(`## Time to first paint

Reproduce: \`${builds.before ? "LOJAL_SERVER_BEFORE=<the other build> " : ""}node tests/bench/first-paint.mjs ${loads}\` (after \`cargo xtask build-widget\` and a server build; \`cargo xtask bench\` does both).

${loads} cold loads per page and profile (a new browser context per load: no cache, no reused connection), headless Chromium, page and Lojal server on different ports (cross-origin, as in a real shop). Mobile: Lighthouse's profile through the DevTools protocol (150 ms round trip, 1.6 Mbps down, 750 kbps up, 4x CPU slowdown). Times are medians after the page's own first contentful paint, on the page with the widget; "balance" is the frame in which the member's balance is first in the widget (the loader's first view, drawn from the API's answer while the wasm downloads); "wasm ready" is \`lojal:ready\`. Main-thread time: Chromium's \`TaskDuration\` with the widget minus without (medians; at 4x on mobile). No harness script runs in the page while it loads (the page reports by a console message, its marks are read through \`Runtime.evaluate\`): Playwright's \`waitForFunction\`, used before, injected some 200 ms of script compiling at 4x into the page's main thread.${builds.before ? " The two builds' loads alternate." : ""}

| profile | FCP without / with the widget | balance after FCP | p95 | wasm ready after FCP | widget's main-thread time |
|---|---|---|---|---|---|
${rows}

Targets (issue 17): on loopback the balance within 50 ms of FCP, ${verdict(loopback.balance.median <= 50)}; on mobile within 450 ms, ${verdict(mobile.balance.median <= 450)}, and the widget's main-thread time at most 60 ms at 4x, ${verdict(mobile.mainThread <= 60)}.
`);
