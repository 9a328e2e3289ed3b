-- Version 9: titles sort by what a reader sees. A title with markup Folio keeps as written
-- (`\bioname{Anchovy} stocks`, `$^1$H NMR`) sorted by the command's name; its sort key is now
-- taken from the text the table shows (`format::bibtex::display`). The hook
-- (`store::items::refill_title_sort`) computes it again for every item whose title or subtitle
-- holds a backslash, a dollar or a brace; no other row changes.
UPDATE items SET title_sort = title_sort WHERE 0;
