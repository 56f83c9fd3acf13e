-- Issue 19: personal recommendations and what they earn.

-- Each pair's RP3beta walk weight: Σ over the baskets holding both of
-- 1 / the basket's distinct items. Rows counted before this migration have
-- 0 here and are ranked by an estimate until `lojal-server recommendations
-- rebuild` recounts them.
ALTER TABLE pair_counts ADD COLUMN walk DOUBLE PRECISION NOT NULL DEFAULT 0;

-- The picks a member was shown: at most one row per member, day and item
-- (the server writes a member's picks once a day; the widget's answer
-- writes nothing after that). An order holding a shown item within the
-- attribution window is credited to the recommendations.
CREATE TABLE recommendation_views (
    shop_id      TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    day          BIGINT NOT NULL,
    sku          TEXT NOT NULL,
    at           BIGINT NOT NULL,
    PRIMARY KEY (shop_id, customer_id, day, sku)
);
CREATE INDEX recommendation_views_by_time ON recommendation_views (shop_id, at);

-- A member's click on a pick (the widget sends it).
CREATE TABLE recommendation_clicks (
    shop_id      TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    sku          TEXT NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX recommendation_clicks_by_time ON recommendation_clicks (shop_id, at);
