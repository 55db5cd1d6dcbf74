-- Nothing changes on PostgreSQL: its full-text index is a generated column, combined with the
-- workspace's condition by the planner. (On SQLite this migration gives the FTS5 index the
-- item's workspace.) Kept so that both databases count the same migrations.
SELECT 1;
