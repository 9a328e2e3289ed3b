-- Version 12: an item's fingerprint (`source_fingerprint`, which tells whether the item still
-- matches the record it was imported from) hashes a canonical form of the item's fields instead
-- of its JSON, so that adding a field changes no stored fingerprint. The hook
-- (`store::fingerprints::restamp_source_fingerprints`) stores the new fingerprint of each
-- unedited item, in the table and in the undo journal's snapshots; edited items stay edited.
-- No table changes.
UPDATE items SET id = id WHERE 0;
