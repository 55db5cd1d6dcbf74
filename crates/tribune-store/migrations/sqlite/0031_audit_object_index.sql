-- The history of one object (an inbox message's triage and moderation, shown on its page):
-- read by workspace, kind and id, newest first.
CREATE INDEX audit_events_object ON audit_events(workspace_id, object_kind, object_id, id);
