/** A shopper signed in by the merchant's server (CONTRACT.md section 3). */
export interface SignedCustomer {
  id: string;
  /** Unix seconds when the merchant signed. */
  ts: number;
  /** Lowercase hex HMAC-SHA256 of "{shop}:{customer}:{ts}" keyed by the shop secret. */
  sig: string;
}

export interface MountOptions {
  /** The shop's id in Lojal. */
  shop: string;
  /** The Lojal server's origin, e.g. "https://loyalty.example". */
  api: string;
  /** Absent or null: the shopper is a guest. */
  customer?: SignedCustomer | null;
  /** "en", "sv" or "da"; defaults to <html lang>, then "en". */
  locale?: string;
}

export interface LojalWidgetHandle {
  /** The <lojal-widget> element; the `lojal:*` events are dispatched on it. */
  element: HTMLElement;
  /** Fetches the shopper's standing again and redraws. */
  refresh(): Promise<void>;
  /** Opens the panel (launcher mode). */
  open(): void;
  close(): void;
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
