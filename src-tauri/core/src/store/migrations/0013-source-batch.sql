-- Version 13: which import (one file, an `import_batches` row) each item's source record came
-- from, so that an export writes a file's `@preamble` and `@comment` blocks only with entries
-- from that file. NULL for items added by hand and for records imported before this version
-- (their preambles are written as before, with any entry of unknown origin).
ALTER TABLE items ADD COLUMN source_batch INTEGER;
