// The inline views a merchant places in their own pages: earn on product
// pages, cart, progress and account; all views of a page share one request
// and stay in step.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, launchBrowser, openPage, standingOf, startDemo } from "./harness.mjs";

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

/** The text of every `view` element's shadow body, by the element's selector. */
function viewText(page, selector) {
  return page.evaluate((selector) => {
    const el = document.querySelector(selector);
    return el?.shadowRoot?.querySelector(".body")?.textContent ?? null;
  }, selector);
}

const widgetGets = (requests) => requests.filter((r) => r.startsWith("GET ") && new URL(r.slice(4)).pathname.endsWith("/widget"));

describe("views in the merchant's pages", () => {
  test("product page: each product says what it earns, at the member's tier, from one request", async () => {
    const { page, context, problems, apiRequests } = await openPage(browser, `${server.storefront}/?locale=en`, server);
    await page.waitForFunction(() => document.querySelectorAll("lojal-widget[view=earn]")[5]?.shadowRoot?.textContent.includes("Earn"));
    const data = await standingOf(server, page);
    const multiplier = data.tiers.find((t) => t.id === data.customer.tier.id).multiplier;
    assert.ok(multiplier > 1, "the demo member holds a tier with a bonus");
    const products = await page.$$eval("lojal-widget[view=earn]", (els) =>
      els.map((e) => ({ price: Number(e.getAttribute("price")), category: e.getAttribute("category") })),
    );
    const texts = await page.$$eval("lojal-widget[view=earn]", (els) => els.map((e) => e.shadowRoot.textContent));
    // The demo's running campaign doubles points on fruit and vegetables.
    const [campaign] = data.campaigns;
    assert.deepEqual(campaign.categories, ["Fruit & vegetables"]);
    let doubled = 0;
    products.forEach(({ price, category }, i) => {
      const boost = campaign.categories.includes(category) ? campaign.multiplier : 1;
      doubled += boost > 1;
      // Rounded down once, after the multipliers, exactly as the order will be.
      const expected = Math.floor((price * Math.round(multiplier * boost * 100)) / 10000);
      assert.equal(texts[i], `Earn ${expected} points${boost > 1 ? campaign.title : ""}`);
    });
    assert.equal(doubled, 2, "two of the six products are fruit or vegetables");
    const progress = await viewText(page, "lojal-widget[view=progress]");
    assert.ok(progress.includes(`points to ${data.customer.next_tier.name}`), progress);
    assert.equal(widgetGets(apiRequests).length, 1, `one request for 8 elements: ${apiRequests}`);
    assert.deepEqual(problems, []);
    await page.screenshot({ path: join(ARTIFACTS, "views-product-member-en.png"), fullPage: true });

    // A single-page app changes the price: the view follows, without a request.
    await page.evaluate(() => document.querySelector("lojal-widget[view=earn]").setAttribute("price", "100000"));
    await page.waitForFunction(() => document.querySelector("lojal-widget[view=earn]").shadowRoot.textContent !== "");
    assert.equal(await viewText(page, "lojal-widget[view=earn]"), `Earn ${Math.floor((100000 * Math.round(multiplier * 100)) / 10000).toLocaleString("en")} points`);
    assert.equal(widgetGets(apiRequests).length, 1);
    await context.close();
  });

  test("product page for a guest: join and earn, with the join link", async () => {
    const { page, context, problems } = await openPage(browser, `${server.storefront}/?as=guest&locale=sv`, server);
    await page.waitForFunction(() => document.querySelector("lojal-widget[view=earn]")?.shadowRoot?.querySelector("a"));
    const link = page.locator("lojal-widget[view=earn] a").first();
    assert.equal(await link.textContent(), "Bli medlem och få 14 poäng");
    assert.equal(await link.getAttribute("href"), "/?as=newcomer&locale=sv");
    assert.equal(await viewText(page, "lojal-widget[view=progress]"), "Bli medlem och samla poäng");
    assert.deepEqual(problems, []);
    await page.screenshot({ path: join(ARTIFACTS, "views-product-guest-sv.png") });
    await context.close();
  });

  test("cart page: what the cart earns, the way to the next tier, a reward to use; views stay in step after redeeming", async () => {
    const { page, context, problems, apiRequests } = await openPage(browser, `${server.storefront}/cart.html?as=cust-7&locale=en`, server);
    await page.waitForFunction(() => document.querySelector("#cart-rewards")?.shadowRoot?.textContent.includes("This order earns"));
    // The view shows the cart at once; the server's copy follows the PUT.
    let data = await standingOf(server, page);
    for (let i = 0; i < 50 && !data.cart; i++) {
      await new Promise((r) => setTimeout(r, 100));
      data = await standingOf(server, page);
    }
    const cartText = await viewText(page, "#cart-rewards");
    const total = 2 * 1490 + 3 * 7990 + 14900;
    const multiplier = data.tiers.find((t) => t.id === data.customer.tier.id).multiplier;
    const earns = Math.floor((total * Math.round(multiplier * 100)) / 10000);
    assert.ok(cartText.includes(`This order earns ${earns.toLocaleString("en")} points`), cartText);
    const next = data.customer.next_tier;
    if (next && earns < next.points_needed) {
      assert.ok(cartText.includes(`After this order: ${(next.points_needed - earns).toLocaleString("en")} points to ${next.name}`), cartText);
    }
    const best = data.rewards.filter((r) => r.redeemable).sort((a, b) => b.cost - a.cost)[0];
    assert.ok(best, "the member can afford a reward");
    assert.ok(cartText.includes(`You can use ${best.title} on this order`), cartText);
    // The cart reached the server (for the abandoned-cart nudge).
    assert.equal(data.cart.total, total);

    // Redeem from the cart view; the launcher's panel and the header follow.
    const requestsBefore = widgetGets(apiRequests).length;
    await page.locator("#cart-rewards [data-action=redeem]").click();
    await page.locator("#cart-rewards [data-action=confirm]").click();
    await page.locator("#cart-rewards .code-text").waitFor();
    const after = data.customer.points - best.cost;
    await page.locator("lojal-widget[launcher] .launcher").click();
    await page.waitForFunction(
      (n) => document.querySelector("lojal-widget[launcher]").shadowRoot.querySelector(".balance .n")?.textContent === n,
      after.toLocaleString("en"),
    );
    const panelCode = await page.locator("lojal-widget[launcher] [part=rewards] .code-text").textContent();
    assert.equal(panelCode, await page.locator("#cart-rewards .code-text").textContent(), "both views show the one code");
    assert.equal(widgetGets(apiRequests).length, requestsBefore + 1, "one refresh for every view");
    assert.deepEqual(problems, []);
    await page.screenshot({ path: join(ARTIFACTS, "views-cart-member-en.png") });
    await context.close();
  });

  test("account page: the full panel with the member's history in plain words", async () => {
    const { page, context, problems } = await openPage(browser, `${server.storefront}/account.html?locale=en`, server);
    await page.locator("#account-rewards [part=history] li").first().waitFor();
    const data = await standingOf(server, page);
    const rows = await page.locator("#account-rewards [part=history] li").allTextContents();
    assert.equal(rows.length, data.history.length);
    const first = data.history[0];
    const date = new Date(first.at).toLocaleDateString("en", { dateStyle: "medium" });
    assert.equal(rows[0], `Purchase, order ${first.order_id}${date}+${first.delta}`);
    assert.equal(await page.locator("#account-rewards .balance .n").textContent(), data.customer.points.toLocaleString("en"));
    assert.deepEqual(problems, []);
    await page.screenshot({ path: join(ARTIFACTS, "views-account-member-en.png"), fullPage: true });
    await context.close();
  });
});
