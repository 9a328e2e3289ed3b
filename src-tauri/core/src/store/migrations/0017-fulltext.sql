-- Version 17: the full text of attachments, one row per page, in a full-text index of its own
-- (the items' index stays small and fast). A row's id is the attachment's id times 65,536 plus
-- the page's index, so one attachment's pages are a range of ids: replaced and removed without
-- a scan. Same tokenizer as the items' index: case and accents do not matter.
CREATE VIRTUAL TABLE fulltext USING fts5 (
    text,
    tokenize = 'unicode61 remove_diacritics 2'
);
