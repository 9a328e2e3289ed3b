// The quick citation picker (cite as you write): a small always-on-top window the shell opens
// when an editor asks `/better-bibtex/cayw`. Type to filter the library, ↑/↓ to move, Enter
// to cite the highlighted item (with those added before), Tab to add it and go on with the
// next, Backspace in the empty box to take the last one back, Esc to cancel. The answer goes
// to the waiting request; the window closes.

import { clear, debounce, h } from "../lib/dom";
import { ipc } from "../lib/ipc";
import type { ItemRow } from "../lib/types";
import { emptyFilter } from "../lib/store";

const LIMIT = 50;

export function startPicker(root: HTMLElement) {
  document.body.classList.add("picker-window");
  const chosen: ItemRow[] = [];
  let rows: ItemRow[] = [];
  let at = 0;
  let asked = 0;
  const input = h("input", {
    class: "picker-input",
    type: "search",
    placeholder: "Search by author, title, year or key",
    "aria-label": "Search the library",
    "data-picker": "query",
    autocomplete: "off",
    spellcheck: "false",
  });
  const chips = h("div", { class: "picker-chips", "data-picker": "chosen" });
  const list = h("ul", { class: "picker-list", role: "listbox", "aria-label": "Matching items", "data-picker": "list" });
  const hint = h("p", {
    class: "picker-hint muted",
    text: "Enter cites · Tab adds another · Esc cancels",
  });

  const paintChips = () => {
    clear(chips);
    for (const r of chosen) chips.appendChild(h("span", { class: "chip", "data-key": r.key, text: r.key }));
    chips.hidden = chosen.length === 0;
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
  let inflight: Promise<void> = Promise.resolve();
  const search = () => (inflight = run());
  /** Enter or Tab typed faster than the search: the rows for what is in the box first. */
  const current = async () => {
    if (input.value.trim() !== searched) await search();
    else await inflight;
  };
  const run = async () => {
    const n = ++asked;
    const q = input.value.trim();
    searched = q;
    try {
      const page = await ipc.listPage({ ...emptyFilter(), query: q }, { column: "added", descending: true }, 0, LIMIT);
      if (n !== asked) return; // an older answer after a newer one
      rows = page.rows;
      at = 0;
      paint();
    } catch (e) {
      if (n !== asked) return;
      rows = [];
      clear(list);
      list.appendChild(h("li", { class: "picker-error", role: "alert", text: e instanceof Error ? e.message : String(e) }));
    }
  };
  const later = debounce(search, 120);
  const add = () => {
    const r = rows[at];
    if (r && !chosen.some((c) => c.key === r.key)) chosen.push(r);
    paintChips();
  };
  const finish = async () => {
    await current();
    add();
    await ipc.caywAnswer(chosen.map((r) => r.key));
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
    } else if (e.key === "Escape") {
      e.preventDefault();
      void ipc.caywAnswer(null);
    }
  });
  clear(root);
  root.appendChild(h("div", { class: "picker", "data-picker": "window" }, input, chips, list, hint));
  paintChips();
  input.focus();
  void search();
  document.body.dataset.ready = "true";
}
