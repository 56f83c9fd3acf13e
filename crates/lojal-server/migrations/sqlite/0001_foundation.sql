-- Shops, their members and the append-only points ledger.
-- Times are Unix seconds; money is in minor units; points are integers.

CREATE TABLE shops (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    -- The HMAC key of customer signatures and the merchant's bearer token.
    -- Kept in the clear because HMAC needs it; never logged or sent out.
    secret      TEXT NOT NULL,
    currency    TEXT NOT NULL,
    locale      TEXT NOT NULL,
    -- The program as JSON (lojal_core::program::Program).
    program     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE shop_origins (
    shop_id  TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    origin   TEXT NOT NULL,
    PRIMARY KEY (shop_id, origin)
);

CREATE TABLE customers (
    shop_id          TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    id               TEXT NOT NULL,
    referral_code    TEXT NOT NULL,
    -- Cached sums of this customer's ledger rows, updated in the same
    -- transaction as each row; a test checks they never drift.
    points           BIGINT NOT NULL DEFAULT 0,
    lifetime_points  BIGINT NOT NULL DEFAULT 0,
    -- The member whose referral code brought this one; set once.
    referred_by      TEXT,
    -- When the oldest unspent points expire (NULL: none pending), so reads
    -- know without replaying the ledger whether expiry is due.
    next_expiry_at   BIGINT,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (shop_id, id),
    UNIQUE (shop_id, referral_code)
);

CREATE TABLE orders (
    shop_id         TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    customer_id     TEXT NOT NULL,
    total           BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    points_awarded  BIGINT NOT NULL,
    -- Minor units refunded so far, and the points taken back for them.
    refunded        BIGINT NOT NULL DEFAULT 0,
    points_reversed BIGINT NOT NULL DEFAULT 0,
    referral_code   TEXT,
    -- The member credited for referring this order's customer, if any.
    referrer_id     TEXT,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (shop_id, id),
    FOREIGN KEY (shop_id, customer_id) REFERENCES customers(shop_id, id)
);

CREATE TABLE order_items (
    shop_id   TEXT NOT NULL,
    order_id  TEXT NOT NULL,
    sku       TEXT NOT NULL,
    qty       BIGINT NOT NULL,
    price     BIGINT NOT NULL,
    FOREIGN KEY (shop_id, order_id) REFERENCES orders(shop_id, id) ON DELETE CASCADE
);
CREATE INDEX order_items_by_order ON order_items (shop_id, order_id);

CREATE INDEX orders_by_customer ON orders (shop_id, customer_id, created_at);

-- Refunds that carried an id, so a retried refund is applied once.
CREATE TABLE refunds (
    shop_id          TEXT NOT NULL,
    order_id         TEXT NOT NULL,
    id               TEXT NOT NULL,
    amount           BIGINT NOT NULL,
    points_reversed  BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (shop_id, order_id, id)
);

CREATE TABLE redemptions (
    shop_id       TEXT NOT NULL,
    code          TEXT NOT NULL,
    customer_id   TEXT NOT NULL,
    reward_id     TEXT NOT NULL,
    points_spent  BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (shop_id, code),
    FOREIGN KEY (shop_id, customer_id) REFERENCES customers(shop_id, id)
);
CREATE INDEX redemptions_by_customer ON redemptions (shop_id, customer_id);

CREATE TABLE carts (
    shop_id      TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    -- The items as JSON, as the widget or the merchant last sent them.
    items        TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (shop_id, customer_id),
    FOREIGN KEY (shop_id, customer_id) REFERENCES customers(shop_id, id)
);

CREATE TABLE referral_visits (
    shop_id  TEXT NOT NULL,
    code     TEXT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX referral_visits_by_code ON referral_visits (shop_id, code);

CREATE TABLE products (
    shop_id   TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    sku       TEXT NOT NULL,
    name      TEXT NOT NULL,
    category  TEXT NOT NULL,
    price     BIGINT NOT NULL,
    url       TEXT NOT NULL,
    image     TEXT NOT NULL,
    recommendable  BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (shop_id, sku)
);

-- Append-only: rows are inserted, never updated or deleted.
CREATE TABLE ledger (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id      TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    delta        BIGINT NOT NULL,
    -- earn, redeem, refund, referral, expiry, adjustment
    reason       TEXT NOT NULL,
    order_id     TEXT,
    reward_id    TEXT,
    note         TEXT,
    at           BIGINT NOT NULL,
    FOREIGN KEY (shop_id, customer_id) REFERENCES customers(shop_id, id)
);
CREATE INDEX ledger_by_customer ON ledger (shop_id, customer_id, id);

CREATE TRIGGER ledger_is_append_only_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_is_append_only_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
