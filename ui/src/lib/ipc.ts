// The UI's one door to the shell: every invoke, event listener and dialog goes through here,
// so tests can replace the backend with mockIPC.

import { Channel, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { writeText } from "@tauri-apps/plugin-clipboard-manager";
import { open as openDialog, save as saveDialog } from "@tauri-apps/plugin-dialog";
import {
  AppError,
  type AccessStatus,
  type AutoExport,
  type AuxInfo,
  type BundledStyle,
  type CiteStyle,
  type LocatorLabel,
  type PickedCitation,
  type CommandError,
  type Creator,
  type DuplicateGroup,
  type DuplicatePolicy,
  type FieldChoice,
  type Format,
  type FulltextHit,
  type FulltextReport,
  type IndexProgress,
  type ItemType,
  type MergeReport,
  type NewAutoExport,
  type ProtectedKey,
  type SyncResult,
  type ExportReport,
  type Filter,
  type ImportReport,
  type Item,
  type KeyFix,
  type LibraryChanged,
  type LibraryStatus,
  type Located,
  type MissingReport,
  type Page,
  type Progress,
  type SavedSearch,
  type Selection,
  type ServerSettings,
  type ServerStatus,
  type Sidebar,
  type Sort,
  type SharedHistoryEntry,
  type ShareDefaults,
  type SyncConflict,
  type SyncStatus,
  type Take,
  type Targets,
} from "./types";

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toAppError(e);
  }
}

export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (e && typeof e === "object" && "message" in e) {
    // A CommandError from a command; anything else (a failed argument, the plugins) as "error".
    const o = e as Partial<Record<keyof CommandError, unknown>>;
    const prot = Array.isArray(o.protected) ? (o.protected as ProtectedKey[]) : [];
    return new AppError(typeof o.code === "string" ? o.code : "error", String(o.message), prot);
  }
  return new AppError("error", String(e));
}

/** The items an action applies to: keys, or every row of a filter (after Select all). */
function targets(t: string[] | Targets): { keys: string[]; filter: Targets["filter"] } {
  return Array.isArray(t) ? { keys: t, filter: null } : { keys: t.keys, filter: t.filter };
}

export const ipc = {
  listPage: (filter: Filter, sort: Sort, offset: number, limit: number) =>
    call<Page>("list_page", { filter, sort, offset, limit }),
  listKeys: (filter: Filter, sort: Sort) => call<string[]>("list_keys", { filter, sort }),
  serverStatus: () => call<ServerStatus>("server_status"),
  serverConfigure: (settings: ServerSettings) => call<ServerStatus>("server_configure", { settings }),
  selectionChanged: (t: Targets) => call<void>("selection_changed", { keys: t.keys, filter: t.filter }),
  caywAnswer: (picked: PickedCitation[] | null) => call<boolean>("cayw_answer", { picked }),
  locatorLabels: () => call<LocatorLabel[]>("locator_labels"),
  sidebar: () => call<Sidebar>("sidebar"),
  libraryStatus: () => call<LibraryStatus>("library_status"),
  getItem: (id: number) => call<Item>("get_item", { id }),
  openLibrary: (path: string) => call<string>("open_library", { path }),
  editField: (id: number, field: string, value: string, force = false) => call<Item>("edit_field", { id, field, value, force }),
  setCreators: (id: number, creators: Creator[]) => call<Item>("set_creators", { id, creators }),
  newItem: (itemType: ItemType, collection: string | null) => call<number>("new_item", { itemType, collection }),
  deleteItems: (keys: string[] | Targets) => call<number>("delete_items", targets(keys)),
  restoreItems: (keys: string[] | Targets) => call<number>("restore_items", targets(keys)),
  emptyTrash: () => call<number>("empty_trash"),
  setAccess: (status: AccessStatus, keys: string[] | Targets) => call<number>("set_access", { status, ...targets(keys) }),
  undo: () => call<string>("undo"),
  redo: () => call<string>("redo"),
  collectionCreate: (parent: string | null, name: string) => call<number>("collection_create", { parent, name }),
  collectionRename: (path: string, name: string) => call<void>("collection_rename", { path, name }),
  collectionMove: (path: string, parent: string | null) => call<void>("collection_move", { path, parent }),
  collectionDelete: (path: string) => call<void>("collection_delete", { path }),
  collectionAdd: (path: string, keys: string[] | Targets) => call<number>("collection_add", { path, ...targets(keys) }),
  collectionRemove: (path: string, keys: string[] | Targets) => call<number>("collection_remove", { path, ...targets(keys) }),
  tagAdd: (tag: string, keys: string[] | Targets) => call<number>("tag_add", { tag, ...targets(keys) }),
  tagRemove: (tag: string, keys: string[] | Targets) => call<number>("tag_remove", { tag, ...targets(keys) }),
  tagRename: (old: string, name: string) => call<number>("tag_rename", { old, new: name }),
  tagDelete: (tag: string) => call<number>("tag_delete", { tag }),
  importFiles: (paths: string[], collection: string | null, duplicates: DuplicatePolicy, onProgress: (p: Progress) => void) => {
    const channel = new Channel<Progress>();
    channel.onmessage = onProgress;
    return call<ImportReport>("import_files", { paths, collection, duplicates, onProgress: channel });
  },
  importCancel: () => call<boolean>("import_cancel"),
  /** Attach files to item `id` (copies kept by the library, or `link`ed where they are). */
  attachFiles: (id: number, paths: string[], link = false) => call<Item>("attach_files", { id, paths, link }),
  detachAttachment: (id: number, attachment: number) => call<Item>("detach_attachment", { id, attachment }),
  /** Open an attachment's file in the system's viewer (by id: the webview names no path). */
  openAttachment: (attachment: number) => call<void>("open_attachment", { attachment }),
  /** "Locate…": point a missing attachment at the file the user picked (one undo step). */
  locateAttachment: (id: number, attachment: number, path: string) => call<Located>("locate_attachment", { id, attachment, path }),
  /** "Find missing files…": search a folder for every missing file, relink those found. */
  findMissingFiles: (folder: string) => call<MissingReport>("find_missing_files", { folder }),
  fulltextIndex: (onProgress: (p: Progress) => void) => {
    const channel = new Channel<Progress>();
    channel.onmessage = onProgress;
    return call<FulltextReport>("fulltext_index", { onProgress: channel });
  },
  /** A PDF attachment's bytes for the built-in viewer (by id: only the open library's PDFs). */
  attachmentPdf: async (attachment: number): Promise<Uint8Array> => new Uint8Array(await call<ArrayBuffer>("attachment_pdf", { attachment })),
  /** Read pending attachments' text in the background (`onFulltextProgress` follows it). */
  fulltextStart: () => call<void>("fulltext_start"),
  fulltextCancel: () => call<boolean>("fulltext_cancel"),
  fulltextProgress: () => call<IndexProgress>("fulltext_progress"),
  fulltextHits: (id: number, query: string, everything = false) => call<FulltextHit[]>("fulltext_hits", { id, query, everything }),
  importText: (text: string, collection: string | null, duplicates: DuplicatePolicy) =>
    call<ImportReport>("import_text", { text, collection, duplicates }),
  exportFile: (selection: Selection, format: Format, path: string) =>
    call<ExportReport>("export_file", { selection, format, path }),
  exportText: (selection: Selection, format: Format) => call<string>("export_text", { selection, format }),
  regenerateKeys: (keys: string[] | Targets, force = false) => call<[string, string][]>("regenerate_keys", { ...targets(keys), force }),
  fixKeys: (keys: string[] | Targets, force = false) => call<KeyFix>("fix_keys", { ...targets(keys), force }),
  protectedKeys: () => call<ProtectedKey[]>("protected_keys"),
  /** `style`: one of the quick choices, any bundled CSL style's name, or a `.csl` file's path. */
  formatReferences: (keys: string[] | Targets, style: CiteStyle | string) => call<string>("format_references", { ...targets(keys), style }),
  citeStyles: () => call<BundledStyle[]>("cite_styles"),
  checkStyle: (style: string) => call<string>("check_style", { style }),
  duplicates: () => call<DuplicateGroup[]>("duplicates"),
  /** The number of duplicate groups (the shell keeps the groups until the library changes). */
  duplicateCount: () => call<number>("duplicate_count"),
  itemsByKeys: (keys: string[]) => call<Item[]>("items_by_keys", { keys }),
  mergeItems: (keep: string, others: string[], choices: FieldChoice[]) =>
    call<MergeReport>("merge_items", { keep, others, choices }),
  mergeExact: () => call<MergeReport[]>("merge_exact"),
  autoExports: () => call<AutoExport[]>("auto_exports"),
  autoExportAdd: (exp: NewAutoExport) => call<SyncResult>("auto_export_add", { export: exp }),
  autoExportRemove: (path: string) => call<void>("auto_export_remove", { path }),
  autoExportRun: () => call<SyncResult[]>("auto_export_run"),
  savedSearches: () => call<SavedSearch[]>("saved_searches"),
  searchSave: (name: string, query: string, collection: string | null) => call<null>("search_save", { name, query, collection }),
  searchDelete: (name: string) => call<null>("search_delete", { name }),
  auxRead: (path: string) => call<AuxInfo>("aux_read", { path }),
  /** Export what an `.aux` (or a `.tex`'s) cites, and register it (its keys become protected)
   * when `register`. */
  exportAux: (path: string, format: Format, out: string, register: boolean) => call<ExportReport>("export_aux", { path, format, out, register }),
  auxRegister: (path: string) => call<void>("aux_register", { path }),
  // Shared libraries (issue 27). The URL (with a password, if one was typed) goes to the shell
  // only: every connection to the server is made in Rust.
  shareDefaults: () => call<ShareDefaults>("share_defaults"),
  remoteConnect: (url: string, libraryName: string, author: string) => call<SyncStatus>("remote_connect", { url, libraryName, author }),
  remoteDisconnect: () => call<SyncStatus>("remote_disconnect"),
  syncStatus: () => call<SyncStatus>("sync_status"),
  syncNow: () => call<SyncStatus>("sync_now"),
  syncConflicts: () => call<SyncConflict[]>("sync_conflicts"),
  resolveConflict: (uuid: string, field: string, take: Take) => call<void>("resolve_conflict", { uuid, field, take }),
  sharedHistory: (key: string) => call<SharedHistoryEntry[]>("shared_history", { key }),
};

export function onLibraryChanged(handler: (e: LibraryChanged) => void): Promise<UnlistenFn> {
  return listen<LibraryChanged>("library-changed", (e) => handler(e.payload));
}

/** Where the shared library's sync stands, whenever that changes. */
export function onSyncStatus(handler: (s: SyncStatus) => void): Promise<UnlistenFn> {
  return listen<SyncStatus>("sync-status", (e) => handler(e.payload));
}

/** Where the background full-text indexing stands, whenever that changes. */
export function onFulltextProgress(handler: (p: IndexProgress) => void): Promise<UnlistenFn> {
  return listen<IndexProgress>("fulltext-progress", (e) => handler(e.payload));
}

/** The library's open (with its upgrade) started or ended. */
export function onLibraryStatus(handler: (s: LibraryStatus) => void): Promise<UnlistenFn> {
  return listen<LibraryStatus>("library-status", (e) => handler(e.payload));
}

export type DropEvent =
  | { type: "enter" | "over"; x: number; y: number; paths: string[] }
  | { type: "drop"; x: number; y: number; paths: string[] }
  | { type: "leave" };

/** Native file drops (paths only). Positions are converted to CSS pixels. */
export function onFileDrop(handler: (e: DropEvent) => void): Promise<UnlistenFn> {
  return getCurrentWebview().onDragDropEvent((event) => {
    const p = event.payload as {
      type: string;
      paths?: string[];
      position?: { x: number; y: number; toLogical?: (f: number) => { x: number; y: number } };
    };
    const scale = window.devicePixelRatio || 1;
    const pos = p.position ? { x: p.position.x / scale, y: p.position.y / scale } : { x: 0, y: 0 };
    if (p.type === "leave") handler({ type: "leave" });
    else if (p.type === "drop") handler({ type: "drop", ...pos, paths: p.paths ?? [] });
    else handler({ type: p.type === "enter" ? "enter" : "over", ...pos, paths: p.paths ?? [] });
  });
}

export const dialogs = {
  async pickImportFiles(): Promise<string[]> {
    const r = await openDialog({
      multiple: true,
      title: "Import references",
      filters: [
        { name: "References", extensions: ["bib", "ris", "txt", "json", "yaml", "yml", "md"] },
        { name: "All files", extensions: ["*"] },
      ],
    });
    if (r == null) return [];
    return Array.isArray(r) ? r : [r];
  },
  async pickExportPath(defaultName: string, ext: string, title = "Export references"): Promise<string | null> {
    return await saveDialog({
      title,
      defaultPath: defaultName,
      filters: [{ name: ext.toUpperCase(), extensions: [ext] }],
    });
  },
  async pickAttachments(): Promise<string[]> {
    const r = await openDialog({ multiple: true, title: "Attach files" });
    if (r == null) return [];
    return Array.isArray(r) ? r : [r];
  },
  async pickLocatedFile(title: string): Promise<string | null> {
    const r = await openDialog({ multiple: false, title: `Locate ${title}` });
    return typeof r === "string" ? r : null;
  },
  async pickFolder(title: string): Promise<string | null> {
    const r = await openDialog({ multiple: false, directory: true, title });
    return typeof r === "string" ? r : null;
  },
  async pickStyleFile(): Promise<string | null> {
    const r = await openDialog({
      multiple: false,
      title: "A CSL style",
      filters: [{ name: "CSL style", extensions: ["csl", "xml"] }],
    });
    return typeof r === "string" ? r : null;
  },
  async pickLibrary(create: boolean): Promise<string | null> {
    if (create) {
      return await saveDialog({
        title: "New library",
        defaultPath: "library.sqlite",
        filters: [{ name: "Folio library", extensions: ["sqlite"] }],
      });
    }
    const r = await openDialog({
      multiple: false,
      title: "Open library",
      filters: [{ name: "Folio library", extensions: ["sqlite", "db"] }],
    });
    return typeof r === "string" ? r : null;
  },
};

/** The system clipboard (write only), through the official plugin: WebKitGTK's web clipboard
 * needs a user gesture and is off for scripts by default. */
export const clipboard = {
  async writeText(text: string): Promise<void> {
    try {
      await writeText(text);
    } catch (e) {
      throw toAppError(e);
    }
  },
};
