-- Store credit from cashback: money in minor units, with its own
-- append-only ledger and a cached balance like points.
ALTER TABLE customers ADD COLUMN credit BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN credit_awarded BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN credit_reversed BIGINT NOT NULL DEFAULT 0;

CREATE TABLE credit_ledger (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop_id      TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    delta        BIGINT NOT NULL,
    -- cashback, refund, spend
    reason       TEXT NOT NULL,
    order_id     TEXT,
    -- The merchant's id of a spend, so a retried spend is applied once.
    spend_id     TEXT,
    at           BIGINT NOT NULL,
    FOREIGN KEY (shop_id, customer_id) REFERENCES customers(shop_id, id)
);
CREATE INDEX credit_ledger_by_customer ON credit_ledger (shop_id, customer_id, id);
CREATE UNIQUE INDEX credit_spends ON credit_ledger (shop_id, spend_id);

CREATE FUNCTION credit_ledger_refuse_change() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the credit ledger is append-only'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER credit_ledger_is_append_only BEFORE UPDATE OR DELETE ON credit_ledger
FOR EACH ROW EXECUTE FUNCTION credit_ledger_refuse_change();
