// The Duplicates view: duplicate groups found by the core (same DOI, ISBN, or title + year +
// first author; suggestions and related preprints shown as such), a group's items side by
// side with the differing fields highlighted, the item to keep and a value per conflicting
// field, and Merge (one undo step). "Merge all exact groups" merges every same-DOI/ISBN group.

import { clear, h, isMac } from "../lib/dom";
import { ipc } from "../lib/ipc";
import type { DuplicateGroup, Item, MergeReport } from "../lib/types";
import { chooserGrid, type ChoiceRow } from "./chooser";
import { extraValue, FIELD_LABELS, fieldLabel, fieldValue } from "./fields";
import { modal } from "./importer";
import { showError, toast } from "./toast";

const mod = isMac ? "⌘" : "Ctrl";

const KIND_LABEL: Record<string, string> = {
  duplicate: "Duplicate",
  suggestion: "Possible duplicate",
  related: "Related",
};

/** One row of the side-by-side table. `field` is the name the core's merge takes for the
 * user's pick (null: not chosen per field — the key stays the kept item's, creators follow the
 * kept item, keywords and collections are united). */
interface Row {
  id: string;
  label: string;
  field: string | null;
  values: string[];
  note?: string;
}

function creatorsText(it: Item): string {
  return it.creators
    .map((c) => {
      const name = c.literal || [c.particle, c.family].filter(Boolean).join(" ") + (c.given ? `, ${c.given}` : "") + (c.suffix ? `, ${c.suffix}` : "");
      return c.role && c.role !== "author" ? `${name} (${c.role})` : name;
    })
    .join("; ");
}

function rowsFor(items: Item[]): Row[] {
  const rows: Row[] = [
    { id: "key", label: FIELD_LABELS.key, field: null, values: items.map((i) => i.key), note: "the kept item's key stays" },
    { id: "type", label: FIELD_LABELS.type, field: "type", values: items.map((i) => i.itemType) },
  ];
  const names = items[0]?.fields.map((f) => f.name) ?? [];
  for (const n of names.slice(0, 3)) rows.push({ id: n, label: fieldLabel(n), field: n, values: items.map((i) => fieldValue(i, n)) });
  rows.push({ id: "creators", label: FIELD_LABELS.creators, field: null, values: items.map(creatorsText), note: "the kept item's creators stay; roles it lacks are added" });
  rows.push({ id: "date", label: FIELD_LABELS.date, field: "date", values: items.map((i) => i.date) });
  for (const n of names.slice(3)) rows.push({ id: n, label: fieldLabel(n), field: n, values: items.map((i) => fieldValue(i, n)) });
  rows.push({ id: "abstract", label: FIELD_LABELS.abstract, field: "abstract", values: items.map((i) => i.abstractText) });
  rows.push({ id: "keywords", label: FIELD_LABELS.keywords, field: null, values: items.map((i) => i.tags.map((t) => t.name).join("; ")), note: "united on merge" });
  rows.push({ id: "access", label: FIELD_LABELS.access, field: "access", values: items.map((i) => i.access) });
  rows.push({ id: "collections", label: FIELD_LABELS.collections, field: null, values: items.map((i) => i.collections.join("; ")), note: "united on merge" });
  const extras: string[] = [];
  for (const it of items) for (const e of it.extra) if (!extras.some((x) => x.toLowerCase() === e.name.toLowerCase())) extras.push(e.name);
  for (const n of extras) {
    rows.push({ id: `extra:${n}`, label: n, field: n, values: items.map((i) => extraValue(i, n)) });
  }
  return rows.filter((r) => r.values.some((v) => v.trim() !== ""));
}

const norm = (s: string) => s.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();

/** Two or more different non-empty values (an empty one is simply filled in by the merge). */
function differs(r: Row): boolean {
  if (r.id === "key") return false; // keys always differ; the kept item's stays
  return new Set(r.values.filter((v) => v.trim()).map(norm)).size > 1;
}

export class DuplicatesView {
  el = h("section", { class: "dup-view", "data-view": "duplicates", "aria-label": "Duplicates" });
  private listEl = h("div", { class: "dup-list", role: "listbox", "aria-label": "Duplicate groups" });
  private detailEl = h("div", { class: "dup-detail" });
  private headEl = h("div", { class: "dup-head" });
  groups: DuplicateGroup[] = [];
  private current: string | null = null;
  private seq = 0;
  /** Told the number of groups whenever the list is loaded (the left pane's count). */
  onCount: (n: number) => void = () => {};

  constructor() {
    this.el.append(this.headEl, h("div", { class: "dup-body" }, this.listEl, this.detailEl));
  }

  /** Reload the groups (after any change), keeping the open group when it still exists. */
  async load() {
    const seq = ++this.seq;
    try {
      const groups = await ipc.duplicates();
      if (seq !== this.seq) return;
      this.groups = groups;
      this.onCount(groups.length);
    } catch (e) {
      showError(e, "Duplicates");
      return;
    }
    this.renderHead();
    this.renderList();
    const keep = this.groups.find((g) => g.keys.join("\n") === this.current) ?? this.groups[0];
    if (keep) await this.open(keep);
    else {
      this.current = null;
      clear(this.detailEl);
      this.detailEl.appendChild(h("div", { class: "empty-pane muted", "data-empty": "duplicates", text: "No duplicates found." }));
    }
  }

  private renderHead() {
    clear(this.headEl);
    const exact = this.groups.filter((g) => g.identifier).length;
    this.headEl.append(
      h("h2", { class: "pane-title", text: `Duplicates` }),
      h("span", { class: "muted", "data-dup-count": "", text: `${this.groups.length} group${this.groups.length === 1 ? "" : "s"}` }),
      h("span", { class: "spacer" }),
      h("button", {
        class: "btn",
        "data-action": "merge-exact",
        disabled: exact === 0,
        title: "Merge every group with the same DOI or ISBN, keeping the most complete item (one undo step)",
        text: `Merge all exact (DOI/ISBN) groups (${exact})`,
        onclick: () => this.mergeExact(),
      }),
    );
  }

  /** How many groups the list shows (a large library can have thousands of suggestions). */
  private shown = 300;

  private renderList() {
    clear(this.listEl);
    this.groups.slice(0, this.shown).forEach((g, i) => {
      const id = g.keys.join("\n");
      this.listEl.appendChild(
        h(
          "div",
          {
            class: `dup-group${id === this.current ? " active" : ""}`,
            role: "option",
            tabindex: 0,
            "aria-selected": String(id === this.current),
            "data-group": i,
            "data-kind": g.kind,
            onclick: () => this.open(g),
            onkeydown: (e: Event) => {
              const k = (e as KeyboardEvent).key;
              if (k === "Enter" || k === " ") this.open(g);
              if (k === "ArrowDown" || k === "ArrowUp") {
                e.preventDefault();
                const next = this.groups[i + (k === "ArrowDown" ? 1 : -1)];
                if (next) this.open(next).then(() => (this.listEl.querySelector(".dup-group.active") as HTMLElement | null)?.focus());
              }
            },
          },
          h("div", { class: "dup-group-top" }, h("span", { class: `kind kind-${g.kind}`, text: KIND_LABEL[g.kind] ?? g.kind }), h("span", { class: "muted small", text: `${Math.round(g.confidence * 100)}%` })),
          h("div", { class: "dup-reason", text: g.reason }),
          h("div", { class: "dup-keys muted small", text: g.keys.join(", ") }),
        ),
      );
    });
    const left = this.groups.length - this.shown;
    if (left > 0) {
      this.listEl.appendChild(
        h("button", {
          class: "btn dup-more",
          "data-action": "dup-more",
          text: `Show ${Math.min(left, 300)} more (${left.toLocaleString()} left)`,
          onclick: () => {
            this.shown += 300;
            this.renderList();
          },
        }),
      );
    }
  }

  /** The group's items side by side. */
  async open(g: DuplicateGroup) {
    this.current = g.keys.join("\n");
    this.listEl.querySelectorAll(".dup-group").forEach((el, i) => {
      const on = this.groups[i] === g;
      el.classList.toggle("active", on);
      el.setAttribute("aria-selected", String(on));
    });
    const seq = ++this.seq;
    let items: Item[];
    try {
      items = await ipc.itemsByKeys(g.keys);
    } catch (e) {
      showError(e, "Duplicates");
      return;
    }
    if (seq !== this.seq) return;
    this.renderDetail(g, items);
  }

  private renderDetail(g: DuplicateGroup, items: Item[]) {
    clear(this.detailEl);
    const rows = rowsFor(items);
    let keepCol = 0;
    const touched = new Set<string>();
    const picks = new Map<string, number>();
    for (const r of rows) if (r.field && differs(r)) picks.set(r.id, r.values[0].trim() ? 0 : r.values.findIndex((v) => v.trim()));

    // Header: which item to keep.
    const heads = items.map((it, col) =>
      h(
        "label",
        { class: "cmp-head cmp-keep" },
        h("input", {
          type: "radio",
          name: "dup-keep",
          value: it.key,
          checked: col === 0,
          "data-keep": it.key,
          onchange: () => {
            keepCol = col;
            for (const r of rows) {
              if (!picks.has(r.id) || touched.has(r.id)) continue;
              const c = r.values[col].trim() ? col : r.values.findIndex((v) => v.trim());
              picks.set(r.id, c);
              const radio = grid.querySelector(`input[name="pick-${CSS.escape(r.id)}"][data-col="${c}"]`) as HTMLInputElement | null;
              if (radio) radio.checked = true;
            }
            grid.querySelectorAll(".cmp-cell").forEach((el) => el.classList.toggle("kept-col", Number((el as HTMLElement).dataset.col) === col));
          },
        }),
        h("span", { class: "cmp-keep-key", text: it.key }),
        it.inTrash ? h("span", { class: "muted small", text: " (in the trash)" }) : null,
      ),
    );
    const choiceRows: ChoiceRow[] = rows.map((r) => ({
      ...r,
      differs: differs(r),
      field: differs(r) ? r.field : null,
      long: r.id === "abstract",
    }));
    const grid = chooserGrid("Keep", heads, choiceRows, {
      picks,
      keptCol: keepCol,
      onPick: (r, col) => {
        touched.add(r.id);
        picks.set(r.id, col);
      },
    });

    const nDiff = rows.filter(differs).length;
    const note =
      g.kind === "related"
        ? "These are related records (a preprint and its published version), not the same record: Folio does not merge them by itself."
        : g.kind === "suggestion"
          ? "A possible duplicate: check the fields before merging. Folio never merges these by itself."
          : "";
    const mergeBtn = h("button", {
      class: "btn primary",
      "data-action": "merge",
      text: g.kind === "duplicate" ? "Merge" : "Merge anyway",
      onclick: async () => {
        const keep = items[keepCol].key;
        const others = items.filter((_, i) => i !== keepCol).map((i) => i.key);
        const choices: { field: string; value: string }[] = [];
        for (const r of rows) {
          const c = picks.get(r.id);
          if (r.field && c != null && c !== keepCol && differs(r)) choices.push({ field: r.field, value: r.values[c] });
        }
        mergeBtn.disabled = true;
        try {
          const rep = await ipc.mergeItems(keep, others, choices);
          toast(`Merged ${rep.merged.join(", ")} into ${rep.kept} (${mod}+Z undoes)`);
          if (rep.conflicts.length) showConflicts(rep, choices);
        } catch (e) {
          mergeBtn.disabled = false;
          showError(e, "Merge");
        }
      },
    });
    this.detailEl.append(
      h(
        "div",
        { class: "dup-detail-head" },
        h("span", { class: `kind kind-${g.kind}`, text: KIND_LABEL[g.kind] ?? g.kind }),
        h("span", { text: ` ${g.reason}` }),
        h("span", { class: "muted", text: ` · ${nDiff} field${nDiff === 1 ? "" : "s"} differ${nDiff === 1 ? "s" : ""}` }),
        h("span", { class: "spacer" }),
        mergeBtn,
      ),
      ...(note ? [h("p", { class: "dup-note", "data-note": g.kind, text: note })] : []),
      h("p", { class: "muted small", text: "Choose the item to keep and, for each highlighted field, the value to keep. The kept item gains the fields it lacks, the keywords and collections of the others; the others go to the trash with their values." }),
      grid,
    );
  }

  private async mergeExact() {
    try {
      const reps = await ipc.mergeExact();
      const n = reps.reduce((k, r) => k + r.merged.length, 0);
      toast(`Merged ${reps.length} group${reps.length === 1 ? "" : "s"} (${n} item${n === 1 ? "" : "s"} to the trash; ${mod}+Z undoes)`);
    } catch (e) {
      showError(e, "Merge exact duplicates");
    }
  }
}

function showConflicts(rep: MergeReport, choices: { field: string; value: string }[]) {
  const ul = h("ul", { class: "diags", "data-conflicts": "" });
  for (const c of rep.conflicts) {
    const chosen = choices.find((x) => x.field.toLowerCase() === c.field.toLowerCase());
    ul.appendChild(
      h(
        "li",
        { "data-conflict": c.field },
        h("strong", { text: fieldLabel(c.field) }),
        h("span", { text: ": kept " }),
        h("span", { class: "cmp-value", text: `“${chosen ? chosen.value : c.kept}”` }),
        h("span", { class: "muted", text: `; ${c.key} had “${c.other}”` }),
        chosen ? h("span", { class: "muted", text: " (your choice)" }) : null,
      ),
    );
  }
  modal("Merged", `Kept ${rep.kept}; ${rep.merged.join(", ")} moved to the trash with their values.`, h("div", {}, h("p", { text: "Conflicting fields:" }), ul), "merge-report");
}
