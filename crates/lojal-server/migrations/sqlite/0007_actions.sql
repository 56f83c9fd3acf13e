-- Points for actions beyond purchases (sign-up, reviews, social follows,
-- order counts): one row per payment, keyed by what caused it so a retried
-- report pays once; the limits count these rows per calendar period.
CREATE TABLE action_events (
    shop_id      TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    action_id    TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    points       BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    PRIMARY KEY (shop_id, customer_id, action_id, event_id)
);
CREATE INDEX action_events_by_time ON action_events (shop_id, customer_id, action_id, at);
