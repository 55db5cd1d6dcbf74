-- A deleted short link keeps its row as a tombstone: its code stays reserved (never drawn again
-- for another target, since published posts may still carry it) and `/l/{code}` answers
-- "link removed" (410) instead of sending visitors somewhere else. Its clicks are deleted with it.

ALTER TABLE links ADD COLUMN deleted_at INTEGER;
