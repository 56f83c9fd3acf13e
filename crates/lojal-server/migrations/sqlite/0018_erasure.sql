-- Erasure (issue 15): a person's money moves stay, under a pseudonym, so
-- the shop's totals still add up. The ledgers stay append-only in every
-- column but the member's id, which erasure alone rewrites.
DROP TRIGGER ledger_is_append_only_update;
CREATE TRIGGER ledger_is_append_only_update
BEFORE UPDATE OF id, shop_id, delta, reason, order_id, reward_id, note, at, expires_at ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

DROP TRIGGER credit_ledger_is_append_only_update;
CREATE TRIGGER credit_ledger_is_append_only_update
BEFORE UPDATE OF id, shop_id, delta, reason, order_id, spend_id, at ON credit_ledger
BEGIN SELECT RAISE(ABORT, 'the credit ledger is append-only'); END;
