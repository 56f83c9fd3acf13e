/** A shopper signed in by the merchant's server (CONTRACT.md section 3). */
export interface SignedCustomer {
  id: string;
  /** Unix seconds when the merchant signed. */
  ts: number;
  /** Lowercase hex HMAC-SHA256 of "{shop}:{customer}:{ts}" keyed by the shop secret. */
  sig: string;
}

/**
 * A guest's email hash signed by the merchant's server, so the guest view
 * can say what joining brings ("join now and get the 249 points from your
 * last order").
 */
export interface SignedGuest {
  /** Lowercase hex SHA-256 of the trimmed, lowercased email. */
  emailHash: string;
  /** Unix seconds when the merchant signed. */
  ts: number;
  /** Lowercase hex HMAC-SHA256 of "{shop}:guest:{emailHash}:{ts}" keyed by the shop secret. */
  sig: string;
}

export interface MountOptions {
  /** The shop's id in Lojal. */
  shop: string;
  /** The Lojal server's origin, e.g. "https://loyalty.example". */
  api: string;
  /** Absent or null: the shopper is a guest. */
  customer?: SignedCustomer | null;
  /** For a guest: their signed email hash (ignored with `customer`). */
  guest?: SignedGuest | null;
  /** "en", "sv" or "da"; defaults to <html lang>, then "en". */
  locale?: string;
  /** Where a guest joins the program (a link on the guest view). */
  joinUrl?: string;
  /** Where a guest signs in. */
  signInUrl?: string;
  /** The launcher button's words (default: the locale's "Rewards"). */
  launcherLabel?: string;
  /** The launcher's corner: "right" (default) or "left". */
  position?: "left" | "right";
  /**
   * The palette: "auto" (default) follows the page the widget is on: dark
   * only when the page's `color-scheme` supports dark and the shopper
   * prefers dark (or the page is dark only); "light" or "dark" fix it.
   */
  theme?: "auto" | "light" | "dark";
  /**
   * The launcher's distance from the corner in CSS pixels: from the bottom
   * (72), or from the side and the bottom ("16,72" or [16, 72]). Default 20.
   */
  offset?: number | string | [number, number];
  /**
   * On a product page, the product's sku: the recommendations start from
   * it ("often bought with …"), for a guest as for a member.
   */
  product?: string | null;
}

export interface CartItem {
  sku: string;
  qty: number;
  /** Unit price in minor units (öre, cents). */
  price: number;
}

export interface LojalWidgetHandle {
  /** The <lojal-widget> element; the `lojal:*` events are dispatched on it. */
  element: HTMLElement;
  /** Fetches the shopper's standing again and redraws. */
  refresh(): Promise<void>;
  /** Opens the panel (launcher mode). */
  open(): void;
  close(): void;
  /** Reports the signed-in shopper's cart; rejects for a guest or items the API refuses. */
  setCart(items: CartItem[]): Promise<void>;
  /** The referral code the shopper arrived with (?ref=), for the order's `referral_code`; null if none. */
  referralCode(): string | null;
  /** Stops the widget and frees its memory; removes the element if mount created it. */
  destroy(): void;
}

export function mount(element: HTMLElement, options: MountOptions): Promise<LojalWidgetHandle>;

export interface LojalEventMap {
  "lojal:ready": CustomEvent<{ points: number | null; tier: string | null }>;
  "lojal:redeemed": CustomEvent<{ reward_id: string; code: string; points_spent: number }>;
  "lojal:referral-copied": CustomEvent<{ url: string }>;
  "lojal:error": CustomEvent<{ code: string; message: string }>;
}

declare global {
  interface HTMLElementEventMap extends LojalEventMap {}
}
