-- The inbox's full-text index knows each item's workspace, so a search walks the matches of one
-- workspace newest first and stops at a page, instead of reading every match of the instance
-- (docs/BENCHMARKS.md, "Inbox"). Contentless: it only gives row ids; the triggers keep it.

DROP TRIGGER inbox_items_fts_insert;
DROP TRIGGER inbox_items_fts_delete;
DROP TRIGGER inbox_items_fts_update;
DROP TABLE inbox_fts;

CREATE VIRTUAL TABLE inbox_fts USING fts5(
    search_text,
    workspace,
    content='',
    contentless_delete=1,
    tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO inbox_fts(rowid, search_text, workspace)
    SELECT id, search_text, 'w' || workspace_id FROM inbox_items;

CREATE TRIGGER inbox_items_fts_insert AFTER INSERT ON inbox_items BEGIN
    INSERT INTO inbox_fts(rowid, search_text, workspace)
        VALUES (new.id, new.search_text, 'w' || new.workspace_id);
END;
CREATE TRIGGER inbox_items_fts_delete AFTER DELETE ON inbox_items BEGIN
    DELETE FROM inbox_fts WHERE rowid = old.id;
END;
CREATE TRIGGER inbox_items_fts_update AFTER UPDATE OF search_text ON inbox_items BEGIN
    DELETE FROM inbox_fts WHERE rowid = old.id;
    INSERT INTO inbox_fts(rowid, search_text, workspace)
        VALUES (new.id, new.search_text, 'w' || new.workspace_id);
END;
