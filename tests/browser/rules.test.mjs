// Issue 20's rules as a shopper meets them: the cart view's points picker
// (a slider in the reward's steps, by keyboard, saying the money off, then
// the code), the tier kept over a rolling year, and the guest view's
// pending points for a signed email hash.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { join } from "node:path";
import {
  ARTIFACTS, TEST_SHOP, axeViolations, firstEvent, htmlPage, launchBrowser, merchant, openLauncher, openPage, scriptTag, startDemo,
} from "./harness.mjs";

let server;
let browser;

const DAY = 86_400_000;
const PROGRAM = {
  earn: { points_per_unit: 1 },
  tiers: [
    { id: "bronze", name: "Brons", threshold: 0 },
    { id: "gold", name: "Guld", threshold: 1500 },
  ],
  rewards: [
    { id: "off", title: "Poäng som rabatt", cost: 100, kind: "points_off",
      points_off: { step_points: 100, step_value: 1000, max_share_percent: 50 } },
  ],
  tier_period: { kind: "rolling_12_months", grace_days: 30 },
  guest_points: { pending_days: 30 },
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

const shadow = (page, selector, read) =>
  page.evaluate(([selector, read]) => {
    const node = document.querySelector("#cart").shadowRoot.querySelector(selector);
    return node ? (read ? node.getAttribute(read) : node.textContent) : null;
  }, [selector, read]);

describe("program rules in the widget", () => {
  test("the cart view's points picker moves in steps by keyboard, says the money off and redeems the chosen points", async () => {
    await merchant(server, "POST", "/orders", { id: "po-1", customer: "ines", total: 74000, currency: "SEK" }); // 740 points
    server.addPage("points-off.html", htmlPage("Shop", scriptTag(server, { customer: "ines", attrs: { locale: "en" } }),
      `<lojal-widget view="cart" id="cart"></lojal-widget>`));
    const { page, context, problems } = await openPage(browser, `${server.storefront}/points-off.html`, server);
    await firstEvent(page, "lojal:ready");
    // A 119 kr cart: half is 59.50 kr, so at most 500 of the 740 points.
    await page.evaluate(() => document.querySelector("#cart").setCart([{ sku: "kaffe", qty: 2, price: 5950 }]));
    const range = page.locator("#cart [part=points-off] input[type=range]");
    await range.waitFor();
    assert.equal(await page.locator("#cart [data-action=redeem][data-arg=off]").count(), 0, "no one-button offer for it");
    assert.equal(await range.getAttribute("min"), "100");
    assert.equal(await range.getAttribute("max"), "500");
    assert.equal(await range.getAttribute("step"), "100");
    assert.equal(await shadow(page, "[part=points-off] label"), "Points to use", "the range has its label");
    assert.match(await shadow(page, "[part=points-off-amount]"), /^500 points = .*50.* off$/);
    // The keyboard moves it a step at a time; the words follow.
    await range.focus();
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    assert.equal(await range.inputValue(), "300");
    const said = await shadow(page, "[part=points-off-amount]");
    assert.match(said, /^300 points = .*30.* off$/);
    assert.equal(await range.getAttribute("aria-valuetext"), said);
    await page.locator("#cart [data-action=redeem-points]").click();
    await page.locator("#cart .code-text").waitFor();
    const code = await page.locator("#cart .code-text").textContent();
    const seen = await merchant(server, "GET", `/codes/${code}`);
    assert.equal(seen.kind, "points_off");
    assert.equal(seen.value, 3000);
    assert.equal(seen.points_spent, 300);
    assert.equal((await merchant(server, "GET", "/customers/ines")).points, 440);
    await page.locator("#cart").screenshot({ path: join(ARTIFACTS, "points-off-cart.png") });
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a member whose tier is at risk over the rolling year reads what keeps it", async () => {
    const old = new Date(Date.now() - 300 * DAY).toISOString().replace(/\.\d+Z$/, "Z");
    await merchant(server, "POST", "/orders", { id: "kt-1", customer: "jonas", total: 150000, currency: "SEK", created_at: old });
    server.addPage("keep.html", htmlPage("Shop", scriptTag(server, { customer: "jonas", attrs: { locale: "en" } })));
    const { page, context, problems } = await openPage(browser, `${server.storefront}/keep.html`, server);
    await openLauncher(page);
    const keep = page.locator("lojal-widget [part=keep-tier]");
    await keep.waitFor();
    assert.match(await keep.textContent(), /^Keep Guld: earn 1,500 more points by \w{3} \d+, \d{4}$/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a guest the shop knows by a signed email hash is told what joining brings", async () => {
    const hash = createHash("sha256").update("lisa@example.se").digest("hex");
    await merchant(server, "POST", "/orders", { id: "g-1", email_hash: hash, total: 24900, currency: "SEK" });
    const ts = Math.floor(Date.now() / 1000);
    const sig = createHmac("sha256", TEST_SHOP.secret).update(`${TEST_SHOP.id}:guest:${hash}:${ts}`).digest("hex");
    const attrs = { locale: "en", "guest-email-hash": hash, "guest-ts": ts, "guest-sig": sig };
    server.addPage("guest.html", htmlPage("Shop", scriptTag(server, { attrs })));
    const { page, context, problems } = await openPage(browser, `${server.storefront}/guest.html`, server);
    await openLauncher(page);
    const line = page.locator("lojal-widget [part=guest-points]");
    await line.waitFor();
    assert.equal(await line.textContent(), "Join now and get the 249 points from your last order");
    // A wrong signature shows nothing (and breaks nothing).
    const forged = { ...attrs, "guest-sig": "0".repeat(64) };
    server.addPage("guest-forged.html", htmlPage("Shop", scriptTag(server, { attrs: forged })));
    const other = await openPage(browser, `${server.storefront}/guest-forged.html`, server);
    await openLauncher(other.page);
    await other.page.locator("lojal-widget .guest").waitFor();
    assert.equal(await other.page.locator("lojal-widget [part=guest-points]").count(), 0);
    assert.deepEqual(problems, []);
    assert.deepEqual(other.problems, []);
    await other.context.close();
    await context.close();
  });
});
