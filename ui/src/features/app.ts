// The window: toolbar, three panes, status bar; keyboard shortcuts, paste and file drops.

import { clear, debounce, h, isMac, isTextInput } from "../lib/dom";
import { dialogs, ipc, onFileDrop, onLibraryChanged, onSyncStatus } from "../lib/ipc";
import { setDropHandler, targetAt } from "./drag";
import { DuplicatesView } from "./duplicates";
import { copyBibtex, openExportDialog } from "./exporter";
import { chosenStyle, citeCommand, copyCite, copyReference, handleAuxDrop, isLatexFile, openAutoExports, openCiteSettings, fixKeys, regenerateKeys, STYLES } from "./latex";
import { importClipboardText, importFromDialog, importPaths } from "./importer";
import { ItemPane } from "./itempane";
import { promptName, renderSidebar } from "./sidebar";
import { store } from "../lib/store";
import type { Collection } from "../lib/types";
import { Table } from "./table";
import { showError, toast } from "./toast";
import { waitForLibrary } from "./opening";
import { findMissingFiles } from "./missing";
import { openServerSettings } from "./server-settings";
import { ConflictsView, confirmStopSharing, openShareDialog, syncIndicator } from "./sharing";
import { indexingIndicator } from "./fulltext";

/** A file an import reads (not one to attach): BibTeX, RIS, WoS, pasted results, JSON, YAML. */
function isReferenceFile(p: string): boolean {
  return /\.(bib|bibtex|biblatex|ris|nbib|enw|ciw|txt|json|yaml|yml|md)$/i.test(p);
}

/** The item under a point where files can be dropped to attach them: a table row, or the
 * item pane showing one item. */
function itemAt(x: number, y: number): { el: HTMLElement; id: number } | null {
  let el = document.elementFromPoint(x, y) as HTMLElement | null;
  while (el && el !== document.body) {
    if (el.dataset.itemId) return { el, id: Number(el.dataset.itemId) };
    el = el.parentElement;
  }
  return null;
}

const SEARCH_HINT = "Search (title:… author:… year:2019..2022 tag:… -word)";

export async function startApp(root: HTMLElement) {
  // An old library is upgraded as it opens: the window shows that first.
  const opened = await waitForLibrary(root);
  if (opened.state === "failed" && opened.code !== "no-library") {
    showError({ code: opened.code, message: `Cannot open ${opened.path}: ${opened.message}` }, "Library");
  }
  const table = new Table();
  const pane = new ItemPane();
  const sidebarEl = h("nav", { class: "pane sidebar", "aria-label": "Library" });
  const count = h("span", { class: "status-count", "data-status": "count" });
  const action = h("span", { class: "status-action muted", "data-status": "action" });
  const libPath = h("span", { class: "status-lib muted", "data-status": "library" });
  const queryErr = h("div", { class: "query-error", role: "alert", hidden: true });
  const search = h("input", {
    class: "search",
    type: "search",
    placeholder: SEARCH_HINT,
    "aria-label": "Search",
    "data-input": "search",
    spellcheck: "false",
  });
  // "Everything": the search's words also search the attachments' text.
  const everything = h("button", {
    class: "btn search-mode",
    type: "button",
    "data-action": "search-everything",
    "aria-pressed": "false",
    title: "Everything: also search inside the attachments' text",
    text: "Everything",
  });

  const menu = fileMenu(table);
  const toolbar = h(
    "header",
    { class: "toolbar" },
    menu,
    h("button", { class: "btn", title: "New item (Ctrl+N)", "data-action": "new-item", onclick: () => newItem(), text: "New item" }),
    h("button", { class: "btn", title: `Undo (${mod}+Z)`, "data-action": "undo", onclick: () => undo(), text: "Undo" }),
    h("button", { class: "btn", title: `Redo (${mod}+Shift+Z)`, "data-action": "redo", onclick: () => redo(), text: "Redo" }),
    h("div", { class: "search-wrap" }, search, everything, queryErr),
  );
  const dupView = new DuplicatesView();
  const conflictsView = new ConflictsView();
  const main = h("main", { class: "middle pane" }, table.el);
  const layout = h("div", { class: "layout" }, sidebarEl, main, pane.el);
  const setDupCount = (n: number) => {
    // When the first count arrived (ms since the page started; read by the 100k test).
    if (store.s.duplicates == null) document.body.dataset.duplicatesCountedAt = String(Math.round(performance.now()));
    store.setDuplicates(n);
    const c = sidebarEl.querySelector("[data-nav=duplicates] .count");
    if (c) c.textContent = String(n);
  };
  dupView.onCount = setDupCount;
  // The left pane's duplicate count, recounted a moment after changes (not on every keystroke).
  const countDuplicates = debounce(async () => {
    if (store.s.view.kind === "duplicates") return;
    try {
      // The previous count stays on screen until the new one is known.
      setDupCount(await ipc.duplicateCount());
    } catch (e) {
      console.error("duplicates", e);
    }
  }, 400);
  /** The middle shows the table, or the duplicates or conflicts view (which also take the item
   * pane's room). */
  function showMiddle() {
    const kind = store.s.view.kind;
    const view = kind === "duplicates" ? dupView.el : kind === "conflicts" ? conflictsView.el : table.el;
    if (!main.contains(view)) main.replaceChildren(view);
    const wide = view !== table.el;
    layout.classList.toggle("wide", wide);
    pane.el.hidden = wide;
    if (kind === "duplicates") void dupView.load();
    if (kind === "conflicts") void conflictsView.load();
  }
  const syncEl = syncIndicator(() => store.setView({ kind: "conflicts" }));
  const status = h("footer", { class: "statusbar" }, count, action, indexingIndicator(), syncEl, libPath);
  clear(root);
  root.append(toolbar, layout, status);
  const dropHint = h("div", { class: "drop-hint", hidden: true, text: "Drop to import" });
  document.body.appendChild(dropHint);

  table.onCount = (n) => {
    count.textContent = `${n.toLocaleString()} item${n === 1 ? "" : "s"}`;
    if (!store.s.selection.size || store.s.all) pane.show();
  };
  // Arrow keys move between the left pane's rows; Enter/Space opens the row.
  sidebarEl.addEventListener("keydown", (e) => {
    const rows = [...sidebarEl.querySelectorAll<HTMLElement>(".nav-row")];
    const i = rows.indexOf(document.activeElement as HTMLElement);
    if (i < 0) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      rows[Math.max(0, Math.min(rows.length - 1, i + (e.key === "ArrowDown" ? 1 : -1)))].focus();
    } else if ((e.key === "Enter" || e.key === " ") && !rows[i].dataset.collection) {
      e.preventDefault();
      rows[i].click();
    } else if (e.key === "ArrowRight") {
      table.focus();
    }
  });
  table.onQueryError = (msg) => {
    queryErr.hidden = !msg;
    queryErr.textContent = msg ?? "";
    search.classList.toggle("invalid", !!msg);
  };
  table.onContextMenu = (e) => rowMenu(e);
  table.onOpen = () => (pane.el.querySelector("[data-field=title]") as HTMLElement | null)?.focus();

  async function refreshSidebar() {
    try {
      const sb = await ipc.sidebar();
      store.setSidebar(sb);
      libPath.textContent = sb.libraryPath;
      libPath.title = sb.libraryPath;
      // The selected collection may have been renamed, moved or deleted.
      const v = store.s.view;
      if (v.kind === "collection") {
        const found = findCollection(sb.collections, v.id);
        if (!found) store.followCollection(null);
        else if (found.path !== v.path) store.followCollection(found.path);
      }
    } catch (e) {
      store.setSidebar(null);
      showError(e, "Library");
    }
    renderSidebar(sidebarEl);
  }

  // The shell answers cite-as-you-write's `selected=true` from the selection it was told.
  const reportSelection = debounce(() => {
    ipc.selectionChanged(store.targets()).catch(() => undefined);
  }, 150);
  store.subscribe((what) => {
    if (what === "query") {
      // A saved search puts its query in the box (only then: the box may hold typing the
      // debounce has not passed on yet).
      search.value = store.s.query;
    } else if (what === "filter") {
      renderSidebar(sidebarEl);
      showMiddle();
      if (store.s.view.kind === "duplicates" || store.s.view.kind === "conflicts") return;
      table.reload();
      pane.show();
    } else if (what === "selection") {
      pane.show();
      reportSelection();
    } else if (what === "sidebar-local") {
      renderSidebar(sidebarEl);
    } else if (what === "sync") {
      // The conflicts on view follow the count; the item pane shows (or drops) its history.
      if (store.s.view.kind === "conflicts" && store.s.sync?.conflicts !== conflictsView.conflicts.length) void conflictsView.load();
      if (store.shared() !== pane.showsHistory()) void pane.refresh();
    }
  });

  search.addEventListener(
    "input",
    debounce(() => {
      store.setQuery(search.value);
      store.clearSelection();
      table.reload();
    }, 180),
  );
  everything.addEventListener("click", () => {
    const on = everything.getAttribute("aria-pressed") !== "true";
    everything.setAttribute("aria-pressed", String(on));
    search.placeholder = on ? "Search everything, the files' text too" : SEARCH_HINT;
    store.setEverything(on);
    store.setQuery(search.value);
    store.clearSelection();
    table.reload();
  });
  search.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      search.value = "";
      store.setQuery("");
      table.reload();
      table.focus();
    }
    if (e.key === "ArrowDown" || e.key === "Enter") table.focus();
  });

  // Item and collection dragging (pointer events).
  setDropHandler(async (payload, target) => {
    try {
      if (payload.kind === "items" && target.collection != null) {
        const n = await ipc.collectionAdd(target.collection, payload.targets);
        toast(`Added ${n} item${n === 1 ? "" : "s"} to “${target.collection}”`);
      } else if (payload.kind === "items" && target.tag != null) {
        const n = await ipc.tagAdd(target.tag, payload.targets);
        toast(`Tagged ${n} item${n === 1 ? "" : "s"} with “${target.tag}”`);
      } else if (payload.kind === "collection" && target.collection != null) {
        if (target.collection === payload.path || target.collection.startsWith(payload.path + "/")) return;
        await ipc.collectionMove(payload.path, target.collection);
      } else if (payload.kind === "collection" && target.root) {
        await ipc.collectionMove(payload.path, null);
      }
    } catch (e) {
      showError(e, "Drop");
    }
  });

  // Changes from the shell: refresh what their scopes name. The left pane shows counts of
  // items (all, unfiled, trash, per access status, collection and tag), so an items change
  // refreshes it too; only items changes reload the table, the item pane and the duplicates.
  await onLibraryChanged(async (e) => {
    action.textContent = e.action;
    const scopes = new Set(e.scopes);
    const library = scopes.has("library");
    if (library) store.libraryOpened();
    const items = library || scopes.has("items");
    if (items || scopes.has("collections") || scopes.has("tags")) await refreshSidebar();
    if (!items) return;
    if (store.s.view.kind === "duplicates") {
      await dupView.load();
      return;
    }
    if (store.s.view.kind === "conflicts") {
      await conflictsView.load();
      return;
    }
    countDuplicates();
    await table.reload(true);
    if (store.selectionCount()) {
      // Drop selected items that left the view (deleted, moved).
      await pane.refresh();
    }
  });

  // Native file drops: onto a collection imports into it.
  await onFileDrop((e) => {
    if (e.type === "leave") {
      dropHint.hidden = true;
      document.querySelectorAll(".file-over").forEach((x) => x.classList.remove("file-over"));
      return;
    }
    const t = targetAt(e.x, e.y);
    // Reference files dropped anywhere are imported; other files dropped on an item attach.
    const onItem = e.paths.every(isReferenceFile) ? null : itemAt(e.x, e.y);
    document.querySelectorAll(".file-over").forEach((x) => x.classList.remove("file-over"));
    if (e.type === "drop") {
      dropHint.hidden = true;
      if (onItem) {
        // Files dropped on an item (its row or the item pane) are attached to it.
        ipc
          .attachFiles(onItem.id, e.paths)
          .then((it) => toast(`Attached ${e.paths.length === 1 ? (e.paths[0].split(/[\\/]/).pop() ?? "1 file") : `${e.paths.length} files`} to ${it.key}`))
          .catch((err) => showError(err, "Attach"));
        return;
      }
      // A LaTeX .aux (or .tex beside its .aux): export what it cites; anything else is imported
      // (PDFs and folders become references with their files).
      const latex = e.paths.filter(isLatexFile);
      const refs = e.paths.filter((p) => !isLatexFile(p));
      (async () => {
        for (const p of latex) await handleAuxDrop(p);
        if (refs.length) await importPaths(refs, t?.target.collection ?? store.targetCollection());
      })();
    } else {
      dropHint.hidden = false;
      dropHint.textContent = onItem
        ? "Drop to attach to this item"
        : t?.target.collection
          ? `Drop to import into “${t.target.collection}”`
          : "Drop to import";
      if (onItem) onItem.el.classList.add("file-over");
      else if (t?.target.collection) t.el.classList.add("file-over");
    }
  });

  // Paste: references from the clipboard (outside text fields). WebKit only pastes into an
  // editable element, so Ctrl/Cmd+V outside text fields first focuses an off-screen catcher.
  const catcher = h("textarea", { class: "paste-catcher", "aria-hidden": "true", tabindex: -1 });
  document.body.appendChild(catcher);
  document.addEventListener("keydown", (e) => {
    if ((isMac ? e.metaKey : e.ctrlKey) && e.key.toLowerCase() === "v" && !isTextInput(document.activeElement)) {
      catcher.value = "";
      catcher.focus();
      setTimeout(() => document.activeElement === catcher && table.focus(), 200);
    }
  });
  document.addEventListener("paste", (e) => {
    if (isTextInput(document.activeElement) && document.activeElement !== catcher) return;
    const text = e.clipboardData?.getData("text/plain") ?? "";
    if (text.trim()) {
      e.preventDefault();
      importClipboardText(text);
    }
    if (document.activeElement === catcher) table.focus();
  });

  document.addEventListener("keydown", (e) => {
    const m = isMac ? e.metaKey : e.ctrlKey;
    const inText = isTextInput(document.activeElement);
    const k = e.key.toLowerCase();
    if (m && k === "z" && !inText) {
      e.preventDefault();
      if (e.shiftKey) redo();
      else undo();
    } else if (m && k === "y" && !inText) {
      e.preventDefault();
      redo();
    } else if (m && k === "f") {
      e.preventDefault();
      search.focus();
      search.select();
    } else if (m && k === "i") {
      e.preventDefault();
      importFromDialog();
    } else if (m && k === "e") {
      e.preventDefault();
      openExportDialog();
    } else if (m && k === "n" && !e.shiftKey) {
      e.preventDefault();
      newItem();
    } else if (m && e.shiftKey && k === "n") {
      e.preventDefault();
      promptName(sidebarEl, store.targetCollection(), "");
    } else if (m && k === "a" && !inText) {
      e.preventDefault();
      table.selectAll();
    } else if (m && e.shiftKey && k === "c" && !inText) {
      e.preventDefault();
      copyCite();
    } else if (m && k === "c" && !inText && store.selectionCount()) {
      e.preventDefault();
      copyBibtex();
    } else if ((e.key === "Delete" || (isMac && e.key === "Backspace")) && !inText && document.activeElement?.closest("[data-table]")) {
      e.preventDefault();
      deleteSelection();
    } else if (e.key === "Escape" && !inText) {
      store.clearSelection();
      table.paint();
    }
  });

  async function undo() {
    try {
      const label = await ipc.undo();
      toast(`Undid: ${label}`);
    } catch (e) {
      showError(e, "Undo");
    }
  }
  async function redo() {
    try {
      const label = await ipc.redo();
      toast(`Redid: ${label}`);
    } catch (e) {
      showError(e, "Redo");
    }
  }
  async function newItem() {
    try {
      const id = await ipc.newItem("article", store.targetCollection());
      const it = await ipc.getItem(id);
      store.select(new Map([[it.key, id]]));
      await pane.show();
      const title = pane.el.querySelector("[data-field=title]") as HTMLTextAreaElement | null;
      title?.focus();
      title?.select();
    } catch (e) {
      showError(e, "New item");
    }
  }
  async function deleteSelection() {
    if (!store.selectionCount()) return;
    const keys = store.targets();
    const v = store.s.view;
    try {
      if (v.kind === "collection") {
        const n = await ipc.collectionRemove(v.path, keys);
        toast(`Removed ${n} from “${v.path}” (still in My Library)`);
      } else if (v.kind === "trash") {
        const n = await ipc.restoreItems(keys);
        toast(`Restored ${n}`);
      } else {
        const n = await ipc.deleteItems(keys);
        toast(`Moved ${n} item${n === 1 ? "" : "s"} to the trash (${mod}+Z undoes)`);
      }
      store.clearSelection();
    } catch (e) {
      showError(e, "Delete");
    }
  }

  (window as unknown as { folio: unknown }).folio = { store, table, deleteSelection, dupView, conflictsView };

  // Where the shared library's sync stands: now, and whenever it changes.
  await onSyncStatus((s) => store.setSync(s));
  ipc
    .syncStatus()
    .then((s) => store.setSync(s))
    .catch((e) => console.error("sync status", e));

  await refreshSidebar();
  await table.reload();
  pane.show();
  table.focus();
  countDuplicates();
  document.body.dataset.ready = "true";
}

const mod = isMac ? "⌘" : "Ctrl";

function findCollection(list: Collection[], id: number): Collection | null {
  for (const c of list) {
    if (c.id === id) return c;
    const k = findCollection(c.children, id);
    if (k) return k;
  }
  return null;
}

function fileMenu(table: Table): HTMLElement {
  type Entry = [string, string, () => void, string] | null; // null: a separator
  const items: Entry[] = [
    ["Import…", `${mod}+I`, importFromDialog, "import"],
    ["Export…", `${mod}+E`, openExportDialog, "export"],
    ["Auto-exports…", "", () => openAutoExports(), "auto-exports"],
    null,
    ["Copy BibTeX", `${mod}+C`, copyBibtex, "copy-bibtex"],
    [`Copy \\${citeCommand()}{key}`, `${mod}+Shift+C`, copyCite, "copy-cite"],
    ...STYLES.map((st): Entry => [`Copy reference (${st.label})`, "", () => copyReference(st.id), `copy-ref-${st.id}`]),
    ["Copy reference (another style…)", "", () => void copyChosen(), "copy-ref-chosen"],
    ["Citation command and style…", "", openCiteSettings, "cite-settings"],
    ["Editors and scripts…", "", () => void openServerSettings(), "server-settings"],
    null,
    ["Share library…", "", () => void openShareDialog(), "share-library"],
    ["Stop sharing", "", confirmStopSharing, "stop-sharing"],
    null,
    ["Regenerate citation keys", "", regenerateKeys, "regenerate-keys"],
    ["Fix citation keys for LaTeX", "", fixKeys, "fix-keys"],
    ["Select all", `${mod}+A`, () => table.selectAll(), "select-all"],
    ["Find missing files…", "", () => void findMissingFiles(), "find-missing"],
    ["Empty trash", "", emptyTrash, "empty-trash"],
    null,
    ["Open library…", "", () => pickLibrary(false), "open-library"],
    ["New library…", "", () => pickLibrary(true), "new-library"],
  ];
  const pop = h("div", { class: "menu-pop file-pop", role: "menu", hidden: true });
  const fill = () => {
    clear(pop);
    for (const entry of items) {
      if (!entry) {
        pop.appendChild(h("div", { class: "menu-sep", role: "separator" }));
        continue;
      }
      const [label, key, fn, id] = entry;
      pop.appendChild(
        h(
          "button",
          {
            role: "menuitem",
            "data-menu": id,
            onclick: () => {
              pop.hidden = true;
              fn();
            },
          },
          h("span", { text: id === "copy-cite" ? `Copy \\${citeCommand()}{key}` : id === "copy-ref-chosen" && chosenStyle() ? `Copy reference (${chosenStyle()!.label})` : label }),
          h("span", { class: "muted", text: key }),
        ),
      );
    }
  };
  fill();
  const btn = h("button", {
    class: "btn",
    "aria-haspopup": "menu",
    "data-action": "file-menu",
    text: "File",
    onclick: (e: Event) => {
      e.stopPropagation();
      if (pop.hidden) fill(); // labels that follow settings (the \cite command)
      pop.hidden = !pop.hidden;
      if (!pop.hidden) (pop.firstElementChild as HTMLElement).focus();
    },
  });
  window.addEventListener("click", () => (pop.hidden = true));
  pop.addEventListener("keydown", (e) => {
    const btns = [...pop.querySelectorAll("button")];
    const i = btns.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === "ArrowDown") btns[(i + 1) % btns.length].focus();
    if (e.key === "ArrowUp") btns[(i - 1 + btns.length) % btns.length].focus();
    if (e.key === "Escape") pop.hidden = true;
  });
  return h("div", { class: "menu" }, btn, pop);
}

/** Copy reference in the style chosen in "Citation command and style…" (asks for one first). */
async function copyChosen() {
  const st = chosenStyle();
  if (!st) return openCiteSettings();
  return copyReference(st.id);
}

async function pickLibrary(create: boolean) {
  try {
    const path = await dialogs.pickLibrary(create);
    if (!path) return;
    await ipc.openLibrary(path);
    toast(`Opened ${path}`);
  } catch (e) {
    showError(e, create ? "New library" : "Open library");
  }
}

async function emptyTrash() {
  try {
    const n = await ipc.emptyTrash();
    toast(`Removed ${n} item${n === 1 ? "" : "s"} for good (${mod}+Z undoes)`);
  } catch (e) {
    showError(e, "Empty trash");
  }
}

/** The item table's context menu (on the selection). */
function rowMenu(e: MouseEvent) {
  document.querySelectorAll(".menu-pop.row-pop").forEach((m) => m.remove());
  const item = (label: string, id: string, fn: () => void) =>
    h("button", {
      role: "menuitem",
      "data-menu": id,
      onclick: () => {
        pop.remove();
        fn();
      },
      text: label,
    });
  const pop = h(
    "div",
    { class: "menu-pop row-pop", role: "menu", style: `left:${Math.min(e.clientX, window.innerWidth - 240)}px;top:${Math.min(e.clientY, window.innerHeight - 300)}px` },
    item("Copy BibTeX", "row-copy-bibtex", copyBibtex),
    item(`Copy \\${citeCommand()}{key}`, "row-copy-cite", copyCite),
    ...STYLES.map((st) => item(`Copy reference (${st.label})`, `row-copy-ref-${st.id}`, () => copyReference(st.id))),
    ...(chosenStyle() ? [item(`Copy reference (${chosenStyle()!.label})`, "row-copy-ref-chosen", () => void copyChosen())] : []),
    item("Regenerate citation key", "row-regenerate", regenerateKeys),
    item("Fix citation key for LaTeX", "row-fix-key", fixKeys),
    item("Export…", "row-export", openExportDialog),
  );
  document.body.appendChild(pop);
  (pop.firstElementChild as HTMLElement).focus();
  pop.addEventListener("keydown", (k) => {
    const btns = [...pop.querySelectorAll("button")];
    const i = btns.indexOf(document.activeElement as HTMLButtonElement);
    if (k.key === "ArrowDown") btns[(i + 1) % btns.length].focus();
    if (k.key === "ArrowUp") btns[(i - 1 + btns.length) % btns.length].focus();
    if (k.key === "Escape") pop.remove();
  });
  setTimeout(() => window.addEventListener("click", () => pop.remove(), { once: true }));
}
