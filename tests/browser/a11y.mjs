// Accessibility, by axe-core (Deque's engine) on every view of the demo
// storefront: member and guest, the launcher's panel closed and open (and
// its confirm step), light and dark, a desktop window and a phone. Any
// serious or critical violation fails, in the widget or in the page around
// it; so does a widget control under 44 by 44 CSS pixels on the phone. The
// merchant's page gets the same check. One page load per page and variant.
//
// `a11y-light.test.mjs` and `a11y-dark.test.mjs` run it for one scheme each,
// so that each file (a demo server's start included) stays well inside the
// runner's two minutes.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ARTIFACTS, DESKTOP, PHONE, allReady, axeViolations, launchBrowser, openLauncher, openPage, smallTargets, startDemo,
} from "./harness.mjs";

let server;
let browser;

const WIDTHS = { desktop: DESKTOP, phone: PHONE };
// The storefront's three pages and the views on each.
const PAGES = [
  { name: "product", path: "/", views: "earn, progress, launcher" },
  { name: "cart", path: "/cart.html", views: "cart, progress, launcher" },
  { name: "account", path: "/account.html", views: "account" },
];

/** Fails with every violation listed, saying where. */
function assertClean(violations, where) {
  assert.deepEqual(violations, [], `${where}:\n${violations.join("\n")}`);
}

/** The suites for `theme`: every view of the storefront, and the merchant's page. */
export function a11ySuites(theme) {
  before(async () => {
    server = await startDemo();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    server?.stop();
  });

  describe(`every view passes axe, ${theme}`, () => {
    for (const [width, device] of Object.entries(WIDTHS)) {
      for (const who of ["member", "guest"]) {
        const variant = `${who}-${theme}-${width}`;
        test(variant, async () => {
          const query = who === "guest" ? "?as=guest&locale=en" : "?locale=en";
          const { page, context, problems } = await openPage(browser, "about:blank", {
            api: server.api,
            context: { ...device, colorScheme: theme, reducedMotion: "reduce" },
          });
          for (const { name, path, views } of PAGES) {
            await page.goto(`${server.storefront}${path}${query}`);
            await allReady(page);
            // The storefront supports light and dark: the widget follows it.
            const themes = await page.$$eval("lojal-widget", (els) => [...new Set(els.map((e) => e.dataset.theme))]);
            assert.deepEqual(themes, [theme], `${name}: the widgets follow the page`);
            assertClean(await axeViolations(page), `${name} (${views}), ${variant}, closed`);
            if (width === "phone") assert.deepEqual(await smallTargets(page), [], `${name}, ${variant}: touch targets`);
            await page.screenshot({ path: join(ARTIFACTS, `a11y-${name}-${variant}.png`), fullPage: width === "desktop" });

            if (name !== "product") continue;
            await openLauncher(page);
            assertClean(await axeViolations(page), `the panel, ${variant}, open`);
            if (width === "phone") assert.deepEqual(await smallTargets(page), [], `the panel, ${variant}: touch targets`);
            await page.screenshot({ path: join(ARTIFACTS, `a11y-panel-${variant}.png`) });
            const redeem = page.locator("lojal-widget[launcher] [data-action=redeem]").first();
            if (who === "member" && (await redeem.count())) {
              // The confirm step: a question and two buttons in the list.
              await redeem.click();
              await page.locator("lojal-widget[launcher] [data-action=confirm]").waitFor();
              assertClean(await axeViolations(page), `the panel's confirm step, ${variant}`);
              if (width === "phone") assert.deepEqual(await smallTargets(page), [], `the confirm step, ${variant}`);
              await page.locator("lojal-widget[launcher] [data-action=cancel]").click();
            }
            await page.keyboard.press("Escape");
            await page.locator("lojal-widget .panel").waitFor({ state: "hidden" });
          }
          assert.deepEqual(problems, []);
          await context.close();
        });
      }
    }
  });

  describe(`the merchant's page passes axe, ${theme}`, () => {
    test("desktop and phone", async () => {
      for (const [width, device] of Object.entries(WIDTHS)) {
        const { page, context, problems } = await openPage(browser, server.merchantPage, {
          context: { ...device, colorScheme: theme, reducedMotion: "reduce" },
        });
        await page.waitForSelector("#report:not([hidden]) .chart svg");
        assertClean(await axeViolations(page), `merchant page, ${theme}, ${width}`);
        await page.screenshot({ path: join(ARTIFACTS, `a11y-merchant-${theme}-${width}.png`), fullPage: true });
        assert.deepEqual(problems, []);
        await context.close();
      }
    });
  });
}
