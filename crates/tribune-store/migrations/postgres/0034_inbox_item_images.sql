-- Pictures attached to inbox items (issue #11): a JSON list of {"url", "alt"}, at most four,
-- their addresses on the network's servers. tribune never loads them unless a member asks,
-- and then fetches them itself (size and type checked) so the network never sees who looks.

ALTER TABLE inbox_items ADD COLUMN images TEXT NOT NULL DEFAULT '[]';
