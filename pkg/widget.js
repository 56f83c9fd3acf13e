// The script tag merchants paste (CONTRACT.md section 1). A classic script,
// so it works with a plain <script async>. It reads its own data-*
// attributes, then starts at once, side by side, everything the first
// render waits for: the wasm download, the API request, and the module.
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
  var wasm = fetch(new URL("lojal_wasm_bg.wasm", script.src));
  // A failed download is reported when the module awaits it, not here.
  wasm.catch(function () {});
  import(new URL("index.js", script.src).href).then(
    function (lojal) {
      lojal.autoMount(options, wasm);
    },
    function (error) {
      console.warn("lojal: the widget could not load", error);
    },
  );
  // The module is on its way; ask for the shopper's data meanwhile.
  options.prefetch = prefetch(options);

  function prefetch(o) {
    var language = String(o.locale).split(/[-_]/)[0].toLowerCase();
    var locale = language === "sv" || language === "da" ? language : "en";
    var url = o.api + "/v1/shops/" + encodeURIComponent(o.shop) + "/widget?locale=" + locale;
    if (o.product) url += "&product=" + encodeURIComponent(String(o.product).trim());
    var headers = {};
    if (o.customer && o.customer.id && o.customer.ts && o.customer.sig) {
      headers["X-Lojal-Customer"] = o.customer.id;
      headers["X-Lojal-Ts"] = String(o.customer.ts);
      headers["X-Lojal-Sig"] = o.customer.sig;
    } else if (o.guest && o.guest.emailHash && o.guest.ts && o.guest.sig) {
      headers["X-Lojal-Guest-Email-Hash"] = o.guest.emailHash;
      headers["X-Lojal-Guest-Ts"] = String(o.guest.ts);
      headers["X-Lojal-Guest-Sig"] = o.guest.sig;
    }
    var init = { headers: headers };
    if (typeof AbortSignal !== "undefined" && AbortSignal.timeout) init.signal = AbortSignal.timeout(4000);
    var response = fetch(url, init);
    response.catch(function () {});
    return response;
  }
})();
