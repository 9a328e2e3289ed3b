// The side-by-side per-field chooser, shared by the Duplicates view (a group's items) and the
// Conflicts view (your value and the shared library's): a label column and one column per
// candidate, rows whose values differ highlighted, and where the caller asks for a choice, a
// radio button per non-empty value. Values are set as text, never as HTML.

import { h } from "../lib/dom";

/** One row: a field and its value in each column. */
export interface ChoiceRow {
  id: string;
  label: string;
  /** One value per column ("" shows as —). */
  values: string[];
  /** The values differ: the row is highlighted. */
  differs: boolean;
  /** The name the caller's action takes for a pick in this row; null: no choice asked. */
  field: string | null;
  /** Shown as the label's tooltip (and under it when the row differs and has no choice). */
  note?: string;
  /** A long value (an abstract): its cell scrolls. */
  long?: boolean;
}

export interface ChooserOptions {
  /** The column picked in each row that asks for a choice. */
  picks?: Map<string, number>;
  /** The column marked as the one kept. */
  keptCol?: number;
  /** Told when the user picks a value. */
  onPick?: (row: ChoiceRow, col: number) => void;
  /** Width of the label column, px. */
  labelWidth?: number;
}

/** The grid: `heads` is the header cell of each column (its first cell is the label column's). */
export function chooserGrid(labelHead: string, heads: Node[], rows: ChoiceRow[], opts: ChooserOptions = {}): HTMLElement {
  const cols = heads.length;
  const grid = h("div", { class: "cmp", "data-compare": "", style: `grid-template-columns: ${opts.labelWidth ?? 120}px repeat(${cols}, minmax(180px, 1fr))` });
  grid.appendChild(h("div", { class: "cmp-label cmp-head", text: labelHead }));
  for (const head of heads) grid.appendChild(head);
  for (const r of rows) {
    const labelEl = h("div", { class: `cmp-label${r.differs ? " differs" : ""}`, "data-row": r.id, title: r.note ?? "" }, h("span", { text: r.label }));
    if (r.differs && !r.field && r.note) labelEl.appendChild(h("div", { class: "muted small", text: r.note }));
    grid.appendChild(labelEl);
    r.values.forEach((v, col) => {
      const cell = h("div", {
        class: `cmp-cell${r.differs ? " differs" : ""}${col === opts.keptCol ? " kept-col" : ""}${r.long ? " long" : ""}`,
        "data-row": r.id,
        "data-col": col,
      });
      if (r.field && v.trim()) {
        const radio = h("input", {
          type: "radio",
          name: `pick-${r.id}`,
          value: String(col),
          checked: opts.picks?.get(r.id) === col,
          "data-pick": r.field,
          "data-col": col,
          "aria-label": `Keep this ${r.label}`,
          onchange: () => opts.onPick?.(r, col),
        });
        cell.appendChild(h("label", { class: "cmp-pick" }, radio, h("span", { class: "cmp-value", text: v })));
      } else {
        cell.appendChild(h("span", { class: `cmp-value${v ? "" : " muted"}`, text: v || "—" }));
      }
      grid.appendChild(cell);
    });
  }
  return grid;
}
