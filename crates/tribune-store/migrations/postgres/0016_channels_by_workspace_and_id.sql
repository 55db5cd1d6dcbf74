-- Channels are read by workspace and id together (the publisher reads a batch's channels with
-- their credentials). The only index leading with workspace_id was the account's
-- (workspace_id, network, remote_id): with statistics from before the channels were added,
-- PostgreSQL read every channel of the workspace through it to find eight (0.3 ms instead of a
-- few key lookups). This index answers (workspace_id, id) itself, whatever the statistics.
CREATE UNIQUE INDEX channels_workspace_id ON channels(workspace_id, id);
