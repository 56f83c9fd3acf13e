// The script tag merchants paste (CONTRACT.md section 1). A classic script,
// so it works with a plain <script async>. It reads its own data-*
// attributes, then starts at once the API request and, beside it, the
// wasm's download (compiled as it arrives). When the answer is in, it
// draws the member's balance in text nodes (the first view), while the
// wasm is still on its way; once that is on screen the wasm starts and
// takes over.
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
  // The answer first: the balance waits for it, and not for the wasm.
  options.prefetch = prefetch(options);
  var wasm = compile(new URL("lojal_wasm_bg.wasm", script.src));
  // A failed download is reported when the module awaits it, not here.
  wasm.catch(function () {});
  var drawn = firstView(options.prefetch);
  // The module at once: it defines <lojal-widget>, whose methods a page
  // may call as soon as the first view shows. The wasm starts (its
  // instantiation, its frame and whole view: most of the widget's main
  // thread) only once that first view is on screen, or could not be drawn;
  // started earlier, it would hold the main thread when the answer arrives.
  var started = Promise.race([drawn.then(afterPaint), delay(5000)]).then(function () {
    return wasm;
  });
  module().then(
    function (lojal) {
      lojal.autoMount(options, started);
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

  // The wasm compiled as it downloads, on the browser's own threads, so
  // that it is ready when the module asks for it. A server that does not
  // say `application/wasm` gets it compiled from its bytes instead.
  function compile(url) {
    var download = fetch(url);
    if (typeof WebAssembly.compileStreaming !== "function") return download;
    return WebAssembly.compileStreaming(download).catch(function () {
      return fetch(url)
        .then(function (response) {
          if (!response.ok) throw new Error("lojal: the wasm answered " + response.status);
          return response.arrayBuffer();
        })
        .then(function (bytes) {
          return WebAssembly.compile(bytes);
        });
    });
  }

  // Resolves after the next frame is painted (or soon, in a hidden tab,
  // which paints nothing).
  function afterPaint() {
    return new Promise(function (resolve) {
      requestAnimationFrame(function () {
        setTimeout(resolve, 0);
      });
      setTimeout(resolve, 100);
    });
  }

  // A browser without AbortSignal.timeout could wait for the answer for
  // ever: the wasm starts after `ms` all the same.
  function delay(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
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
  // until its own view replaces them (src/lib.rs). Resolves once the
  // first view is drawn, or will not be.
  function firstView(answer) {
    var words = {
      en: { points: "points", tier: "Your tier" },
      sv: { points: "poäng", tier: "Din nivå" },
      da: { points: "point", tier: "Dit niveau" },
    }[lang];
    return answer
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
        if (document.readyState !== "loading") return draw();
        // Resolved only once drawn, so the wasm is not started before.
        return new Promise(function (drawn) {
          document.addEventListener(
            "DOMContentLoaded",
            function () {
              draw();
              drawn();
            },
            { once: true }
          );
        });
      })
      .catch(function () {});
  }

  // A whole number as Intl writes it in the widget's languages ("1,234",
  // "1 234" with a no-break space and "−5" with a minus sign in Swedish,
  // "1.234"), the same text the wasm draws later (src/i18n.rs), but
  // without Intl: a page's first Intl.NumberFormat loads ICU's data, some
  // 65 ms of main thread (270 ms on a 4x slower phone), before the balance.
  function integer(n) {
    if (!Number.isSafeInteger(n)) return String(n);
    var grouped = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, { en: ",", sv: "\u00a0", da: "." }[lang]);
    return n < 0 ? (lang === "sv" ? "\u2212" : "-") + grouped : grouped;
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
    balance.appendChild(el("span", n < 0 ? "n negative" : "n", integer(n)));
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
