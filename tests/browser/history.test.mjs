// Issue 20, "why a balance moved": the account view's history words every
// row in the shopper's language with its detail: the order, a refund of it
// with the amount and rate of an order in another currency, the reward
// redeemed and the merchant's note on an adjustment.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, firstEvent, htmlPage, launchBrowser, merchant, openPage, scriptTag, startDemo } from "./harness.mjs";

let server;
let browser;

const PROGRAM = {
  earn: { points_per_unit: 1 },
  tiers: [{ id: "bronze", name: "Brons", threshold: 0 }],
  rewards: [{ id: "coffee", title: "Gratis kaffe", cost: 50, kind: "free_product" }],
  time_zone: "Europe/Stockholm",
  rates: { EUR: "11.50" },
};

before(async () => {
  server = await startDemo();
  browser = await launchBrowser();
  await merchant(server, "PUT", "/program", PROGRAM);
});

after(async () => {
  await browser?.close();
  server?.stop();
});

describe("the history in plain words", () => {
  test("every row says why the balance moved, in Swedish, with its detail", async () => {
    // 12.00 EUR at 11.50: 138 points; half refunded; a coffee; a goodwill note.
    await merchant(server, "POST", "/orders", { id: "h-1", customer: "hedda", total: 1200, currency: "EUR" });
    await merchant(server, "POST", "/orders/h-1/refund", { amount: 600 });
    await merchant(server, "POST", "/customers/hedda/adjustments", { points: 20, note: "Ursäkta förseningen" });
    server.addPage("history.html", htmlPage("Konto", scriptTag(server, { customer: "hedda", attrs: { locale: "sv" } }),
      `<lojal-widget view="account" id="account"></lojal-widget>`));
    const { page, context, problems } = await openPage(browser, `${server.storefront}/history.html`, server);
    await firstEvent(page, "lojal:ready");
    const rows = page.locator("#account [part=history] li .title");
    await rows.first().waitFor();
    const texts = await rows.allTextContents();
    assert.equal(texts.length, 3, texts.join(" | "));
    assert.equal(texts[0], "Justering: Ursäkta förseningen");
    assert.match(texts[1], /^Återbetalning av order h-1 \(6,00\s€ till 11,50 SEK per EUR\)$/u);
    assert.match(texts[2], /^Köp, order h-1 \(12,00\s€ till 11,50 SEK per EUR\)$/u);
    assert.deepEqual(problems, []);
    await page.screenshot({ path: join(ARTIFACTS, "history-sv.png"), fullPage: true });
    await context.close();
  });
});
