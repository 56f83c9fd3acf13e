// What a member does in the widget: redeem a reward, copy the code, copy
// and share their referral link, come back through someone's link; and what
// a guest is offered. Against the test shop, whose program the test sets.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ARTIFACTS, launchBrowser, merchant, nextEvent, openLauncher, openPage, htmlPage, scriptTag, startDemo, widgetText,
} from "./harness.mjs";

let server;
let browser;

const PROGRAM = {
  earn: { points_per_unit: 1 },
  tiers: [
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "gold", name: "Gold", threshold: 1000, multiplier: 1.5 },
  ],
  rewards: [
    { id: "r50", title: "50 off", cost: 300, kind: "fixed_discount", value: 5000 },
    { id: "r200", title: "200 off", cost: 1500, kind: "fixed_discount", value: 20000 },
  ],
  referral: { referrer_points: 250 },
};

before(async () => {
  server = await startDemo();
  browser = await launchBrowser();
  await merchant(server, "PUT", "/program", PROGRAM);
  await merchant(server, "POST", "/orders", { id: "m-1", customer: "maja", total: 40000, currency: "SEK" });
  await merchant(server, "POST", "/orders", { id: "m-2", customer: "mona", total: 40000, currency: "SEK" });
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function memberPage(name, customer, attrs = {}) {
  server.addPage(name, htmlPage("Shop", scriptTag(server, { customer, attrs })));
  const opened = await openPage(browser, `${server.storefront}/${name}`, server);
  await opened.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.storefront });
  await openLauncher(opened.page);
  await opened.page.locator("lojal-widget .body [part=rewards]").waitFor();
  return opened;
}

describe("a member", () => {
  test("redeems a reward in one click and a confirmation, and gets a code to copy", async () => {
    const { page, context, problems } = await memberPage("redeem.html", "maja");
    assert.equal(await widgetText(page, ".balance .n"), "400");
    // What she cannot afford says how much is missing.
    const r200 = page.locator('lojal-widget li[data-reward="r200"]');
    assert.equal(await r200.locator(".missing").textContent(), "1,100 more points");
    assert.equal(await r200.locator("button").count(), 0);

    await page.locator('lojal-widget [data-action=redeem][data-arg="r50"]').click();
    assert.equal(await widgetText(page, ".confirm .question"), "Spend 300 points on 50 off?");
    assert.equal(await page.evaluate(() => document.querySelector("lojal-widget").shadowRoot.activeElement?.dataset.action), "confirm");
    const redeemed = nextEvent(page, "lojal:redeemed");
    await page.locator("lojal-widget [data-action=confirm]").click();
    const detail = await redeemed;
    assert.equal(detail.reward_id, "r50");
    assert.equal(detail.points_spent, 300);
    assert.match(detail.code, /^LOJ-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await page.locator("lojal-widget .code-text").waitFor();
    assert.equal(await widgetText(page, ".code-text"), detail.code);
    await page.waitForFunction(() => document.querySelector("lojal-widget").shadowRoot.querySelector(".balance .n").textContent === "100");
    // The balance change is announced to screen readers.
    assert.equal(await widgetText(page, "[role=status]"), "You have 100 points");

    await page.locator("lojal-widget [data-action=copy-code]").click();
    await page.locator("lojal-widget [data-action=copy-code]", { hasText: "Copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), detail.code);
    assert.deepEqual(problems, []);
    await page.screenshot({ path: join(ARTIFACTS, "member-redeemed-en.png") });
    await context.close();
  });

  test("cancelling the confirmation spends nothing", async () => {
    const { page, context } = await memberPage("cancel.html", "mona");
    const before = await widgetText(page, ".balance .n");
    await page.locator('lojal-widget [data-action=redeem][data-arg="r50"]').click();
    await page.locator("lojal-widget [data-action=cancel]").click();
    assert.equal(await page.locator("lojal-widget .confirm").count(), 0);
    assert.equal(await widgetText(page, ".balance .n"), before);
    assert.equal(await page.evaluate(() => document.querySelector("lojal-widget").shadowRoot.activeElement?.dataset.arg), "r50");
    await context.close();
  });

  test("copies their referral link, and a friend arriving through it is remembered for checkout", async () => {
    const { page, context } = await memberPage("refer.html", "nils");
    const link = await widgetText(page, "[part=referral-link]");
    assert.match(link, new RegExp(`^${server.storefront}/\\?ref=[A-Z0-9]{6}$`));
    assert.match(await widgetText(page, ".referral p"), /Earn 250 points when a friend/);
    const copied = nextEvent(page, "lojal:referral-copied");
    await page.locator("lojal-widget [data-action=copy-referral]").click();
    assert.deepEqual(await copied, { url: link });
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    await context.close();

    // The friend lands on the shop with ?ref=, as a guest.
    const code = new URL(link).searchParams.get("ref");
    server.addPage("landing.html", htmlPage("Shop", `<script type="module">
      import { mount } from "${server.api}/index.js";
      window.handle = await mount(document.querySelector("#w"), { shop: "test", api: "${server.api}" });
    </script>`, `<div id="w"></div>`));
    const friend = await openPage(browser, `${server.storefront}/landing.html?ref=${code}`, server);
    await friend.page.waitForFunction(() => window.handle?.referralCode() != null);
    assert.equal(await friend.page.evaluate(() => window.handle.referralCode()), code);
    const visits = await friend.page.evaluate(() => localStorage.getItem("lojal:ref:test"));
    assert.equal(visits, code);
    await friend.context.close();
  });
});

describe("a guest", () => {
  test("sees how to earn, the rewards without buttons, and the way to join", async () => {
    server.addPage("guest.html", htmlPage("Shop", scriptTag(server, { attrs: { "join-url": "/join", "sign-in-url": "/login" } })));
    const { page, context, problems } = await openPage(browser, `${server.storefront}/guest.html`, server);
    await openLauncher(page);
    await page.locator("lojal-widget .intro").waitFor();
    const ways = await page.locator("lojal-widget .how li").allTextContents();
    const krona = new Intl.NumberFormat("en", { style: "currency", currency: "SEK" }).format(1);
    assert.deepEqual(ways, [`Earn 1 point for every ${krona} you spend`, "Earn 250 points when a friend you invite places their first order"]);
    assert.equal(await page.locator("lojal-widget [part=rewards] button").count(), 0);
    assert.equal(await page.locator("lojal-widget [part=join]").getAttribute("href"), "/join");
    assert.equal(await page.locator("lojal-widget [part=sign-in]").getAttribute("href"), "/login");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a javascript: join link from the page is not made a link", async () => {
    server.addPage("js-link.html", htmlPage("Shop", scriptTag(server, { attrs: { "join-url": "javascript:alert(1)" } })));
    const { page, context } = await openPage(browser, `${server.storefront}/js-link.html`, server);
    await openLauncher(page);
    await page.locator("lojal-widget .intro").waitFor();
    assert.equal(await page.locator("lojal-widget [part=join]").count(), 0);
    await context.close();
  });
});
