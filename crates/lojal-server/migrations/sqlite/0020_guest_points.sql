-- Issue 20: a guest's order named by the hash of their email keeps the
-- points it would have earned pending (`program.guest_points`); the member
-- who joins with that hash claims them once (`claimed_by` is set by one
-- conditional update, so two claims racing credit once).
ALTER TABLE guest_orders ADD COLUMN email_hash TEXT;
ALTER TABLE guest_orders ADD COLUMN pending_points BIGINT NOT NULL DEFAULT 0;
ALTER TABLE guest_orders ADD COLUMN pending_until BIGINT;
ALTER TABLE guest_orders ADD COLUMN claimed_by TEXT;
ALTER TABLE guest_orders ADD COLUMN claimed_at BIGINT;
-- What the order earned when it came (its pending points before any
-- refund; 0 when it came past its wait): a refund takes its share of
-- these cumulatively, as of a member's order, and a claim adopts the
-- order with them.
ALTER TABLE guest_orders ADD COLUMN points_earned BIGINT NOT NULL DEFAULT 0;
-- What each refund of a guest's order took of its pending points, so that
-- a claim copies it into `refunds` and a retry after the claim is known.
ALTER TABLE guest_refunds ADD COLUMN points_taken BIGINT NOT NULL DEFAULT 0;

CREATE INDEX guest_orders_by_email_hash ON guest_orders (shop_id, email_hash) WHERE email_hash IS NOT NULL;
