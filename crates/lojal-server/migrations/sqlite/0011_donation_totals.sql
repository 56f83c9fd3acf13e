-- What a shop's members gave together, kept beside the gifts (in the same
-- transaction) so the widget reads one row instead of summing them all.
CREATE TABLE donation_totals (
    shop_id  TEXT PRIMARY KEY,
    total    BIGINT NOT NULL
);
INSERT INTO donation_totals (shop_id, total)
    SELECT shop_id, CAST(SUM(amount) AS BIGINT) FROM donations GROUP BY shop_id;
