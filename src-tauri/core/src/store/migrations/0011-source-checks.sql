-- Version 11: what an export needs to know of a stored BibTeX source record (flags, see
-- `format::bibtex::checks`: whether each export mode can copy it as it is, whether it uses
-- macros, links or comments), worked out when the record is stored, so exporting 100k
-- unchanged records does not scan and check each of them again. NULL: not known (the export
-- reads the record in full). The migration's hook fills it for the stored records.
ALTER TABLE items ADD COLUMN source_checks INTEGER;
-- The @string macros the record uses (lowercase, sorted, separated by spaces), which the export
-- must define; NULL when none.
ALTER TABLE items ADD COLUMN source_macros TEXT;
