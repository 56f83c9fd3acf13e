// The script tag merchants paste (CONTRACT.md section 1). A classic script,
// so it works with a plain <script async>; it reads its own data-*
// attributes and loads the widget's module from beside itself.
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
    joinUrl: data.joinUrl,
    signInUrl: data.signInUrl,
    launcherLabel: data.launcherLabel,
    position: data.position,
  };
  if (!options.shop) {
    console.warn("lojal: the script tag needs data-shop");
    return;
  }
  import(new URL("index.js", script.src).href).then(
    function (lojal) {
      lojal.autoMount(options);
    },
    function (error) {
      console.warn("lojal: the widget could not load", error);
    },
  );
})();
