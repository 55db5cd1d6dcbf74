-- Invoices and credit notes of a business (issue #15). A credit note (avoir) is an invoice of
-- kind 'credit_note' naming the invoice it corrects: same lines, totals, mentions and
-- immutability, its own numbering series. Every table is keyed by business_id, and the
-- composite foreign keys keep an invoice's client, corrected invoice, lines and payments inside
-- its business.
--
-- A draft has no number and may change. Issuing fills the number (series, year, sequence), the
-- issue and due dates, the totals, and a copy of the seller and the client as they were that
-- day; from then on only the settlement columns (status, paid_cents, credited_cents) change.
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    business_id INTEGER NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    corrects_id INTEGER,
    client_id INTEGER NOT NULL,
    -- draft | issued | partially_paid | paid | credited
    status TEXT NOT NULL,
    -- Payment terms of a draft: a number of days after the issue date, or a date.
    payment_terms_days INTEGER,
    due_on TEXT,
    late_penalty_bp INTEGER NOT NULL,
    series TEXT,
    year INTEGER,
    sequence INTEGER,
    number TEXT,
    issued_on TEXT,
    seller_name TEXT,
    seller_address TEXT,
    seller_siret TEXT,
    vat_franchise BOOLEAN NOT NULL,
    client_kind TEXT,
    client_name TEXT,
    client_address TEXT,
    client_siren TEXT,
    total_ht_cents BIGINT NOT NULL DEFAULT 0,
    total_vat_cents BIGINT NOT NULL DEFAULT 0,
    total_ttc_cents BIGINT NOT NULL DEFAULT 0,
    paid_cents BIGINT NOT NULL DEFAULT 0,
    credited_cents BIGINT NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    issued_at INTEGER,
    FOREIGN KEY (business_id, client_id) REFERENCES business_clients(business_id, id),
    FOREIGN KEY (business_id, corrects_id) REFERENCES invoices(business_id, id)
);
CREATE UNIQUE INDEX invoices_business_id ON invoices(business_id, id);
-- No number twice: the database says so too, whatever the code does.
CREATE UNIQUE INDEX invoices_business_number ON invoices(business_id, series, year, sequence);
CREATE INDEX invoices_business_corrects ON invoices(business_id, corrects_id);

-- Lines in order; total_cents is the line total HT, rounded once (tribune-business).
CREATE TABLE invoice_lines (
    business_id INTEGER NOT NULL,
    invoice_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity_thousandths BIGINT NOT NULL,
    unit_price_cents BIGINT NOT NULL,
    vat_bp INTEGER NOT NULL,
    total_cents BIGINT NOT NULL,
    PRIMARY KEY (business_id, invoice_id, position),
    FOREIGN KEY (business_id, invoice_id) REFERENCES invoices(business_id, id) ON DELETE CASCADE
);

-- Payments received against an issued invoice.
CREATE TABLE invoice_payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    business_id INTEGER NOT NULL,
    invoice_id INTEGER NOT NULL,
    received_on TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    method TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    FOREIGN KEY (business_id, invoice_id) REFERENCES invoices(business_id, id) ON DELETE CASCADE
);
CREATE INDEX invoice_payments_business_invoice ON invoice_payments(business_id, invoice_id);

-- The numbering counters: one row per business, series and year, holding the last number
-- given and its issue date. Issuing increments it in the same transaction as the invoice
-- (PostgreSQL locks the row until commit; SQLite's transactions hold the write lock), so
-- numbers are consecutive and never skip, and issue dates never go backwards in a series.
CREATE TABLE invoice_counters (
    business_id INTEGER NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    series TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_sequence INTEGER NOT NULL,
    last_issued_on TEXT,
    PRIMARY KEY (business_id, series, year)
);

-- A second guard behind the store's `WHERE status = 'draft'`: the database itself refuses to
-- change what an issued invoice says (its settlement columns still move) or its lines.
CREATE TRIGGER invoices_issued_never_change
BEFORE UPDATE OF client_id, kind, corrects_id, payment_terms_days, due_on, late_penalty_bp, series, year, sequence, number, issued_on, seller_name, seller_address, seller_siret, vat_franchise, client_kind, client_name, client_address, client_siren, total_ht_cents, total_vat_cents, total_ttc_cents, issued_at ON invoices
WHEN OLD.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'tribune: an issued invoice never changes');
END;

CREATE TRIGGER invoice_lines_issued_insert
BEFORE INSERT ON invoice_lines
WHEN (SELECT status FROM invoices WHERE business_id = NEW.business_id AND id = NEW.invoice_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'tribune: an issued invoice never changes');
END;

CREATE TRIGGER invoice_lines_issued_update
BEFORE UPDATE ON invoice_lines
WHEN (SELECT status FROM invoices WHERE business_id = OLD.business_id AND id = OLD.invoice_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'tribune: an issued invoice never changes');
END;
