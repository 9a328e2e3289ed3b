-- Version 10: the full-text index leaves out the names of LaTeX commands other than symbols
-- and TeX logos (`\bioname{Thunnus}` and `\bioname Thunnus` are indexed as Thunnus;
-- "bioname" matched every species in Beebe's files). The hook (`store::items::reindex_command_names`) indexes again each live
-- item whose row changes; no table changes.
UPDATE items SET id = id WHERE 0;
