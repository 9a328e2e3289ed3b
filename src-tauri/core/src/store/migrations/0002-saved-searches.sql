-- Version 2: saved searches (smart collections), optionally scoped to a collection.
CREATE TABLE saved_searches (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    query TEXT NOT NULL,
    collection_id INTEGER REFERENCES collections (id) ON DELETE SET NULL,
    recursive INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
