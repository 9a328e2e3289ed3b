// The LaTeX workflow: auto-exports (files kept in sync with the library), export of exactly
// what a dropped .aux (or .tex) cites, confirmation before changing protected citation keys,
// and quick copy (\cite with a chosen command, formatted references).

import { clear, h, isMac } from "../lib/dom";
import { clipboard, dialogs, ipc, toAppError } from "../lib/ipc";
import {
  type AccessStatus,
  type AppError,
  type AutoExport,
  type CiteStyle,
  type Collection,
  type Format,
  type Scope,
  type ScopeKind,
  ACCESS_STATUSES,
} from "../lib/types";
import { modal } from "./importer";
import { store } from "../lib/store";
import { showError, toast } from "./toast";

const mod = isMac ? "⌘" : "Ctrl";

// ----- protected keys ----------------------------------------------------------------------

/** Ask before changing citation keys a paper depends on. Resolves true to go ahead. */
export function confirmProtected(err: AppError, what: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ul = h("ul", { class: "diags", "data-protected": "" });
    for (const p of err.protectedKeys) {
      ul.appendChild(h("li", {}, h("strong", { class: "decision-entry", text: p.key }), h("span", { class: "muted", text: p.reason ? ` — ${p.reason}` : "" })));
    }
    const body = h(
      "div",
      {},
      h("p", { text: `${what} would change ${err.protectedKeys.length === 1 ? "a citation key" : "citation keys"} that a paper depends on:` }),
      ul,
      h("p", { class: "muted", text: `LaTeX will no longer find the old key until the paper is updated. ${mod}+Z undoes the change.` }),
    );
    let ok = false;
    const go = h("button", {
      class: "btn danger",
      "data-action": "confirm-protected",
      text: "Change anyway",
      onclick: () => {
        ok = true;
        dlg.close();
      },
    });
    const dlg = modal("Change a protected citation key?", "", body, "protected-key", [go], () => resolve(ok));
  });
}

/** Run an action that may change protected keys: on `protected-key`, confirm and retry with force. */
export async function withKeyConfirm<T>(what: string, run: (force: boolean) => Promise<T>): Promise<T | null> {
  try {
    return await run(false);
  } catch (e) {
    const err = toAppError(e);
    if (err.code !== "protected-key") throw err;
    if (!(await confirmProtected(err, what))) return null;
    return await run(true);
  }
}

export async function regenerateKeys() {
  if (!store.selectionCount()) return toast("Select items first", "error");
  const keys = store.targets();
  try {
    const r = await withKeyConfirm("Regenerating the keys", (force) => ipc.regenerateKeys(keys, force));
    if (r == null) return;
    store.clearSelection();
    toast(r.length ? `New keys: ${r.map(([o, n]) => `${o} → ${n}`).join(", ")} (${mod}+Z undoes)` : "The keys already follow the pattern");
  } catch (e) {
    showError(e, "Regenerate keys");
  }
}

/** Rename the selected keys LaTeX tools reject (an apostrophe, a space, a case-only twin). */
export async function fixKeys() {
  if (!store.selectionCount()) return toast("Select items first", "error");
  const keys = store.targets();
  try {
    const r = await withKeyConfirm("Fixing the keys", (force) => ipc.fixKeys(keys, force));
    if (r == null) return;
    if (!r.renamed.length) return toast("These keys already work in LaTeX");
    store.clearSelection();
    const links = r.relinked.length ? `; links updated in ${r.relinked.join(", ")}` : "";
    toast(`Fixed keys: ${r.renamed.map(([o, n]) => `${o} → ${n}`).join(", ")}${links} (${mod}+Z undoes)`);
  } catch (e) {
    showError(e, "Fix keys");
  }
}

// ----- quick copy ------------------------------------------------------------------------

const CITE_KEY = "folio.cite.command";
export const CITE_COMMANDS = ["cite", "citep", "autocite", "parencite"];
export const STYLES: { id: CiteStyle; label: string }[] = [
  { id: "apa", label: "APA 7" },
  { id: "chicago-author-date", label: "Chicago author-date" },
  { id: "ieee", label: "IEEE" },
  { id: "harvard", label: "Harvard" },
];

const STYLE_KEY = "folio.cite.style";

/** The quick-copy style the user chose besides the four (a bundled style's name or a `.csl`
 * file's path), if any. */
export function chosenStyle(): { id: string; label: string } | null {
  const id = localStorage.getItem(STYLE_KEY);
  if (!id || STYLES.some((s) => s.id === id)) return null;
  return { id, label: localStorage.getItem(`${STYLE_KEY}.label`) ?? id };
}

export function citeCommand(): string {
  const c = localStorage.getItem(CITE_KEY) ?? "cite";
  return CITE_COMMANDS.includes(c) ? c : "cite";
}

export function openCiteSettings() {
  const current = citeCommand();
  const box = h("fieldset", { "data-input": "cite-command" }, h("legend", { text: `Command that ${mod}+Shift+C copies` }));
  for (const c of CITE_COMMANDS) {
    box.appendChild(
      h("label", { class: "radio" }, h("input", { type: "radio", name: "cite-cmd", value: c, checked: c === current, "data-cite": c }), h("span", { class: "decision-entry", text: `\\${c}{key1,key2}` })),
    );
  }
  // Copy reference also in another CSL style: any bundled one, or a .csl file.
  const chosen = chosenStyle();
  const isFile = (id: string) => /[\\/]|\.(csl|xml)$/i.test(id);
  const styleSel = h("select", { "data-input": "cite-style", "aria-label": "Another style for Copy reference" }, h("option", { value: "", text: "None besides APA, Chicago, IEEE, Harvard" }));
  const file = h("input", { type: "text", "data-input": "cite-style-file", placeholder: "or a .csl file", value: chosen && isFile(chosen.id) ? chosen.id : "" });
  const pick = h("button", {
    class: "btn",
    text: "Choose…",
    onclick: async () => {
      const p = await dialogs.pickStyleFile();
      if (p) file.value = p;
    },
  });
  ipc
    .citeStyles()
    .then((list) => {
      for (const st of list) styleSel.appendChild(h("option", { value: st.name, text: st.title, selected: chosen?.id === st.name }));
    })
    .catch((e) => showError(e, "Styles"));
  const styleBox = h("fieldset", {}, h("legend", { text: "Copy reference also in" }), styleSel, h("div", { class: "style-file" }, file, pick));
  const save = h("button", {
    class: "btn primary",
    "data-action": "cite-save",
    text: "Save",
    onclick: async () => {
      const v = (box.querySelector("input[name=cite-cmd]:checked") as HTMLInputElement | null)?.value ?? "cite";
      const style = file.value.trim() || styleSel.value;
      if (style) {
        // A style that cannot be read says why now, not at the first copy.
        try {
          await ipc.checkStyle(style);
        } catch (e) {
          showError(e, "Style");
          return;
        }
        const label = file.value.trim() ? file.value.trim().split(/[\\/]/).pop()! : (styleSel.selectedOptions[0]?.textContent ?? style);
        localStorage.setItem(STYLE_KEY, style);
        localStorage.setItem(`${STYLE_KEY}.label`, label);
      } else {
        localStorage.removeItem(STYLE_KEY);
      }
      localStorage.setItem(CITE_KEY, v);
      dlg.close();
      toast(`${mod}+Shift+C now copies \\${v}{…}${style ? `; Copy reference also in ${chosenStyle()?.label ?? style}` : ""}`);
    },
  });
  const dlg = modal("Citation command and style", "", h("div", {}, box, styleBox), "cite-settings", [save]);
}

export async function copyCite() {
  if (!store.selectionCount()) return toast("Select items to cite", "error");
  try {
    // After Select all the keys themselves are needed here: fetched once, in table order.
    const keys = store.s.all ? await ipc.listKeys(store.s.all, store.s.sort) : store.selectedKeys();
    const text = `\\${citeCommand()}{${keys.join(",")}}`;
    await clipboard.writeText(text);
    toast(keys.length > 12 ? `Copied \\${citeCommand()}{…} with ${keys.length.toLocaleString()} keys` : `Copied ${text}`);
  } catch (e) {
    showError(e, "Copy");
  }
}

export async function copyReference(style: CiteStyle | string) {
  const n = store.selectionCount();
  if (!n) return toast("Select items to copy", "error");
  try {
    const text = await ipc.formatReferences(store.targets(), style);
    await clipboard.writeText(text);
    const label = STYLES.find((s) => s.id === style)?.label ?? chosenStyle()?.label ?? style;
    toast(`Copied ${n.toLocaleString()} reference${n === 1 ? "" : "s"} (${label})`);
  } catch (e) {
    showError(e, "Copy reference");
  }
}

// ----- auto-exports --------------------------------------------------------------------------

const FORMATS: { id: Format; label: string; ext: string }[] = [
  { id: "bibtex", label: "BibTeX", ext: "bib" },
  { id: "biblatex", label: "BibLaTeX", ext: "bib" },
  { id: "ris", label: "RIS", ext: "ris" },
];
const OMIT = ["abstract", "file", "keywords", "note", "url"];

function flatCollections(list: Collection[], out: Collection[] = []): Collection[] {
  for (const c of list) {
    out.push(c);
    flatCollections(c.children, out);
  }
  return out;
}

function when(iso: string | null): string {
  if (!iso) return "never";
  const d = new Date(iso);
  return isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** The Auto-exports dialog: registered exports with their last run, and a form to add one
 * (`preset`: the scope to start with, e.g. from a collection's context menu). */
/** An auto-export's scope: `kind` and the parts it uses (the others empty). */
export function autoExportScope(parts: Partial<Scope> & { kind: ScopeKind }): Scope {
  return { collectionId: null, recursive: false, name: "", status: null, ...parts };
}

export async function openAutoExports(preset?: Scope) {
  const list = h("div", { class: "ae-list", "data-autoexports": "" });
  const refresh = async () => {
    let rows: AutoExport[];
    try {
      rows = await ipc.autoExports();
    } catch (e) {
      showError(e, "Auto-exports");
      return;
    }
    clear(list);
    if (!rows.length) list.appendChild(h("p", { class: "muted", "data-empty": "autoexports", text: "No auto-exports yet. Folio rewrites each one's file whenever its items change." }));
    for (const r of rows) {
      list.appendChild(
        h(
          "div",
          { class: `ae-row${r.lastError ? " ae-error" : ""}`, "data-autoexport": r.path },
          h(
            "div",
            { class: "ae-main" },
            h("div", { class: "ae-path", title: r.path, text: r.path }),
            h("div", { class: "muted small", text: `${FORMATS.find((f) => f.id === r.format)?.label ?? r.format} · ${r.scopeLabel}${r.ascii === true ? " · LaTeX escapes" : r.ascii === false ? " · Unicode" : ""}${r.omitFields.length ? ` · without ${r.omitFields.join(", ")}` : ""}` }),
            h("div", { class: "small", "data-ae-status": "", text: `${r.items ?? 0} item${r.items === 1 ? "" : "s"} · last run ${when(r.lastRunAt)}` }),
            r.lastError ? h("div", { class: "field-error", role: "alert", text: r.lastError }) : null,
          ),
          h("button", {
            class: "btn small",
            "data-action": "ae-remove",
            text: "Remove",
            title: "Stop keeping this file in sync (the file stays)",
            onclick: async () => {
              try {
                await ipc.autoExportRemove(r.path);
                toast(`No longer keeping ${r.path} in sync (${mod}+Z undoes)`);
                await refresh();
              } catch (e) {
                showError(e, "Remove auto-export");
              }
            },
          }),
        ),
      );
    }
  };

  // The form to add one.
  const sb = store.s.sidebar;
  const colls = flatCollections(sb?.collections ?? []);
  const kind = h("select", { class: "field", "data-input": "ae-scope", "aria-label": "What to export" });
  for (const [v, label] of [
    ["library", "The whole library"],
    ["collection", "A collection"],
    ["tag", "A tag"],
    ["access", "An access status"],
    ["search", "A saved search"],
  ]) kind.appendChild(h("option", { value: v, text: label }));
  const collSel = h("select", { class: "field", "data-input": "ae-collection", "aria-label": "Collection" });
  for (const c of colls) collSel.appendChild(h("option", { value: c.id, text: c.path }));
  const recursive = h("input", { type: "checkbox", checked: true, "data-input": "ae-recursive" });
  const tagSel = h("select", { class: "field", "data-input": "ae-tag", "aria-label": "Tag" });
  for (const t of sb?.tags ?? []) tagSel.appendChild(h("option", { value: t.name, text: t.name }));
  const accSel = h("select", { class: "field", "data-input": "ae-access", "aria-label": "Access status" });
  for (const a of ACCESS_STATUSES) accSel.appendChild(h("option", { value: a, text: a }));
  const searchSel = h("select", { class: "field", "data-input": "ae-search", "aria-label": "Saved search" });
  ipc
    .savedSearches()
    .then((ss) => {
      for (const s of ss) searchSel.appendChild(h("option", { value: s.name, text: `${s.name} (${s.query})` }));
    })
    .catch((e) => showError(e, "Saved searches"));
  const sub = {
    collection: h("div", { class: "ae-sub" }, collSel, h("label", { class: "radio" }, recursive, h("span", { text: "with subcollections" }))),
    tag: h("div", { class: "ae-sub" }, tagSel),
    access: h("div", { class: "ae-sub" }, accSel),
    search: h("div", { class: "ae-sub" }, searchSel),
  } as Record<string, HTMLElement>;
  const showSub = () => Object.entries(sub).forEach(([k, el]) => (el.hidden = k !== kind.value));
  kind.addEventListener("change", showSub);
  if (preset) {
    kind.value = preset.kind;
    if (preset.collectionId != null) collSel.value = String(preset.collectionId);
    if (preset.recursive != null) recursive.checked = preset.recursive;
    if (preset.name && preset.kind === "tag") tagSel.value = preset.name;
  }
  showSub();
  const fmt = h("select", { class: "field", "data-input": "ae-format", "aria-label": "Format" });
  for (const f of FORMATS) fmt.appendChild(h("option", { value: f.id, text: f.label }));
  const enc = h("select", { class: "field", "data-input": "ae-encoding", "aria-label": "Characters" });
  for (const [v, label] of [
    ["", "The format's default"],
    ["unicode", "Unicode (UTF-8)"],
    ["latex", "LaTeX escapes (ASCII)"],
  ]) enc.appendChild(h("option", { value: v, text: label }));
  const omitBox = h("div", { class: "ae-omit" });
  for (const f of OMIT) omitBox.appendChild(h("label", { class: "radio" }, h("input", { type: "checkbox", value: f, "data-omit": f }), h("span", { text: f })));

  const scope = (): Scope => {
    switch (kind.value) {
      case "collection":
        return autoExportScope({ kind: "collection", collectionId: Number(collSel.value), recursive: recursive.checked });
      case "tag":
        return autoExportScope({ kind: "tag", name: tagSel.value });
      case "access":
        return autoExportScope({ kind: "access", status: accSel.value as AccessStatus });
      case "search":
        return autoExportScope({ kind: "search", name: searchSel.value });
      default:
        return autoExportScope({ kind: "library" });
    }
  };
  const stem = () => {
    const s = scope();
    if (s.kind === "collection") return colls.find((c) => c.id === s.collectionId)?.path.replace(/[\\/]/g, "-") ?? "collection";
    if (s.kind === "tag" || s.kind === "search") return s.name || s.kind;
    if (s.kind === "access") return `access-${s.status}`;
    return "library";
  };
  const add = h("button", {
    class: "btn primary",
    "data-action": "ae-add",
    text: "Choose file and add…",
    onclick: async () => {
      const f = FORMATS.find((x) => x.id === fmt.value)!;
      try {
        const path = await dialogs.pickExportPath(`${stem()}.${f.ext}`, f.ext, "Auto-export to");
        if (!path) return;
        const r = await ipc.autoExportAdd({
          path,
          format: f.id,
          scope: scope(),
          ascii: enc.value === "latex" ? true : enc.value === "unicode" ? false : null,
          omitFields: [...omitBox.querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value),
        });
        toast(r.error ? `Auto-export added, but ${r.path} could not be written: ${r.error}` : `Auto-export: ${r.items} item${r.items === 1 ? "" : "s"} written to ${r.path}`, r.error ? "error" : "info");
        await refresh();
      } catch (e) {
        showError(e, "Add auto-export");
      }
    },
  });
  const form = h(
    "div",
    { class: "export-form ae-form" },
    h("h3", { class: "ae-h", text: "Add an auto-export" }),
    h("label", { class: "field-row" }, h("span", { text: "Export" }), kind),
    ...Object.values(sub),
    h("label", { class: "field-row" }, h("span", { text: "Format" }), fmt),
    h("label", { class: "field-row" }, h("span", { text: "Characters" }), enc),
    h("div", { class: "field-row" }, h("span", { text: "Leave out" }), omitBox),
    h("div", { class: "ae-actions" }, add),
  );
  const runNow = h("button", {
    class: "btn",
    "data-action": "ae-run",
    text: "Run now",
    onclick: async () => {
      try {
        const r = await ipc.autoExportRun();
        const bad = r.filter((x) => x.error);
        toast(bad.length ? `${bad.length} auto-export${bad.length === 1 ? "" : "s"} failed: ${bad[0].error}` : `${r.length} auto-export${r.length === 1 ? "" : "s"} up to date (${r.filter((x) => x.written).length} rewritten)`, bad.length ? "error" : "info");
        await refresh();
      } catch (e) {
        showError(e, "Run auto-exports");
      }
    },
  });
  const body = h("div", {}, h("p", { class: "muted", text: "Files Folio keeps in sync with the library: rewritten after every change that touches their items, for LaTeX to read." }), list, form);
  modal("Auto-exports", "", body, "autoexports", [runNow], undefined, "Close");
  await refresh();
}

// ----- .aux drops ------------------------------------------------------------------------------

export const isLatexFile = (p: string) => /\.(aux|tex)$/i.test(p);

/** A dropped .aux (or .tex beside its .aux): export exactly the cited entries through a save
 * dialog, report missing keys, and offer to register the .aux (its keys become protected). */
export async function handleAuxDrop(path: string) {
  let info;
  try {
    info = await ipc.auxRead(path);
  } catch (e) {
    showError(e, "LaTeX file");
    return;
  }
  const name = info.aux.split(/[\\/]/).pop() ?? info.aux;
  const body = h("div", { class: "export-form" });
  body.appendChild(h("p", { "data-aux-summary": "", text: `${name} cites ${info.keys.length} entr${info.keys.length === 1 ? "y" : "ies"} in the library (with crossref parents).` }));
  if (info.missing.length) {
    const ul = h("ul", { class: "diags", "data-aux-missing": "" });
    for (const k of info.missing) ul.appendChild(h("li", { class: "diag diag-warning" }, h("span", { class: "decision-entry", text: k }), h("span", { class: "muted", text: " — not in the library" })));
    body.append(h("p", { class: "diag-warning", text: `${info.missing.length} cited key${info.missing.length === 1 ? " is" : "s are"} missing:` }), ul);
  }
  const fmt = h("select", { class: "field", "data-input": "aux-format", "aria-label": "Format" });
  for (const f of FORMATS.slice(0, 2)) fmt.appendChild(h("option", { value: f.id, text: f.label }));
  body.appendChild(h("label", { class: "field-row" }, h("span", { text: "Format" }), fmt));
  const reg = h("input", { type: "checkbox", checked: !info.registered, disabled: info.registered, "data-input": "aux-register" });
  body.appendChild(
    h("label", { class: "radio" }, reg, h("span", { text: info.registered ? "Registered: its keys are protected from changes" : "Protect these keys: warn before changing a key this paper cites" })),
  );
  const go = h("button", {
    class: "btn primary",
    "data-action": "aux-export",
    text: "Export…",
    disabled: info.keys.length === 0,
    onclick: async () => {
      try {
        const out = await dialogs.pickExportPath(name.replace(/\.aux$/i, ".bib"), "bib", "Export cited references");
        if (!out) return;
        dlg.close();
        const r = await ipc.exportAux(path, fmt.value as Format, out, reg.checked);
        toast(`Exported the ${r.items} cited item${r.items === 1 ? "" : "s"} to ${out}${info.missing.length ? ` (${info.missing.length} missing: ${info.missing.join(", ")})` : ""}`, "info", info.missing.length ? 10000 : 4000);
      } catch (e) {
        showError(e, "Export cited references");
      }
    },
  });
  const dlg = modal("Export cited references", "", body, "aux", [go]);
}
