-- Issue 20: orders in another currency than the shop's, and what counts
-- towards points.

-- An order in another currency keeps its own amounts (total, lines,
-- refunded) in that currency; `rate` is the shop's currency per unit of it
-- as the program set it when the order came, `shop_total` the total in
-- the shop's currency at that rate and `shop_refunded` the refunded part of
-- it (what the figures add up). All NULL for an order in the shop's own
-- currency.
ALTER TABLE orders ADD COLUMN rate TEXT;
ALTER TABLE orders ADD COLUMN shop_total BIGINT;
ALTER TABLE orders ADD COLUMN shop_refunded BIGINT;
-- The value of the order's lines that earn nothing (`earn.exclude`), and
-- the part of what was refunded that was of lines that earned: a refund
-- takes back points in proportion to that part only.
ALTER TABLE orders ADD COLUMN excluded BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN earning_refunded BIGINT NOT NULL DEFAULT 0;
UPDATE orders SET earning_refunded = refunded;
-- 1 for a line that earned nothing.
ALTER TABLE order_items ADD COLUMN excluded BIGINT NOT NULL DEFAULT 0;

-- A converted order's ledger rows state what was converted: the amount in
-- the order's currency (minor units), that currency and the rate.
ALTER TABLE ledger ADD COLUMN original_amount BIGINT;
ALTER TABLE ledger ADD COLUMN original_currency TEXT;
ALTER TABLE ledger ADD COLUMN rate TEXT;
