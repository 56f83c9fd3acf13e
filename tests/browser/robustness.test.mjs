// The widget is a guest on the merchant's page: whatever the API does and
// whatever the page does, the page keeps working and nothing leaks either way.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join } from "node:path";
import {
  ARTIFACTS, launchBrowser, merchant, openLauncher, openPage, htmlPage, scriptTag, startDemo, widgetText,
} from "./harness.mjs";

let server;
let browser;
let mock;
let mockOrigin;

/** An API that misbehaves in the way its path's first segment says. */
function startMockApi() {
  return new Promise((resolve) => {
    mock = createServer((req, res) => {
      const cors = {
        "access-control-allow-origin": req.headers.origin ?? "*",
        "access-control-allow-headers": "x-lojal-customer, x-lojal-ts, x-lojal-sig, content-type",
        "access-control-allow-methods": "GET, POST, PUT",
      };
      if (req.method === "OPTIONS") return res.writeHead(204, cors).end();
      const mode = req.url.split("/")[1];
      if (mode === "slow") {
        setTimeout(() => res.writeHead(200, { ...cors, "content-type": "application/json" }).end("{}"), 5000);
      } else if (mode === "html") {
        res.writeHead(200, { ...cors, "content-type": "text/html" }).end("<html><body>Welcome to nginx!</body></html>");
      } else if (mode === "wrong-json") {
        res.writeHead(200, { ...cors, "content-type": "application/json" }).end('{"points": "lots"}');
      } else {
        res.writeHead(500, { ...cors, "content-type": "text/plain" }).end("Internal Server Error");
      }
    });
    mock.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${mock.address().port}`));
  });
}

before(async () => {
  server = await startDemo();
  browser = await launchBrowser();
  mockOrigin = await startMockApi();
  await merchant(server, "PUT", "/program", {
    earn: { points_per_unit: 1 },
    tiers: [{ id: "b", name: "<b>Bronze</b>", threshold: 0 }, { id: "s", name: "Silver", threshold: 5000 }],
    rewards: [{ id: "x", title: "<img src=x onerror=\"window.pwned=1\">", cost: 100, kind: "free_shipping" }],
  });
  await merchant(server, "POST", "/orders", { id: "x-1", customer: "xena", total: 20000, currency: "SEK" });
  // A product whose name is markup, bought by someone: popular, so recommended to xena.
  await merchant(server, "PUT", "/products", [
    { sku: "evil", name: '<img src=x onerror="window.pwned=2">Evil cake', category: "<b>Bakery</b>", price: 990, url: "javascript:alert(1)", image: "javascript:alert(2)" },
  ]);
  await merchant(server, "POST", "/orders", {
    id: "e-1", customer: "eve", total: 990, currency: "SEK", items: [{ sku: "evil", qty: 1, price: 990 }],
  });
});

after(async () => {
  await browser?.close();
  server?.stop();
  mock?.close();
});

/** A page whose own script counts ticks and has a button, to prove it keeps running. */
const HOST_SCRIPT = `<script>
  window.ticks = 0; setInterval(() => window.ticks++, 20);
  window.errors = []; document.addEventListener("lojal:error", (e) => window.errors.push(e.detail));
</script>`;
const HOST_BODY = `<button id="own" onclick="this.textContent='clicked'">Shop button</button>`;

describe("when the API fails", () => {
  const cases = [
    ["is down", () => "http://127.0.0.1:9", "unreachable"],
    ["is slow (5 s)", () => `${mockOrigin}/slow`, "unreachable"],
    ["answers HTML", () => `${mockOrigin}/html`, "bad_response"],
    ["answers JSON of another shape", () => `${mockOrigin}/wrong-json`, "bad_response"],
    ["answers 500", () => `${mockOrigin}/500`, "http_500"],
  ];
  for (const [what, api, code] of cases) {
    test(`the page carries on when the API ${what}`, async () => {
      const name = `fail-${code}-${what.length}.html`;
      server.addPage(name, htmlPage("Shop", HOST_SCRIPT + scriptTag(server, { customer: "xena", attrs: { api: api() } }), HOST_BODY));
      const { page: p, context, problems } = await openPage(browser, `${server.storefront}/${name}`, server);
      await p.waitForFunction(() => window.errors.length > 0, null, { timeout: 10_000 });
      const [error] = await p.evaluate(() => window.errors);
      assert.equal(error.code, code);
      assert.ok(error.message.length > 0);
      await openLauncher(p);
      assert.equal(await widgetText(p, "[part=fallback]"), "Rewards are unavailable right now.");
      const ticks = await p.evaluate(() => window.ticks);
      await p.waitForFunction((t) => window.ticks > t + 5, ticks);
      await p.click("#own");
      assert.equal(await p.textContent("#own"), "clicked");
      // A failed fetch is logged by the browser itself ("Failed to load
      // resource"); nothing of the widget's own may reach the console.
      const ours = problems.filter((line) => !line.includes("Failed to load resource"));
      assert.deepEqual(ours, []);
      assert.ok(problems.every((line) => !line.startsWith("uncaught")));
      await context.close();
    });
  }
});

describe("hostile data and hostile pages", () => {
  test("markup in reward titles and tier names shows as text and runs nothing", async () => {
    server.addPage("xss.html", htmlPage("Shop", scriptTag(server, { customer: "xena" })));
    const { page: p, context, problems } = await openPage(browser, `${server.storefront}/xss.html`, server);
    await openLauncher(p);
    await p.locator("lojal-widget [part=rewards] li").waitFor();
    assert.equal(await p.locator("lojal-widget [part=rewards] .title").textContent(), '<img src=x onerror="window.pwned=1">');
    assert.equal(await p.locator("lojal-widget img").count(), 0);
    assert.equal(await widgetText(p, ".tier strong"), "<b>Bronze</b>");
    // A product name and category of markup, with javascript: links, in the recommendations.
    await p.locator("lojal-widget [part=recommendations] li").first().waitFor();
    const product = p.locator("lojal-widget [part=recommendations] li").first();
    assert.equal(await product.locator(".title").textContent(), '<img src=x onerror="window.pwned=2">Evil cake');
    assert.equal(await product.locator(".reason").textContent(), "Popular in <b>Bakery</b>");
    assert.equal(await product.locator("a").count(), 0, "a javascript: URL is not made a link");
    assert.equal(await product.locator("img").count(), 0, "nor an image");
    assert.equal(await p.evaluate(() => window.pwned), undefined);
    assert.deepEqual(problems, []);
    await p.screenshot({ path: join(ARTIFACTS, "hostile-titles.png") });
    await context.close();
  });

  test("a page with `* { all: unset }` and huge fonts does not reach into the widget", async () => {
    const css = `<style>* { all: unset; } html { font-size: 60px; } body { font: 48px/3 "Comic Sans MS"; color: red; }
      button { background: yellow !important; font-size: 80px !important; }</style>`;
    server.addPage("hostile.html", htmlPage("Shop", css + scriptTag(server, { customer: "xena" }), "<p>Shop text</p>"));
    const { page: p, context, problems } = await openPage(browser, `${server.storefront}/hostile.html`, server);
    await openLauncher(p);
    await p.locator("lojal-widget .balance").waitFor();
    const style = await p.evaluate(() => {
      const n = document.querySelector("lojal-widget").shadowRoot.querySelector(".balance .n");
      const launcher = document.querySelector("lojal-widget").shadowRoot.querySelector(".launcher");
      return { size: getComputedStyle(n).fontSize, color: getComputedStyle(n).color, button: getComputedStyle(launcher).fontSize };
    });
    assert.deepEqual(style, { size: "34px", color: "rgb(29, 36, 33)", button: "15px" });
    assert.deepEqual(problems, []);
    await p.screenshot({ path: join(ARTIFACTS, "hostile-css.png") });
    await context.close();
  });

  test("a page with a strict Content Security Policy still shows the widget", async () => {
    // The minimal policy the widget needs, as SECURITY.md states it.
    const csp = `default-src 'none'; script-src ${server.api} 'wasm-unsafe-eval'; connect-src ${server.api}; img-src ${server.api} data:`;
    const head = `<meta http-equiv="Content-Security-Policy" content="${csp}">
      <script src="data:text/javascript,window.ranInline=1"></script>` + scriptTag(server, { customer: "xena" });
    server.addPage("csp.html", htmlPage("Shop", head));
    const { page: p, context, problems } = await openPage(browser, `${server.storefront}/csp.html`, server);
    await p.evaluate(() => {
      window.violations = [];
      document.addEventListener("securitypolicyviolation", (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await openLauncher(p);
    await p.locator("lojal-widget .balance").waitFor();
    assert.equal(await widgetText(p, ".balance .n"), "200");
    // The policy is in force (the page's own data: script was blocked) ...
    assert.equal(await p.evaluate(() => window.ranInline), undefined);
    // ... and the widget broke none of it, styles included.
    const violations = await p.evaluate(() => window.violations.filter((v) => !v.includes("data")));
    assert.deepEqual(violations, []);
    const styled = await p.evaluate(() => getComputedStyle(document.querySelector("lojal-widget").shadowRoot.querySelector(".launcher")).borderRadius);
    assert.equal(styled, "999px");
    assert.ok(problems.every((line) => !line.startsWith("uncaught")), problems.join("\n"));
    await context.close();
  });

  test("the launcher's corner and words are the merchant's to choose", async () => {
    server.addPage("left.html", htmlPage("Shop", scriptTag(server, { customer: "xena", attrs: { position: "left", "launcher-label": "Bonus" } })));
    const { page: p, context } = await openPage(browser, `${server.storefront}/left.html`, server);
    await openLauncher(p);
    assert.equal(await p.locator("lojal-widget .launcher").textContent(), "Bonus");
    const box = await p.locator("lojal-widget[launcher]").boundingBox();
    assert.ok(box.x < 100, `on the left: ${JSON.stringify(box)}`);
    await context.close();
  });

  test("two copies of the script on one page make one launcher", async () => {
    const tag = scriptTag(server, { customer: "xena" });
    server.addPage("twice.html", htmlPage("Shop", tag + tag));
    const { page: p, context, problems } = await openPage(browser, `${server.storefront}/twice.html`, server);
    await openLauncher(p);
    await p.locator("lojal-widget .balance").waitFor();
    await p.waitForTimeout(300);
    assert.equal(await p.locator("lojal-widget").count(), 1);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a single-page app can remove and re-add the element", async () => {
    server.addPage("spa.html", htmlPage("Shop", scriptTag(server, { customer: "xena" }), `<lojal-widget id="w"></lojal-widget>`));
    const { page: p, context, problems, apiRequests } = await openPage(browser, `${server.storefront}/spa.html`, server);
    await p.locator("lojal-widget .balance").waitFor();
    for (let i = 0; i < 5; i++) {
      await p.evaluate(() => {
        const w = document.querySelector("#w");
        w.remove();
        document.body.appendChild(w);
      });
    }
    // Moved in one go: still the same live widget, no new request.
    await p.evaluate(() => {
      const w = document.querySelector("#w");
      w.remove();
      window.detached = w;
    });
    await p.waitForTimeout(100);
    await p.evaluate(() => {
      const fresh = document.createElement("lojal-widget");
      document.body.appendChild(fresh);
    });
    await p.locator("lojal-widget .balance").waitFor();
    assert.equal(await widgetText(p, ".balance .n"), "200");
    assert.equal(apiRequests.length, 2, `one request per mount: ${apiRequests}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
