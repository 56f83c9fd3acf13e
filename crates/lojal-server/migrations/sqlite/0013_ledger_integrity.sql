-- A code issued because of an order (the referee's welcome reward) names
-- it, so a full refund of that order can void the code; a void code is
-- worth nothing at checkout.
ALTER TABLE redemptions ADD COLUMN issued_for_order TEXT;
ALTER TABLE redemptions ADD COLUMN voided_at BIGINT;
CREATE INDEX redemptions_by_issuing_order ON redemptions (shop_id, issued_for_order);
