// Codes at checkout, end to end on the demo storefront: a member redeems a
// reward in the widget on their account page and copies the code; the cart
// page's checkout (the storefront's back end, with the shop's secret,
// asking Lojal) applies it and places the order at the discounted total;
// the points earned are on that total; the same code is refused on a
// second order; and the widget's account view says the code was used, in
// each of its languages.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, launchBrowser, nextEvent, openPage, standingOf, startDemo } from "./harness.mjs";

let server;
let browser;
/** The demo shop's secret, from the merchant page's address the server prints. */
let secret;

const MEMBER = "cust-42";
const CART_TOTAL = 2 * 1490 + 3 * 7990 + 14900;

before(async () => {
  server = await startDemo();
  browser = await launchBrowser();
  secret = new URLSearchParams(new URL(server.merchantPage).hash.slice(1)).get("secret");
  assert.ok(secret, "the demo prints its merchant page with the secret");
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** A merchant API call on the demo shop: status and JSON body. */
async function demoApi(method, path, body) {
  const response = await fetch(`${server.api}/v1/shops/demo${path}`, {
    method,
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function pointsOf(customer) {
  const { status, body } = await demoApi("GET", `/customers/${customer}`);
  assert.equal(status, 200);
  return body.points;
}

/** The account page's codes section, and the item for `code` with `status`. */
async function codeItem(page, code, status) {
  const item = page.locator(`#account-rewards [part=codes] li[data-code="${code}"][data-status="${status}"]`);
  await item.waitFor();
  return item;
}

describe("a code from the widget at the storefront's checkout", () => {
  let code;

  test("a member redeems a reward on their account page and copies the code from their codes", async () => {
    // Enough points for the 50 kr reward, whatever the seed gave.
    if ((await pointsOf(MEMBER)) < 600) {
      assert.equal((await demoApi("POST", `/customers/${MEMBER}/adjustments`, { points: 1000, note: "test" })).status, 200);
    }
    const { page, context, problems } = await openPage(browser, `${server.storefront}/account.html?as=${MEMBER}&locale=en`, server);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.storefront });
    await page.locator('#account-rewards [data-action=redeem][data-arg="r50"]').click();
    const redeemed = nextEvent(page, "lojal:redeemed");
    await page.locator("#account-rewards [data-action=confirm]").click();
    ({ code } = await redeemed);
    assert.match(code, /^LOJ-[A-Z0-9]{4}-[A-Z0-9]{4}$/);

    // The refreshed data lists it, newest first, active, with its reward.
    const item = await codeItem(page, code, "active");
    assert.equal(await page.locator("#account-rewards [part=codes] h3").textContent(), "Your codes");
    assert.equal(await page.locator("#account-rewards [part=codes] li").first().getAttribute("data-code"), code);
    assert.equal(await item.locator(".title").textContent(), "50 kr rabatt");
    assert.equal(await item.locator(".code-value").textContent(), code);
    assert.equal(await item.locator(".status").textContent(), "Ready to use at checkout");
    const copy = item.locator("[data-action=copy-code]");
    assert.equal(await copy.getAttribute("aria-label"), `Copy: ${code}`);
    await copy.click();
    await item.locator("[data-action=copy-code]", { hasText: "Copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the cart page applies it, places the order at the discounted total, and the points are earned on that", async () => {
    assert.ok(code, "the first test got a code");
    const { page, context, problems } = await openPage(browser, `${server.storefront}/cart.html?as=${MEMBER}&locale=en`, server);
    const kr = (ore) => page.evaluate((ore) => new Intl.NumberFormat("sv", { style: "currency", currency: "SEK" }).format(ore / 100), ore);
    const data = await standingOf(server, page);
    const multiplier = data.tiers.find((t) => t.id === data.customer.tier.id).multiplier ?? 1;
    const before = await pointsOf(MEMBER);

    await page.locator("#checkout").click();
    await page.locator("#checkout-form").waitFor();
    assert.equal(await page.locator("#to-pay").textContent(), await kr(CART_TOTAL));
    // Pasted as a shopper might type it: lower case, no dashes.
    await page.locator("#code").fill(code.toLowerCase().replaceAll("-", ""));
    await page.locator("#apply").click();
    await page.locator("#discount-row").waitFor();
    assert.equal(await page.locator("#code").inputValue(), code);
    assert.equal(await page.locator("#discount-label").textContent(), "50 kr rabatt");
    assert.equal(await page.locator("#discount").textContent(), `−${await kr(5000)}`);
    const toPay = CART_TOTAL - 5000;
    assert.equal(await page.locator("#to-pay").textContent(), await kr(toPay));
    assert.equal(await page.locator("#code-note").textContent(), `Code ${code} applied. ${await kr(5000)} off your order.`);
    assert.equal(await page.locator("#checkout-error").textContent(), "");
    await page.screenshot({ path: join(ARTIFACTS, "checkout-applied-en.png"), fullPage: true });

    await page.locator("#place").click();
    await page.locator("#confirmation").waitFor();
    const earned = Math.floor((toPay * Math.round(multiplier * 100)) / 10000);
    const after = await pointsOf(MEMBER);
    assert.equal(after - before, earned, "the points of the discounted total, no more");
    assert.ok(earned < Math.floor((CART_TOTAL * Math.round(multiplier * 100)) / 10000));
    assert.equal(
      await page.locator("#confirmation-points").textContent(),
      `You earned ${earned.toLocaleString("en")} points. You now have ${after.toLocaleString("en")} points.`,
    );
    assert.match(await page.locator("#confirmation-order").textContent(), new RegExp(`^Order web-\\d+-[0-9a-f]{8} is placed: .*\\(code ${code}\\)\\.$`));
    // Lojal has the order with what was paid and the code used by it.
    const { body: code1 } = await demoApi("GET", `/codes/${code}`);
    assert.equal(code1.status, "used");
    assert.match(code1.order_id, /^web-/);
    const { body: detail } = await demoApi("GET", `/customers/${MEMBER}`);
    const earn = detail.ledger.find((e) => e.order_id === code1.order_id);
    assert.equal(earn?.delta, earned);
    // The widget on the page follows: the header's progress and the cart view reload.
    await page.screenshot({ path: join(ARTIFACTS, "checkout-placed-en.png"), fullPage: true });

    // A second order with the same code: refused in words, nothing applied.
    await page.locator("#new-order").click();
    await page.locator("#checkout-form").waitFor();
    await page.locator("#code").fill(code);
    await page.locator("#apply").click();
    const refusal = page.locator("#checkout-error");
    await refusal.filter({ hasText: "already been used" }).waitFor();
    assert.equal(await refusal.textContent(), "That code has already been used.");
    assert.ok(await refusal.isVisible());
    assert.equal(await page.locator("#discount-row").isVisible(), false);
    assert.equal(await page.locator("#to-pay").textContent(), await kr(CART_TOTAL));
    await page.screenshot({ path: join(ARTIFACTS, "checkout-code-used-en.png"), fullPage: true });

    // Nor does the storefront's back end take it when asked directly, nor
    // Lojal on an order; and that order is not written.
    const direct = await page.evaluate(async (code) => {
      const tag = document.querySelector("script[data-shop]").dataset;
      const response = await fetch("/checkout/order", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          shopper: { customer: tag.customer, ts: Number(tag.customerTs), sig: tag.customerSig },
          items: [{ sku: "coffee", qty: 1 }],
          code,
        }),
      });
      return { status: response.status, body: await response.json() };
    }, code);
    assert.equal(direct.status, 409);
    assert.equal(direct.body.error.code, "code_used");
    const again = await demoApi("POST", "/orders", { id: "again-1", customer: MEMBER, total: 1000, currency: "SEK", codes: [code] });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "code_used");
    assert.equal(await pointsOf(MEMBER), after);
    // An unknown code, and no code at all.
    await page.locator("#code").fill("LOJ-2222-2222");
    await page.locator("#apply").click();
    await refusal.filter({ hasText: "do not recognise" }).waitFor();
    // The browser logs each refusal's status; nothing else may go wrong.
    const refusals = /^console: Failed to load resource: the server responded with a status of (409|404)/;
    assert.deepEqual(problems.filter((p) => !refusals.test(p)), []);
    assert.equal(problems.length, 3, "two refusals of the used code, one of the unknown code");
    await context.close();
  });

  test("the account view says the code was used, in each language, and offers no copy", async () => {
    assert.ok(code, "the first test got a code");
    const used = { en: ["Your codes", "Used "], sv: ["Dina koder", "Användes "], da: ["Dine koder", "Brugt "] };
    for (const [locale, [heading, status]] of Object.entries(used)) {
      const { page, context, problems } = await openPage(browser, `${server.storefront}/account.html?as=${MEMBER}&locale=${locale}`, server);
      const item = await codeItem(page, code, "used");
      assert.equal(await page.locator("#account-rewards [part=codes] h3").textContent(), heading);
      const said = await item.locator(".status").textContent();
      assert.ok(said.startsWith(status) && said.length > status.length, `${locale}: ${said}`);
      assert.equal(await item.locator("button").count(), 0);
      assert.deepEqual(problems, []);
      if (locale === "en") {
        await item.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(ARTIFACTS, "checkout-account-codes-en.png") });
      }
      await context.close();
    }
  });
});
