-- Version 3: the LaTeX workflow. Auto-export and .aux registrations live in `meta`
-- (`auto-export:<path>`, `aux:<path>`), so registering one is an undoable action like any
-- other; this table holds their last run, which is status, not user data.
CREATE TABLE auto_export_status (
    path TEXT PRIMARY KEY,
    last_run_at TEXT NOT NULL,
    items INTEGER NOT NULL,
    last_error TEXT
);

-- One rendered entry per item and export variant (format + options), valid while the item's
-- date_modified is unchanged. Derived data: safe to delete at any time.
CREATE TABLE export_cache (
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    variant TEXT NOT NULL,
    modified TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (item_id, variant)
) WITHOUT ROWID;
