// Issue 17: what stands between a shop's page and the member's balance on
// screen. Over a mobile network (150 ms round trip, 1.6 Mbps down, set
// through the DevTools protocol): one script from the Lojal server, one
// API request and no CORS preflight before the first render, which the
// loader draws from the API's answer while the wasm is still downloading;
// and at most 50 KB on the wire before it.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { MOBILE_NETWORK, htmlPage, launchBrowser, merchant, scriptTag, startDemo } from "./harness.mjs";

/** What may cross the network before the first render, in bytes. */
const FIRST_RENDER_BUDGET = 50_000;

let server;
let browser;

before(async () => {
  // `info`: one log line per request, so that a preflight would show.
  server = await startDemo({ log: "info" });
  browser = await launchBrowser();
  await merchant(server, "POST", "/orders", { id: "fr-1", customer: "frida", total: 123400, currency: "SEK" });
  // Records when the balance first reached the screen: the frame in which
  // it was first in a widget's shadow root.
  const probe = `<script>
    (function poll() {
      requestAnimationFrame(() => {
        const n = document.querySelector("#w")?.shadowRoot?.querySelector(".balance .n");
        if (n) window.firstRender = { at: performance.now(), text: n.textContent, byWasm: !!window.ready };
        else poll();
      });
    })();
    document.addEventListener("lojal:ready", () => { window.ready = performance.now(); });
  </script>`;
  const body = `<main><h1>Shop</h1><lojal-widget id="w"></lojal-widget></main>`;
  server.addPage("fr-member.html", htmlPage("Shop", probe + scriptTag(server, { customer: "frida" }), body));
  // A balance with two groups of digits, in each language the widget speaks.
  await merchant(server, "POST", "/orders", { id: "fr-2", customer: "greta", total: 123456700, currency: "SEK" });
  for (const locale of ["en", "sv", "da"]) {
    const tag = scriptTag(server, { customer: "greta", attrs: { locale } });
    server.addPage(`fr-greta-${locale}.html`, htmlPage("Shop", probe + tag, body));
  }
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** Opens `page` on an emulated mobile network; resolves with the page and every response's size on the wire. */
async function openOnMobileNetwork(page) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", MOBILE_NETWORK);
  const urls = new Map();
  const bytes = new Map();
  const methods = [];
  cdp.on("Network.requestWillBeSent", (e) => {
    urls.set(e.requestId, e.request.url);
    methods.push(`${e.request.method} ${e.request.url}`);
  });
  // On the wire: headers and the body as sent (compressed).
  cdp.on("Network.loadingFinished", (e) => bytes.set(urls.get(e.requestId), e.encodedDataLength));
  await tab.goto(`${server.storefront}/${page}`);
  return { tab, context, bytes, methods };
}

describe("the first render on a mobile network", () => {
  test("one script, one simple API request, the balance drawn before the wasm arrives, under 50 KB", async () => {
    const preflightsBefore = (server.log().match(/OPTIONS/g) ?? []).length;
    const { tab, context, bytes, methods } = await openOnMobileNetwork("fr-member.html");
    await tab.waitForFunction(() => window.firstRender && window.ready, null, { timeout: 30_000 });
    const first = await tab.evaluate(() => window.firstRender);
    assert.equal(first.text, "1,234", "the member's balance, in the page's language");
    assert.equal(first.byWasm, false, "drawn by the loader, before the wasm was ready");

    // Resource Timing tells, for the API origin's files, which had all
    // arrived when the balance was drawn (sizes come from the protocol).
    const resources = await tab.evaluate(
      (api) =>
        performance
          .getEntriesByType("resource")
          .filter((r) => r.name.startsWith(api))
          .map((r) => ({ url: r.name, initiator: r.initiatorType, end: r.responseEnd })),
      server.api,
    );
    const scripts = resources.filter((r) => r.initiator === "script");
    assert.deepEqual(scripts.map((r) => new URL(r.url).pathname), ["/widget.js"], "one script: no module or glue after it");
    const wasm = resources.find((r) => r.url.endsWith(".wasm"));
    assert.ok(wasm, `the wasm was fetched: ${JSON.stringify(resources)}`);
    assert.ok(first.at < wasm.end, `the balance (${first.at} ms) came before the wasm finished (${wasm.end} ms)`);

    const before = resources.filter((r) => r.end <= first.at);
    const onTheWay = before.reduce((sum, r) => sum + (bytes.get(r.url) ?? NaN), 0);
    const list = before.map((r) => `${new URL(r.url).pathname}: ${bytes.get(r.url)}`).join(", ");
    assert.ok(Number.isFinite(onTheWay), `every file before the first render has a size: ${list}`);
    assert.ok(onTheWay <= FIRST_RENDER_BUDGET, `${onTheWay} bytes before the first render (${list}), over ${FIRST_RENDER_BUDGET}`);
    console.log(`bytes before the first render: ${onTheWay} (${list})`);

    const apiCalls = methods.filter((m) => m.includes("/v1/"));
    assert.equal(apiCalls.length, 1, apiCalls.join("\n"));
    assert.match(apiCalls[0], /^GET .*\/widget\?locale=en&customer=frida&ts=\d+&sig=[0-9a-f]{64}$/);
    // A preflight never reaches a page's own events: the server's log says.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((server.log().match(/OPTIONS/g) ?? []).length, preflightsBefore, "no CORS preflight reached the server");
    assert.doesNotMatch(server.log(), /sig=/, "no signature in the server's log");

    // The wasm took over the same place, with the same figure.
    assert.equal(await tab.evaluate(() => document.querySelector("#w").shadowRoot.querySelector(".balance .n").textContent), "1,234");
    assert.equal(await tab.evaluate(() => document.querySelector("#w").shadowRoot.querySelector(".lojal-first")), null);
    await context.close();
  });
});

describe("the figures, written without Intl", () => {
  // The loader and the wasm group digits themselves (a page's first
  // Intl.NumberFormat costs some 65 ms of main thread): the text must be
  // what the browser's Intl writes, before and after the wasm takes over.
  for (const locale of ["en", "sv", "da"]) {
    test(`the balance reads as Intl.NumberFormat("${locale}") writes it`, async () => {
      const context = await browser.newContext();
      const tab = await context.newPage();
      await tab.goto(`${server.storefront}/fr-greta-${locale}.html`);
      await tab.waitForFunction(() => window.firstRender && window.ready, null, { timeout: 30_000 });
      const { first, intl, wasm } = await tab.evaluate((locale) => ({
        first: window.firstRender,
        intl: new Intl.NumberFormat(locale).format(1234567),
        wasm: document.querySelector("#w").shadowRoot.querySelector(".balance .n").textContent,
      }), locale);
      assert.equal(first.text, intl, "the loader's first view");
      assert.equal(wasm, intl, "the wasm's view");
      await context.close();
    });
  }
});
