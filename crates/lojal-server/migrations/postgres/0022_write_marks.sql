-- Used on SQLite only (PostgreSQL servers hear of writes by NOTIFY); here so
-- both backends keep one schema and one list of migrations.
-- Counts of committed write transactions, moved by every `WriteTx` as it
-- commits, so a server's watcher can tell that another process wrote
-- (PostgreSQL has NOTIFY for it). SQLite's own `data_version` also moves
-- for writes that change no view (the picks shown, recorded per view), and
-- made every such write empty every server's kept views.
CREATE TABLE write_marks (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    writes BIGINT NOT NULL,
    shop_changes BIGINT NOT NULL
);
INSERT INTO write_marks (id, writes, shop_changes) VALUES (1, 0, 0);
