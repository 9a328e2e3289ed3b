-- Version 4: each item's duplicate fingerprint (`dedupe::Fingerprint::to_record`: normalised
-- DOI, ISBN, title key, year, first author, flags, arXiv id), kept in step by the store like
-- the sort keys, so the duplicate index of a large library is read from one narrow column.
-- The migration's hook fills it for the existing items.
ALTER TABLE items ADD COLUMN dedupe TEXT NOT NULL DEFAULT '';
-- Covering index: the duplicate index is read from it without touching the wide rows.
CREATE INDEX items_live_dedupe ON items (id, key, dedupe) WHERE deleted_at IS NULL;
