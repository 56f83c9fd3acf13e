-- Indexes for the widget's reads, found by the scale benchmark
-- (`cargo xtask bench`): without them the cost of a request grew with the
-- shop.

-- A member's referral count (members::find) was a scan of all members.
CREATE INDEX customers_by_referrer ON customers (shop_id, referred_by);

-- An item's strongest neighbours (recommend::NEIGHBOURS_PER_ITEM), in the
-- order the ranking cuts them, so the cut is an index range.
CREATE INDEX pair_counts_by_strength ON pair_counts (shop_id, a, baskets DESC, b);
