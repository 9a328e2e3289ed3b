// The UI state: what the left pane selects, the search, the sort, the selection.

import type { Filter, Selection, Sidebar, Sort, Targets } from "../lib/types";

export type View =
  | { kind: "library" }
  | { kind: "unfiled" }
  | { kind: "trash" }
  | { kind: "duplicates" }
  | { kind: "collection"; id: number; path: string };

export interface State {
  view: View;
  tags: string[];
  access: string[];
  query: string;
  sort: Sort;
  /** Selected items: key -> id. */
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
}

type Listener = (what: string) => void;

export class Store {
  s: State = {
    view: { kind: "library" },
    tags: [],
    access: [],
    query: "",
    sort: { column: "title", descending: false },
    selection: new Map(),
    all: null,
    cursor: -1,
    anchor: -1,
    sidebar: null,
    total: 0,
    duplicates: null,
  };
  private listeners: Listener[] = [];

  on(l: Listener) {
    this.listeners.push(l);
  }

  emit(what: string) {
    for (const l of this.listeners) l(what);
  }

  filter(): Filter {
    const v = this.s.view;
    return {
      collection: v.kind === "collection" ? v.id : null,
      recursive: v.kind === "collection",
      unfiled: v.kind === "unfiled",
      trash: v.kind === "trash",
      tags: this.s.tags,
      access: this.s.access,
      query: this.s.query,
    };
  }

  /** The collection path new items and imports go into (the selected collection). */
  targetCollection(): string | null {
    return this.s.view.kind === "collection" ? this.s.view.path : null;
  }

  setView(v: View) {
    this.s.view = v;
    this.clearSelection();
    this.emit("filter");
  }

  clearSelection() {
    this.s.selection = new Map();
    this.s.all = null;
    this.s.cursor = -1;
    this.s.anchor = -1;
    this.emit("selection");
  }

  /** Select these items (replacing "all rows"). Does not notify. */
  select(m: Map<string, number>) {
    this.s.selection = m;
    this.s.all = null;
  }

  /** Select every row of the current filter, without fetching their keys. */
  selectAll() {
    this.s.selection = new Map();
    this.s.all = this.filter();
    this.emit("selection");
  }

  isSelected(key: string): boolean {
    return this.s.all != null || this.s.selection.has(key);
  }

  /** How many items are selected. */
  selectionCount(): number {
    return this.s.all ? this.s.total : this.s.selection.size;
  }

  /** What actions on the selection apply to (the shell resolves "all rows"). */
  targets(): Targets {
    return this.s.all ? { keys: [], filter: this.s.all } : { keys: this.selectedKeys(), filter: null };
  }

  /** The selection as an export selection (keys, or the filter of "all rows"). */
  exportSelection(): Selection {
    return this.s.all ? { keys: [], filter: this.s.all } : { keys: this.selectedKeys(), filter: {} as Filter };
  }

  /** The selected keys, explicitly (after Select all: fetched from the shell). */
  selectedKeys(): string[] {
    return [...this.s.selection.keys()];
  }
}

export const store = new Store();
