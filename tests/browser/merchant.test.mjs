// The merchant's page on the demo shop seeded from data/groceries.csv:
// signed in by the demo's link or the form, the figures of the metrics
// endpoint drawn as charts with their definitions.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, launchBrowser, openPage, startDemo } from "./harness.mjs";

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

function demoSecret() {
  return new URLSearchParams(new URL(server.merchantPage).hash.slice(1)).get("secret");
}

async function metrics(periodDays = 90) {
  const answer = await fetch(`${server.api}/v1/shops/demo/metrics?period_days=${periodDays}`, {
    headers: { authorization: `Bearer ${demoSecret()}` },
  });
  assert.equal(answer.status, 200);
  return answer.json();
}

const cardValue = (page, label) =>
  page.evaluate((label) => {
    const card = [...document.querySelectorAll(".card")].find((c) => c.querySelector(".label").textContent === label);
    return card?.querySelector(".value").textContent ?? null;
  }, label);

describe("the merchant's page", () => {
  test("the demo link signs in, forgets the secret from the address bar, and draws every chart", async () => {
    const { page, context, problems } = await openPage(browser, server.merchantPage);
    await page.waitForSelector("#report:not([hidden]) .chart svg");
    assert.equal(new URL(page.url()).hash, "", "the secret left the address bar");
    const expected = await metrics();

    const members = await cardValue(page, "Members");
    assert.equal(members.replace(/\D/g, ""), String(expected.members));
    const repeat = await cardValue(page, "Repeat purchase rate");
    assert.equal(repeat, `${Math.round(expected.repeat_purchase_rate * 100)} %`);
    assert.equal(await cardValue(page, "NPS"), "No answers yet");

    const charts = await page.$$eval(".chart", (els) =>
      els.map((c) => ({
        title: c.querySelector("h2").textContent,
        definition: c.querySelector(".definition").textContent,
        marks: c.querySelectorAll("svg rect").length,
      })),
    );
    assert.deepEqual(
      charts.map((c) => c.title),
      [
        "Members over time",
        "Revenue per month",
        "Active customers per month",
        "Retention by monthly cohort",
        "Customer lifetime value: members and non-members",
        "Revenue and members per tier",
        "Points issued and where they went",
        "NPS: who would recommend you",
        "Referrals",
      ],
    );
    for (const c of charts) {
      assert.ok(c.definition.length > 20, `${c.title} states its definition`);
      // The demo's NPS starts without answers: that chart says so instead.
      if (c.title.startsWith("NPS") && expected.feedback.answers === 0) continue;
      assert.ok(c.marks > 0, `${c.title} draws something`);
    }
    // Twelve months of bars, the months the demo's 120 days of orders cover among them.
    const monthBars = await page.$$eval(".chart:nth-child(1) svg rect", (els) => els.length);
    assert.equal(monthBars, expected.months.length);
    const cells = await page.$$eval(".chart:nth-child(4) svg rect", (els) => els.length);
    assert.equal(cells, expected.cohorts.reduce((n, c) => n + c.retained.length, 0));
    assert.ok(cells > 0, "the demo's cohorts have months after them");

    await page.screenshot({ path: join(ARTIFACTS, "merchant-page.png"), fullPage: true });
    assert.deepEqual(problems, [], "no errors and no CSP violations");
    await context.close();
  });

  test("a wrong secret is refused with a clear message; the right one through the form shows the figures", async () => {
    const { page, context, problems } = await openPage(browser, `${server.api}/merchant`);
    await page.waitForSelector("#sign-in:not([hidden])");
    await page.fill("input[name=shop]", "demo");
    await page.fill("input[name=secret]", "not-the-secret");
    await page.click("button[type=submit]");
    await page.waitForSelector("#sign-in .error:not([hidden])");
    assert.match(await page.textContent("#sign-in .error"), /do not match a shop/);

    await page.fill("input[name=shop]", "demo");
    await page.fill("input[name=secret]", demoSecret());
    await page.click("button[type=submit]");
    await page.waitForSelector("#report:not([hidden]) .chart svg");
    // A longer retention window asks again and redraws.
    const expected = await metrics(365);
    await page.selectOption("#period", "365");
    await page.waitForFunction(
      (text) => [...document.querySelectorAll(".card .definition")].some((d) => d.textContent.includes(text)),
      "the last 365",
    );
    const retention = await cardValue(page, "Retention");
    assert.equal(retention, expected.retention === null ? "–" : `${Math.round(expected.retention * 100)} %`);

    await page.click("#sign-out");
    await page.waitForSelector("#sign-in:not([hidden])");
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, "signing out forgets the secret");
    // The 401 of the wrong secret is an expected console message; nothing else.
    assert.deepEqual(problems.filter((p) => !p.includes("401")), []);
    await context.close();
  });
});
