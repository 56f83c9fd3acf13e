// The script tag on the demo storefront, in headless Chromium, against the
// real server: what a shopper sees.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, firstEvent, launchBrowser, openLauncher, openPage, standingOf, startDemo, widgetText } from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await startDemo();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

describe("the demo storefront with the script tag", () => {
  test("a signed-in member sees their balance and tier, fetched in one request", async () => {
    const { page, context, problems, apiRequests } = await openPage(browser, `${server.storefront}/?locale=sv`, server);
    await openLauncher(page);
    await page.locator("lojal-widget .balance").waitFor();
    const expected = (await standingOf(server, page)).customer;
    assert.ok(expected.points > 0, "the demo customer has points from the seeded orders");

    const balance = await widgetText(page, ".balance .n");
    const formatted = new Intl.NumberFormat("sv").format(expected.points);
    assert.equal(balance, formatted);
    assert.equal(await widgetText(page, ".tier strong"), expected.tier.name);
    const toNext = await widgetText(page, ".to-next");
    assert.equal(
      toNext,
      `${new Intl.NumberFormat("sv").format(expected.next_tier.points_needed)} poäng till ${expected.next_tier.name}`,
    );
    assert.deepEqual(await firstEvent(page, "lojal:ready"), { points: expected.points, tier: expected.tier.id });

    // The widget lives in a shadow root and is loaded cross-origin.
    assert.notEqual(new URL(server.api).origin, new URL(server.storefront).origin);
    assert.ok(await page.evaluate(() => !!document.querySelector("lojal-widget[launcher]").shadowRoot));
    // One request, a simple GET: the signed identity in its query string.
    assert.equal(apiRequests.length, 1, apiRequests.join("\n"));
    assert.match(apiRequests[0], /^GET .*\/v1\/shops\/demo\/widget\?locale=sv&customer=[^&]+&ts=\d+&sig=[0-9a-f]{64}$/);
    assert.deepEqual(problems, []);
    // The page holds the signature, never the secret.
    const html = await page.content();
    assert.ok(!/secret/i.test(html.replace(/shop's secret/g, "")), "no secret on the page");

    await page.screenshot({ path: join(ARTIFACTS, "demo-member-sv.png") });
    await context.close();
  });

  test("a guest sees how the program works and no balance", async () => {
    const { page, context, problems } = await openPage(browser, `${server.storefront}/?as=guest&locale=en`, server);
    await openLauncher(page);
    await page.locator("lojal-widget .intro").waitFor();
    assert.match(await widgetText(page, ".intro"), /Join our rewards program/);
    assert.equal(await widgetText(page, ".balance"), null);
    const tiers = await page.locator("lojal-widget [part=tiers] li").allTextContents();
    assert.deepEqual(tiers.map((t) => t.split("from")[0]), ["Brons", "Silver", "Guld", "Platina"]);
    assert.deepEqual(problems, []);
    await page.screenshot({ path: join(ARTIFACTS, "demo-guest-en.png") });
    await context.close();
  });

  test("the panel is a dialog: Escape closes it and focus returns to the launcher", async () => {
    const { page, context } = await openPage(browser, `${server.storefront}/`, server);
    await openLauncher(page);
    assert.equal(await page.locator("lojal-widget .launcher").getAttribute("aria-expanded"), "true");
    await page.keyboard.press("Escape");
    await page.locator("lojal-widget .panel").waitFor({ state: "hidden" });
    const focused = await page.evaluate(() => document.querySelector("lojal-widget[launcher]").shadowRoot.activeElement?.className);
    assert.equal(focused, "launcher");
    await context.close();
  });

  test("a tampered signature shows the guest view, not the customer's data", async () => {
    const { page, context, problems } = await openPage(browser, `${server.storefront}/`, server);
    const tag = await page.evaluate(() => {
      const s = document.querySelector("script[data-shop]");
      return { src: s.src, ts: s.dataset.customerTs, sig: s.dataset.customerSig };
    });
    // A page on the shop's origin that copies a real script tag but claims
    // to be another customer.
    server.addPage(
      "tampered.html",
      `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"></head><body>
        <script src="${tag.src}" async data-shop="demo" data-customer="cust-1"
          data-customer-ts="${tag.ts}" data-customer-sig="${tag.sig}"></script></body></html>`,
    );
    await page.goto(`${server.storefront}/tampered.html`);
    await openLauncher(page);
    await page.locator("lojal-widget .intro").waitFor();
    assert.equal(await widgetText(page, ".balance"), null);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the widget comes from the binary: widget.js briefly cached, its files by content hash for good", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const files = [];
    page.on("response", (response) => {
      const url = new URL(response.url());
      if (url.origin === server.api && !url.pathname.startsWith("/v1/")) files.push({ path: url.pathname, response });
    });
    await page.goto(`${server.storefront}/`);
    await openLauncher(page);
    const byPath = Object.fromEntries(files.map((f) => [f.path, f.response]));
    const paths = Object.keys(byPath).sort();
    // One script (loader, module and glue in one file) and the wasm.
    assert.equal(paths.length, 2, paths.join(" "));
    assert.match(paths[0], /^\/lojal_wasm_bg\.[0-9a-f]{16}\.wasm$/);
    assert.equal(paths[1], "/widget.js");
    for (const path of paths) {
      const headers = await byPath[path].allHeaders();
      assert.equal(byPath[path].status(), 200, path);
      assert.equal(headers["access-control-allow-origin"], "*", path);
      const cache = path === "/widget.js" ? "public, max-age=300" : "public, max-age=31536000, immutable";
      assert.equal(headers["cache-control"], cache, path);
    }
    assert.equal((await byPath[paths[0]].allHeaders())["content-type"], "application/wasm");
    await context.close();
  });
});
