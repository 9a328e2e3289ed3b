-- Version 5: whether an item still matches the record it was imported from (its fingerprint
-- equals the source record's), kept in step by the store. Exports copy such records verbatim
-- straight from the table, without loading and fingerprinting every item. The migration's
-- hook fills it for the existing items.
ALTER TABLE items ADD COLUMN source_current INTEGER NOT NULL DEFAULT 0;
-- Covering index for auto-exports: which live items changed since their cached rendering.
CREATE INDEX items_live_modified ON items (id, key, date_modified) WHERE deleted_at IS NULL;
