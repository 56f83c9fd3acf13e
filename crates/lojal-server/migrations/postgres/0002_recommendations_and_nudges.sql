-- Co-occurrence counts for recommendations, kept up to date by each order
-- (store::recommendations::count_basket) and rebuilt from all orders by
-- `lojal-server recommendations rebuild`.
CREATE TABLE shop_baskets (
    shop_id  TEXT PRIMARY KEY,
    baskets  BIGINT NOT NULL
);

CREATE TABLE item_counts (
    shop_id  TEXT NOT NULL,
    sku      TEXT NOT NULL,
    baskets  BIGINT NOT NULL,
    PRIMARY KEY (shop_id, sku)
);
CREATE INDEX item_counts_by_popularity ON item_counts (shop_id, baskets);

-- Both directions are stored, so a lookup of one item's neighbours is one
-- index range.
CREATE TABLE pair_counts (
    shop_id  TEXT NOT NULL,
    a        TEXT NOT NULL,
    b        TEXT NOT NULL,
    baskets  BIGINT NOT NULL,
    PRIMARY KEY (shop_id, a, b)
);

CREATE TABLE nudge_dismissals (
    shop_id      TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    at           BIGINT NOT NULL,
    PRIMARY KEY (shop_id, customer_id, kind)
);

-- Personal win-back codes, one per lapse: a new one only after a new order
-- and a new lapse.
CREATE TABLE win_backs (
    shop_id      TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    code         TEXT NOT NULL,
    reward_id    TEXT NOT NULL,
    issued_at    BIGINT NOT NULL,
    PRIMARY KEY (shop_id, customer_id, issued_at)
);

ALTER TABLE customers ADD COLUMN next_expiry_points BIGINT NOT NULL DEFAULT 0;
