-- One win-back code per lapse, kept by the schema: parallel page views of a
-- lapsed member each found no code and issued one (issue 16). A lapse is
-- named by the member's last order before it (`last_order_at`, that order's
-- created_at); store::nudges inserts with ON CONFLICT DO NOTHING on this
-- index and reads back the code that won.
ALTER TABLE win_backs ADD COLUMN last_order_at BIGINT NOT NULL DEFAULT 0;

-- The lapse of each code issued so far: the latest order at or before it.
UPDATE win_backs SET last_order_at = COALESCE(
    (SELECT MAX(o.created_at) FROM orders o
     WHERE o.shop_id = win_backs.shop_id AND o.customer_id = win_backs.customer_id
       AND o.created_at <= win_backs.issued_at),
    0);

-- Codes the race issued twice for one lapse: the widget showed the latest
-- (it read the newest), so that one stays the member's. The others stay
-- valid discount codes in `redemptions`; they are only no longer shown.
DELETE FROM win_backs WHERE EXISTS (
    SELECT 1 FROM win_backs w
    WHERE w.shop_id = win_backs.shop_id AND w.customer_id = win_backs.customer_id
      AND w.last_order_at = win_backs.last_order_at
      -- Issued in the same second (as a race's codes are): the greater code stays.
      AND (w.issued_at > win_backs.issued_at OR (w.issued_at = win_backs.issued_at AND w.code > win_backs.code)));

CREATE UNIQUE INDEX win_backs_one_per_lapse ON win_backs (shop_id, customer_id, last_order_at);
