-- A reply's idempotency key on the network: random, as a post target's. Its row id alone was
-- not enough: two tribune databases (a reinstall, a restored backup, a test) answering from the
-- same account would give the same key to different replies, and the network would hand back
-- the first reply instead of posting the second.
ALTER TABLE inbox_replies ADD COLUMN idempotency_key TEXT;
