-- Orders straight from the platform (issue 15): the secret each platform
-- (Shopify, WooCommerce) signs a shop's deliveries with, and the orders of
-- guests (no customer account) those deliveries bring: counted in the
-- merchant's metrics, earning nothing.

CREATE TABLE shop_platforms (
    shop_id     TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    -- `shopify` or `woocommerce`.
    platform    TEXT NOT NULL,
    -- Kept in the clear because HMAC needs it, like the shop secret; never
    -- served or logged.
    secret      TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (shop_id, platform)
);

CREATE TABLE guest_orders (
    shop_id     TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    platform    TEXT NOT NULL,
    total       BIGINT NOT NULL,
    refunded    BIGINT NOT NULL DEFAULT 0,
    currency    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (shop_id, id)
);

-- A guest order's refunds by the platform's id, each applied once.
CREATE TABLE guest_refunds (
    shop_id   TEXT NOT NULL,
    order_id  TEXT NOT NULL,
    id        TEXT NOT NULL,
    amount    BIGINT NOT NULL,
    PRIMARY KEY (shop_id, order_id, id)
);
