-- Version 6: the full-text index.
-- 1. FTS5 keeps up to 16 MB of new index terms in memory before it writes them out as a
--    segment (the default is 1 MB). A large import then writes a few big segments instead of
--    dozens of small ones that FTS5 merges again and again. The setting is stored in the
--    index's own config table, so every connection uses it.
-- 2. The index leaves bookkeeping fields out (bibdate, bibsource, timestamp, owner, *url…;
--    `ExtraField::is_bookkeeping`). The migration's hook indexes every live item again.
INSERT INTO items_fts (items_fts, rank) VALUES ('hashsize', 16777216);
