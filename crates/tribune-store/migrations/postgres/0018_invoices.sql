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
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id BIGINT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    corrects_id BIGINT,
    client_id BIGINT NOT NULL,
    -- draft | issued | partially_paid | paid | credited
    status TEXT NOT NULL,
    -- Payment terms of a draft: a number of days after the issue date, or a date.
    payment_terms_days BIGINT,
    due_on TEXT,
    late_penalty_bp BIGINT NOT NULL,
    series TEXT,
    year BIGINT,
    sequence BIGINT,
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
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    issued_at BIGINT,
    FOREIGN KEY (business_id, client_id) REFERENCES business_clients(business_id, id)
);
CREATE UNIQUE INDEX invoices_business_id ON invoices(business_id, id);
-- No number twice: the database says so too, whatever the code does.
CREATE UNIQUE INDEX invoices_business_number ON invoices(business_id, series, year, sequence);
CREATE INDEX invoices_business_corrects ON invoices(business_id, corrects_id);
-- The self-reference needs the unique index above to exist first.
ALTER TABLE invoices ADD FOREIGN KEY (business_id, corrects_id) REFERENCES invoices(business_id, id);

-- Lines in order; total_cents is the line total HT, rounded once (tribune-business).
CREATE TABLE invoice_lines (
    business_id BIGINT NOT NULL,
    invoice_id BIGINT NOT NULL,
    position BIGINT NOT NULL,
    description TEXT NOT NULL,
    quantity_thousandths BIGINT NOT NULL,
    unit_price_cents BIGINT NOT NULL,
    vat_bp BIGINT NOT NULL,
    total_cents BIGINT NOT NULL,
    PRIMARY KEY (business_id, invoice_id, position),
    FOREIGN KEY (business_id, invoice_id) REFERENCES invoices(business_id, id) ON DELETE CASCADE
);

-- Payments received against an issued invoice.
CREATE TABLE invoice_payments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id BIGINT NOT NULL,
    invoice_id BIGINT NOT NULL,
    received_on TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    method TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    FOREIGN KEY (business_id, invoice_id) REFERENCES invoices(business_id, id) ON DELETE CASCADE
);
CREATE INDEX invoice_payments_business_invoice ON invoice_payments(business_id, invoice_id);

-- The numbering counters: one row per business, series and year, holding the last number
-- given and its issue date. Issuing increments it in the same transaction as the invoice
-- (PostgreSQL locks the row until commit; SQLite's transactions hold the write lock), so
-- numbers are consecutive and never skip, and issue dates never go backwards in a series.
CREATE TABLE invoice_counters (
    business_id BIGINT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    series TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_sequence BIGINT NOT NULL,
    last_issued_on TEXT,
    PRIMARY KEY (business_id, series, year)
);

-- A second guard behind the store's `WHERE status = 'draft'`: the database itself refuses to
-- change what an issued invoice says (its settlement columns still move) or its lines.
CREATE FUNCTION tribune_issued_invoice_never_changes() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'tribune: an issued invoice never changes';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER invoices_issued_never_change
BEFORE UPDATE OF client_id, kind, corrects_id, payment_terms_days, due_on, late_penalty_bp, series, year, sequence, number, issued_on, seller_name, seller_address, seller_siret, vat_franchise, client_kind, client_name, client_address, client_siren, total_ht_cents, total_vat_cents, total_ttc_cents, issued_at ON invoices
FOR EACH ROW WHEN (OLD.status <> 'draft')
EXECUTE FUNCTION tribune_issued_invoice_never_changes();

CREATE FUNCTION tribune_invoice_line_of_draft_only() RETURNS trigger AS $$
BEGIN
    IF (SELECT status FROM invoices WHERE business_id = NEW.business_id AND id = NEW.invoice_id) <> 'draft' THEN
        RAISE EXCEPTION 'tribune: an issued invoice never changes';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER invoice_lines_issued_insert_update
BEFORE INSERT OR UPDATE ON invoice_lines
FOR EACH ROW EXECUTE FUNCTION tribune_invoice_line_of_draft_only();
