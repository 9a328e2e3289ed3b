// Left pane: My Library, Unfiled, Trash, the collection tree, tags with counts, access filters.

import { clear, h } from "../lib/dom";
import { ipc } from "../lib/ipc";
import type { Collection } from "../lib/types";
import { beginDrag } from "./drag";
import { autoExportScope, openAutoExports } from "./latex";
import { store } from "../lib/store";
import { showError, toast } from "./toast";

const collapsed = new Set<number>();

export function renderSidebar(root: HTMLElement) {
  clear(root);
  const sb = store.s.sidebar;
  const v = store.s.view;
  if (!sb) {
    root.appendChild(h("div", { class: "muted pad", text: "No library open" }));
    return;
  }
  const nav = (label: string, count: number | string, active: boolean, onclick: () => void, extra: Record<string, string> = {}) =>
    h(
      "div",
      { class: `nav-row${active ? " active" : ""}`, tabindex: 0, role: "treeitem", onclick, ...extra },
      h("span", { class: "nav-label", text: label }),
      h("span", { class: "count", text: String(count) }),
    );

  root.appendChild(h("div", { class: "section-title", text: "Library" }));
  root.appendChild(
    nav("My Library", sb.total, v.kind === "library", () => store.setView({ kind: "library" }), {
      "data-drop-root": "",
      "data-nav": "library",
    }),
  );
  root.appendChild(nav("Unfiled", sb.unfiled, v.kind === "unfiled", () => store.setView({ kind: "unfiled" }), { "data-nav": "unfiled" }));
  root.appendChild(nav("Trash", sb.trash, v.kind === "trash", () => store.setView({ kind: "trash" }), { "data-nav": "trash" }));
  root.appendChild(
    nav("Duplicates", store.s.duplicates ?? "…", v.kind === "duplicates", () => store.setView({ kind: "duplicates" }), {
      "data-nav": "duplicates",
      title: "Items that are (or may be) the same work",
    }),
  );

  // Collections
  root.appendChild(
    h(
      "div",
      { class: "section-title with-action" },
      h("span", { text: "Collections" }),
      h("button", {
        class: "icon-btn",
        title: "New collection",
        "aria-label": "New collection",
        "data-action": "new-collection",
        onclick: () => promptName(root, null, ""),
        text: "+",
      }),
    ),
  );
  const tree = h("div", { class: "tree", role: "tree", "data-tree": "collections" });
  for (const c of sb.collections) renderCollection(tree, c, 0);
  if (sb.collections.length === 0) tree.appendChild(h("div", { class: "muted small pad-l", text: "No collections yet" }));
  root.appendChild(tree);

  // Saved searches: a click shows the search's items (within its collection, if it has one)
  // with its query in the search box, to refine or clear.
  {
    root.appendChild(
      h(
        "div",
        { class: "section-title with-action" },
        h("span", { text: "Saved searches" }),
        h("button", {
          class: "icon-btn",
          title: "Save the search in the box (within the collection on view)",
          "aria-label": "Save the current search",
          "data-action": "save-search",
          onclick: () => {
            // What the box holds now (typing reaches the store only after a pause).
            const box = document.querySelector<HTMLInputElement>("[data-input=search]");
            const query = (box?.value ?? store.s.query).trim();
            if (query) promptSearchName(root, query);
            else toast("Type a search in the box first, then save it");
          },
          text: "+",
        }),
      ),
    );
    const list = h("div", { class: "tree", role: "tree", "data-tree": "saved" });
    if (sb.saved.length === 0) list.appendChild(h("div", { class: "muted small pad-l", text: "None yet: type a search, then +" }));
    for (const s of sb.saved) {
      const inView = s.collection == null ? v.kind === "library" : v.kind === "collection" && v.id === s.collection;
      const active = inView && store.s.query === s.query;
      const where = s.collectionPath ? ` in ${s.collectionPath}` : "";
      list.appendChild(
        h(
          "div",
          {
            class: `nav-row saved${active ? " active" : ""}`,
            role: "treeitem",
            tabindex: 0,
            "data-saved": s.name,
            title: `${s.query}${where}`,
            onclick: () =>
              store.applySavedSearch(
                s.query,
                s.collection != null && s.collectionPath ? { kind: "collection", id: s.collection, path: s.collectionPath } : { kind: "library" },
              ),
          },
          h("span", { class: "nav-label", text: s.name }),
          h("span", { class: "count muted small", text: s.query }),
          h("button", {
            class: "icon-btn row-delete",
            title: `Delete the saved search ${s.name} (undo brings it back)`,
            "aria-label": `Delete saved search ${s.name}`,
            "data-action": "delete-saved",
            onclick: (e: Event) => {
              e.stopPropagation();
              ipc.searchDelete(s.name).catch((err) => showError(err, "Delete saved search"));
            },
            text: "×",
          }),
        ),
      );
    }
    root.appendChild(list);
  }

  // Access
  root.appendChild(h("div", { class: "section-title", text: "Access" }));
  const acc = h("div", { class: "chips", "data-filter": "access" });
  for (const a of sb.access) {
    const on = store.s.access.includes(a.status);
    acc.appendChild(
      h(
        "button",
        {
          class: `chip access-chip badge-${a.status}${on ? " on" : ""}`,
          "aria-pressed": String(on),
          "data-access": a.status,
          onclick: () => store.toggleAccess(a.status),
        },
        h("span", { text: a.status }),
        h("span", { class: "count", text: String(a.items) }),
      ),
    );
  }
  root.appendChild(acc);

  // Tags
  root.appendChild(h("div", { class: "section-title", text: "Tags" }));
  const tags = h("div", { class: "chips tags", "data-filter": "tags" });
  for (const t of sb.tags) {
    const on = store.s.tags.some((x) => x.toLowerCase() === t.name.toLowerCase());
    tags.appendChild(
      h(
        "button",
        {
          class: `chip${on ? " on" : ""}`,
          "aria-pressed": String(on),
          "data-drop-tag": t.name,
          "data-tag": t.name,
          onclick: () => store.toggleTag(t.name),
        },
        h("span", { text: t.label ?? t.name }),
        h("span", { class: "count", text: String(t.items) }),
      ),
    );
  }
  if (sb.tags.length === 0) tags.appendChild(h("div", { class: "muted small", text: "No tags" }));
  root.appendChild(tags);
}

function renderCollection(parent: HTMLElement, c: Collection, depth: number) {
  const v = store.s.view;
  const active = v.kind === "collection" && v.id === c.id;
  const hasKids = c.children.length > 0;
  const open = !collapsed.has(c.id);
  const row = h(
    "div",
    {
      class: `nav-row coll${active ? " active" : ""}`,
      role: "treeitem",
      tabindex: 0,
      "aria-expanded": hasKids ? String(open) : null,
      "data-drop-collection": c.path,
      "data-collection": c.path,
      style: `padding-left:${8 + depth * 14}px`,
      onclick: () => store.setView({ kind: "collection", id: c.id, path: c.path }),
      ondblclick: () => startRename(row, c),
      onkeydown: (e: Event) => {
        const k = (e as KeyboardEvent).key;
        if (k === "F2") startRename(row, c);
        if (k === "Delete") deleteCollection(c);
        if (k === "Enter") store.setView({ kind: "collection", id: c.id, path: c.path });
      },
      oncontextmenu: (e: Event) => {
        e.preventDefault();
        collectionMenu(e as MouseEvent, row, c);
      },
    },
    h("span", {
      class: `twisty${hasKids ? "" : " none"}`,
      text: hasKids ? (open ? "▾" : "▸") : "",
      onclick: (e: Event) => {
        e.stopPropagation();
        if (open) collapsed.add(c.id);
        else collapsed.delete(c.id);
        store.redrawSidebar();
      },
    }),
    h("span", { class: "nav-label", text: c.name }),
    h("span", { class: "count", text: String(c.items) }),
  );
  row.addEventListener("pointerdown", (e) => {
    if ((e.target as HTMLElement).tagName === "INPUT") return;
    beginDrag(e, `Collection ${c.name}`, () => ({ kind: "collection", path: c.path }));
  });
  parent.appendChild(row);
  if (hasKids && open) for (const k of c.children) renderCollection(parent, k, depth + 1);
}

function collectionMenu(e: MouseEvent, row: HTMLElement, c: Collection) {
  document.querySelectorAll(".menu-pop.coll-pop").forEach((m) => m.remove());
  const pop = h(
    "div",
    { class: "menu-pop coll-pop", style: `left:${e.clientX}px;top:${e.clientY}px`, role: "menu" },
    h("button", { role: "menuitem", onclick: () => (pop.remove(), promptName(row.parentElement!, c.path, "")), text: "New subcollection…" }),
    h("button", { role: "menuitem", onclick: () => (pop.remove(), startRename(row, c)), text: "Rename (F2)" }),
    h("button", { role: "menuitem", onclick: () => (pop.remove(), ipc.collectionMove(c.path, null).catch(showError)), text: "Move to top level" }),
    h("button", {
      role: "menuitem",
      "data-menu": "collection-autoexport",
      onclick: () => (pop.remove(), openAutoExports(autoExportScope({ kind: "collection", collectionId: c.id, recursive: true }))),
      text: "Auto-export…",
    }),
    h("button", { role: "menuitem", onclick: () => (pop.remove(), deleteCollection(c)), text: "Delete (Del)" }),
  );
  document.body.appendChild(pop);
  setTimeout(() => window.addEventListener("click", () => pop.remove(), { once: true }));
}

async function deleteCollection(c: Collection) {
  try {
    await ipc.collectionDelete(c.path);
    const v = store.s.view;
    if (v.kind === "collection" && v.id === c.id) store.setView({ kind: "library" });
    toast(`Deleted collection “${c.name}” (Ctrl+Z undoes)`);
  } catch (e) {
    showError(e, "Delete collection");
  }
}

function startRename(row: HTMLElement, c: Collection) {
  const label = row.querySelector(".nav-label") as HTMLElement;
  const input = h("input", { class: "inline-input", value: c.name, "aria-label": "Collection name" });
  label.replaceWith(input);
  input.focus();
  input.select();
  let done = false;
  const finish = async (commit: boolean) => {
    if (done) return;
    done = true;
    const name = input.value.trim();
    if (commit && name && name !== c.name) {
      try {
        await ipc.collectionRename(c.path, name);
      } catch (e) {
        showError(e, "Rename collection");
      }
    }
    store.redrawSidebar();
  };
  input.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Enter") finish(true);
    if (e.key === "Escape") finish(false);
  });
  input.addEventListener("blur", () => finish(true));
}

/** An inline input at the top of `container`; Enter or leaving it commits the name, Escape
 * drops it. */
function inlineName(container: Element, attrs: Record<string, string>, commit: (name: string) => Promise<void>) {
  const input = h("input", { class: "inline-input", ...attrs });
  container.prepend(input);
  input.focus();
  let done = false;
  const finish = async (ok: boolean) => {
    if (done) return;
    done = true;
    const name = input.value.trim();
    input.remove();
    if (ok && name) await commit(name);
  };
  input.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Enter") finish(true);
    if (e.key === "Escape") finish(false);
  });
  input.addEventListener("blur", () => finish(true));
}

/** Name the search in the box and save it (within the collection on view, if any). */
function promptSearchName(root: HTMLElement, query: string) {
  const v = store.s.view;
  const collection = v.kind === "collection" ? v.path : null;
  inlineName(
    root.querySelector("[data-tree=saved]") ?? root,
    { placeholder: "Name of the saved search", "aria-label": "Saved search name", "data-input": "saved-name" },
    async (name) => {
      try {
        await ipc.searchSave(name, query, collection);
        toast(`Saved the search ${name}`);
      } catch (e) {
        showError(e, "Save search");
      }
    },
  );
}

/** An inline input for a new collection (under `parent`, or at the top level). */
export function promptName(root: HTMLElement, parent: string | null, initial: string) {
  inlineName(
    root.querySelector("[data-tree=collections]") ?? root,
    {
      placeholder: parent ? `New collection in ${parent}` : "New collection",
      value: initial,
      "aria-label": "New collection name",
      "data-input": "new-collection",
    },
    async (name) => {
      try {
        await ipc.collectionCreate(parent, name);
      } catch (e) {
        showError(e, "New collection");
      }
    },
  );
}
