-- The stamp card: stamps on a member's current card (NULL until their
-- first stamp: the card then holds the program's head start), and every
-- stamp given or taken back, with the code a full card issued.
ALTER TABLE customers ADD COLUMN stamps BIGINT;

CREATE TABLE stamp_events (
    shop_id      TEXT NOT NULL,
    order_id     TEXT NOT NULL,
    -- punch (a purchase's stamp) or unpunch (its full refund)
    kind         TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    stamps_after BIGINT NOT NULL,
    code         TEXT,
    at           BIGINT NOT NULL,
    PRIMARY KEY (shop_id, order_id, kind)
);
CREATE INDEX stamp_events_by_customer ON stamp_events (shop_id, customer_id, at);
