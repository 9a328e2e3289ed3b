-- Folio's shared libraries on PostgreSQL: the server's schema, version 1.
--
-- Created by the first member who connects with a role that may create tables (the group's
-- admin, see docs/sync.md), in one transaction under an advisory lock; `folio_schema` says which
-- version it is, and a Folio build refuses a newer one than it knows. Every table is prefixed
-- `folio_`, so the schema can share a database with other things.
--
-- States are `json`, not `jsonb`: jsonb rejects "\u0000" in strings and reorders keys, and a
-- replica must get back exactly the state it pushed. The server never looks inside a state.

CREATE TABLE folio_schema (
    version integer NOT NULL
);

-- One row per shared library. `version` counts the actions pushed to it; a push locks the row
-- (SELECT ... FOR UPDATE), which serialises writers per library.
CREATE TABLE folio_libraries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE,
    version bigint NOT NULL DEFAULT 0,
    created timestamptz NOT NULL DEFAULT now()
);

-- The shared state: every object (kind 0 item, 1 collection, 2 saved search) with the library
-- version that last changed it. A deleted object stays as a tombstone (deleted, state NULL) so
-- that replicas pull its deletion.
CREATE TABLE folio_objects (
    library bigint NOT NULL REFERENCES folio_libraries (id) ON DELETE CASCADE,
    uuid uuid NOT NULL,
    kind smallint NOT NULL,
    version bigint NOT NULL,
    deleted boolean NOT NULL DEFAULT false,
    citekey text,
    state json,
    author text NOT NULL,
    PRIMARY KEY (library, uuid),
    CHECK (deleted = (state IS NULL))
);

-- Citation keys are unique among a library's live items.
CREATE UNIQUE INDEX folio_objects_citekey ON folio_objects (library, citekey)
    WHERE kind = 0 AND NOT deleted AND citekey IS NOT NULL AND citekey <> '';

-- Pulls: everything after (version, uuid), in that order.
CREATE INDEX folio_objects_pull ON folio_objects (library, version, uuid);

-- The change log: one row per pushed action (its id makes a retried push a no-op)...
CREATE TABLE folio_actions (
    library bigint NOT NULL REFERENCES folio_libraries (id) ON DELETE CASCADE,
    version bigint NOT NULL,
    action uuid NOT NULL UNIQUE,
    author text NOT NULL,
    label text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (library, version)
);

-- ... and one per object it changed, with the server's state before and after (NULL: did not
-- exist / deleted).
CREATE TABLE folio_changes (
    library bigint NOT NULL,
    version bigint NOT NULL,
    kind smallint NOT NULL,
    uuid uuid NOT NULL,
    before json,
    after json,
    PRIMARY KEY (library, version, uuid),
    FOREIGN KEY (library, version) REFERENCES folio_actions (library, version) ON DELETE CASCADE
);

-- An object's history.
CREATE INDEX folio_changes_object ON folio_changes (library, uuid, version);

INSERT INTO folio_schema (version) VALUES (1);
