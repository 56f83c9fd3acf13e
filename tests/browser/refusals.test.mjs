// The API's refusals as a Swedish or Danish shopper reads them: the widget
// words each error code itself, in the shopper's language. The server's
// message (English, for the merchant's developers) goes to the `lojal:error`
// event only, never on screen.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { htmlPage, launchBrowser, merchant, openLauncher, openPage, scriptTag, sign, startDemo, TEST_SHOP } from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await startDemo();
  browser = await launchBrowser();
  await merchant(server, "PUT", "/program", {
    earn: { points_per_unit: 1 },
    tiers: [{ id: "bronze", name: "Brons", threshold: 0 }],
    rewards: [{ id: "coffee", title: "Gratis kaffe", cost: 100, kind: "free_product" }],
    birthday: { points: 200 },
  });
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** The text of `selector` in the launcher's panel, once it is there. */
async function shown(page, selector) {
  await page.locator(`lojal-widget ${selector}`).waitFor();
  return page.locator(`lojal-widget ${selector}`).textContent();
}

async function errorEvent(page) {
  await page.waitForFunction(() => window.lojalEvents.some((e) => e.type === "lojal:error"));
  return page.evaluate(() => window.lojalEvents.find((e) => e.type === "lojal:error").detail);
}

describe("refusals in the shopper's language", () => {
  test("sv: points spent elsewhere meanwhile: the refused redemption is explained in Swedish", async () => {
    await merchant(server, "POST", "/orders", { id: "sv-1", customer: "sven", total: 15000, currency: "SEK" });
    server.addPage("refusal-sv.html", htmlPage("Butik", scriptTag(server, { customer: "sven", attrs: { locale: "sv" } })));
    const { page, context, problems } = await openPage(browser, `${server.storefront}/refusal-sv.html`, server);
    await openLauncher(page);
    await page.locator("lojal-widget [data-action=redeem][data-arg=coffee]").click();
    await page.locator("lojal-widget [data-action=confirm]").waitFor();
    // The same member spends the points in another tab before saying yes here.
    const signed = sign(TEST_SHOP.secret, TEST_SHOP.id, "sven");
    const elsewhere = await fetch(`${server.api}/v1/shops/${TEST_SHOP.id}/redemptions`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-Lojal-Customer": signed.id, "X-Lojal-Ts": String(signed.ts), "X-Lojal-Sig": signed.sig },
      body: JSON.stringify({ reward_id: "coffee" }),
    });
    assert.equal(elsewhere.status, 201);
    await page.locator("lojal-widget [data-action=confirm]").click();

    assert.equal(await shown(page, "[part=rewards] .alert"), "Du har inte tillräckligt med poäng för det här.");
    const event = await errorEvent(page);
    assert.equal(event.code, "insufficient_points");
    assert.match(event.message, /You need \d+ more points/, "the developers' event keeps the server's words");
    // The refused spend was an expected 409.
    assert.deepEqual(problems.filter((p) => !p.includes("409")), []);
    await context.close();
  });

  for (const [locale, said] of [
    ["sv", "Kontrollera det du angav och försök igen."],
    ["da", "Tjek det, du har angivet, og prøv igen."],
  ]) {
    test(`${locale}: a day the month does not have is refused in the shopper's words`, async () => {
      const customer = `birthday-${locale}`;
      server.addPage(`birthday-${locale}.html`, htmlPage("Butik", scriptTag(server, { customer, attrs: { locale } })));
      const { page, context, problems } = await openPage(browser, `${server.storefront}/birthday-${locale}.html`, server);
      await openLauncher(page);
      await page.locator("lojal-widget [part=birthday] select[name=month]").selectOption("2");
      await page.locator("lojal-widget [part=birthday] select[name=day]").selectOption("31");
      await page.locator("lojal-widget [data-action=save-birthday]").click();

      assert.equal(await shown(page, "[part=birthday] .alert"), said);
      const event = await errorEvent(page);
      assert.equal(event.code, "invalid_request");
      assert.ok(!event.message.includes(said), "the server's message is its own, not on screen");
      assert.deepEqual(problems.filter((p) => !p.includes("422")), []);
      await context.close();
    });
  }
});
