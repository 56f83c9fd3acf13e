-- Points members gave to the shop's cause, and what they were worth.
CREATE TABLE donations (
    shop_id      TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    points       BIGINT NOT NULL,
    amount       BIGINT NOT NULL,
    cause        TEXT NOT NULL,
    at           BIGINT NOT NULL,
    FOREIGN KEY (shop_id, customer_id) REFERENCES customers(shop_id, id)
);
CREATE INDEX donations_by_shop ON donations (shop_id, at);
