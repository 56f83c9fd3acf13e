// The `lojal` npm package, and the module the script tag loads.
//
// Rust cannot subclass HTMLElement, so this file defines <lojal-widget> and
// hands each element to the Rust `Widget` (in lojal_wasm.js), which owns its
// shadow root. Everything here guards against breaking the host page: no
// error escapes as an uncaught exception; failures become `lojal:error`.

import init, { Widget } from "./lojal_wasm.js";

const TAG = "lojal-widget";
const OPTIONS = Symbol("lojal.options");
const WIDGET = Symbol("lojal.widget");
// While the wasm loads: the promise of the element's start.
const STARTED = Symbol("lojal.started");

let wasm;
/** Loads the wasm once; `download`, when the loader started it already, is its Response promise. */
function loadWasm(download) {
  wasm ??= init({ module_or_path: download ?? new URL("./lojal_wasm_bg.wasm", import.meta.url) });
  return wasm;
}

// Options from the page's script tag, for elements that bring none.
let pageOptions = null;

function fail(host, code, message) {
  host.dispatchEvent(
    new CustomEvent("lojal:error", { bubbles: true, composed: true, detail: { code, message } }),
  );
}

async function start(host) {
  const given = host[OPTIONS] ?? pageOptions;
  if (!given || host[WIDGET]) return;
  // The loader's early request serves the first element's session only: a
  // response body can be read once.
  const options = { ...given };
  given.prefetch = null;
  // A product page's element may name its product itself; the loader's
  // early request was for the page's, so it is not this element's answer.
  const product = host.getAttribute("product") ?? host.dataset.product;
  if (product && product !== options.product) {
    options.product = product;
    options.prefetch = null;
  }
  host[WIDGET] = "starting";
  host[STARTED] = run(host, options);
  return host[STARTED];
}

async function run(host, options) {
  try {
    await loadWasm();
    if (!host.isConnected || host[WIDGET] !== "starting") {
      host[WIDGET] = undefined;
      return;
    }
    host[WIDGET] = new Widget(host, options);
  } catch (error) {
    host[WIDGET] = undefined;
    fail(host, "load_failed", String(error?.message ?? error));
  }
}

function live(host) {
  const widget = host[WIDGET];
  return widget && widget !== "starting" ? widget : null;
}

function stop(host) {
  const widget = host[WIDGET];
  host[WIDGET] = undefined;
  if (widget && widget !== "starting") widget.free();
}

class LojalWidget extends HTMLElement {
  static observedAttributes = ["price", "view"];

  connectedCallback() {
    start(this);
  }

  attributeChangedCallback(name, before, after) {
    const widget = this[WIDGET];
    if (before === after || !widget || widget === "starting") return;
    if (name === "price") {
      widget.redraw();
    } else {
      // Another view: draw the element anew (the data comes from the page's session).
      stop(this);
      this.shadowRoot?.replaceChildren();
      start(this);
    }
  }

  // The handle's methods on the element itself, for pages that use the
  // script tag: document.querySelector("lojal-widget").setCart([...]).
  refresh() {
    return live(this)?.refresh() ?? Promise.resolve();
  }

  open() {
    live(this)?.open();
  }

  close() {
    live(this)?.close();
  }

  setCart(items) {
    const widget = live(this);
    if (widget) return widget.setCart(items);
    // The loader's first view may show before the wasm runs: a cart set
    // meanwhile waits for it.
    if (this[WIDGET] === "starting") return this[STARTED].then(() => this.setCart(items));
    return Promise.reject(new Error("lojal: the widget is not running yet"));
  }

  referralCode() {
    return live(this)?.referralCode() ?? null;
  }

  disconnectedCallback() {
    // A single-page app may move the element (disconnect, then connect at
    // once): only free it when it is still out of the page a moment later.
    queueMicrotask(() => {
      if (!this.isConnected) stop(this);
    });
  }
}

function define() {
  // Another copy of the script may have defined it already: that copy's
  // element serves this page, and defining twice would throw.
  if (!customElements.get(TAG)) customElements.define(TAG, LojalWidget);
}

function normalise(options) {
  const o = options ?? {};
  const c = o.customer;
  const complete = c && c.id && c.sig && Number.isFinite(Number(c.ts));
  return {
    // The loader's early request for this shopper's data, used once.
    prefetch: o.prefetch ?? null,
    shop: o.shop,
    api: o.api,
    locale: o.locale || document.documentElement.lang || "en",
    customer: complete ? { id: String(c.id), ts: Number(c.ts), sig: String(c.sig) } : null,
    guest: signedGuest(o.guest),
    joinUrl: o.joinUrl ?? null,
    signInUrl: o.signInUrl ?? null,
    launcherLabel: o.launcherLabel ?? null,
    position: o.position === "left" ? "left" : "right",
    // "light", "dark" or "auto" (follow the page); the widget reads it.
    theme: o.theme ?? "auto",
    // 72, "72", "16,72" or [16, 72]: pixels from the side and the bottom.
    offset: o.offset == null ? null : String(o.offset),
    // The sku of the product page: the picks start from it.
    product: o.product == null || o.product === "" ? null : String(o.product),
  };
}

/** A guest's email hash as the shop signed it, or null when incomplete. */
function signedGuest(g) {
  if (!g || !g.emailHash || !g.sig || !Number.isFinite(Number(g.ts))) return null;
  return { emailHash: String(g.emailHash), ts: Number(g.ts), sig: String(g.sig) };
}

/** Mounts the widget into `element` (a <lojal-widget> or a container for one). */
export async function mount(element, options) {
  const opts = normalise(options);
  if (!opts.shop) throw new Error("lojal: the `shop` option is required");
  if (!opts.api) throw new Error("lojal: the `api` option is required (the Lojal server's origin)");
  define();
  let host = element;
  let created = false;
  if (element.localName !== TAG) {
    host = document.createElement(TAG);
    created = true;
  }
  stop(host);
  host[OPTIONS] = opts;
  if (created) element.appendChild(host);
  else if (host.isConnected) await start(host);
  await loadWasm();
  return {
    element: host,
    refresh: () => host.refresh(),
    open: () => host.open(),
    close: () => host.close(),
    setCart: (items) => host.setCart(items),
    referralCode: () => host.referralCode(),
    destroy() {
      stop(host);
      host[OPTIONS] = undefined;
      if (created) host.remove();
      else if (host.shadowRoot) host.shadowRoot.replaceChildren();
    },
  };
}

/**
 * What the script tag calls: upgrade the page's <lojal-widget> elements, or
 * add one floating launcher when the page has none. Not part of the npm API.
 */
export function autoMount(options, wasmDownload) {
  pageOptions = normalise(options);
  loadWasm(wasmDownload).catch(() => {});
  const go = () => {
    define();
    if (!document.querySelector(TAG)) {
      const launcher = document.createElement(TAG);
      launcher.setAttribute("launcher", "");
      launcher.setAttribute("position", pageOptions.position);
      document.body.appendChild(launcher);
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", go, { once: true });
  else go();
}
