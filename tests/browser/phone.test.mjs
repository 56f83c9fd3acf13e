// The widget on any shop's theme and on a phone (issue 22): light or dark
// as the page is (or as the merchant says), the panel as a bottom sheet
// that holds the page still, the launcher where the merchant puts it and
// out of the way of typing, and the phone's share sheet for codes and links.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ARTIFACTS, PHONE, ROOT, allReady, axeViolations, htmlPage, launchBrowser, merchant, openLauncher, openPage,
  scriptTag, startDemo,
} from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await startDemo();
  browser = await launchBrowser();
  await merchant(server, "PUT", "/program", {
    earn: { points_per_unit: 1 },
    tiers: [{ id: "bronze", name: "Bronze", threshold: 0 }],
    rewards: [{ id: "r50", title: "50 off", cost: 300, kind: "fixed_discount", value: 5000 }],
    referral: { referrer_points: 250 },
  });
  await merchant(server, "POST", "/orders", { id: "p-1", customer: "pia", total: 40000, currency: "SEK" });
});

after(async () => {
  await browser?.close();
  server?.stop();
});

const themes = (page) => page.$$eval("lojal-widget", (els) => [...new Set(els.map((e) => e.dataset.theme))]);
const openIn = (url, context) => openPage(browser, url, { api: server.api, context });
// Phone pages say how wide they are, or the phone lays them out 980 px wide.
const VIEWPORT = `<meta name="viewport" content="width=device-width, initial-scale=1">`;
const htmlOverflow = (page) => page.evaluate(() => [document.documentElement.style.overflow, document.body.style.overflow]);

describe("light or dark, as the page is", () => {
  test("a light shop keeps a light widget on a phone in dark mode, and its product page passes AA", async () => {
    // The demo's product page with a light-only copy of its stylesheet:
    // the shop of the issue, which declares no dark support.
    const css = readFileSync(join(ROOT, "www/shop.css"), "utf8");
    server.addPage("light.css", css.slice(0, css.indexOf("/* The shop follows")));
    server.addPage("light-shop.html", readFileSync(join(ROOT, "www/index.html"), "utf8").replace("/shop.css", "/light.css"));
    const { page, context, problems } = await openIn(`${server.storefront}/light-shop.html?locale=en`, {
      ...PHONE,
      colorScheme: "dark",
    });
    await allReady(page);
    assert.deepEqual(await themes(page), ["light"]);
    // The campaign's name beside a product's points, on the accent colour.
    await page.locator("lojal-widget[view=earn] [part=earn-campaign]").first().waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, "phone-light-shop-dark-os.png") });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a shop that supports dark turns dark with the shopper, and back, while the page is open", async () => {
    const { page, context } = await openIn(`${server.storefront}/?locale=en`, { colorScheme: "dark" });
    await allReady(page);
    assert.deepEqual(await themes(page), ["dark"]);
    await page.emulateMedia({ colorScheme: "light" });
    await page.waitForFunction(() => [...document.querySelectorAll("lojal-widget")].every((e) => e.dataset.theme === "light"));
    await context.close();

    // A shop with its own dark-mode switch, on the root element.
    const style = `<style>:root { color-scheme: light } :root.dark { color-scheme: dark }</style>`;
    server.addPage("switch.html", htmlPage("Shop", style + scriptTag(server), "<lojal-widget></lojal-widget>"));
    const switching = await openIn(`${server.storefront}/switch.html`, { colorScheme: "dark" });
    await allReady(switching.page);
    assert.deepEqual(await themes(switching.page), ["light"]);
    await switching.page.evaluate(() => document.documentElement.classList.add("dark"));
    await switching.page.waitForFunction(() => document.querySelector("lojal-widget").dataset.theme === "dark");
    await switching.context.close();
  });

  test("a dark-only page, and the merchant's explicit choice, decide whatever the shopper prefers", async () => {
    const body = `<lojal-widget view="earn" price="10000"></lojal-widget><lojal-widget></lojal-widget>`;
    const cases = [
      // (what the page declares, data-theme, the shopper prefers) -> the widget
      [`<meta name="color-scheme" content="dark">`, null, "light", "dark"],
      [`<style>:root { color-scheme: only dark }</style>`, null, "light", "dark"],
      [`<meta name="color-scheme" content="light dark">`, null, "light", "light"],
      ["", "dark", "light", "dark"],
      [`<meta name="color-scheme" content="light dark">`, "light", "dark", "light"],
      [`<meta name="color-scheme" content="light dark">`, "auto", "dark", "dark"],
    ];
    for (const [i, [head, theme, prefers, expected]] of cases.entries()) {
      const attrs = theme ? { theme } : {};
      server.addPage(`theme-${i}.html`, htmlPage("Shop", head + scriptTag(server, { attrs }), body));
      const { page, context } = await openIn(`${server.storefront}/theme-${i}.html`, { colorScheme: prefers });
      await allReady(page);
      assert.deepEqual(await themes(page), [expected], `case ${i}: ${head} data-theme=${theme} prefers ${prefers}`);
      await context.close();
    }
  });
});

describe("on a phone", () => {
  test("the panel opens as a bottom sheet that scrolls inside while the page behind holds still", async () => {
    const { page, context, problems } = await openIn(`${server.storefront}/?locale=en`, PHONE);
    await allReady(page);
    await page.evaluate(() => window.scrollTo(0, 200));
    assert.deepEqual(await htmlOverflow(page), ["", ""]);
    await openLauncher(page);
    const sheet = await page.locator("lojal-widget .panel").boundingBox();
    assert.equal(sheet.x, 0);
    assert.equal(sheet.width, 390);
    assert.ok(Math.abs(sheet.y + sheet.height - 844) < 1, `the sheet sits on the bottom edge: ${JSON.stringify(sheet)}`);
    assert.ok(sheet.height <= 0.85 * 844 + 1, `at most 85 % of the screen: ${sheet.height}`);
    assert.deepEqual(await htmlOverflow(page), ["hidden", "hidden"]);
    // Its content scrolls inside it; the page does not move.
    const scrolled = await page.evaluate(() => {
      const panel = document.querySelector("lojal-widget[launcher]").shadowRoot.querySelector(".panel");
      return { inside: panel.scrollHeight > panel.clientHeight, overflow: getComputedStyle(panel).overflowY };
    });
    assert.deepEqual(scrolled, { inside: true, overflow: "auto" });
    await page.mouse.move(195, 600);
    await page.mouse.wheel(0, 400);
    await page.waitForFunction(() => document.querySelector("lojal-widget[launcher]").shadowRoot.querySelector(".panel").scrollTop > 0);
    assert.equal(await page.evaluate(() => window.scrollY), 200);
    await page.screenshot({ path: join(ARTIFACTS, "phone-sheet-member.png") });

    // A tap on the page above the sheet closes it; the page scrolls again.
    await page.mouse.click(195, 40);
    await page.locator("lojal-widget .panel").waitFor({ state: "hidden" });
    assert.deepEqual(await htmlOverflow(page), ["", ""]);
    assert.equal(await page.evaluate(() => document.querySelector("lojal-widget[launcher]").shadowRoot.activeElement?.dataset.action), "toggle");

    // A page's own overflow is put back as it was, also when the widget
    // leaves the page while open (a single-page shop navigating).
    await page.evaluate(() => (document.body.style.overflow = "clip"));
    await openLauncher(page);
    assert.deepEqual(await htmlOverflow(page), ["hidden", "hidden"]);
    await page.evaluate(() => document.querySelector("lojal-widget[launcher]").remove());
    await page.waitForFunction(() => document.body.style.overflow === "clip" && document.documentElement.style.overflow === "");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the launcher sits where data-offset says, and steps aside while the shopper types in the page", async () => {
    const body = `<main><label>Search <input id="search" type="search"></label></main><lojal-widget launcher></lojal-widget>`;
    server.addPage("offset.html", htmlPage("Shop", VIEWPORT + scriptTag(server, { customer: "pia", attrs: { offset: "16,72" } }), body));
    const { page, context } = await openIn(`${server.storefront}/offset.html`, PHONE);
    await allReady(page);
    const box = () => page.locator("lojal-widget[launcher]").boundingBox();
    const at = await box();
    assert.equal(Math.round(390 - (at.x + at.width)), 16);
    assert.equal(Math.round(844 - (at.y + at.height)), 72);
    assert.ok(at.height >= 44);
    await page.locator("#search").focus();
    assert.equal(await box(), null, "hidden while the on-screen keyboard is up");
    await page.locator("#search").blur();
    assert.deepEqual(await box(), at);
    await context.close();

    // Without data-offset: 20 px from the corner.
    server.addPage("no-offset.html", htmlPage("Shop", VIEWPORT + scriptTag(server, { customer: "pia" }), body));
    const plain = await openIn(`${server.storefront}/no-offset.html`, PHONE);
    await allReady(plain.page);
    const corner = await plain.page.locator("lojal-widget[launcher]").boundingBox();
    assert.equal(Math.round(844 - (corner.y + corner.height)), 20);
    await plain.context.close();
  });

  test("the referral link and a code go to the phone's share sheet, and are copied when sharing fails", async () => {
    server.addPage("share.html", htmlPage("Shop", VIEWPORT + scriptTag(server, { customer: "pia" }), "<lojal-widget launcher></lojal-widget>"));
    const { page, context, problems } = await openIn("about:blank", PHONE);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.storefront });
    await context.addInitScript(() => {
      window.shared = [];
      Object.defineProperty(Navigator.prototype, "share", {
        configurable: true,
        value: async function share(data) {
          window.shared.push(data);
          if (window.shareFails) throw new DOMException("refused", "NotAllowedError");
        },
      });
    });
    await page.goto(`${server.storefront}/share.html`);
    await openLauncher(page);
    const actions = await page.$$eval("lojal-widget", ([w]) =>
      [...w.shadowRoot.querySelectorAll(".referral .actions button")].map((b) => [b.dataset.action, b.textContent]),
    );
    assert.deepEqual(actions, [["share-referral", "Share"], ["copy-referral", "Copy"]]);
    const link = await page.evaluate(() => document.querySelector("lojal-widget").shadowRoot.querySelector("[part=referral-link]").textContent);
    await page.locator("lojal-widget [data-action=share-referral]").click();
    await page.waitForFunction(() => window.shared.length === 1);
    assert.deepEqual(await page.evaluate(() => window.shared[0]), {
      title: "Test shop",
      text: "Join me at Test shop and earn points on your first order",
      url: link,
    });

    await page.locator('lojal-widget [data-action=redeem][data-arg="r50"]').click();
    await page.locator("lojal-widget [data-action=confirm]").click();
    const share = page.locator("lojal-widget [data-action=share-code]");
    await share.waitFor();
    const code = await page.evaluate(() => document.querySelector("lojal-widget").shadowRoot.querySelector(".code-text").textContent);
    assert.equal(await share.getAttribute("aria-label"), `Share: ${code}`);
    // The browser refuses the share sheet: the code is copied instead.
    await page.evaluate(() => (window.shareFails = true));
    await share.click();
    await page.locator("lojal-widget [data-action=copy-code]", { hasText: "Copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);
    assert.deepEqual(await page.evaluate(() => window.shared.at(-1)), { title: "Test shop", text: code });
    await page.screenshot({ path: join(ARTIFACTS, "phone-share-code.png") });
    assert.deepEqual(problems, []);
    await context.close();
  });
});
