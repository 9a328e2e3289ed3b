// Wire types: mirror src-tauri/src/dto.rs (camelCase on the wire).

export type AccessStatus = "open" | "free" | "restricted" | "unknown";
export const ACCESS_STATUSES: AccessStatus[] = ["open", "free", "restricted", "unknown"];

export interface Filter {
  collection?: number | null;
  recursive?: boolean;
  unfiled?: boolean;
  tags?: string[];
  access?: string[];
  query?: string;
  trash?: boolean;
}

export interface Sort {
  column: string;
  descending: boolean;
}

export interface ItemRow {
  id: number;
  key: string;
  itemType: string;
  title: string;
  creators: string;
  year: number | null;
  container: string;
  access: AccessStatus;
  dateAdded: string;
}

export interface Page {
  total: number;
  offset: number;
  rows: ItemRow[];
}

export interface Creator {
  role: string;
  family: string;
  given: string;
  particle: string;
  suffix: string;
  literal: string;
}

export interface NamedText {
  name: string;
  value: string;
}

export interface Item {
  id: number;
  key: string;
  itemType: string;
  fields: NamedText[];
  date: string;
  year: number | null;
  creators: Creator[];
  abstractSections: { heading: string; text: string }[];
  abstractText: string;
  /** `label`: the name as a reader sees it (no LaTeX markup); `name` identifies the tag. */
  tags: { name: string; label?: string; source: string }[];
  access: AccessStatus;
  accessSource: string;
  extra: NamedText[];
  collections: string[];
  inTrash: boolean;
  dateAdded: string;
  dateModified: string;
}

export interface Collection {
  id: number;
  name: string;
  path: string;
  parentId: number | null;
  items: number;
  children: Collection[];
}

/** Where opening the library stands; an old library is upgraded as it opens. */
export interface LibraryStatus {
  state: "opening" | "upgrading" | "ready" | "failed";
  path: string;
  fromVersion: number | null;
  toVersion: number | null;
  code: string | null;
  message: string | null;
  elapsedMs: number;
}

export interface Sidebar {
  libraryPath: string;
  total: number;
  unfiled: number;
  trash: number;
  collections: Collection[];
  tags: { name: string; label?: string; items: number; imported: number }[];
  access: { status: AccessStatus; items: number }[];
  saved: SavedSearch[];
}

export interface SavedSearch {
  name: string;
  query: string;
  collection: number | null;
  collectionPath: string | null;
}

export interface Diagnostic {
  severity: string;
  line: number | null;
  message: string;
}

export interface FileReport {
  path: string;
  format: string;
  encoding: string;
  entries: number;
  added: number;
  duplicates: number;
  errors: number;
  keys: string[];
  repairs: string[];
  decisions: Decision[];
  diagnostics: Diagnostic[];
}

/** What an import did with an entry that matched an item already there. */
export interface Decision {
  line: number;
  entryKey: string;
  title: string;
  existingKey: string;
  reason: string;
  /** skipped, merged, kept or flagged */
  action: string;
}

export type DuplicatePolicy = "skip" | "merge" | "keep";

export interface ImportReport {
  added: number;
  duplicates: number;
  errors: number;
  files: FileReport[];
}

/** Import progress: bytes of input read and stored (`done` of `total`) and entries stored. */
export interface Progress {
  done: number;
  total: number;
  entries: number;
}

export interface Selection {
  keys: string[];
  filter: Filter;
}

/** What an action on the selection applies to: the selected keys, or (after Select all) every
 * row of a filter, which the shell resolves itself, so 100k keys never cross IPC. */
export interface Targets {
  keys: string[];
  filter: Filter | null;
}

export interface ExportReport {
  items: number;
  written: boolean;
  diagnostics: Diagnostic[];
}

export interface LibraryChanged {
  scopes: string[];
  action: string;
}

export interface DuplicateGroup {
  reason: string;
  /** duplicate (certain), suggestion, related (preprint and published version) */
  kind: "duplicate" | "suggestion" | "related";
  identifier: boolean;
  confidence: number;
  keys: string[];
}

export interface MergeReport {
  kept: string;
  merged: string[];
  conflicts: { key: string; field: string; kept: string; other: string }[];
}

export interface Scope {
  kind: "library" | "collection" | "tag" | "access" | "search";
  collectionId?: number | null;
  recursive?: boolean;
  name?: string;
  status?: string;
}

export interface NewAutoExport {
  path: string;
  format: string;
  scope: Scope;
  ascii: boolean | null;
  omitFields: string[];
}

export interface AutoExport extends NewAutoExport {
  scopeLabel: string;
  lastRunAt: string | null;
  items: number | null;
  lastError: string | null;
}

export interface SyncResult {
  path: string;
  items: number;
  written: boolean;
  error: string | null;
}

export interface AuxInfo {
  aux: string;
  keys: string[];
  missing: string[];
  registered: boolean;
}

export interface ProtectedKey {
  key: string;
  reason: string;
}

/** Errors from the shell: a stable code and a message to show. */
export class AppError extends Error {
  constructor(
    public code: string,
    message: string,
    /** For code "protected-key": the keys and why each is protected. */
    public protectedKeys: ProtectedKey[] = [],
  ) {
    super(message);
  }
}

export const ROLES = [
  "author",
  "editor",
  "translator",
  "series-editor",
  "book-author",
  "contributor",
  "director",
  "inventor",
  "recipient",
  "interviewer",
  "commentator",
  "annotator",
];

export const ITEM_TYPES = [
  "article",
  "magazine-article",
  "newspaper-article",
  "book",
  "booklet",
  "inbook",
  "incollection",
  "inproceedings",
  "proceedings",
  "collection",
  "reference",
  "thesis",
  "phdthesis",
  "mastersthesis",
  "report",
  "manual",
  "misc",
  "online",
  "unpublished",
  "dataset",
  "software",
  "patent",
  "standard",
  "periodical",
  "presentation",
  "map",
  "audiovisual",
  "case",
  "legislation",
  "letter",
  "interview",
];

/** What fixing citation keys did: (old, new) keys, and the entries whose links followed. */
export interface KeyFix {
  renamed: [string, string][];
  relinked: string[];
}
