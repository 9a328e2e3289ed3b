-- Version 15: object versions. Every user action (and every undo or redo) gives the library
-- a new version number and stamps each object it touched with it: Zotero's `version`,
-- `since=`, `If-Modified-Since-Version` and `/deleted`, and what a sync pushes next.
-- Objects no action touched since this migration have version 1, the version the library
-- starts at. `kind`: 0 item, 1 collection, 2 saved search, 3 tag, 4 setting; `id`: the item,
-- collection or tag id (an integer), the saved search's name in lower case or the setting's
-- key (text). `deleted`: the action removed the object for good (an item in the trash is
-- not deleted).
CREATE TABLE library_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO library_version (id, version) VALUES (1, 1);
CREATE TABLE object_versions (
    kind INTEGER NOT NULL,
    id NOT NULL,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX object_versions_since ON object_versions (kind, version);
