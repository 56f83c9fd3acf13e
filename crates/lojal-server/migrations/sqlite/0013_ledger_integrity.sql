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
-- now, `after_months` calendar months after they were earned at the same
-- time of day, a day past the target month's end clamped to its last day
-- (as `lojal_core::expiry::add_months` does).
DROP TRIGGER ledger_is_append_only_update;
UPDATE ledger SET expires_at = (
    SELECT CAST(strftime('%s', t.first, '+' || (MIN(t.day, t.days_in_month) - 1) || ' days') AS INTEGER)
           + ledger.at % 86400
    FROM (SELECT datetime(ledger.at, 'unixepoch', 'start of month', '+' || r.months || ' months') AS first,
                 CAST(strftime('%d', ledger.at, 'unixepoch') AS INTEGER) AS day,
                 CAST(strftime('%d', datetime(ledger.at, 'unixepoch', 'start of month', '+' || (r.months + 1) || ' months', '-1 day')) AS INTEGER) AS days_in_month
          FROM (SELECT json_extract(s.program, '$.expiry.after_months') AS months FROM shops s WHERE s.id = ledger.shop_id) r) t)
WHERE delta > 0 AND reason <> 'expiry' AND at >= 0
  AND (SELECT json_extract(s.program, '$.expiry.after_months') FROM shops s WHERE s.id = ledger.shop_id) IS NOT NULL;
CREATE TRIGGER ledger_is_append_only_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

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
