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
  tags: { name: string; source: string }[];
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

export interface Sidebar {
  libraryPath: string;
  total: number;
  unfiled: number;
  trash: number;
  collections: Collection[];
  tags: { name: string; items: number; imported: number }[];
  access: { status: AccessStatus; items: number }[];
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
  diagnostics: Diagnostic[];
}

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

export interface ExportReport {
  items: number;
  written: boolean;
  diagnostics: Diagnostic[];
}

export interface LibraryChanged {
  scopes: string[];
  action: string;
}

/** Errors from the shell: a stable code and a message to show. */
export class AppError extends Error {
  constructor(
    public code: string,
    message: string,
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
