-- One person on several networks (issue #11): the team links a person's identities (their
-- Bluesky account, their Mastodon account, the name they comment under on the blog); linked
-- rows share a person id (the smallest contact id of the group), their tags and their note, and
-- the person's page lists what they wrote under every identity.

ALTER TABLE inbox_contacts ADD COLUMN person_id INTEGER;
CREATE INDEX inbox_contacts_person ON inbox_contacts(workspace_id, person_id);
