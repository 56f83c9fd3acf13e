// The program's other forms as a shopper meets them: a running campaign,
// member-only and early-access rewards (on the demo shop), and the
// feedback question after an order, answered with a comment.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ARTIFACTS, htmlPage, launchBrowser, merchant, openLauncher, openPage, scriptTag, standingOf, startDemo,
} from "./harness.mjs";

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

const panelText = (page, selector) =>
  page.evaluate((s) => [...document.querySelector("lojal-widget[launcher]").shadowRoot.querySelectorAll(s)].map((n) => n.textContent), selector);

describe("program forms in the widget", () => {
  test("the demo member sees the running campaign, her tier's member-only reward and early access", async () => {
    const { page, context, problems } = await openPage(browser, `${server.storefront}/?locale=en`, server);
    await openLauncher(page);
    await page.locator("lojal-widget [part=campaign]").waitFor();
    const [banner] = await panelText(page, "[part=campaign]");
    assert.match(banner, /^Dubbla poäng på frukt & grönt2× points until \w{3} \d+, \d{4}$/);

    const badges = await page.evaluate(() =>
      Object.fromEntries(
        [...document.querySelector("lojal-widget[launcher]").shadowRoot.querySelectorAll("[data-reward]")].map((li) => [
          li.dataset.reward,
          li.querySelector(".badge")?.textContent ?? null,
        ]),
      ),
    );
    assert.equal(badges.tasting, "Only for Guld members");
    assert.match(badges["christmas-hamper"], /^Early access: open to all from \w{3} \d+, \d{4}$/);
    assert.equal(badges.r50, null, "plain rewards have no badge");
    await page.locator("lojal-widget .panel").screenshot({ path: join(ARTIFACTS, "program-forms.png") });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the stamp card is drawn as a card of stamps with what is left to the reward", async () => {
    const { page, context, problems } = await openPage(browser, `${server.storefront}/?locale=en`, server);
    await openLauncher(page);
    await page.locator("lojal-widget [part=stamps]").waitFor();
    const data = await standingOf(server, page);
    const drawn = await page.evaluate(() => {
      const card = document.querySelector("lojal-widget[launcher]").shadowRoot.querySelector("[part=stamps]");
      return {
        title: card.querySelector("h3").textContent,
        stamps: card.querySelectorAll(".stamp").length,
        filled: card.querySelectorAll(".stamp.filled").length,
        label: card.querySelector(".stamp-row").getAttribute("aria-label"),
        toGo: card.querySelector(".stamps-to-go").textContent,
      };
    });
    assert.deepEqual(drawn, {
      title: "Kaffekortet",
      stamps: 8,
      filled: data.stamp_card.filled,
      label: `${data.stamp_card.filled} of 8 stamps`,
      toGo: `${8 - data.stamp_card.filled} more purchases to Gratis kaffe`,
    });
    await page.locator("lojal-widget [part=stamps]").screenshot({ path: join(ARTIFACTS, "stamp-card.png") });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the demo member gives points to the cause, after confirming, and the shared total grows", async () => {
    const { page, context, problems } = await openPage(browser, `${server.storefront}/?locale=en`, server);
    await openLauncher(page);
    await page.locator("lojal-widget [part=donation]").waitFor();
    const before = await standingOf(server, page);
    assert.deepEqual(await panelText(page, "[part=donation] h3"), ["Give to Stadsmissionen"]);
    await page.locator("lojal-widget [data-action=give]").click();
    assert.match((await panelText(page, "[part=donation] .question"))[0], /^Give 500 points \(SEK\s?50\.00\)\?$/);
    await page.locator("lojal-widget [data-action=confirm-gift]").click();
    await page.waitForFunction(() =>
      document.querySelector("lojal-widget[launcher]").shadowRoot.querySelector("[part=donation] .thanks")?.textContent.startsWith("Thank you!"),
    );
    await page.locator("lojal-widget [part=donation]").screenshot({ path: join(ARTIFACTS, "donation.png") });
    const after = await standingOf(server, page);
    assert.equal(after.customer.points, before.customer.points - 500);
    assert.equal(after.donation.total, before.donation.total + 5000);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a guest sees the campaign but not the member-only rewards", async () => {
    const { page, context } = await openPage(browser, `${server.storefront}/?as=guest&locale=en`, server);
    await openLauncher(page);
    await page.locator("lojal-widget [part=campaign]").waitFor();
    const rewards = await page.evaluate(() =>
      [...document.querySelector("lojal-widget[launcher]").shadowRoot.querySelectorAll("[data-reward]")].map((li) => li.dataset.reward),
    );
    assert.ok(rewards.includes("r50"));
    assert.ok(!rewards.includes("tasting") && !rewards.includes("christmas-hamper"), rewards.join());
    await context.close();
  });

  test("after an order the member answers the feedback question, is paid once, and it feeds the NPS", async () => {
    await merchant(server, "PUT", "/program", {
      earn: { points_per_unit: 1 },
      tiers: [{ id: "bronze", name: "Bronze", threshold: 0 }],
      rewards: [{ id: "coffee", title: "A free coffee", cost: 400, kind: "free_product" }],
      feedback: { ask_within_days: 14, points: 25 },
    });
    await merchant(server, "POST", "/orders", { id: "fb-1", customer: "frida", total: 12000, currency: "SEK" });
    server.addPage("feedback.html", htmlPage("Shop", scriptTag(server, { customer: "frida" })));
    const { page, context, problems } = await openPage(browser, `${server.storefront}/feedback.html`, server);
    await openLauncher(page);
    await page.locator("lojal-widget [part=feedback]").waitFor();
    assert.deepEqual(await panelText(page, "[part=feedback] .question"), [
      "How likely are you to recommend Test shop to a friend?",
    ]);
    await page.locator("lojal-widget [data-action=feedback-score][data-arg='9']").click();
    assert.equal(
      await page.locator("lojal-widget [data-action=feedback-score][data-arg='9']").getAttribute("aria-pressed"),
      "true",
    );
    await page.locator("lojal-widget [part=feedback] textarea").fill("Fast delivery, fresh bread");
    await page.locator("lojal-widget .panel").screenshot({ path: join(ARTIFACTS, "feedback-question.png") });
    await page.locator("lojal-widget [data-action=send-feedback]").click();
    await page.waitForFunction(() =>
      document.querySelector("lojal-widget[launcher]").shadowRoot.querySelector(".feedback-note")?.textContent === "Thank you for your answer!",
    );
    await page.waitForFunction(() => document.querySelector("lojal-widget[launcher]").shadowRoot.querySelector(".balance .n")?.textContent === "145");
    assert.equal(await page.locator("lojal-widget [data-action=feedback-score]").count(), 0, "asked once");

    const metrics = await merchant(server, "GET", "/metrics");
    assert.deepEqual(metrics.feedback, { answers: 1, promoters: 1, passives: 0, detractors: 0, score: 100 });
    const customer = await merchant(server, "GET", "/customers/frida");
    assert.deepEqual(customer.ledger.map((e) => [e.reason, e.delta]).sort(), [["earn", 120], ["feedback", 25]]);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a member follows the shop from the widget: the account opens and the points arrive once", async () => {
    await merchant(server, "PUT", "/program", {
      earn: { points_per_unit: 1 },
      tiers: [{ id: "bronze", name: "Bronze", threshold: 0 }],
      actions: [
        { id: "instagram", kind: "social_follow", title: "Follow us on Instagram", points: 20, url: "https://instagram.example/lojal" },
        { id: "review", kind: "review", title: "Review a product", points: 50 },
      ],
    });
    server.addPage("follow.html", htmlPage("Shop", scriptTag(server, { customer: "gustav" })));
    const { page, context, problems } = await openPage(browser, `${server.storefront}/follow.html`, server);
    // The account opens in a new tab; it is not loaded here (no network).
    await context.route("https://instagram.example/**", (route) => route.fulfill({ body: "ok" }));
    await openLauncher(page);
    await page.locator("lojal-widget [part=ways]").waitFor();
    assert.deepEqual(await panelText(page, "[part=ways] li"), ["Follow us on Instagram20 pointsFollow", "Review a product50 points"]);
    const popup = context.waitForEvent("page");
    await page.locator("lojal-widget [data-action=follow]").click();
    assert.equal((await popup).url(), "https://instagram.example/lojal");
    await page.waitForFunction(() =>
      document.querySelector("lojal-widget[launcher]").shadowRoot.querySelector("[part=ways] li.done")?.textContent.includes("Done"),
    );
    assert.equal(await page.evaluate(() => document.querySelector("lojal-widget[launcher]").shadowRoot.querySelector(".balance .n").textContent), "20");
    assert.equal(await page.locator("lojal-widget [data-action=follow]").count(), 0, "claimed once");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a member sets a birthday once: a day the month lacks is refused, a real one is kept", async () => {
    await merchant(server, "PUT", "/program", {
      earn: { points_per_unit: 1 },
      tiers: [{ id: "bronze", name: "Bronze", threshold: 0 }],
      birthday: { points: 200 },
    });
    server.addPage("birthday.html", htmlPage("Shop", scriptTag(server, { customer: "hanna" })));
    const { page, context, problems } = await openPage(browser, `${server.storefront}/birthday.html`, server);
    await openLauncher(page);
    await page.locator("lojal-widget [part=birthday] select[name=month]").waitFor();
    await page.locator("lojal-widget [part=birthday] select[name=month]").selectOption("2");
    await page.locator("lojal-widget [part=birthday] select[name=day]").selectOption("31");
    await page.locator("lojal-widget [data-action=save-birthday]").click();
    await page.locator("lojal-widget [part=birthday] .alert").waitFor();
    await page.locator("lojal-widget [part=birthday] select[name=month]").selectOption("3");
    await page.locator("lojal-widget [part=birthday] select[name=day]").selectOption("14");
    await page.locator("lojal-widget [data-action=save-birthday]").click();
    await page.waitForFunction(() =>
      document.querySelector("lojal-widget[launcher]").shadowRoot.querySelector("[part=birthday] p")?.textContent === "Your birthday: March 14.",
    );
    assert.equal(await page.locator("lojal-widget [part=birthday] select").count(), 0, "set once: no form any more");
    await page.locator("lojal-widget [part=birthday]").screenshot({ path: join(ARTIFACTS, "birthday.png") });
    // The 31 February refusal was an expected 422.
    assert.deepEqual(problems.filter((p) => !p.includes("422")), []);
    await context.close();
  });

  test("cashback: a member sees their store credit, a guest how much comes back", async () => {
    await merchant(server, "PUT", "/program", {
      earn: { points_per_unit: 0 },
      tiers: [{ id: "bronze", name: "Bronze", threshold: 0 }],
      cashback: { percent: 2.5 },
    });
    await merchant(server, "POST", "/orders", { id: "cb-1", customer: "ivar", total: 20000, currency: "SEK" });
    server.addPage("cashback.html", htmlPage("Shop", scriptTag(server, { customer: "ivar" })));
    const member = await openPage(browser, `${server.storefront}/cashback.html`, server);
    await openLauncher(member.page);
    await member.page.locator("lojal-widget [part=credit]").waitFor();
    const [line] = await panelText(member.page, "[part=credit]");
    assert.match(line, /^Store credit: SEK\s5\.00, to use at checkout$/, "2.5 % of 200 kr; Intl puts a no-break space in");
    assert.deepEqual(member.problems, []);
    await member.context.close();

    server.addPage("cashback-guest.html", htmlPage("Shop", scriptTag(server)));
    const guest = await openPage(browser, `${server.storefront}/cashback-guest.html`, server);
    await openLauncher(guest.page);
    await guest.page.locator("lojal-widget [part=how]").waitFor();
    assert.ok((await panelText(guest.page, "[part=how] li")).includes("2.5 % of every purchase back as store credit"));
    await guest.context.close();
  });
});
