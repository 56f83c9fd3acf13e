-- Codes a checkout can check and spend (issue 14). A code is used by at
-- most one order: `used_by_order` is set once, by a conditional update, so
-- two checkouts racing for one code cannot both win. What the code is worth
-- is kept as the reward said when it was issued, so a later change to the
-- program does not change a code a shopper already holds; rows issued
-- before this migration read the reward from the program.
ALTER TABLE redemptions ADD COLUMN used_at BIGINT;
ALTER TABLE redemptions ADD COLUMN used_by_order TEXT;
ALTER TABLE redemptions ADD COLUMN expires_at BIGINT;
ALTER TABLE redemptions ADD COLUMN title TEXT;
ALTER TABLE redemptions ADD COLUMN kind TEXT;
ALTER TABLE redemptions ADD COLUMN value BIGINT;
CREATE INDEX redemptions_by_using_order ON redemptions (shop_id, used_by_order);
