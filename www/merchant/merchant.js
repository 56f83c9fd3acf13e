// The merchant's page: GET /v1/shops/{shop}/metrics drawn as charts, each
// with its definition beside it. Every text from the data goes into the
// page as a text node (textContent), never as HTML.

const SVG = "http://www.w3.org/2000/svg";
const STORE = "lojal-merchant";

const signIn = document.querySelector("#sign-in");
const report = document.querySelector("#report");
const period = document.querySelector("#period");

function el(name, attrs = {}, text) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svgEl(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

// --- Sign-in: the fragment (#shop=..&secret=..) or the form, kept in this tab only.

function credentials() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("shop") && fragment.get("secret")) {
    sessionStorage.setItem(STORE, JSON.stringify({ shop: fragment.get("shop"), secret: fragment.get("secret") }));
    // Out of the address bar, the history and any screenshot of it.
    history.replaceState(null, "", location.pathname);
  }
  try {
    return JSON.parse(sessionStorage.getItem(STORE));
  } catch {
    return null;
  }
}

function showSignIn(message) {
  report.hidden = true;
  signIn.hidden = false;
  const error = signIn.querySelector(".error");
  error.hidden = !message;
  error.textContent = message || "";
}

signIn.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(signIn);
  sessionStorage.setItem(STORE, JSON.stringify({ shop: form.get("shop").trim(), secret: form.get("secret") }));
  load();
});

document.querySelector("#sign-out").addEventListener("click", () => {
  sessionStorage.removeItem(STORE);
  showSignIn();
});

period.addEventListener("change", () => load());

async function load() {
  const who = credentials();
  if (!who) return showSignIn();
  let answer;
  try {
    answer = await fetch(`/v1/shops/${encodeURIComponent(who.shop)}/metrics?period_days=${period.value}`, {
      headers: { Authorization: `Bearer ${who.secret}` },
    });
  } catch {
    return showSignIn("The server cannot be reached.");
  }
  if (answer.status === 401 || answer.status === 404) {
    sessionStorage.removeItem(STORE);
    return showSignIn("That shop id and secret do not match a shop here.");
  }
  const body = await answer.json().catch(() => null);
  if (!answer.ok || !body) return showSignIn(body?.error?.message || `The server answered ${answer.status}.`);
  signIn.hidden = true;
  report.hidden = false;
  document.querySelector("#shop-name").textContent = who.shop;
  draw(body);
  loadWebhooks(who);
}

// --- Webhooks: endpoints, their state and their latest attempts.

async function merchantCall(who, method, path) {
  const answer = await fetch(`/v1/shops/${encodeURIComponent(who.shop)}${path}`, {
    method,
    headers: { Authorization: `Bearer ${who.secret}` },
  });
  const body = await answer.json().catch(() => null);
  if (!answer.ok) throw new Error(body?.error?.message || `The server answered ${answer.status}.`);
  return body;
}

function when(rfc3339) {
  return new Date(rfc3339).toLocaleString(navigator.language);
}

async function loadWebhooks(who) {
  const list = document.querySelector("#webhook-list");
  let endpoints;
  try {
    endpoints = (await merchantCall(who, "GET", "/webhooks")).webhooks;
  } catch (e) {
    list.replaceChildren(el("p", { class: "error" }, e.message));
    return;
  }
  if (endpoints.length === 0) {
    list.replaceChildren(el("p", { class: "empty" }, "No endpoints registered."));
    return;
  }
  const nodes = [];
  for (const endpoint of endpoints) nodes.push(await webhookCard(who, endpoint));
  list.replaceChildren(...nodes);
}

async function webhookCard(who, endpoint) {
  const id = encodeURIComponent(endpoint.id);
  const node = el("div", { class: "webhook card" });
  node.append(el("div", { class: "label" }, endpoint.url));
  const state = endpoint.enabled
    ? `On · ${number(endpoint.pending)} waiting`
    : `Switched off ${when(endpoint.disabled_at)}: ${endpoint.disabled_reason} · ${number(endpoint.pending)} waiting`;
  node.append(el("p", { class: endpoint.enabled ? "state on" : "state off" }, state));
  node.append(el("p", { class: "definition" }, `${endpoint.id} · ${endpoint.events.join(", ")}`));
  if (!endpoint.enabled) {
    const enable = el("button", { type: "button" }, "Switch on again");
    enable.addEventListener("click", async () => {
      try {
        await merchantCall(who, "POST", `/webhooks/${id}/enable`);
        loadWebhooks(who);
      } catch (e) {
        node.append(el("p", { class: "error" }, e.message));
      }
    });
    node.append(enable);
  }
  let attempts = [];
  try {
    attempts = (await merchantCall(who, "GET", `/webhooks/${id}/attempts?limit=10`)).attempts;
  } catch (e) {
    node.append(el("p", { class: "error" }, e.message));
  }
  if (attempts.length === 0) {
    node.append(el("p", { class: "empty" }, "No delivery attempts yet."));
    return node;
  }
  const table = el("table", { class: "attempts" });
  const head = el("tr");
  for (const title of ["When", "Event", "Answer", "Time", ""]) head.append(el("th", {}, title));
  table.append(head);
  for (const attempt of attempts) {
    const row = el("tr", { class: attempt.ok ? "ok" : "failed" });
    row.append(el("td", {}, when(attempt.at)));
    row.append(el("td", {}, `${attempt.type} (${attempt.event_id})`));
    const answer = attempt.ok ? `${attempt.status}` : attempt.error;
    row.append(el("td", {}, answer));
    row.append(el("td", {}, `${number(attempt.duration_ms)} ms`));
    const again = el("button", { type: "button", class: "small" }, "Send again");
    again.addEventListener("click", async () => {
      try {
        await merchantCall(who, "POST", `/webhooks/events/${encodeURIComponent(attempt.event_id)}/resend`);
        again.disabled = true;
        again.textContent = "Queued";
        setTimeout(() => loadWebhooks(who), 1500);
      } catch (e) {
        node.append(el("p", { class: "error" }, e.message));
      }
    });
    const cell = el("td");
    cell.append(again);
    row.append(cell);
    table.append(row);
  }
  node.append(table);
  return node;
}

// --- Formatting

const numberFormat = new Intl.NumberFormat(navigator.language);
const number = (n) => numberFormat.format(Math.round(n));
const percent = (share) => (share === null || share === undefined ? "–" : `${Math.round(share * 100)} %`);
function money(minor, currency) {
  return new Intl.NumberFormat(navigator.language, { style: "currency", currency, maximumFractionDigits: 0 }).format(
    minor / 100,
  );
}
function shortMonth(yyyyMm) {
  const date = new Date(`${yyyyMm}-15T12:00:00Z`);
  return date.toLocaleDateString(navigator.language, { month: "short", timeZone: "UTC" });
}

// --- The report

function card(label, value, definition) {
  const node = el("div", { class: "card" });
  node.append(el("div", { class: "label" }, label), el("div", { class: "value" }, value));
  node.append(el("p", { class: "definition" }, definition));
  return node;
}

function chart(title, definition, figure, legend) {
  const node = el("section", { class: "chart", "aria-label": title });
  node.append(el("h2", {}, title), el("p", { class: "definition" }, definition));
  node.append(figure);
  if (legend) {
    const keys = el("div", { class: "legend" });
    for (const [name, colour] of legend) {
      const key = el("span", {}, name);
      key.style.setProperty("--swatch", colour);
      keys.append(key);
    }
    node.append(keys);
  }
  return node;
}

function draw(m) {
  const days = m.period_days;
  const headline = document.querySelector("#headline");
  headline.replaceChildren(
    card("Members", number(m.members), "Customers enrolled: signed in to the widget or sent with an order."),
    card(
      "Repeat purchase rate",
      percent(m.repeat_purchase_rate),
      "Of customers with an order, the share with two or more.",
    ),
    card(
      "Retention",
      percent(m.retention),
      `Of customers who ordered in the ${days} days before the last ${days}, the share who ordered again in the last ${days}.`,
    ),
    card("Churn", percent(m.churn), "1 − retention: the share of those customers who did not come back."),
    card(
      "Customer lifetime value",
      m.average_customer_value === null ? "–" : money(m.average_customer_value, m.currency),
      "Average net revenue (after refunds) per customer with an order, to date.",
    ),
    card(
      "Points liability",
      `${number(m.points.outstanding)} p`,
      "Points members hold now and may redeem: what the program owes.",
    ),
    card(
      "Redemption rate",
      percent(m.points.redemption_rate),
      "Points spent on rewards as a share of all points issued.",
    ),
    card(
      "Referral conversions",
      number(m.referrals.conversions),
      `New members whose first order came through a referral link (${number(m.referrals.visits)} link visits).`,
    ),
    card(
      "NPS",
      m.nps === null ? "No answers yet" : number(m.nps),
      `Net Promoter Score of the answers in the last ${days} days: % promoters (9–10) − % detractors (0–6) of the 0–10 question the widget asks after an order.`,
    ),
    card(
      "Given to the cause",
      money(m.donated_amount, m.currency),
      "What members turned their points into for the shop's cause, to date.",
    ),
    card(
      "Earned by recommendations",
      money(m.recommendations.attributed_revenue, m.currency),
      `In the last ${days} days: ${number(m.recommendations.attributed_orders)} orders held an item the widget recommended to that member within ${number(m.recommendations.attribution_days)} days before (the revenue is those items' lines). Picks were seen on ${number(m.recommendations.views)} member-days and clicked ${number(m.recommendations.clicks)} times (${percent(m.recommendations.click_rate)}).`,
    ),
  );

  const charts = document.querySelector("#charts");
  charts.replaceChildren(
    chart(
      "Members over time",
      "Members at the end of each month; the label is how many joined that month (enrolled or first ordered, whichever came first).",
      columns(
        m.months.map((x) => ({ label: shortMonth(x.month), value: x.members, note: `+${number(x.new_members)}` })),
        number,
      ),
    ),
    chart(
      "Revenue per month",
      "Net revenue of each month's orders (after refunds); the label is the number of orders.",
      columns(
        m.months.map((x) => ({ label: shortMonth(x.month), value: x.revenue, note: number(x.orders) })),
        (v) => money(v, m.currency),
      ),
    ),
    chart(
      "Active customers per month",
      "Customers with at least one order in the month.",
      columns(
        m.months.map((x) => ({ label: shortMonth(x.month), value: x.active_customers, note: number(x.active_customers) })),
        number,
      ),
    ),
    chart(
      "Retention by monthly cohort",
      "Each row is the customers whose first order fell in that month; each cell the share of them who ordered again in the 1st, 2nd, … month after. Churn is the rest.",
      heatmap(m.cohorts),
    ),
    chart(
      "Customer lifetime value: members and non-members",
      "Average net revenue to date per customer with an order: members have opened the widget signed in (they know the program); non-members are known only from your orders.",
      rows(
        [
          { label: "Members", value: m.customer_value_by_membership.members_value ?? 0, n: m.customer_value_by_membership.members },
          { label: "Non-members", value: m.customer_value_by_membership.non_members_value ?? 0, n: m.customer_value_by_membership.non_members },
        ].map((r) => ({ ...r, label: `${r.label} (${number(r.n)})`, note: money(r.value, m.currency) })),
        (v) => money(v, m.currency),
      ),
    ),
    chart(
      "Revenue and members per tier",
      "Net revenue to date of the members in each tier now; the label is how many members hold it.",
      rows(
        m.tiers.map((t) => ({ label: t.name, value: t.revenue, note: `${number(t.members)} members` })),
        (v) => money(v, m.currency),
      ),
    ),
    chart(
      "Points issued and where they went",
      "Issued: every point credited. Redeemed: spent on rewards. Expired and reversed (refunds, corrections) are taken back. Outstanding: held by members now, the liability.",
      rows(
        [
          { label: "Issued", value: m.points.issued },
          { label: "Redeemed", value: m.points.redeemed },
          { label: "Expired", value: m.points.expired },
          { label: "Donated", value: m.points.donated },
          { label: "Reversed", value: m.points.reversed },
          { label: "Outstanding", value: m.points.outstanding },
        ].map((r) => ({ ...r, note: `${number(r.value)} p` })),
        number,
      ),
    ),
    chart(
      "NPS: who would recommend you",
      `The answers of the last ${days} days to "How likely are you to recommend us to a friend?": promoters answered 9–10, passives 7–8, detractors 0–6. NPS is % promoters − % detractors.`,
      m.feedback.answers === 0
        ? el("p", { class: "empty" }, "No answers yet: they come from members after their orders.")
        : rows(
            [
              { label: "Promoters", value: m.feedback.promoters },
              { label: "Passives", value: m.feedback.passives },
              { label: "Detractors", value: m.feedback.detractors },
            ].map((r) => ({ ...r, note: `${number(r.value)} (${percent(r.value / m.feedback.answers)})` })),
            number,
          ),
    ),
    chart(
      "Referrals",
      "Visits through members' referral links, and the new members whose first order credited the member who referred them.",
      rows(
        [
          { label: "Link visits", value: m.referrals.visits, note: number(m.referrals.visits) },
          { label: "Conversions", value: m.referrals.conversions, note: number(m.referrals.conversions) },
        ],
        number,
      ),
    ),
  );
}

// --- Charts (SVG, text nodes only)

const WIDTH = 480;

/** Vertical bars, one per item, with the item's note above its bar. */
function columns(items, format) {
  const height = 200;
  const top = 18;
  const bottom = 22;
  const left = 52;
  const svg = svgEl("svg", { viewBox: `0 0 ${WIDTH} ${height}`, role: "img" });
  if (!items.length) return el("p", { class: "empty" }, "No data yet.");
  const max = Math.max(1, ...items.map((i) => i.value));
  const plot = height - top - bottom;
  const step = (WIDTH - left) / items.length;
  svg.append(svgEl("text", { x: 0, y: top + 4 }, format(max)));
  svg.append(svgEl("text", { x: 0, y: height - bottom }, format(0)));
  svg.append(svgEl("line", { x1: left, x2: WIDTH, y1: height - bottom, y2: height - bottom, stroke: "#d8dfdc" }));
  items.forEach((item, i) => {
    const h = (Math.max(0, item.value) / max) * plot;
    const x = left + i * step + step * 0.15;
    const bar = svgEl("rect", { x, y: height - bottom - h, width: step * 0.7, height: h, rx: 3, fill: "#1f6f50" });
    bar.append(svgEl("title", {}, `${item.label}: ${format(item.value)}`));
    svg.append(bar);
    svg.append(svgEl("text", { x: x + step * 0.35, y: height - 6, "text-anchor": "middle" }, item.label));
    if (item.note) {
      svg.append(
        svgEl(
          "text",
          { x: x + step * 0.35, y: height - bottom - h - 4, "text-anchor": "middle", class: "value-label" },
          item.note,
        ),
      );
    }
  });
  svg.setAttribute("aria-label", items.map((i) => `${i.label} ${format(i.value)}`).join(", "));
  return svg;
}

/** Horizontal bars with their labels on the left and notes on the right. */
function rows(items, format) {
  if (!items.length) return el("p", { class: "empty" }, "No data yet.");
  const rowHeight = 28;
  const left = 130;
  const right = 110;
  const height = items.length * rowHeight + 4;
  const svg = svgEl("svg", { viewBox: `0 0 ${WIDTH} ${height}`, role: "img" });
  const max = Math.max(1, ...items.map((i) => i.value));
  items.forEach((item, i) => {
    const y = i * rowHeight + 4;
    const w = (Math.max(0, item.value) / max) * (WIDTH - left - right);
    svg.append(svgEl("text", { x: 0, y: y + 15 }, item.label));
    const bar = svgEl("rect", { x: left, y, width: Math.max(w, 1), height: rowHeight - 8, rx: 3, fill: "#1f6f50" });
    bar.append(svgEl("title", {}, `${item.label}: ${format(item.value)}`));
    svg.append(bar);
    svg.append(svgEl("text", { x: left + w + 6, y: y + 15, class: "value-label" }, item.note ?? format(item.value)));
  });
  svg.setAttribute("aria-label", items.map((i) => `${i.label} ${format(i.value)}`).join(", "));
  return svg;
}

/** Cohort retention: one row per first-order month, one cell per later month, darker for more. */
function heatmap(cohorts) {
  if (!cohorts.length) return el("p", { class: "empty" }, "No cohorts yet: they start with the first orders.");
  const horizon = Math.max(1, ...cohorts.map((c) => c.retained.length));
  const left = 110;
  const cell = Math.min(56, (WIDTH - left) / horizon);
  const rowHeight = 24;
  const height = (cohorts.length + 1) * rowHeight + 4;
  const svg = svgEl("svg", { viewBox: `0 0 ${WIDTH} ${height}`, role: "img" });
  for (let k = 0; k < horizon; k++) {
    svg.append(svgEl("text", { x: left + k * cell + cell / 2, y: 14, "text-anchor": "middle" }, `+${k + 1} mo`));
  }
  cohorts.forEach((cohort, r) => {
    const y = (r + 1) * rowHeight;
    svg.append(svgEl("text", { x: 0, y: y + 15 }, `${shortMonth(cohort.month)} ${cohort.month.slice(0, 4)} (${number(cohort.customers)})`));
    cohort.retained.forEach((share, k) => {
      // Light to the accent colour as the share rises to a half and beyond.
      const strength = Math.min(1, share * 2);
      const rect = svgEl("rect", {
        x: left + k * cell + 1,
        y,
        width: cell - 2,
        height: rowHeight - 2,
        rx: 3,
        fill: `rgba(31, 111, 80, ${0.08 + strength * 0.92})`,
      });
      rect.append(svgEl("title", {}, `${cohort.month}, month +${k + 1}: ${percent(share)}`));
      svg.append(rect);
      svg.append(
        svgEl(
          "text",
          {
            x: left + k * cell + cell / 2,
            y: y + 15,
            "text-anchor": "middle",
            // A class, not a style attribute: the page's CSP allows no inline styles.
            class: strength > 0.5 ? "on-dark" : "value-label",
          },
          percent(share),
        ),
      );
    });
  });
  svg.setAttribute("aria-label", "Retention by monthly cohort");
  return svg;
}

load();
