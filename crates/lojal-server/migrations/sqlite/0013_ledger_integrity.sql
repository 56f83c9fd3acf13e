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
-- now. (SQLite's month arithmetic carries a day past the month's end into
-- the next month, where the server clamps to the month's last day: a
-- credit of 31 January expires up to three days later than new ones do.)
DROP TRIGGER ledger_is_append_only_update;
UPDATE ledger SET expires_at = CAST(strftime('%s', datetime(at, 'unixepoch',
        '+' || (SELECT json_extract(s.program, '$.expiry.after_months') FROM shops s WHERE s.id = ledger.shop_id)
        || ' months')) AS INTEGER)
WHERE delta > 0 AND reason <> 'expiry'
  AND (SELECT json_extract(s.program, '$.expiry.after_months') FROM shops s WHERE s.id = ledger.shop_id) IS NOT NULL;
CREATE TRIGGER ledger_is_append_only_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

-- What refunds and take-backs of one order look up.
CREATE INDEX ledger_by_order ON ledger (shop_id, order_id);
