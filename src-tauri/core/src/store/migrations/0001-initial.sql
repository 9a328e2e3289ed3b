-- Folio library schema, version 1. Append-only: a shipped migration is never edited.
PRAGMA application_id = 1179602249; -- 'FOLI'

CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    subtitle TEXT NOT NULL DEFAULT '',
    short_title TEXT NOT NULL DEFAULT '',
    creators_json TEXT NOT NULL DEFAULT '[]',
    container TEXT NOT NULL DEFAULT '',
    series TEXT NOT NULL DEFAULT '',
    volume TEXT NOT NULL DEFAULT '',
    issue TEXT NOT NULL DEFAULT '',
    pages TEXT NOT NULL DEFAULT '',
    edition TEXT NOT NULL DEFAULT '',
    publisher TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    institution TEXT NOT NULL DEFAULT '',
    date_raw TEXT NOT NULL DEFAULT '',
    year INTEGER,
    month INTEGER,
    day INTEGER,
    doi TEXT NOT NULL DEFAULT '',
    issn TEXT NOT NULL DEFAULT '',
    isbn TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    genre TEXT NOT NULL DEFAULT '',
    abstract_json TEXT NOT NULL DEFAULT '[]',
    access TEXT NOT NULL DEFAULT 'unknown' CHECK (access IN ('open', 'free', 'restricted', 'unknown')),
    access_source TEXT NOT NULL DEFAULT '',
    extra_json TEXT NOT NULL DEFAULT '[]',
    source_format TEXT,
    source_text TEXT,
    source_fingerprint INTEGER,
    -- Derived columns for sorting and display (kept in step by the store).
    title_sort TEXT NOT NULL DEFAULT '',
    creators_sort TEXT NOT NULL DEFAULT '',
    creators_summary TEXT NOT NULL DEFAULT '',
    date_added TEXT NOT NULL,
    date_modified TEXT NOT NULL,
    deleted_at TEXT
);

CREATE INDEX items_live_title ON items (title_sort, id) WHERE deleted_at IS NULL;
CREATE INDEX items_live_creators ON items (creators_sort, id) WHERE deleted_at IS NULL;
CREATE INDEX items_live_year ON items (year, id) WHERE deleted_at IS NULL;
CREATE INDEX items_live_added ON items (date_added, id) WHERE deleted_at IS NULL;
CREATE INDEX items_live_container ON items (container COLLATE NOCASE, id) WHERE deleted_at IS NULL;
CREATE INDEX items_live_type ON items (type, id) WHERE deleted_at IS NULL;
CREATE INDEX items_live_access ON items (access, id) WHERE deleted_at IS NULL;
CREATE INDEX items_deleted ON items (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX items_doi ON items (lower(doi)) WHERE doi <> '';

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE item_tags (
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('manual', 'import')),
    position INTEGER NOT NULL,
    PRIMARY KEY (item_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX item_tags_tag ON item_tags (tag_id, item_id);

CREATE TABLE collections (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL CHECK (name <> '' AND instr(name, '/') = 0),
    parent_id INTEGER REFERENCES collections (id) DEFERRABLE INITIALLY DEFERRED,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX collections_unique_name ON collections (coalesce(parent_id, 0), name COLLATE NOCASE);

CREATE TABLE collection_items (
    collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    PRIMARY KEY (collection_id, item_id)
) WITHOUT ROWID;
CREATE INDEX collection_items_item ON collection_items (item_id);

-- Library-wide values: settings, BibTeX @string/@preamble/@comment blocks.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per import of one file.
CREATE TABLE import_batches (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    path TEXT NOT NULL,
    format TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    added INTEGER NOT NULL,
    report_json TEXT NOT NULL
);

-- The undo/redo journal: one row per user action. `changes` holds, for every object the
-- action touched, its state on the other side of the action (before it while 'done', after
-- it while 'undone'); undo and redo swap the stored and the current states.
CREATE TABLE journal (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('done', 'undone')),
    changes TEXT NOT NULL
);

CREATE VIRTUAL TABLE items_fts USING fts5 (
    title, creators, abstract, keywords, container, other,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
