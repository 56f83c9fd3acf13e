-- When a customer first opened the widget signed in: from then on they
-- know the program (a member in the metrics' sense); NULL for customers
-- known only from the merchant's orders.
ALTER TABLE customers ADD COLUMN joined_at BIGINT;
