// Middle pane: the virtualized item table. Rows come in pages (list_page offset/limit + count),
// only the visible rows exist in the DOM, so 100k items scroll smoothly.

import { clear, h } from "../lib/dom";
import { ipc } from "../lib/ipc";
import type { ItemRow, SortColumn } from "../lib/types";
import { beginDrag } from "./drag";
import { store } from "../lib/store";
import { showError } from "./toast";

export const ROW_H = 26;
const PAGE = 200;

interface Column {
  id: string;
  label: string;
  sort: SortColumn;
  width: number;
  get: (r: ItemRow) => string;
  badge?: boolean;
}

export const COLUMNS: Column[] = [
  { id: "title", label: "Title", sort: "title", width: 380, get: (r) => r.title },
  { id: "creators", label: "Creators", sort: "creators", width: 200, get: (r) => r.creators },
  { id: "year", label: "Year", sort: "year", width: 60, get: (r) => (r.year == null ? "" : String(r.year)) },
  { id: "container", label: "Container", sort: "container", width: 200, get: (r) => r.container },
  { id: "type", label: "Type", sort: "type", width: 110, get: (r) => r.itemType },
  { id: "access", label: "Access", sort: "access", width: 88, get: (r) => r.access, badge: true },
  { id: "added", label: "Date added", sort: "added", width: 96, get: (r) => r.dateAdded.slice(0, 10) },
  { id: "key", label: "Key", sort: "key", width: 150, get: (r) => r.key },
];

const DEFAULT_COLS = ["title", "creators", "year", "container", "access", "added"];

function loadCols(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem("folio.columns") ?? "null");
    if (Array.isArray(v) && v.every((x) => COLUMNS.some((c) => c.id === x)) && v.length) return v;
  } catch {
    /* default */
  }
  return [...DEFAULT_COLS];
}

export class Table {
  el: HTMLElement;
  private head: HTMLElement;
  private scroller: HTMLElement;
  private spacer: HTMLElement;
  private rowsEl: HTMLElement;
  private empty: HTMLElement;
  private pages = new Map<number, ItemRow[]>();
  private loading = new Map<number, Promise<void>>();
  private gen = 0;
  total = 0;
  cols: string[] = loadCols();
  onOpen: (row: ItemRow) => void = () => {};
  /** A right click on a row (selected first when it was not). */
  onContextMenu: (e: MouseEvent) => void = () => {};
  onCount: (n: number) => void = () => {};
  onQueryError: (msg: string | null) => void = () => {};

  constructor() {
    this.head = h("div", { class: "thead", role: "row" });
    this.spacer = h("div", { class: "spacer" });
    this.rowsEl = h("div", { class: "rows", role: "rowgroup" });
    this.empty = h("div", { class: "empty-state", hidden: true });
    this.scroller = h("div", { class: "scroller", tabindex: 0, "data-table": "items" }, this.spacer, this.rowsEl);
    this.el = h("div", { class: "table", role: "grid", "aria-multiselectable": "true" }, this.head, this.scroller, this.empty);
    this.scroller.addEventListener("scroll", () => this.paint());
    new ResizeObserver(() => this.paint()).observe(this.scroller);
    this.scroller.addEventListener("keydown", (e) => this.key(e));
    this.renderHead();
  }

  focus() {
    this.scroller.focus();
  }

  /** Drop cached pages and reload (filter, sort or library changed). */
  async reload(keepScroll = false) {
    this.gen++;
    this.pages.clear();
    this.loading.clear();
    if (!keepScroll) this.scroller.scrollTop = 0;
    await this.fetch(Math.floor(this.scroller.scrollTop / ROW_H / PAGE), this.gen);
    this.paint();
  }

  private async fetch(page: number, gen: number): Promise<void> {
    if (this.pages.has(page)) return;
    const inflight = this.loading.get(page);
    if (inflight) return inflight;
    const p = (async () => {
      try {
        const res = await ipc.listPage(store.filter(), store.s.sort, page * PAGE, PAGE);
        if (gen !== this.gen) return;
        this.onQueryError(null);
        this.pages.set(page, res.rows);
        if (res.total !== this.total || page === 0) {
          this.total = res.total;
          store.setTotal(res.total);
          this.onCount(res.total);
        }
      } catch (e) {
        if (gen !== this.gen) return;
        const err = e as { code?: string; message?: string };
        if (err.code === "invalid-query") {
          this.onQueryError(err.message ?? "invalid search");
          this.total = 0;
          this.pages.set(page, []);
          this.onCount(0);
        } else showError(e, "Load items");
      } finally {
        this.loading.delete(page);
      }
    })();
    this.loading.set(page, p);
    return p;
  }

  rowAt(i: number): ItemRow | undefined {
    return this.pages.get(Math.floor(i / PAGE))?.[i % PAGE];
  }

  renderHead() {
    clear(this.head);
    const grid = this.gridTemplate();
    this.head.style.gridTemplateColumns = grid;
    for (const id of this.cols) {
      const c = COLUMNS.find((x) => x.id === id)!;
      const sorted = store.s.sort.column === c.sort;
      this.head.appendChild(
        h(
          "div",
          {
            class: `th${sorted ? " sorted" : ""}`,
            role: "columnheader",
            "data-col": c.id,
            "aria-sort": sorted ? (store.s.sort.descending ? "descending" : "ascending") : "none",
            title: `Sort by ${c.label}`,
            onclick: () => {
              store.sortBy(c.sort);
              this.renderHead();
              this.reload();
            },
          },
          h("span", { text: c.label }),
          sorted ? h("span", { class: "sort-ind", text: store.s.sort.descending ? "▼" : "▲" }) : null,
        ),
      );
    }
    this.head.appendChild(
      h("button", {
        class: "th-cols",
        title: "Choose and reorder columns",
        "aria-label": "Columns",
        "data-action": "columns",
        text: "⋮",
        onclick: (e: Event) => this.columnMenu(e as MouseEvent),
      }),
    );
  }

  private gridTemplate() {
    return this.cols
      .map((id) => {
        const c = COLUMNS.find((x) => x.id === id)!;
        return id === "title" ? `minmax(${c.width / 2}px, 3fr)` : id === "creators" || id === "container" ? `minmax(80px, 1.3fr)` : `${c.width}px`;
      })
      .join(" ") + " 24px";
  }

  private columnMenu(e: MouseEvent) {
    document.querySelector(".menu-pop")?.remove();
    const pop = h("div", { class: "menu-pop cols-pop", style: `right:12px;top:${e.clientY + 10}px`, role: "menu" });
    const render = () => {
      clear(pop);
      const order = [...this.cols, ...COLUMNS.map((c) => c.id).filter((id) => !this.cols.includes(id))];
      order.forEach((id) => {
        const c = COLUMNS.find((x) => x.id === id)!;
        const on = this.cols.includes(id);
        const idx = this.cols.indexOf(id);
        pop.appendChild(
          h(
            "div",
            { class: "col-choice" },
            h(
              "label",
              {},
              h("input", {
                type: "checkbox",
                checked: on,
                "data-col-toggle": id,
                onchange: () => {
                  if (on && this.cols.length > 1) this.cols = this.cols.filter((x) => x !== id);
                  else if (!on) this.cols = [...this.cols, id];
                  this.saveCols();
                  render();
                },
              }),
              h("span", { text: c.label }),
            ),
            h("button", { class: "icon-btn", title: "Move left", disabled: !on || idx <= 0, onclick: () => this.moveCol(idx, -1, render), text: "↑" }),
            h("button", { class: "icon-btn", title: "Move right", disabled: !on || idx >= this.cols.length - 1, onclick: () => this.moveCol(idx, 1, render), text: "↓" }),
          ),
        );
      });
    };
    render();
    pop.addEventListener("click", (ev) => ev.stopPropagation());
    document.body.appendChild(pop);
    setTimeout(() => window.addEventListener("click", () => pop.remove(), { once: true }));
  }

  private moveCol(idx: number, d: number, render: () => void) {
    const c = [...this.cols];
    [c[idx], c[idx + d]] = [c[idx + d], c[idx]];
    this.cols = c;
    this.saveCols();
    render();
  }

  private saveCols() {
    localStorage.setItem("folio.columns", JSON.stringify(this.cols));
    this.renderHead();
    this.paint();
  }

  /** Draw the visible rows (plus a small overscan), fetching missing pages. */
  paint() {
    const total = this.total;
    this.spacer.style.height = `${total * ROW_H}px`;
    this.renderEmpty();
    const top = this.scroller.scrollTop;
    const height = this.scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_H) - 5);
    const last = Math.min(total - 1, Math.ceil((top + height) / ROW_H) + 5);
    const gen = this.gen;
    const missing = new Set<number>();
    for (let i = first; i <= last; i++) if (!this.pages.has(Math.floor(i / PAGE))) missing.add(Math.floor(i / PAGE));
    for (const p of missing) this.fetch(p, gen).then(() => gen === this.gen && this.paint());
    clear(this.rowsEl);
    const grid = this.gridTemplate();
    const cols = this.cols.map((id) => COLUMNS.find((c) => c.id === id)!);
    const frag = document.createDocumentFragment();
    for (let i = first; i <= last; i++) {
      const r = this.rowAt(i);
      const selected = r ? store.isSelected(r.key) : false;
      const row = h("div", {
        class: `tr${selected ? " selected" : ""}${i === store.s.cursor ? " cursor" : ""}${i % 2 ? " odd" : ""}`,
        role: "row",
        "aria-selected": String(selected),
        "data-index": i,
        "data-key": r?.key ?? null,
        "data-item-id": r?.id ?? null,
        style: `top:${i * ROW_H}px;grid-template-columns:${grid}`,
      });
      if (r) {
        for (const c of cols) {
          const v = c.get(r);
          row.appendChild(
            c.badge
              ? h("div", { class: "td", role: "gridcell", "data-col": c.id }, h("span", { class: `badge badge-${v}`, text: v }))
              : c.id === "title" && !v
                ? h("div", { class: "td untitled", role: "gridcell", "data-col": c.id, text: "(no title)" })
                : h("div", { class: "td", role: "gridcell", "data-col": c.id, title: v, text: v }),
          );
        }
        row.addEventListener("pointerdown", (e) => this.pointerDown(e, i, r));
        row.addEventListener("dblclick", () => this.onOpen(r));
        row.addEventListener("contextmenu", (e) => {
          e.preventDefault();
          if (!store.isSelected(r.key)) {
            store.select(new Map([[r.key, r.id]]), { anchor: i, cursor: i }, true);
            this.paint();
          }
          this.onContextMenu(e);
        });
      } else {
        row.appendChild(h("div", { class: "td muted", text: "…" }));
      }
      frag.appendChild(row);
    }
    this.rowsEl.appendChild(frag);
  }

  private renderEmpty() {
    const show = this.total === 0 && !this.loading.size;
    this.empty.hidden = !show;
    if (!show) return;
    clear(this.empty);
    const v = store.s.view;
    const filtered = store.s.query || store.s.tags.length || store.s.access.length;
    if (v.kind === "trash") this.empty.appendChild(h("p", { text: "The trash is empty." }));
    else if (filtered) this.empty.appendChild(h("p", { text: "No items match the search and filters." }));
    else if ((store.s.sidebar?.total ?? 0) === 0) {
      this.empty.append(
        h("h2", { text: "Your library is empty" }),
        h("p", { text: "Drop .bib, .ris or pasted-results .txt files anywhere on this window," }),
        h("p", { text: "paste references with Ctrl+V, or use File › Import…" }),
      );
    } else this.empty.appendChild(h("p", { text: "No items here yet. Drag items from My Library onto this collection." }));
  }

  private pointerDown(e: PointerEvent, i: number, r: ItemRow) {
    if (e.button !== 0) return;
    const multi = e.ctrlKey || e.metaKey;
    if (multi && store.s.all) {
      // Ctrl/Cmd+click one row out of "all rows": now the keys are needed.
      void this.allBut(r.key);
      return;
    }
    if (e.shiftKey && store.s.anchor >= 0) {
      this.selectRange(store.s.anchor, i);
    } else if (multi) {
      store.toggleRow(r.key, r.id, i);
    } else if (!store.isSelected(r.key)) {
      store.select(new Map([[r.key, r.id]]), { anchor: i });
    }
    store.moveTo({ cursor: i });
    this.scroller.focus({ preventScroll: true });
    this.reveal(i);
    store.selectionChanged();
    this.paint();
    // A plain click on an already-selected row narrows the selection on release, unless dragged.
    const narrow = !multi && !e.shiftKey && store.isSelected(r.key) && store.selectionCount() > 1;
    beginDrag(
      e,
      () => (store.selectionCount() === 1 ? r.title || r.key : `${store.selectionCount().toLocaleString()} items`),
      () => (store.selectionCount() ? { kind: "items", targets: store.targets() } : null),
    );
    window.addEventListener(
      "pointerup",
      (up) => {
        if (narrow && Math.abs(up.clientX - e.clientX) + Math.abs(up.clientY - e.clientY) < 6) {
          store.select(new Map([[r.key, r.id]]), { anchor: i }, true);
          this.paint();
        }
      },
      { once: true },
    );
  }

  private async selectRange(a: number, b: number) {
    const [lo, hi] = a < b ? [a, b] : [b, a];
    for (let p = Math.floor(lo / PAGE); p <= Math.floor(hi / PAGE); p++) await this.fetch(p, this.gen);
    const m = new Map<string, number>();
    for (let i = lo; i <= hi; i++) {
      const r = this.rowAt(i);
      if (r) m.set(r.key, r.id);
    }
    store.select(m, {}, true);
    this.paint();
  }

  /** Select all rows of the current filter: kept as the filter (no keys are fetched), so it
   * is instant on 100k rows; actions on the selection send the filter to the shell. */
  selectAll() {
    store.selectAll();
    this.paint();
  }

  /** "All rows" minus one (Ctrl/Cmd+click after Select all): fetch the keys once. */
  private async allBut(key: string) {
    const all = store.s.all;
    if (!all) return;
    try {
      const keys = await ipc.listKeys(all, store.s.sort);
      if (store.s.all !== all) return;
      const m = new Map(keys.filter((k) => k !== key).map((k) => [k, -1]));
      for (const rows of this.pages.values()) for (const r of rows) if (m.has(r.key)) m.set(r.key, r.id);
      store.select(m, {}, true);
      this.paint();
    } catch (e) {
      showError(e, "Select");
    }
  }

  private async moveCursor(to: number, extend: boolean) {
    if (this.total === 0) return;
    to = Math.max(0, Math.min(this.total - 1, to));
    await this.fetch(Math.floor(to / PAGE), this.gen);
    const r = this.rowAt(to);
    if (!r) return;
    store.moveTo({ cursor: to });
    if (extend && store.s.anchor >= 0) await this.selectRange(store.s.anchor, to);
    else store.select(new Map([[r.key, r.id]]), { anchor: to });
    this.reveal(to);
    store.selectionChanged();
    this.paint();
  }

  /** Scroll just enough that row `i` is entirely in view (a row clicked while half out of
   * view, or reached with the keyboard). */
  private reveal(i: number) {
    const top = i * ROW_H;
    const sc = this.scroller;
    if (top < sc.scrollTop) sc.scrollTop = top;
    else if (top + ROW_H > sc.scrollTop + sc.clientHeight) sc.scrollTop = top + ROW_H - sc.clientHeight;
  }

  private key(e: KeyboardEvent) {
    const page = Math.max(1, Math.floor(this.scroller.clientHeight / ROW_H) - 1);
    const c = store.s.cursor;
    const k = e.key;
    let to: number | null = null;
    if (k === "ArrowDown") to = c + 1;
    else if (k === "ArrowUp") to = c < 0 ? 0 : c - 1;
    else if (k === "PageDown") to = c + page;
    else if (k === "PageUp") to = c - page;
    else if (k === "Home") to = 0;
    else if (k === "End") to = this.total - 1;
    else if (k === "Enter" && c >= 0) {
      const r = this.rowAt(c);
      if (r) this.onOpen(r);
      e.preventDefault();
      return;
    }
    if (to != null) {
      e.preventDefault();
      this.moveCursor(to, e.shiftKey);
    }
  }
}
