-- Version 16: attachments. An item has zero or more files: a copy kept in the library's files
-- folder (`stored`, `path` its file name there) or a file left where the user keeps it
-- (`linked`, `path` relative to the base folder setting when inside it, else absolute). What
-- the file was when attached (size, SHA-256, MIME type, pages) and where its full text stands
-- are kept beside it. Attachments are part of their item for undo (the journal's item
-- snapshot holds them).
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    kind TEXT NOT NULL CHECK (kind IN ('stored', 'linked')),
    path TEXT NOT NULL CHECK (path <> ''),
    title TEXT NOT NULL DEFAULT '',
    mime TEXT NOT NULL DEFAULT '',
    bytes INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT NOT NULL DEFAULT '',
    pages INTEGER,
    fulltext TEXT NOT NULL DEFAULT 'pending' CHECK (fulltext IN ('pending', 'indexed', 'none', 'failed')),
    fulltext_error TEXT,
    added TEXT NOT NULL
);
CREATE INDEX attachments_item ON attachments (item_id, position);
CREATE INDEX attachments_stored ON attachments (path) WHERE kind = 'stored';
