-- A member's birthday, set once by the shopper, and the years whose
-- birthday reward was paid (the key makes paying twice impossible).
ALTER TABLE customers ADD COLUMN birthday_month BIGINT;
ALTER TABLE customers ADD COLUMN birthday_day BIGINT;
ALTER TABLE customers ADD COLUMN birthday_set_at BIGINT;

CREATE TABLE birthday_rewards (
    shop_id      TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    year         BIGINT NOT NULL,
    points       BIGINT NOT NULL,
    PRIMARY KEY (shop_id, customer_id, year)
);
