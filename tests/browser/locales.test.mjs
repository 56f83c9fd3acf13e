// The panel in each shipped locale, for a guest and a member, with numbers
// and prices formatted by the browser's Intl; and the panel as a keyboard
// and screen-reader user meets it.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, launchBrowser, openLauncher, openPage, startDemo, widgetText } from "./harness.mjs";

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

const WORDS = {
  en: { launcher: "Rewards", to: "points to", join: "Join now", redeem: "Redeem", format: "en" },
  sv: { launcher: "Förmåner", to: "poäng till", join: "Bli medlem", redeem: "Lös in", format: "sv" },
  da: { launcher: "Fordele", to: "point til", join: "Bliv medlem", redeem: "Indløs", format: "da" },
};

describe("each locale", () => {
  for (const [locale, words] of Object.entries(WORDS)) {
    test(`${locale}: a member and a guest read the panel in ${locale}`, async () => {
      const member = await openPage(browser, `${server.storefront}/?locale=${locale}`, server);
      await openLauncher(member.page);
      await member.page.locator("lojal-widget .balance").waitFor();
      assert.equal(await widgetText(member.page, ".launcher"), words.launcher);
      const toNext = await widgetText(member.page, ".to-next");
      assert.ok(toNext.includes(words.to), toNext);
      const needed = toNext.split(` ${words.to}`)[0];
      assert.equal(needed, needed.trim());
      assert.match(needed, /^\d{1,3}([ ,.\u00a0\u202f]\d{3})*$/, "grouped as the locale writes numbers");
      assert.ok(await member.page.locator("lojal-widget [data-action=redeem]").first().textContent() === words.redeem);
      assert.deepEqual(member.problems, []);
      await member.page.screenshot({ path: join(ARTIFACTS, `panel-member-${locale}.png`) });
      await member.context.close();

      const guest = await openPage(browser, `${server.storefront}/?as=guest&locale=${locale}`, server);
      await openLauncher(guest.page);
      await guest.page.locator("lojal-widget .intro").waitFor();
      assert.equal(await guest.page.locator("lojal-widget[launcher] [part=join]").textContent(), words.join);
      const earn = await guest.page.locator("lojal-widget[launcher] .how li").first().textContent();
      const price = new Intl.NumberFormat(words.format, { style: "currency", currency: "SEK" }).format(1);
      assert.ok(earn.includes(price), `${earn} shows ${price}`);
      assert.deepEqual(guest.problems, []);
      await guest.page.screenshot({ path: join(ARTIFACTS, `panel-guest-${locale}.png`) });
      await guest.context.close();
    });
  }
});

describe("keyboard and screen reader", () => {
  test("the launcher opens a dialog that keeps focus inside until Escape returns it", async () => {
    const { page, context } = await openPage(browser, `${server.storefront}/?locale=en`, server);
    await page.waitForFunction(() => document.querySelector("lojal-widget[launcher]")?.shadowRoot?.querySelector(".launcher"));
    await page.locator("lojal-widget .balance").waitFor({ state: "attached" });
    const active = () => page.evaluate(() => {
      const root = document.querySelector("lojal-widget[launcher]").shadowRoot;
      const el = root.activeElement;
      return el ? (el.dataset.action ?? el.className) : null;
    });
    // Tab from the page reaches the launcher (after the page's own links).
    for (let i = 0; i < 40 && (await active()) !== "toggle"; i++) await page.keyboard.press("Tab");
    assert.equal(await active(), "toggle");
    await page.keyboard.press("Enter");
    await page.locator("lojal-widget .panel").waitFor({ state: "visible" });
    assert.equal(await active(), "close", "focus moves into the dialog");
    const dialog = page.locator("lojal-widget .panel");
    assert.equal(await dialog.getAttribute("role"), "dialog");
    assert.equal(await dialog.getAttribute("aria-labelledby"), "lojal-title");
    // Tab cycles inside the dialog: it never reaches the page behind it.
    // (The demo's full program has some forty controls: go round once.)
    const seen = new Set();
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Tab");
      const now = await active();
      assert.ok(now !== null && now !== "toggle", `focus left the dialog after ${i + 1} tabs`);
      seen.add(now);
    }
    assert.ok(seen.has("redeem") && seen.has("copy-referral") && seen.has("close"), [...seen].join());
    await page.keyboard.press("Shift+Tab");
    assert.ok((await active()) !== null);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    assert.equal(await active(), "toggle", "focus returns to the launcher");
    assert.equal(await page.locator("lojal-widget .launcher").getAttribute("aria-expanded"), "false");
    await context.close();
  });

  test("focus is visible and the default colours pass WCAG AA", async () => {
    const { page, context } = await openPage(browser, `${server.storefront}/?locale=en`, server);
    await openLauncher(page);
    await page.locator("lojal-widget[launcher] .balance").waitFor();
    await page.keyboard.press("Tab"); // from the close button to the next control, by keyboard
    const look = await page.evaluate(() => {
      const root = document.querySelector("lojal-widget[launcher]").shadowRoot;
      const button = root.activeElement;
      const style = getComputedStyle(button);
      const parse = (c) => c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
      const lum = ([r, g, b]) => {
        const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const ratio = (a, b) => {
        const [x, y] = [lum(parse(a)), lum(parse(b))].sort((m, n) => n - m);
        return (x + 0.05) / (y + 0.05);
      };
      const panel = getComputedStyle(root.querySelector(".panel")).backgroundColor;
      const muted = getComputedStyle(root.querySelector(".cost")).color;
      const text = getComputedStyle(root.querySelector(".tier")).color;
      return {
        outline: style.outlineStyle,
        button: ratio(style.color, style.backgroundColor),
        muted: ratio(muted, panel),
        text: ratio(text, panel),
      };
    });
    assert.equal(look.outline, "solid");
    for (const key of ["button", "muted", "text"]) assert.ok(look[key] >= 4.5, `${key} contrast ${look[key]}`);
    await context.close();
  });
});
