// The script tag merchants paste (CONTRACT.md section 1). A classic script,
// so it works with a plain <script async>. It reads its own data-*
// attributes, then starts at once, side by side, everything the first
// render waits for: the wasm download and the API request. When the
// answer is in, it draws the member's balance in text nodes (the first
// view), while the wasm is still on its way; the wasm then takes over.
//
// lojal-server serves this file with the module (index.js) and the
// wasm-bindgen glue inside it (build.rs): one script, no chain of imports.
// Served from a plain folder (`--assets`), it imports index.js instead.
(function () {
  var script = document.currentScript;
  if (!script || !script.src) return;
  var data = script.dataset;
  var options = {
    shop: data.shop,
    api: (data.api || new URL(script.src).origin).replace(/\/+$/, ""),
    locale: data.locale || document.documentElement.lang || "en",
    customer: data.customer
      ? { id: data.customer, ts: data.customerTs, sig: data.customerSig }
      : null,
    // A guest's email hash, signed by the shop: their pending points show.
    guest: data.guestEmailHash
      ? { emailHash: data.guestEmailHash, ts: data.guestTs, sig: data.guestSig }
      : null,
    joinUrl: data.joinUrl,
    signInUrl: data.signInUrl,
    launcherLabel: data.launcherLabel,
    position: data.position,
    theme: data.theme,
    offset: data.offset,
    product: data.product,
  };
  if (!options.shop) {
    console.warn("lojal: the script tag needs data-shop");
    return;
  }
  var language = String(options.locale).split(/[-_]/)[0].toLowerCase();
  var lang = language === "sv" || language === "da" ? language : "en";
  var wasm = fetch(new URL("lojal_wasm_bg.wasm", script.src));
  // A failed download is reported when the module awaits it, not here.
  wasm.catch(function () {});
  options.prefetch = prefetch(options);
  firstView(options.prefetch);
  module().then(
    function (lojal) {
      lojal.autoMount(options, wasm);
    },
    function (error) {
      console.warn("lojal: the widget could not load", error);
    },
  );

  /** The module: built into this file by lojal-server, else imported. */
  function module() {
    /* global LOJAL_BUNDLE */
    if (typeof LOJAL_BUNDLE === "function") return Promise.resolve().then(LOJAL_BUNDLE);
    return import(new URL("index.js", script.src).href);
  }

  // The shopper's data, asked for as a "simple" request: the signed
  // identity in the query string, no custom header, so the browser sends
  // no CORS preflight before it.
  function prefetch(o) {
    var url = o.api + "/v1/shops/" + encodeURIComponent(o.shop) + "/widget?locale=" + lang;
    if (o.product) url += "&product=" + encodeURIComponent(String(o.product).trim());
    var c = o.customer;
    var g = o.guest;
    if (c && c.id && c.ts && c.sig) {
      url += "&customer=" + encodeURIComponent(c.id) + "&ts=" + encodeURIComponent(c.ts) + "&sig=" + encodeURIComponent(c.sig);
    } else if (g && g.emailHash && g.ts && g.sig) {
      url += "&guest_email_hash=" + encodeURIComponent(g.emailHash) + "&guest_ts=" + encodeURIComponent(g.ts) + "&guest_sig=" + encodeURIComponent(g.sig);
    }
    var init = {};
    if (typeof AbortSignal !== "undefined" && AbortSignal.timeout) init.signal = AbortSignal.timeout(4000);
    var response = fetch(url, init);
    response.catch(function () {});
    return response;
  }

  // The member's balance and tier from the early answer, in the shadow
  // root of each full <lojal-widget> on the page that the wasm has not
  // reached yet. Text nodes only. The wasm's frame adopts these nodes
  // until its own view replaces them (src/lib.rs).
  function firstView(answer) {
    var words = {
      en: { points: "points", tier: "Your tier" },
      sv: { points: "poäng", tier: "Din nivå" },
      da: { points: "point", tier: "Dit niveau" },
    }[lang];
    answer
      .then(function (response) {
        // A copy: the wasm reads the body itself.
        return response.ok ? response.clone().json() : null;
      })
      .then(function (body) {
        var customer = body && body.customer;
        if (!customer || typeof customer.points !== "number") return;
        var draw = function () {
          var hosts = document.querySelectorAll("lojal-widget:not([launcher])");
          for (var i = 0; i < hosts.length; i++) {
            var host = hosts[i];
            var view = host.getAttribute("view");
            if (host.shadowRoot || (view && view !== "account")) continue;
            try {
              drawStanding(host.attachShadow({ mode: "open" }), customer, words);
            } catch (e) {
              // An element that cannot hold a shadow root waits for the wasm.
            }
          }
        };
        if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw, { once: true });
        else draw();
      })
      .catch(function () {});
  }

  function drawStanding(root, customer, words) {
    var el = function (tag, className, text) {
      var node = document.createElement(tag);
      if (className) node.className = className;
      if (text != null) node.appendChild(document.createTextNode(text));
      return node;
    };
    var style = el("style", "", ":host{display:block}.balance .n{font-size:1.75em;font-weight:700;margin-inline-end:.25em}");
    var view = el("div", "lojal-first");
    view.setAttribute("part", "first-view");
    var balance = el("p", "balance");
    balance.setAttribute("part", "balance");
    var n = Number(customer.points);
    var figure = typeof Intl !== "undefined" ? new Intl.NumberFormat(lang).format(n) : String(n);
    balance.appendChild(el("span", n < 0 ? "n negative" : "n", figure));
    balance.appendChild(el("span", "", words.points));
    view.appendChild(balance);
    if (customer.tier && customer.tier.name) {
      var tier = el("p", "tier", words.tier + ": ");
      tier.setAttribute("part", "tier");
      tier.appendChild(el("strong", "", String(customer.tier.name)));
      view.appendChild(tier);
    }
    root.appendChild(style);
    root.appendChild(view);
  }
})();
