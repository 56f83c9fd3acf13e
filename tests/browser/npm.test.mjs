// The npm package as a front-end developer gets it: `npm pack` of pkg/,
// installed into a throwaway app, imported by its name and mounted.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, TEST_SHOP, launchBrowser, merchant, openPage, sign, startDemo } from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await startDemo();
  browser = await launchBrowser();
  await merchant(server, "POST", "/orders", { id: "n-1", customer: "nora", total: 12300, currency: "SEK" });
});

after(async () => {
  await browser?.close();
  server?.stop();
});

describe("the npm package", () => {
  test("packs, installs into an app, and mounts with the contract's API and events", async () => {
    const work = mkdtempSync(join(tmpdir(), "lojal-npm-"));
    const packed = execFileSync("npm", ["pack", join(ROOT, "pkg"), "--pack-destination", work, "--json"], { encoding: "utf8" });
    const [{ filename, files }] = JSON.parse(packed);
    const names = files.map((f) => f.path).sort();
    for (const needed of ["index.js", "index.d.ts", "lojal_wasm.js", "lojal_wasm_bg.wasm", "README.md", "package.json"]) {
      assert.ok(names.includes(needed), `${needed} is in the package: ${names}`);
    }
    // The app lives on the shop's origin; the browser resolves "lojal" through an import map.
    const app = join(server.www, "app");
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "throwaway-app", private: true }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", join(work, filename)], { cwd: app, stdio: "ignore" });
    const customer = sign(TEST_SHOP.secret, TEST_SHOP.id, "nora");
    writeFileSync(join(app, "index.html"), `<!doctype html><html lang="sv"><head><link rel="icon" href="data:,">
      <script type="importmap">{"imports": {"lojal": "./node_modules/lojal/index.js"}}</script>
      <script type="module">
        import { mount } from "lojal";
        const el = document.querySelector("#rewards");
        window.events = [];
        for (const name of ["lojal:ready", "lojal:error"]) el.addEventListener(name, (e) => window.events.push([name, e.detail]));
        window.handle = await mount(el, { shop: "${TEST_SHOP.id}", api: "${server.api}", customer: ${JSON.stringify(customer)}, locale: "en" });
      </script></head><body><div id="rewards"></div></body></html>`);

    const { page, context, problems } = await openPage(browser, `${server.storefront}/app/index.html`, server);
    await page.waitForFunction(() => window.events?.length > 0);
    assert.deepEqual(await page.evaluate(() => window.events), [["lojal:ready", { points: 123, tier: "bronze" }]]);
    assert.equal(await page.evaluate(() => typeof window.handle.setCart), "function");
    const balance = () => page.evaluate(() => document.querySelector("#rewards lojal-widget").shadowRoot.querySelector(".balance .n")?.textContent);
    assert.equal(await balance(), "123");

    // refresh() fetches again: an order placed meanwhile shows.
    await merchant(server, "POST", "/orders", { id: "n-2", customer: "nora", total: 10000, currency: "SEK" });
    await page.evaluate(() => window.handle.refresh());
    assert.equal(await balance(), "223");
    // setCart() reaches the API; bad items are refused with an error the app can catch.
    await page.evaluate(() => window.handle.setCart([{ sku: "oat-milk", qty: 2, price: 1990 }]));
    const refused = await page.evaluate(() => window.handle.setCart([{ sku: "x", qty: 0, price: 1 }]).then(() => "ok", (e) => e.message));
    assert.match(refused, /qty/);
    // The `theme` option fixes the palette on a page that declares none.
    const theme = await page.evaluate(async ({ shop, api }) => {
      const { mount } = await import("lojal");
      const box = document.body.appendChild(document.createElement("div"));
      const handle = await mount(box, { shop, api, theme: "dark" });
      await new Promise((resolve) => setTimeout(resolve, 0));
      const resolved = handle.element.dataset.theme;
      handle.destroy();
      box.remove();
      return resolved;
    }, { shop: TEST_SHOP.id, api: server.api });
    assert.equal(theme, "dark");
    // destroy() removes what mount() added.
    await page.evaluate(() => window.handle.destroy());
    assert.equal(await page.locator("#rewards lojal-widget").count(), 0);
    assert.deepEqual(problems.filter((p) => !p.includes("Failed to load resource")), []);
    await context.close();
  });
});
