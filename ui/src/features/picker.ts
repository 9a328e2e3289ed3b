// The quick citation picker (cite as you write): a small always-on-top window the shell opens
// when an editor asks `/better-bibtex/cayw`. Type to filter the library, ↑/↓ to move, Enter
// to cite the highlighted item (with those added before), Tab to add it and go on with the
// next, Backspace in the empty box to take the last one back, Esc to cancel. A comma after the
// search gives the item a locator: "jaspers, 45" (page 45), "jaspers, ch. 3". ← in the empty
// box walks the chosen items; Enter (or a click) on one edits its prefix, locator, suffix and
// "year only". The answer goes to the waiting request; the window closes.

import { clear, debounce, h } from "../lib/dom";
import { ipc } from "../lib/ipc";
import type { ItemRow, LocatorLabel, PickedCitation } from "../lib/types";
import { emptyFilter } from "../lib/store";

const LIMIT = 50;

/** A chosen item: its row (for the chip) and what the writer added. */
interface Chosen {
  row: ItemRow;
  cite: PickedCitation;
}

/** Split "jaspers 2019, ch. 3" into the search ("jaspers 2019") and a locator (chapter 3). A
 * label is a locator label's name or short form ("p", "pp", "ch", "sec", "§", "fig"…); without
 * one the locator is a page. */
export function splitLocator(text: string, labels: LocatorLabel[]): { search: string; label: string; locator: string } {
  const comma = text.lastIndexOf(",");
  if (comma < 0) return { search: text.trim(), label: "", locator: "" };
  const tail = text.slice(comma + 1).trim();
  const search = text.slice(0, comma).trim();
  if (!tail) return { search, label: "", locator: "" };
  const m = /^(§|[a-zA-Z][a-zA-Z.]*(?:\s+verbo)?)\s*(\S.*)$/.exec(tail);
  if (m && /\d|^[ivxlcdm]+$/i.test(m[2])) {
    const word = m[1].toLowerCase().replace(/\.+$/, "");
    const label = word === "§" ? "section" : word === "pp" ? "page" : labels.find((l) => l.label === word || l.short.replace(/\.$/, "") === word)?.label;
    if (label) return { search, label: label === "page" ? "" : label, locator: m[2].trim() };
  }
  return { search, label: "", locator: tail };
}

function describeCite(c: PickedCitation, labels: LocatorLabel[]): string {
  const parts = [c.suppressAuthor ? `-${c.key}` : c.key];
  if (c.locator) {
    const short = labels.find((l) => l.label === (c.label || "page"))?.short ?? c.label;
    parts.push(`${short} ${c.locator}`.trim());
  }
  const text = parts.join(", ");
  return [c.prefix, text, c.suffix].filter(Boolean).join(" ");
}

export function startPicker(root: HTMLElement) {
  document.body.classList.add("picker-window");
  const chosen: Chosen[] = [];
  let labels: LocatorLabel[] = [];
  let rows: ItemRow[] = [];
  let at = 0;
  let asked = 0;
  /** The chip that has the keyboard (← in the empty box), or -1. */
  let chipAt = -1;
  const input = h("input", {
    class: "picker-input",
    type: "search",
    placeholder: "Search by author, title, year or key; “, 45” adds a page",
    "aria-label": "Search the library",
    "data-picker": "query",
    autocomplete: "off",
    spellcheck: "false",
  });
  const chips = h("div", { class: "picker-chips", "data-picker": "chosen", role: "list", "aria-label": "Chosen items" });
  const editor = h("div", { class: "picker-editor", "data-picker": "editor" });
  editor.hidden = true;
  const list = h("ul", { class: "picker-list", role: "listbox", "aria-label": "Matching items", "data-picker": "list" });
  const hint = h("p", {
    class: "picker-hint muted",
    text: "Enter cites · Tab adds another · “, 12” sets the page · ← edits a chosen one · Esc cancels",
  });

  const paintChips = () => {
    clear(chips);
    chosen.forEach((c, i) => {
      chips.appendChild(
        h("button", {
          class: i === chipAt ? "chip current" : "chip",
          type: "button",
          role: "listitem",
          tabindex: "-1",
          "data-key": c.cite.key,
          title: `${c.row.creators ?? ""} ${c.row.year ?? ""} — click to add a page, prefix or suffix`,
          text: describeCite(c.cite, labels),
          onclick: () => edit(i),
        }),
      );
    });
    chips.hidden = chosen.length === 0;
    if (chipAt >= 0) (chips.children[chipAt] as HTMLElement | undefined)?.focus();
  };

  /** Edit chosen item `i`: prefix, locator with its label, suffix, year only. */
  const edit = (i: number) => {
    const c = chosen[i];
    if (!c) return;
    chipAt = -1;
    paintChips();
    clear(editor);
    const field = (name: string, value: string, placeholder: string) =>
      h("input", { type: "text", value, placeholder, "data-edit": name, "aria-label": placeholder, spellcheck: "false" });
    const prefix = field("prefix", c.cite.prefix, "Prefix (see)");
    const label = h("select", { "data-edit": "label", "aria-label": "Locator label" });
    for (const l of labels) label.appendChild(h("option", { value: l.label, text: l.label, selected: (c.cite.label || "page") === l.label }));
    const locator = field("locator", c.cite.locator, "Locator (12–15)");
    const suffix = field("suffix", c.cite.suffix, "Suffix");
    const yearOnly = h("input", { type: "checkbox", "data-edit": "suppress-author", checked: c.cite.suppressAuthor });
    const done = (keep: boolean) => {
      if (keep) {
        c.cite = {
          ...c.cite,
          prefix: prefix.value.trim(),
          label: label.value === "page" ? "" : label.value,
          locator: locator.value.trim(),
          suffix: suffix.value.trim(),
          suppressAuthor: yearOnly.checked,
        };
      }
      editor.hidden = true;
      clear(editor);
      paintChips();
      input.focus();
    };
    // One handler for the editor open now (a listener added per edit would apply old ones).
    editor.onkeydown = (e: KeyboardEvent) => {
      if (e.key === "Enter") {
        e.preventDefault();
        e.stopPropagation();
        done(true);
      } else if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        done(false);
      }
    };
    const captioned = (caption: string, el: HTMLElement) => h("label", { class: "picker-field" }, h("span", { class: "muted", text: caption }), el);
    editor.append(
      h("span", { class: "picker-editor-key", text: c.cite.key }),
      captioned("Prefix", prefix),
      captioned("Label", label),
      captioned("Locator", locator),
      captioned("Suffix", suffix),
      h("label", { class: "check" }, yearOnly, " Year only"),
      h("button", { class: "btn", type: "button", "data-action": "edit-done", text: "Done", onclick: () => done(true) }),
    );
    editor.hidden = false;
    locator.focus();
  };

  const paint = () => {
    clear(list);
    rows.forEach((r, i) => {
      const li = h(
        "li",
        {
          role: "option",
          "aria-selected": i === at ? "true" : "false",
          class: i === at ? "picker-row current" : "picker-row",
          "data-key": r.key,
          onmousedown: (e: Event) => {
            e.preventDefault();
            at = i;
            paint();
          },
          ondblclick: () => finish(),
        },
        h("span", { class: "picker-who", text: [r.creators, r.year ?? ""].filter(Boolean).join(" · ") }),
        h("span", { class: "picker-title", text: r.title || "(no title)" }),
        h("span", { class: "picker-key muted", text: r.key }),
      );
      list.appendChild(li);
    });
    list.querySelector(".current")?.scrollIntoView({ block: "nearest" });
    if (!rows.length && input.value.trim()) list.appendChild(h("li", { class: "muted picker-empty", text: "No item matches" }));
  };
  let searched: string | null = null;
  /** The search whose rows are on view (an answer overtaken by a newer search is not shown). */
  let shown: string | null = null;
  let inflight: Promise<void> = Promise.resolve();
  const search = () => (inflight = run());
  const query = () => splitLocator(input.value, labels).search;
  /** Enter or Tab typed faster than the search: the rows for what is in the box first. The
   * search awaited can be overtaken by a newer one (the debounced search of the last keys), so
   * wait until the rows on view are those of the box, not merely until one search ended. */
  const current = async () => {
    for (let tries = 0; tries < 8 && shown !== query(); tries++) {
      if (query() !== searched) await search();
      else await inflight;
    }
  };
  const run = async () => {
    const n = ++asked;
    const q = query();
    searched = q;
    try {
      const page = await ipc.listPage({ ...emptyFilter(), query: q }, { column: "added", descending: true }, 0, LIMIT);
      if (n !== asked) return; // an older answer after a newer one
      rows = page.rows;
      shown = q;
      at = 0;
      paint();
    } catch (e) {
      if (n !== asked) return;
      rows = [];
      shown = q;
      clear(list);
      list.appendChild(h("li", { class: "picker-error", role: "alert", text: e instanceof Error ? e.message : String(e) }));
    }
  };
  const later = debounce(search, 120);
  /** Add the highlighted row, with the locator typed after the search. */
  const add = () => {
    const r = rows[at];
    if (!r || chosen.some((c) => c.row.key === r.key)) return;
    const { label, locator } = splitLocator(input.value, labels);
    chosen.push({ row: r, cite: { key: r.key, prefix: "", locator, label, suffix: "", suppressAuthor: false } });
    paintChips();
  };
  const finish = async () => {
    // With an empty box and items chosen, Enter cites those (not the first recent item too).
    if (input.value.trim() || !chosen.length) {
      await current();
      add();
    }
    await ipc.caywAnswer(chosen.map((c) => c.cite));
  };
  input.addEventListener("input", later);
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (rows.length) at = (at + (e.key === "ArrowDown" ? 1 : rows.length - 1)) % rows.length;
      paint();
    } else if (e.key === "Enter") {
      e.preventDefault();
      void finish();
    } else if (e.key === "Tab") {
      // Focus stays in the box (the window has nothing else to type into).
      e.preventDefault();
      void current().then(() => {
        if (!rows.length) return;
        add();
        input.value = "";
        void search();
      });
    } else if (e.key === "Backspace" && !input.value && chosen.length) {
      chosen.pop();
      paintChips();
    } else if (e.key === "ArrowLeft" && !input.value && chosen.length) {
      e.preventDefault();
      chipAt = chosen.length - 1;
      paintChips();
    } else if (e.key === "Escape") {
      e.preventDefault();
      void ipc.caywAnswer(null);
    }
  });
  chips.addEventListener("keydown", (e) => {
    if (chipAt < 0) return;
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      e.preventDefault();
      chipAt = e.key === "ArrowLeft" ? Math.max(0, chipAt - 1) : chipAt + 1;
      if (chipAt >= chosen.length) {
        chipAt = -1;
        input.focus();
      }
      paintChips();
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      edit(chipAt);
    } else if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      chosen.splice(chipAt, 1);
      chipAt = Math.min(chipAt, chosen.length - 1);
      if (chipAt < 0) input.focus();
      paintChips();
    } else if (e.key === "Escape" || e.key === "ArrowDown" || e.key === "Tab") {
      e.preventDefault();
      chipAt = -1;
      paintChips();
      input.focus();
    }
  });
  clear(root);
  root.appendChild(h("div", { class: "picker", "data-picker": "window" }, input, chips, editor, list, hint));
  paintChips();
  input.focus();
  void search();
  // Ready once the locator labels are there ("x, ch. 3" typed at once is read right).
  void ipc
    .locatorLabels()
    .then((l) => {
      labels = l;
    })
    .catch(() => {
      labels = [{ label: "page", short: "p." }];
    })
    .finally(() => {
      document.body.dataset.ready = "true";
    });
}
