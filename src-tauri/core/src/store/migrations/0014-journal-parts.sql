-- Version 14: an action that touched many objects (an import of 100k items, tagging them all)
-- keeps its journal changes in parts of a few thousand objects each, so that undo and redo
-- hold one part in memory at a time instead of every item's full state (undoing a 100k
-- import peaked at 1.9 GB with one JSON value per action). `journal.parts` counts the parts
-- (0: the changes are inline in `journal.changes`, as before); `other` holds a part's other
-- side while an undo or redo is computing it.
ALTER TABLE journal ADD COLUMN parts INTEGER NOT NULL DEFAULT 0;
CREATE TABLE journal_parts (
    journal_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    objects INTEGER NOT NULL,
    changes TEXT NOT NULL,
    other TEXT,
    PRIMARY KEY (journal_id, seq)
) WITHOUT ROWID;
