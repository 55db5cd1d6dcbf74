-- The freelance back office (issue #15): a business belongs to an account (its owner), not to a
-- client workspace, and only its owner reads it (the store hands out a BusinessScope to the owner
-- alone). Dates of the calendar (start of activity, ACRE) are ISO `YYYY-MM-DD` text, the same on
-- both databases; the category and periodicity are the text forms of tribune-business.
CREATE TABLE businesses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    legal_name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    siret TEXT,
    category TEXT NOT NULL DEFAULT 'bnc-ssi',
    ape_code TEXT,
    vat_franchise BOOLEAN NOT NULL DEFAULT TRUE,
    versement_liberatoire BOOLEAN NOT NULL DEFAULT FALSE,
    acre_from TEXT,
    acre_until TEXT,
    periodicity TEXT NOT NULL DEFAULT 'monthly',
    started_on TEXT,
    -- The owner's edited copy of the rate table (TOML, checked before it is saved); NULL: the
    -- table shipped with tribune.
    rate_table TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX businesses_owner_id ON businesses(owner_id, id);

-- A business's clients: billing details, B2B or consumer, optionally the workspace where the
-- community manager works for them. Keys and indexes lead with business_id.
CREATE TABLE business_clients (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    business_id INTEGER NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    siren TEXT,
    email TEXT,
    workspace_id INTEGER REFERENCES workspaces(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX business_clients_business_id ON business_clients(business_id, id);
CREATE INDEX business_clients_workspace ON business_clients(workspace_id);
