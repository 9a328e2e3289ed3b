// Import: dropped files (native drop, paths only), File › Import… (dialog), and paste. Shows a
// progress bar for long imports, then the report (added, duplicates, each bad entry with file
// and line).

import { clear, h } from "../lib/dom";
import { dialogs, ipc } from "../lib/ipc";
import type { ImportReport } from "../lib/types";
import { store } from "./store";
import { showError, toast } from "./toast";

let busy = false;

export async function importPaths(paths: string[], collection: string | null) {
  if (!paths.length) return;
  if (busy) return toast("An import is already running", "error");
  busy = true;
  const bar = progressBar(paths);
  try {
    const report = await ipc.importFiles(paths, collection, (p) => bar.set(p.done, p.total));
    bar.close();
    showReport(report, collection);
  } catch (e) {
    bar.close();
    showError(e, "Import");
  } finally {
    busy = false;
  }
}

export async function importFromDialog() {
  try {
    const paths = await dialogs.pickImportFiles();
    await importPaths(paths, store.targetCollection());
  } catch (e) {
    showError(e, "Import");
  }
}

export async function importClipboardText(text: string) {
  if (!text.trim()) return;
  try {
    const report = await ipc.importText(text, store.targetCollection());
    showReport(report, store.targetCollection());
  } catch (e) {
    showError(e, "Paste");
  }
}

function progressBar(paths: string[]) {
  const fill = h("div", { class: "progress-fill", style: "width:0%" });
  const label = h("div", { class: "progress-label", text: `Reading ${paths.length === 1 ? baseName(paths[0]) : `${paths.length} files`}…` });
  const el = h(
    "div",
    { class: "progress-overlay", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "data-progress": "import" },
    h("div", { class: "progress-box" }, label, h("div", { class: "progress-track" }, fill)),
  );
  document.body.appendChild(el);
  return {
    set(done: number, total: number) {
      const pct = total ? Math.round((done / total) * 100) : 0;
      fill.style.width = `${pct}%`;
      el.setAttribute("aria-valuenow", String(pct));
      label.textContent = `Importing ${done.toLocaleString()} of ${total.toLocaleString()}…`;
    },
    close: () => el.remove(),
  };
}

export function baseName(p: string) {
  return p.split(/[\\/]/).pop() ?? p;
}

export function showReport(r: ImportReport, collection: string | null) {
  const summary = `${r.added} added${r.duplicates ? `, ${r.duplicates} duplicate${r.duplicates === 1 ? "" : "s"} skipped` : ""}${
    r.errors ? `, ${r.errors} problem${r.errors === 1 ? "" : "s"}` : ""
  }${collection ? ` into “${collection}”` : ""}`;
  const body = h("div", { class: "report-body" });
  for (const f of r.files) {
    const sec = h(
      "div",
      { class: "report-file", "data-report-file": baseName(f.path) },
      h("div", { class: "report-file-head" }, h("strong", { text: baseName(f.path) }), h("span", { class: "muted", text: ` ${f.format} · ${f.encoding}` })),
      h("div", { text: `${f.entries} entries read: ${f.added} added, ${f.duplicates} duplicates` }),
    );
    if (f.diagnostics.length) {
      const ul = h("ul", { class: "diags" });
      for (const d of f.diagnostics) {
        ul.appendChild(
          h(
            "li",
            { class: `diag diag-${d.severity}`, "data-severity": d.severity },
            h("span", { class: "diag-where", text: `${baseName(f.path)}${d.line != null ? `:${d.line}` : ""}` }),
            h("span", { class: "diag-sev", text: ` ${d.severity}: ` }),
            h("span", { class: "diag-msg", text: d.message }),
          ),
        );
      }
      sec.appendChild(ul);
    }
    body.appendChild(sec);
  }
  modal("Import report", summary, body, "import-report");
}

export function modal(title: string, summary: string, body: HTMLElement, id: string, actions: HTMLElement[] = []) {
  document.querySelector(`[data-modal="${id}"]`)?.remove();
  const close = () => {
    el.remove();
    window.removeEventListener("keydown", esc, true);
  };
  const esc = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      close();
    }
  };
  const okBtn = h("button", { class: "btn primary", "data-action": "close-modal", onclick: close, text: actions.length ? "Cancel" : "OK" });
  const el = h(
    "div",
    { class: "modal-backdrop", "data-modal": id, onclick: (e: Event) => e.target === el && close() },
    h(
      "div",
      { class: "modal", role: "dialog", "aria-modal": "true", "aria-label": title },
      h("h2", { text: title }),
      summary ? h("p", { class: "report-summary", "data-summary": "", text: summary }) : null,
      body,
      h("div", { class: "modal-actions" }, ...actions, okBtn),
    ),
  );
  window.addEventListener("keydown", esc, true);
  document.body.appendChild(el);
  (actions[0] ?? okBtn).focus();
  return { el, close };
}

export function clearModals() {
  document.querySelectorAll(".modal-backdrop").forEach((m) => clear(m));
}
