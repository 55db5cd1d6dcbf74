-- A post's history row belongs to the post's own workspace: one foreign key on
-- (workspace_id, post_id) instead of one on each column. An event can no longer name a
-- workspace other than its post's, and inserting one no longer locks the workspace row: every
-- publish wrote two history rows, each taking a share lock on that one hot row, and with
-- several workers PostgreSQL turned the concurrent lockers into multixacts (a 10,000-job
-- benchmark ran 10–20% faster without it). Deleting a workspace still deletes its history,
-- through its posts.
CREATE UNIQUE INDEX posts_workspace_id ON posts(workspace_id, id);
ALTER TABLE post_events
    DROP CONSTRAINT post_events_workspace_id_fkey,
    DROP CONSTRAINT post_events_post_id_fkey,
    ADD CONSTRAINT post_events_post_fkey FOREIGN KEY (workspace_id, post_id)
        REFERENCES posts(workspace_id, id) ON DELETE CASCADE;
