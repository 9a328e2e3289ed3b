-- Version 18: shared libraries (issue 27). A library connected to a server keeps, per shared
-- object (kind 0 item, 1 collection, 2 saved search; `local` is the object's id in
-- `object_versions`: the item or collection id, the saved search's name in lower case):
-- its id across replicas (`uuid`, UUIDv7), the server version and state last agreed with the
-- server (`server_version`, `base`: the base of the three-way merge), and `synced`: the local
-- object version at which the library's state was the agreed one. An object whose version in
-- `object_versions` is past `synced`, or that has never been pushed (`server_version` 0), is
-- in the outbox. `pulled_journal`: the newest journal step when a pull last wrote the object
-- (undoing an older step would drop a colleague's change).
CREATE TABLE sync_objects (
    kind INTEGER NOT NULL,
    local NOT NULL,
    uuid TEXT NOT NULL UNIQUE,
    server_version INTEGER NOT NULL DEFAULT 0,
    base TEXT,
    synced INTEGER NOT NULL DEFAULT 0,
    pulled_journal INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, local)
) WITHOUT ROWID;
-- The connection (server address without password, library name), this replica's id, the
-- last server version pulled. Not journaled: undo does not disconnect.
CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
-- Each versioned local action's label, so a push can name what it pushes ("Edit Smith2020").
CREATE TABLE action_labels (
    version INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    at TEXT NOT NULL
);
-- A push in flight: written before it is sent, removed once its outcome is recorded, so a
-- push cut by a crash is either found on the server or sent again, never applied twice.
-- `objects`: JSON [[kind, local, local version], ...].
CREATE TABLE sync_outbox (
    action TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    objects TEXT NOT NULL
) WITHOUT ROWID;
-- Fields changed on both sides (or an edit against a deletion), waiting for the user: both
-- values kept as JSON. `field` '*' is the whole object (deleted on one side, edited on the
-- other); 'key' on an item is also a citation key held by another item on the server.
CREATE TABLE sync_conflicts (
    id INTEGER PRIMARY KEY,
    kind INTEGER NOT NULL,
    uuid TEXT NOT NULL,
    field TEXT NOT NULL,
    base TEXT,
    mine TEXT,
    theirs TEXT,
    author TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    UNIQUE (uuid, field)
);
-- Local objects that refer to a shared object not received yet (an item filed in a
-- collection, a collection under a parent, that a later page of a pull brings).
CREATE TABLE sync_waiting (
    awaited TEXT NOT NULL,
    kind INTEGER NOT NULL,
    local NOT NULL,
    PRIMARY KEY (awaited, kind, local)
) WITHOUT ROWID;
