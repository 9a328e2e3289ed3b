// The UI state (what the left pane selects, the search, the sort, the selection, the shell's
// left-pane data) behind named actions. Features read `store.s` (read-only to them) and change
// it only through the actions, each of which tells the subscribers what changed.

import type { AccessStatus, Filter, Selection, Sidebar, Sort, SortColumn, SyncStatus, Targets } from "./types";

export type View =
  | { kind: "library" }
  | { kind: "unfiled" }
  | { kind: "trash" }
  | { kind: "duplicates" }
  | { kind: "conflicts" }
  | { kind: "collection"; id: number; path: string };

export interface State {
  view: View;
  tags: string[];
  access: AccessStatus[];
  query: string;
  /** "Everything" mode: the search's words also search the attachments' text. */
  everything: boolean;
  sort: Sort;
  /** Selected items: key -> id (-1: id not known yet). */
  selection: Map<string, number>;
  /** Select all: every row of this filter is selected (kept as the filter, not as keys). */
  all: Filter | null;
  /** Row index the keyboard is on. */
  cursor: number;
  anchor: number;
  sidebar: Sidebar | null;
  total: number;
  /** Duplicate groups in the library (null until counted). */
  duplicates: number | null;
  /** Where the shared library's sync stands (null until known). */
  sync: SyncStatus | null;
}

/** What the features may see of the state: nothing in it can be written from outside. */
export type ReadState = {
  readonly [K in keyof State]: State[K] extends Map<infer K2, infer V>
    ? ReadonlyMap<K2, V>
    : State[K] extends (infer T)[]
      ? readonly T[]
      : Readonly<State[K]>;
};

/** What an action changed, for the subscribers:
 * - `filter`: the view, tags or access filter (the table reloads, the left pane redraws);
 * - `query`: a saved search put its query in the search box (typing in the box is silent);
 * - `selection`: which items are selected (the item pane follows);
 * - `sidebar-local`: only how the left pane is drawn (a subtree folded, an inline edit ended);
 * - `sync`: where the shared library's sync stands (the status bar, the item pane's history). */
export type Change = "filter" | "query" | "selection" | "sidebar-local" | "sync";

type Listener = (what: Change) => void;

export class Store {
  private state: State = {
    view: { kind: "library" },
    tags: [],
    access: [],
    query: "",
    everything: false,
    sort: { column: "title", descending: false },
    selection: new Map(),
    all: null,
    cursor: -1,
    anchor: -1,
    sidebar: null,
    total: 0,
    duplicates: null,
    sync: null,
  };
  private listeners: Listener[] = [];

  /** The state, read-only. */
  get s(): ReadState {
    return this.state;
  }

  /** Call `l` after each action that changes something it may show. Returns the unsubscribe. */
  subscribe(l: Listener): () => void {
    this.listeners.push(l);
    return () => (this.listeners = this.listeners.filter((x) => x !== l));
  }

  private emit(what: Change) {
    for (const l of this.listeners) l(what);
  }

  // ----- reading -------------------------------------------------------------------------

  filter(): Filter {
    const v = this.state.view;
    return {
      collection: v.kind === "collection" ? v.id : null,
      recursive: v.kind === "collection",
      unfiled: v.kind === "unfiled",
      trash: v.kind === "trash",
      tags: [...this.state.tags],
      access: [...this.state.access],
      query: this.state.query,
      everything: this.state.everything,
    };
  }

  /** The collection path new items and imports go into (the selected collection). */
  targetCollection(): string | null {
    return this.state.view.kind === "collection" ? this.state.view.path : null;
  }

  isSelected(key: string): boolean {
    return this.state.all != null || this.state.selection.has(key);
  }

  /** How many items are selected. */
  selectionCount(): number {
    return this.state.all ? this.state.total : this.state.selection.size;
  }

  /** What actions on the selection apply to (the shell resolves "all rows"). */
  targets(): Targets {
    return this.state.all ? { keys: [], filter: this.state.all } : { keys: this.selectedKeys(), filter: null };
  }

  /** The selection as an export selection (keys, or the filter of "all rows"). */
  exportSelection(): Selection {
    return this.state.all ? { keys: [], filter: this.state.all } : { keys: this.selectedKeys(), filter: emptyFilter() };
  }

  /** The selected keys, explicitly (after Select all: fetched from the shell). */
  selectedKeys(): string[] {
    return [...this.state.selection.keys()];
  }

  // ----- what is shown ---------------------------------------------------------------------

  /** Show another part of the library (the selection is cleared). */
  setView(v: View) {
    this.state.view = v;
    this.clearSelection();
    this.emit("filter");
  }

  /** The selected collection was renamed or moved (`path`), or deleted (null): follow it
   * without reloading (the change that did it reloads what it must). */
  followCollection(path: string | null) {
    const v = this.state.view;
    if (v.kind !== "collection") return;
    this.state.view = path == null ? { kind: "library" } : { kind: "collection", id: v.id, path };
  }

  /** Add or remove a tag filter (by name, ignoring case). Leaves the duplicates view. */
  toggleTag(name: string) {
    const on = this.state.tags.some((x) => x.toLowerCase() === name.toLowerCase());
    this.state.tags = on ? this.state.tags.filter((x) => x.toLowerCase() !== name.toLowerCase()) : [...this.state.tags, name];
    this.filtersChanged();
  }

  /** Add or remove an access filter. Leaves the duplicates view. */
  toggleAccess(status: AccessStatus) {
    const on = this.state.access.includes(status);
    this.state.access = on ? this.state.access.filter((x) => x !== status) : [...this.state.access, status];
    this.filtersChanged();
  }

  private filtersChanged() {
    if (this.state.view.kind === "duplicates" || this.state.view.kind === "conflicts") this.state.view = { kind: "library" };
    this.clearSelection();
    this.emit("filter");
  }

  /** What the search box holds (typed: the caller reloads the table once typing pauses). */
  setQuery(query: string) {
    this.state.query = query;
  }

  /** The search box's "Everything" toggle (the caller reloads, as after typing). */
  setEverything(on: boolean) {
    this.state.everything = on;
  }

  /** A saved search: its query into the box, its collection (or the library) on view. */
  applySavedSearch(query: string, view: View) {
    this.state.query = query;
    this.emit("query");
    this.setView(view);
  }

  /** Sort by `column`; the same column again flips the order. */
  sortBy(column: SortColumn) {
    const s = this.state.sort;
    this.state.sort = s.column === column ? { column, descending: !s.descending } : { column, descending: false };
  }

  /** Another library was opened: back to the whole library, no filters, nothing selected. */
  libraryOpened() {
    this.state.view = { kind: "library" };
    this.state.tags = [];
    this.state.access = [];
    this.clearSelection();
  }

  // ----- the shell's data ------------------------------------------------------------------

  /** The left pane's data (null: it could not be read). */
  setSidebar(sb: Sidebar | null) {
    this.state.sidebar = sb;
  }

  /** How many rows the current filter has. */
  setTotal(n: number) {
    this.state.total = n;
  }

  /** How many duplicate groups the library has. */
  setDuplicates(n: number) {
    this.state.duplicates = n;
  }

  /** Where the shared library's sync stands (from `sync-status`). */
  setSync(s: SyncStatus) {
    const was = this.state.sync;
    this.state.sync = s;
    if (JSON.stringify(was) !== JSON.stringify(s)) this.emit("sync");
  }

  /** Whether the open library is shared. */
  shared(): boolean {
    return this.state.sync != null && this.state.sync.state !== "off";
  }

  /** Redraw the left pane without new data (a subtree folded, an inline edit ended). */
  redrawSidebar() {
    this.emit("sidebar-local");
  }

  // ----- the selection ---------------------------------------------------------------------

  clearSelection() {
    this.state.selection = new Map();
    this.state.all = null;
    this.state.cursor = -1;
    this.state.anchor = -1;
    this.emit("selection");
  }

  /** Select these items (replacing "all rows"), and move the keyboard's cursor and anchor when
   * given. Subscribers hear of it when `notify`. */
  select(m: Map<string, number>, at: { cursor?: number; anchor?: number } = {}, notify = false) {
    this.state.selection = m;
    this.state.all = null;
    this.moveTo(at);
    if (notify) this.emit("selection");
  }

  /** Add a row to the selection, or take it out (Ctrl/Cmd+click); it becomes the anchor. */
  toggleRow(key: string, id: number, index: number) {
    const m = new Map(this.state.selection);
    if (m.has(key)) m.delete(key);
    else m.set(key, id);
    this.state.selection = m;
    this.state.anchor = index;
  }

  /** Move the keyboard's cursor and the range anchor (no notification: the caller paints). */
  moveTo(at: { cursor?: number; anchor?: number }) {
    if (at.cursor != null) this.state.cursor = at.cursor;
    if (at.anchor != null) this.state.anchor = at.anchor;
  }

  /** Tell the subscribers the selection changed (after `select`/`toggleRow`/`moveTo`). */
  selectionChanged() {
    this.emit("selection");
  }

  /** Select every row of the current filter, without fetching their keys. */
  selectAll() {
    this.state.selection = new Map();
    this.state.all = this.filter();
    this.emit("selection");
  }
}

/** A filter that matches every item in the library (not the trash). */
export function emptyFilter(): Filter {
  return { collection: null, recursive: false, unfiled: false, tags: [], access: [], query: "", trash: false, everything: false };
}

export const store = new Store();
