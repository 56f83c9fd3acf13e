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

CREATE TABLE products (
    shop_id   TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    sku       TEXT NOT NULL,
    name      TEXT NOT NULL,
    category  TEXT NOT NULL,
    price     BIGINT NOT NULL,
    url       TEXT NOT NULL,
    image     TEXT NOT NULL,
    PRIMARY KEY (shop_id, sku)
);

-- Append-only: rows are inserted, never updated or deleted.
CREATE TABLE ledger (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop_id      TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    delta        BIGINT NOT NULL,
    -- earn, redeem, refund, referral, expiry, adjustment
    reason       TEXT NOT NULL,
    order_id     TEXT,
    at           BIGINT NOT NULL,
    FOREIGN KEY (shop_id, customer_id) REFERENCES customers(shop_id, id)
);
CREATE INDEX ledger_by_customer ON ledger (shop_id, customer_id, id);

CREATE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the ledger is append-only'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_is_append_only BEFORE UPDATE OR DELETE ON ledger
FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
