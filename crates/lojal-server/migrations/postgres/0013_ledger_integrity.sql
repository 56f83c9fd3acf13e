-- A code issued because of an order (the referee's welcome reward) names
-- it, so a full refund of that order can void the code; a void code is
-- worth nothing at checkout.
ALTER TABLE redemptions ADD COLUMN issued_for_order TEXT;
ALTER TABLE redemptions ADD COLUMN voided_at BIGINT;
CREATE INDEX redemptions_by_issuing_order ON redemptions (shop_id, issued_for_order);

-- Each credit's expiry is fixed when it is written, by the rule in force
-- then: a later change of the program's expiry rule applies to points
-- earned after it, and never re-expires (or revives) points earned before.
-- NULL: these points never expire.
ALTER TABLE ledger ADD COLUMN expires_at BIGINT;
-- Credits written before this column expire by the shop's rule as it is
-- now (PostgreSQL clamps a day past the month's end as the server does).
ALTER TABLE ledger DISABLE TRIGGER ledger_is_append_only;
UPDATE ledger l SET expires_at = EXTRACT(EPOCH FROM (to_timestamp(l.at) AT TIME ZONE 'UTC'
        + make_interval(months => (s.program::json -> 'expiry' ->> 'after_months')::int)))::bigint
FROM shops s
WHERE s.id = l.shop_id AND l.delta > 0 AND l.reason <> 'expiry'
  AND (s.program::json -> 'expiry' ->> 'after_months') IS NOT NULL;
ALTER TABLE ledger ENABLE TRIGGER ledger_is_append_only;

-- What refunds and take-backs of one order look up.
CREATE INDEX ledger_by_order ON ledger (shop_id, order_id);

-- Members whose next expiry was never noted (points recorded without
-- settling expiry, before every move went through one door): noted now, at
-- or before the true one, so the next read settles and notes it exactly,
-- whatever the program's rule is by then.
UPDATE customers SET next_expiry_at = (
    SELECT MIN(l.expires_at) FROM ledger l
    WHERE l.shop_id = customers.shop_id AND l.customer_id = customers.id AND l.expires_at IS NOT NULL)
WHERE next_expiry_at IS NULL;
