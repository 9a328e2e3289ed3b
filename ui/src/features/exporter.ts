// Export the selection, the current collection or tag view, or the whole library to BibTeX,
// BibLaTeX, RIS, Folio JSON, CSL-JSON, CSL-YAML or Hayagriva YAML through a save dialog; copy
// BibTeX of the selection.

import { h } from "../lib/dom";
import { clipboard, dialogs, ipc } from "../lib/ipc";
import type { Format, Selection } from "../lib/types";
import { modal } from "./importer";
import { emptyFilter, store } from "../lib/store";
import { showError, toast } from "./toast";

const FORMATS: { id: Format; label: string; ext: string }[] = [
  { id: "bibtex", label: "BibTeX (.bib)", ext: "bib" },
  { id: "biblatex", label: "BibLaTeX (.bib)", ext: "bib" },
  { id: "ris", label: "RIS (.ris)", ext: "ris" },
  { id: "json", label: "Folio JSON (.json, lossless)", ext: "json" },
  { id: "csljson", label: "CSL-JSON (.json, for pandoc and Zotero)", ext: "json" },
  { id: "cslyaml", label: "CSL-YAML (.yaml, pandoc's references)", ext: "yaml" },
  { id: "hayagriva", label: "Hayagriva YAML (.yaml, for typst)", ext: "yaml" },
];

function viewName(): string {
  const v = store.s.view;
  const parts: string[] = [];
  if (v.kind === "collection") parts.push(`collection “${v.path}”`);
  if (v.kind === "unfiled") parts.push("unfiled items");
  if (v.kind === "trash") parts.push("the trash");
  if (store.s.tags.length) parts.push(`tag${store.s.tags.length > 1 ? "s" : ""} ${store.s.tags.join(", ")}`);
  if (store.s.access.length) parts.push(`access ${store.s.access.join("/")}`);
  if (store.s.query) parts.push(`search “${store.s.query}”`);
  return parts.length ? parts.join(", ") : "";
}

export function openExportDialog() {
  const selCount = store.selectionCount();
  const vn = viewName();
  const scopes: { id: string; label: string; sel: () => Selection; name: string }[] = [];
  if (selCount) scopes.push({ id: "selection", label: `The selection (${selCount.toLocaleString()} item${selCount === 1 ? "" : "s"})`, sel: () => store.exportSelection(), name: "selection" });
  if (vn) scopes.push({ id: "view", label: `What is shown: ${vn} (${store.s.total})`, sel: () => ({ keys: [], filter: store.filter() }), name: fileStem() });
  scopes.push({ id: "library", label: `The whole library (${store.s.sidebar?.total ?? 0})`, sel: () => ({ keys: [], filter: emptyFilter() }), name: "library" });

  const body = h("div", { class: "export-form" });
  const scopeBox = h("fieldset", {}, h("legend", { text: "Export" }));
  scopes.forEach((s, i) =>
    scopeBox.appendChild(h("label", { class: "radio" }, h("input", { type: "radio", name: "scope", value: s.id, checked: i === 0, "data-scope": s.id }), h("span", { text: s.label }))),
  );
  const fmt = h("select", { class: "field", "data-input": "export-format", "aria-label": "Format" });
  for (const f of FORMATS) fmt.appendChild(h("option", { value: f.id, text: f.label }));
  body.append(scopeBox, h("label", { class: "field-row" }, h("span", { text: "Format" }), fmt));

  const go = h("button", {
    class: "btn primary",
    "data-action": "export-save",
    text: "Export…",
    onclick: async () => {
      const scope = scopes.find((s) => s.id === (body.querySelector("input[name=scope]:checked") as HTMLInputElement).value)!;
      const f = FORMATS.find((x) => x.id === fmt.value)!;
      try {
        const path = await dialogs.pickExportPath(`${scope.name}.${f.ext}`, f.ext);
        if (!path) return;
        dlg.close();
        const r = await ipc.exportFile(scope.sel(), f.id, path);
        const warn = r.diagnostics.length ? ` (${r.diagnostics.length} warning${r.diagnostics.length === 1 ? "" : "s"})` : "";
        toast(`Exported ${r.items} item${r.items === 1 ? "" : "s"} to ${path}${r.written ? "" : " (unchanged)"}${warn}`);
        for (const d of r.diagnostics.slice(0, 5)) toast(d.message, d.severity === "error" ? "error" : "info");
      } catch (e) {
        showError(e, "Export");
      }
    },
  });
  const dlg = modal("Export", "", body, "export", [go]);
}

function fileStem() {
  const v = store.s.view;
  if (v.kind === "collection") return v.path.replace(/[\\/]/g, "-");
  if (store.s.tags.length) return store.s.tags.join("-");
  return "references";
}

export async function copyBibtex() {
  const n = store.selectionCount();
  if (!n) return toast("Select items to copy", "error");
  try {
    const text = await ipc.exportText(store.exportSelection(), "bibtex");
    await clipboard.writeText(text);
    toast(`Copied BibTeX of ${n.toLocaleString()} item${n === 1 ? "" : "s"}`);
  } catch (e) {
    showError(e, "Copy BibTeX");
  }
}
