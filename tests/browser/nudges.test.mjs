// A member's recommendations and each kind of nudge, in the widget.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, htmlPage, launchBrowser, merchant, openLauncher, openPage, scriptTag, startDemo } from "./harness.mjs";

let server;
let browser;
const DAY = 86_400_000;
const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, "Z");

before(async () => {
  server = await startDemo();
  browser = await launchBrowser();
  await merchant(server, "PUT", "/program", {
    earn: { points_per_unit: 1 },
    tiers: [{ id: "bronze", name: "Bronze", threshold: 0 }, { id: "gold", name: "Gold", threshold: 1000, multiplier: 1.5 }],
    rewards: [{ id: "coffee", title: "A free coffee", cost: 400, kind: "free_product" }],
    expiry: { after_months: 12 },
    nudges: { abandoned_cart_after_hours: 0, win_back_after_days: 60, win_back_reward_id: "coffee", next_tier_within: 0.2 },
  });
  await merchant(server, "PUT", "/products", [
    { sku: "pasta", name: "Pasta", category: "Pantry", price: 1990, url: "/p/pasta" },
    { sku: "sauce", name: "Tomato sauce", category: "Pantry", price: 2490, url: "/p/sauce" },
    { sku: "basil", name: "Basil", category: "Herbs", price: 1490, url: "/p/basil" },
    { sku: "milk", name: "Milk", category: "Dairy", price: 1490, url: "/p/milk" },
    // A sku that must be URL-encoded in the widget's request.
    { sku: "oil & salt/1", name: "Olive oil & salt", category: "Pantry", price: 5990, url: "/p/oil" },
    { sku: "bread", name: "Bread", category: "Bakery", price: 2990, url: "/p/bread" },
  ]);
  const order = (id, customer, total, skus, created_at) =>
    merchant(server, "POST", "/orders", {
      id, customer, total, currency: "SEK", created_at,
      items: skus.map((sku) => ({ sku, qty: 1, price: Math.floor(total / skus.length) })),
    });
  for (let i = 0; i < 4; i++) await order(`h-${i}`, `h${i}`, 6000, ["pasta", "sauce", "basil"], iso(DAY));
  for (let i = 0; i < 3; i++) await order(`o-${i}`, `o${i}`, 9000, ["oil & salt/1", "bread"], iso(DAY));
  await order("c-1", "cara", 2000, ["pasta"], iso(DAY));
  await order("e-1", "erik", 30000, ["milk"], iso(340 * DAY));
  await order("w-1", "wanda", 5000, ["milk"], iso(61 * DAY));
  await order("n-1", "nils", 85000, ["milk"], iso(DAY));
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function panelFor(customer, name) {
  server.addPage(name, htmlPage("Shop", scriptTag(server, { customer })));
  const opened = await openPage(browser, `${server.storefront}/${name}`, server);
  await openLauncher(opened.page);
  await opened.page.locator("lojal-widget .balance").waitFor();
  return opened;
}

describe("recommendations and nudges", () => {
  test("a member sees products picked for them, each with a reason", async () => {
    const { page, context, problems } = await panelFor("cara", "recs.html");
    const items = page.locator("lojal-widget [part=recommendations] li");
    await items.first().waitFor();
    const first = await items.first().textContent();
    assert.ok(first.startsWith("Tomato sauce") || first.startsWith("Basil"), first);
    assert.ok(first.includes("Often bought with pasta"), first);
    assert.ok(first.includes("SEK"), first);
    assert.equal(await items.first().locator("a").getAttribute("href"), "/p/" + (first.startsWith("Basil") ? "basil" : "sauce"));
    const all = await items.allTextContents();
    assert.ok(all.every((t) => !t.startsWith("Pasta")), "not what she just bought");
    assert.deepEqual(problems, []);
    await page.locator("lojal-widget [part=recommendations]").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "recommendations-member-en.png") });
    await context.close();
  });

  test("a guest on a product page gets picks from that product", async () => {
    const attrs = { product: "oil & salt/1" };
    server.addPage("product-guest.html", htmlPage("Shop", scriptTag(server, { attrs })));
    const { page, context, problems, apiRequests } = await openPage(browser, `${server.storefront}/product-guest.html`, server);
    await openLauncher(page);
    const first = page.locator("lojal-widget [part=recommendations] li").first();
    await first.waitFor();
    assert.ok((await first.textContent()).startsWith("Bread"), await first.textContent());
    assert.ok((await first.textContent()).includes("Often bought with olive oil & salt"), await first.textContent());
    assert.ok(
      apiRequests.some((r) => r.includes("/widget?locale=en&product=oil%20%26%20salt%2F1")),
      apiRequests.join("\n"),
    );
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a member's click on a pick follows its link and is counted in the metrics", async () => {
    const clicksBefore = (await merchant(server, "GET", "/metrics")).recommendations.clicks;
    // The element names its product (a page may hold several products' widgets).
    server.addPage(
      "product-member.html",
      htmlPage("Shop", scriptTag(server, { customer: "pia" }), `<lojal-widget product="bread"></lojal-widget>`),
    );
    const { page, context, problems, apiRequests } = await openPage(browser, `${server.storefront}/product-member.html`, server);
    const pick = page.locator("lojal-widget [part=recommendations] li a").first();
    await pick.waitFor();
    assert.ok((await pick.textContent()).includes("Often bought with bread"), await pick.textContent());
    assert.ok(apiRequests.some((r) => r.startsWith("GET ") && r.includes("&product=bread")), apiRequests.join("\n"));
    assert.deepEqual(problems, []);
    await page.route("**/p/oil", (route) => route.fulfill({ contentType: "text/html", body: "<title>Oil</title>" }));
    await Promise.all([page.waitForURL("**/p/oil"), pick.click()]);
    // Sent with keepalive as the page left: it arrives on its own time.
    let clicks = clicksBefore;
    for (let i = 0; i < 50 && clicks === clicksBefore; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      clicks = (await merchant(server, "GET", "/metrics")).recommendations.clicks;
    }
    assert.equal(clicks, clicksBefore + 1);
    assert.ok(apiRequests.includes(`POST ${server.api}/v1/shops/test/recommendations/clicks`), apiRequests.join("\n"));
    await context.close();
  });

  const kinds = [
    ["abandoned_cart", "cara", /Your cart is waiting: complete your order to earn 24 points\./],
    ["expiring_points", "erik", /300 of your points expire on \d{4}-\d{2}-\d{2}\. Use them before then\./],
    ["win_back", "wanda", /We miss you! A free coffee is yours with code LOJ-[A-Z0-9]{4}-[A-Z0-9]{4}\./],
    ["next_tier", "nils", /Only 150 points to Gold\./],
  ];
  for (const [kind, customer, text] of kinds) {
    test(`the ${kind} nudge shows, and dismissing it keeps it away`, async () => {
      if (kind === "abandoned_cart") {
        server.addPage("cart-setter.html", htmlPage("Shop", scriptTag(server, { customer }), `<lojal-widget id="w"></lojal-widget>`));
        const setter = await openPage(browser, `${server.storefront}/cart-setter.html`, server);
        await setter.page.locator("#w .balance").waitFor();
        await setter.page.evaluate(() => document.querySelector("#w").setCart([{ sku: "sauce", qty: 1, price: 2490 }]));
        await setter.context.close();
      }
      const { page, context, problems } = await panelFor(customer, `nudge-${kind}.html`);
      const nudge = page.locator(`lojal-widget [part=nudge][data-kind=${kind}]`);
      await nudge.waitFor();
      assert.match(await nudge.locator(".nudge-text").textContent(), text);
      await page.screenshot({ path: join(ARTIFACTS, `nudge-${kind}.png`) });
      await nudge.locator("[data-action=dismiss-nudge]").click();
      await nudge.waitFor({ state: "detached" });
      // Dismissed on the server too: a new visit does not show it again.
      await page.waitForTimeout(300);
      await page.reload();
      await openLauncher(page);
      await page.locator("lojal-widget .balance").waitFor();
      assert.equal(await page.locator(`lojal-widget [part=nudge][data-kind=${kind}]`).count(), 0);
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
});
