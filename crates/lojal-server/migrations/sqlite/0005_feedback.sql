-- Answers to the 0-10 "would you recommend us" question, one per order.
CREATE TABLE feedback (
    shop_id      TEXT NOT NULL,
    order_id     TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    score        BIGINT NOT NULL,
    comment      TEXT,
    points       BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    PRIMARY KEY (shop_id, order_id),
    FOREIGN KEY (shop_id, order_id) REFERENCES orders(shop_id, id)
);
CREATE INDEX feedback_by_time ON feedback (shop_id, at);
