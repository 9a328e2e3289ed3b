// Generated from the Rust wire types (src-tauri/src/dto.rs, events.rs, error.rs) by
// src-tauri/src/bindings.rs. Do not edit: run `npm run ipc-types` in ui/ to regenerate.

/**
 * How readable an item is.
 */
export type AccessStatus = "open" | "free" | "restricted" | "unknown";

/**
 * An item's type (the core's closed set).
 */
export type ItemType = "article" | "magazine-article" | "newspaper-article" | "book" | "booklet" | "inbook" | "incollection" | "inproceedings" | "proceedings" | "collection" | "reference" | "thesis" | "phdthesis" | "mastersthesis" | "report" | "manual" | "misc" | "online" | "unpublished" | "dataset" | "software" | "patent" | "standard" | "periodical" | "presentation" | "map" | "audiovisual" | "case" | "legislation" | "letter" | "interview";

/**
 * A creator's role.
 */
export type Role = "author" | "editor" | "translator" | "series-editor" | "book-author" | "contributor" | "director" | "inventor" | "recipient" | "interviewer" | "commentator" | "annotator";

/**
 * Where a tag came from.
 */
export type TagSource = "manual" | "import";

/**
 * The table's sort columns.
 */
export type SortColumn = "title" | "creators" | "year" | "container" | "type" | "access" | "added" | "key";

/**
 * A file format: what an import read, what an export writes.
 */
export type Format = "bibtex" | "biblatex" | "ris" | "results-text" | "json" | "csljson" | "cslyaml" | "hayagriva";

/**
 * What an import does with an entry the library already has.
 */
export type DuplicatePolicy = "skip" | "merge" | "keep";

/**
 * Why two items are (or may be) the same work.
 */
export type DuplicateReason = "same DOI" | "same ISBN" | "same title, year and first author" | "same DOI but different titles" | "similar title, same first author" | "preprint and published version";

/**
 * What an import did with an entry that matched an item.
 */
export type DecisionAction = "skipped" | "merged" | "kept" | "flagged";

/**
 * duplicate (certain), suggestion (review before merging) or related (a preprint and its
 * published version: not the same record).
 */
export type DuplicateKind = "duplicate" | "suggestion" | "related";

/**
 * How bad a diagnostic is.
 */
export type Severity = "info" | "warning" | "error";

/**
 * A reference style for formatted references.
 */
export type CiteStyle = "apa" | "chicago-author-date" | "ieee" | "harvard";

/**
 * What an auto-export contains.
 */
export type ScopeKind = "library" | "collection" | "tag" | "access" | "search";

/**
 * Where opening the library stands.
 */
export type LibraryState = "opening" | "upgrading" | "ready" | "failed";

/**
 * What a change touched, so the UI refreshes only that.
 */
export type ChangeScope = "items" | "collections" | "tags" | "library" | "auto-exports";

/**
 * Which items to show (all parts combine).
 */
export type Filter = {
  collection: number | null,
  recursive: boolean,
  unfiled: boolean,
  tags: Array<string>,
  access: Array<AccessStatus>,
  /**
   * The fielded query (`title:foo year:2020..2022 -bar`).
   */
  query: string,
  trash: boolean,
  /**
   * "Everything" mode: words without a field also search the attachments' text.
   */
  everything: boolean,
};

/**
 * The table's order.
 */
export type Sort = {
  column: SortColumn,
  descending: boolean,
};

/**
 * One row of the item table.
 */
export type ItemRow = {
  id: number,
  key: string,
  itemType: ItemType,
  title: string,
  creators: string,
  year: number | null,
  container: string,
  access: AccessStatus,
  dateAdded: string,
};

/**
 * A page of rows plus the total for the same filter (the table is virtualized).
 */
export type Page = {
  total: number,
  offset: number,
  rows: Array<ItemRow>,
};

export type Creator = {
  role: Role,
  family: string,
  given: string,
  particle: string,
  suffix: string,
  /**
   * An organisation's name (then family/given are empty).
   */
  literal: string,
};

export type NamedText = {
  name: string,
  value: string,
};

export type AbstractSection = {
  heading: string,
  text: string,
};

export type Tag = {
  name: string,
  /**
   * The name as a reader sees it (`\bioname{Salmo}` as "Salmo"); `name` identifies the tag.
   */
  label: string,
  source: TagSource,
};

/**
 * A whole item for the item pane.
 */
export type Item = {
  id: number,
  key: string,
  itemType: ItemType,
  /**
   * The plain text fields by name (title, subtitle, container, …), editable in place.
   */
  fields: Array<NamedText>,
  date: string,
  year: number | null,
  creators: Array<Creator>,
  abstractSections: Array<AbstractSection>,
  /**
   * The abstract as editable text (sections as "Heading\ntext" paragraphs).
   */
  abstractText: string,
  tags: Array<Tag>,
  access: AccessStatus,
  accessSource: string,
  /**
   * Unmapped fields kept from the import, in order.
   */
  extra: Array<NamedText>,
  collections: Array<string>,
  inTrash: boolean,
  dateAdded: string,
  dateModified: string,
  /**
   * Its files, in order.
   */
  attachments: Array<Attachment>,
};

/**
 * An attached file as the item pane lists it.
 */
export type Attachment = {
  id: number,
  /**
   * The file's name as it was attached.
   */
  title: string,
  /**
   * `stored` (a copy the library keeps) or `linked` (a file left where it is).
   */
  kind: string,
  /**
   * Where the file is on this machine (empty when no folder places it).
   */
  file: string,
  mime: string,
  bytes: number,
  pages: number | null,
  /**
   * `pending`, `indexed`, `none` (no text) or `failed`.
   */
  fulltext: string,
  /**
   * Why extraction failed or found nothing.
   */
  fulltextError: string | null,
  /**
   * The file is not there (moved, deleted, another machine's path).
   */
  missing: boolean,
};

/**
 * What a full-text pass did.
 */
export type FulltextReport = {
  indexed: number,
  noText: number,
  failed: number,
  missing: number,
  pages: number,
  /**
   * `title: reason` of each failure.
   */
  failures: Array<string>,
  cancelled: boolean,
};

/**
 * A page of an attachment that matched the search, for the item pane.
 */
export type FulltextHit = {
  attachment: number,
  title: string,
  /**
   * 1-based.
   */
  page: number,
  /**
   * The matched words between `[` and `]`.
   */
  snippet: string,
};

/**
 * Where the background full-text indexing stands (`fulltext-progress` events and
 * `fulltext_progress`): while `running`, file `done + 1` of `total` (`file`) is being read;
 * after a pass, what it did.
 */
export type IndexProgress = {
  running: boolean,
  done: number,
  total: number,
  /**
   * The file being read.
   */
  file: string,
  /**
   * The last pass's outcome, once it ended (`None` while running or before any pass).
   */
  report: FulltextReport | null,
  /**
   * Why the last pass stopped short (the library could not be opened, …).
   */
  error: string | null,
};

/**
 * A missing file located ("Locate…"): the item as it is now, and a warning when the file
 * picked has other content than the one attached (it is taken anyway).
 */
export type Located = {
  item: Item,
  warning: string | null,
};

/**
 * One missing file in the report of "Find missing files…".
 */
export type MissingFile = {
  /**
   * The item's citation key.
   */
  key: string,
  /**
   * The file's name as it was attached.
   */
  title: string,
  /**
   * Where it was looked for.
   */
  was: string,
  /**
   * Found: where it is now. Ambiguous: the candidates. Still missing: none.
   */
  found: Array<string>,
  /**
   * Why it is ambiguous, or a warning about a file found.
   */
  note: string | null,
};

/**
 * What "Find missing files…" did: relinked (one undo step), still missing, ambiguous.
 */
export type MissingReport = {
  relinked: Array<MissingFile>,
  missing: Array<MissingFile>,
  ambiguous: Array<MissingFile>,
  /**
   * Files looked at.
   */
  scanned: number,
  /**
   * Folders not searched (too deep).
   */
  notes: Array<string>,
};

export type Collection = {
  id: number,
  name: string,
  path: string,
  parentId: number | null,
  items: number,
  children: Array<Collection>,
};

export type TagCount = {
  name: string,
  /**
   * As [`TagDto::label`].
   */
  label: string,
  items: number,
  imported: number,
};

export type AccessCount = {
  status: AccessStatus,
  items: number,
};

/**
 * Everything the left pane shows.
 */
export type Sidebar = {
  libraryPath: string,
  total: number,
  unfiled: number,
  trash: number,
  collections: Array<Collection>,
  tags: Array<TagCount>,
  access: Array<AccessCount>,
  /**
   * Saved searches (a JabRef file's keyword groups among them), by name.
   */
  saved: Array<SavedSearch>,
};

export type SavedSearch = {
  name: string,
  query: string,
  /**
   * The collection it searches within (with its subcollections), if any.
   */
  collection: number | null,
  collectionPath: string | null,
};

export type History = {
  id: number,
  label: string,
  at: string,
  done: boolean,
};

/**
 * Where opening the startup (or last chosen) library stands. A library made by an older
 * version is upgraded as it opens, which takes seconds on a large one: the window shows this
 * meanwhile instead of nothing.
 */
export type LibraryStatus = {
  state: LibraryState,
  path: string,
  /**
   * For `upgrading`: the library's schema version and the one this build writes.
   */
  fromVersion: number | null,
  toVersion: number | null,
  /**
   * For `failed`: why (the error's code and message).
   */
  code: string | null,
  message: string | null,
  /**
   * Since the open started.
   */
  elapsedMs: number,
};

export type Diagnostic = {
  severity: Severity,
  line: number | null,
  message: string,
};

/**
 * One duplicate decision of an import.
 */
export type Decision = {
  line: number,
  entryKey: string,
  title: string,
  existingKey: string,
  reason: DuplicateReason,
  action: DecisionAction,
};

export type FileReport = {
  path: string,
  format: Format,
  encoding: string,
  entries: number,
  added: number,
  duplicates: number,
  errors: number,
  keys: Array<string>,
  repairs: Array<string>,
  /**
   * What the import did with each entry that matched an item (or an earlier entry).
   */
  decisions: Array<Decision>,
  diagnostics: Array<Diagnostic>,
};

export type ImportReport = {
  added: number,
  duplicates: number,
  errors: number,
  files: Array<FileReport>,
  /**
   * PDFs imported as references (each with its file).
   */
  pdfs: Array<PdfReport>,
};

/**
 * What became of one imported PDF.
 */
export type PdfReport = {
  path: string,
  /**
   * The new item, or the item the file was attached to.
   */
  key: string,
  /**
   * Set when the PDF was attached to an item already there: why it matched.
   */
  attachedBecause: string | null,
  pages: number,
  /**
   * Tagged `needs review` (no text, a guess, an unreadable file).
   */
  needsReview: boolean,
  /**
   * Each field read, with where it came from.
   */
  fields: Array<PdfField>,
  /**
   * What is uncertain, and why a file could not be read.
   */
  notes: Array<string>,
};

/**
 * A field a PDF import filled and its source ("XMP metadata", "printed on page 1", "layout of
 * page 1", "document info", "file name").
 */
export type PdfField = {
  field: string,
  value: string,
  source: string,
  uncertain: boolean,
};

/**
 * Streamed through a Channel while an import runs.
 */
export type Progress = {
  /**
   * Bytes of input read and stored so far, of `total`.
   */
  done: number,
  total: number,
  /**
   * Entries stored so far.
   */
  entries: number,
};

/**
 * What to export: exact keys (the selection), else the filter (collection, tag, whole library).
 */
export type Selection = {
  keys: Array<string>,
  filter: Filter,
};

export type ExportReport = {
  items: number,
  written: boolean,
  diagnostics: Array<Diagnostic>,
};

/**
 * A group of items that are (or may be) the same work.
 */
export type DuplicateGroup = {
  /**
   * "same DOI", "similar title, same first author", …
   */
  reason: DuplicateReason,
  kind: DuplicateKind,
  /**
   * Same DOI or ISBN: merged by "Merge all exact groups".
   */
  identifier: boolean,
  confidence: number,
  keys: Array<string>,
};

export type Conflict = {
  /**
   * The merged item that had the other value.
   */
  key: string,
  field: string,
  kept: string,
  other: string,
};

export type MergeReport = {
  kept: string,
  merged: Array<string>,
  conflicts: Array<Conflict>,
};

/**
 * The user's pick for one conflicting field of a merge.
 */
export type FieldChoice = {
  field: string,
  value: string,
};

/**
 * What an auto-export contains. `kind`: library, collection (`collectionId`, `recursive`),
 * tag (`name`), access (`status`), search (a saved search's `name`).
 */
export type Scope = {
  kind: ScopeKind,
  collectionId: number | null,
  recursive: boolean,
  name: string,
  status: AccessStatus | null,
};

/**
 * An auto-export to register.
 */
export type NewAutoExport = {
  path: string,
  /**
   * bibtex, biblatex or ris
   */
  format: Format,
  scope: Scope,
  /**
   * LaTeX escapes (true) or UTF-8 (false); None: the format's default.
   */
  ascii: boolean | null,
  omitFields: Array<string>,
};

/**
 * A registered auto-export with its last run.
 */
export type AutoExport = {
  path: string,
  /**
   * As registered (the CLI also takes aliases such as `bib`).
   */
  format: string,
  scope: Scope,
  /**
   * "collection Thesis with subcollections", from the core.
   */
  scopeLabel: string,
  ascii: boolean | null,
  omitFields: Array<string>,
  lastRunAt: string | null,
  items: number | null,
  lastError: string | null,
};

/**
 * The local HTTP API's settings (kept in the app's settings file).
 */
export type ServerSettings = {
  /**
   * Answer editors and scripts on 127.0.0.1 while the app is open.
   */
  enabled: boolean,
  /**
   * The port asked for (23119, Zotero's, falls back to the next free one when taken).
   */
  port: number,
  /**
   * "Allow editors to change the library": the citation picker, `collection.scanAUX`,
   * `autoexport.add`.
   */
  allowWrites: boolean,
};

/**
 * The local HTTP API: its settings and where it listens.
 */
export type ServerStatus = {
  settings: ServerSettings,
  /**
   * The port it listens on; null when off or failed.
   */
  port: number | null,
  /**
   * The default port it fell back from (taken, e.g. by Zotero).
   */
  fallbackFrom: number | null,
  /**
   * Why it is not listening.
   */
  error: string | null,
  /**
   * The folder whose `.csl` files editors may name in `style=`.
   */
  stylesFolder: string | null,
};

/**
 * A CSL style bundled with Folio (for the quick-copy style choice).
 */
export type BundledStyle = {
  /**
   * What `format_references` takes (`nature`, `apa`…).
   */
  name: string,
  title: string,
};

/**
 * One item picked in the cite-as-you-write picker, with what the writer added to it.
 */
export type PickedCitation = {
  key: string,
  /**
   * Text before the citation ("see").
   */
  prefix: string,
  /**
   * Where in the work ("12", "3–5").
   */
  locator: string,
  /**
   * What the locator counts: a CSL locator label (`page` when empty).
   */
  label: string,
  /**
   * Text after the citation.
   */
  suffix: string,
  /**
   * The year only (the author is named in the sentence).
   */
  suppressAuthor: boolean,
};

/**
 * A locator label the picker offers (`chapter`, shown as `ch.`).
 */
export type LocatorLabel = {
  label: string,
  short: string,
};

export type SyncResult = {
  path: string,
  items: number,
  written: boolean,
  error: string | null,
};

/**
 * What a `.aux` file cites.
 */
export type AuxInfo = {
  /**
   * The `.aux` file read (a dropped `.tex` names the `.aux` beside it).
   */
  aux: string,
  /**
   * Keys of the cited items the library has, with crossref parents.
   */
  keys: Array<string>,
  /**
   * Cited keys the library does not have.
   */
  missing: Array<string>,
  /**
   * Already registered (its keys are protected).
   */
  registered: boolean,
};

/**
 * What fixing citation keys did: (old, new) keys, and the entries whose links followed.
 */
export type KeyFix = {
  renamed: Array<[string, string]>,
  relinked: Array<string>,
};

/**
 * A citation key the library protects, and why (cited in a registered `.aux`, or exported by
 * an auto-export).
 */
export type ProtectedKey = {
  key: string,
  reason: string,
};

/**
 * Where the shared library's sync stands.
 */
export type SyncState = "off" | "syncing" | "synced" | "offline" | "read-only";

/**
 * The `sync-status` event's payload and `sync_status`'s answer.
 */
export type SyncStatus = {
  state: SyncState,
  /**
   * The server, without any password (`postgresql://ann@db.example.org/refs`).
   */
  server: string | null,
  /**
   * The shared library's name on the server.
   */
  library: string | null,
  /**
   * Who this member is in the shared history.
   */
  author: string | null,
  /**
   * Objects changed here and not pushed yet (being pushed while `syncing`).
   */
  outbox: number,
  /**
   * Conflicts waiting for a choice (the Conflicts view).
   */
  conflicts: number,
  /**
   * When the server stopped answering (RFC 3339), while `offline`.
   */
  offlineSince: string | null,
  /**
   * The last sync's error, if it failed.
   */
  lastError: string | null,
  /**
   * When the last sync ended well (RFC 3339).
   */
  lastSync: string | null,
  /**
   * The server's library version after the last sync.
   */
  serverVersion: number,
};

/**
 * A shared object's kind.
 */
export type SharedKind = "item" | "collection" | "search";

/**
 * A field both this library and the server changed, with both values (JSON as the shared
 * state holds it).
 */
export type SyncConflict = {
  /**
   * The object's id across replicas (what `resolve_conflict` takes).
   */
  uuid: string,
  kind: SharedKind,
  /**
   * The item's citation key, the collection's or saved search's name.
   */
  name: string,
  /**
   * The field (the shared state's name: `title`, `short_title`, `tags`…); `*` with
   * `deleted`: deleted on one side, changed on the other.
   */
  field: string,
  /**
   * Deleted on one side (`mine` or `theirs` is null), changed on the other.
   */
  deleted: boolean,
  base: unknown,
  mine: unknown,
  theirs: unknown,
  /**
   * Who made the server's change, and when (RFC 3339).
   */
  author: string,
  at: string,
};

/**
 * Which value a conflict keeps.
 */
export type Take = "mine" | "theirs";

/**
 * What an action of the shared history did to an object.
 */
export type SharedChangeKind = "added" | "changed" | "deleted";

/**
 * One action of the shared history that changed an item: who, when, what.
 */
export type SharedHistoryEntry = {
  /**
   * The server's library version the action made.
   */
  version: number,
  author: string,
  /**
   * The action ("Edit smith2020", "Import 7,312 items").
   */
  label: string,
  /**
   * RFC 3339, the server's clock.
   */
  at: string,
  change: SharedChangeKind,
  /**
   * The item's fields it changed (the shared state's names), when `changed`.
   */
  fields: Array<string>,
};

/**
 * What the Share library dialog suggests: the library file's name, and `user@machine`.
 */
export type ShareDefaults = {
  libraryName: string,
  author: string,
};

/**
 * What changed, and the action that changed it.
 */
export type LibraryChanged = {
  scopes: Array<ChangeScope>,
  /**
   * Undo label or action description, for the status bar.
   */
  action: string,
};

/**
 * A command's error as the UI receives it (the UI turns it into its `AppError`).
 */
export type CommandError = {
  code: string,
  message: string,
  /**
   * For `protected-key`: the keys the action would change, with why each is protected, so
   * the UI can ask for confirmation and retry with `force`.
   */
  protected?: Array<ProtectedKey>,
};

export const ACCESS_STATUSES: AccessStatus[] = ["open", "free", "restricted", "unknown"];

export const ITEM_TYPES: ItemType[] = ["article", "magazine-article", "newspaper-article", "book", "booklet", "inbook", "incollection", "inproceedings", "proceedings", "collection", "reference", "thesis", "phdthesis", "mastersthesis", "report", "manual", "misc", "online", "unpublished", "dataset", "software", "patent", "standard", "periodical", "presentation", "map", "audiovisual", "case", "legislation", "letter", "interview"];

export const ROLES: Role[] = ["author", "editor", "translator", "series-editor", "book-author", "contributor", "director", "inventor", "recipient", "interviewer", "commentator", "annotator"];
