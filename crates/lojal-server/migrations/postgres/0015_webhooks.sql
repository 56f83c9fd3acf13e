-- Webhooks out: a shop's endpoints, the outbox of events written in the
-- transaction of the change that caused them, one delivery per event and
-- endpoint, and every attempt. Times are Unix seconds except the
-- deliveries' schedule, in milliseconds (retries in tests come within one).

CREATE TABLE webhook_endpoints (
    id               TEXT PRIMARY KEY,
    shop_id          TEXT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    url              TEXT NOT NULL,
    -- The event types it receives, as a JSON array of names.
    events           TEXT NOT NULL,
    -- Signs every delivery; kept in the clear because HMAC needs it,
    -- shown once when the endpoint is made, never logged or served again.
    secret           TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    -- Set when deliveries kept failing past the retry window; nothing is
    -- sent to a disabled endpoint until the merchant enables it again.
    disabled_at      BIGINT,
    disabled_reason  TEXT
);
CREATE INDEX webhook_endpoints_by_shop ON webhook_endpoints (shop_id);

-- The outbox, in the order the events happened.
CREATE TABLE webhook_events (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    shop_id      TEXT NOT NULL,
    customer_id  TEXT,
    type         TEXT NOT NULL,
    -- The exact body sent, every time (a resend too).
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    -- Events written at most once (a reminder per member and expiry date).
    once_key     TEXT UNIQUE
);
CREATE INDEX webhook_events_by_shop ON webhook_events (shop_id, seq);

CREATE TABLE webhook_deliveries (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_seq        BIGINT NOT NULL REFERENCES webhook_events(seq),
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    -- The event's member, so one member's events go out in order.
    customer_id      TEXT,
    -- pending | delivered
    state            TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms  BIGINT NOT NULL,
    -- When the current run of attempts began (retries stop a day after).
    first_attempt_ms BIGINT,
    delivered_at     BIGINT,
    last_error       TEXT,
    UNIQUE (event_seq, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_ms);
CREATE INDEX webhook_deliveries_by_member ON webhook_deliveries (endpoint_id, customer_id, state, event_seq);

CREATE TABLE webhook_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id  BIGINT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    endpoint_id  TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    at           BIGINT NOT NULL,
    -- The receiver's HTTP status; NULL when none came (refused, timed out).
    status       BIGINT,
    duration_ms  BIGINT NOT NULL,
    error        TEXT
);
CREATE INDEX webhook_attempts_by_endpoint ON webhook_attempts (endpoint_id, id);
