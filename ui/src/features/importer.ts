// Import: dropped files (native drop, paths only), File › Import… (dialog), and paste. Shows a
// progress bar for long imports, then the report (added, duplicates, each bad entry with file
// and line).

import { clear, h } from "../lib/dom";
import { dialogs, ipc, toAppError } from "../lib/ipc";
import type { DuplicatePolicy, ImportReport, Progress } from "../lib/types";
import { store } from "../lib/store";
import { showError, toast } from "./toast";

let busy = false;

const POLICY_KEY = "folio.import.duplicates";
const POLICIES: { id: DuplicatePolicy; label: string; hint: string }[] = [
  { id: "skip", label: "Skip it", hint: "leave the library as it is" },
  { id: "merge", label: "Merge it into the existing item", hint: "fill its empty fields, add tags and collections" },
  { id: "keep", label: "Import it anyway", hint: "review it later under Duplicates" },
];

/** The last duplicate policy chosen (default skip). */
export function lastPolicy(): DuplicatePolicy {
  const v = localStorage.getItem(POLICY_KEY);
  return v === "merge" || v === "keep" ? v : "skip";
}

/** Ask what to do with entries already in the library (same DOI, ISBN, or title + year +
 * first author); resolves null when the user cancels. Remembers the choice. */
export function askPolicy(what: string): Promise<DuplicatePolicy | null> {
  return new Promise((resolve) => {
    const current = lastPolicy();
    const box = h("fieldset", { class: "policy", "data-input": "duplicate-policy" }, h("legend", { text: "When an entry is already in the library" }));
    for (const p of POLICIES) {
      box.appendChild(
        h(
          "label",
          { class: "radio" },
          h("input", { type: "radio", name: "dup-policy", value: p.id, checked: p.id === current, "data-policy": p.id }),
          h("span", { text: p.label }),
          h("span", { class: "muted", text: ` — ${p.hint}` }),
        ),
      );
    }
    let settled = false;
    const go = h("button", {
      class: "btn primary",
      "data-action": "import-go",
      text: "Import",
      onclick: () => {
        const v = (box.querySelector("input[name=dup-policy]:checked") as HTMLInputElement | null)?.value as DuplicatePolicy | undefined;
        const policy = v ?? "skip";
        localStorage.setItem(POLICY_KEY, policy);
        settled = true;
        dlg.close();
        resolve(policy);
      },
    });
    const dlg = modal("Import", what, box, "import-options", [go], () => {
      if (!settled) resolve(null);
    });
  });
}

export async function importPaths(paths: string[], collection: string | null) {
  if (!paths.length) return;
  if (busy) return toast("An import is already running", "error");
  const policy = await askPolicy(`Import ${paths.length === 1 ? baseName(paths[0]) : `${paths.length} files`}${collection ? ` into “${collection}”` : ""}`);
  if (!policy) return;
  busy = true;
  const bar = progressBar(paths);
  try {
    const report = await ipc.importFiles(paths, collection, policy, (p) => bar.set(p));
    bar.close();
    showReport(report, collection);
  } catch (e) {
    bar.close();
    if (toAppError(e).code === "cancelled") toast("Import cancelled — the library is unchanged");
    else showError(e, "Import");
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
  const policy = await askPolicy("Import the pasted references");
  if (!policy) return;
  try {
    const report = await ipc.importText(text, store.targetCollection(), policy);
    showReport(report, store.targetCollection());
  } catch (e) {
    showError(e, "Paste");
  }
}

/** A determinate progress bar (bytes read and stored) with the entries count and Cancel. It
 * appears only when the import takes more than a moment. */
function progressBar(paths: string[]) {
  const fill = h("div", { class: "progress-fill", style: "width:0%" });
  const label = h("div", { class: "progress-label", "data-progress-label": "", text: `Reading ${paths.length === 1 ? baseName(paths[0]) : `${paths.length} files`}…` });
  const cancel = h("button", {
    class: "btn",
    "data-action": "import-cancel",
    text: "Cancel",
    onclick: async () => {
      cancel.disabled = true;
      cancel.textContent = "Cancelling…";
      try {
        await ipc.importCancel();
      } catch (e) {
        showError(e, "Cancel");
      }
    },
  });
  const el = h(
    "div",
    { class: "progress-overlay", hidden: true, role: "progressbar", "aria-label": "Import progress", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": 0, "data-progress": "import" },
    h("div", { class: "progress-box" }, label, h("div", { class: "progress-track" }, fill), h("div", { class: "progress-actions" }, cancel)),
  );
  document.body.appendChild(el);
  const timer = setTimeout(() => (el.hidden = false), 300);
  return {
    set(p: Progress) {
      const pct = p.total ? Math.min(100, Math.round((p.done / p.total) * 100)) : 0;
      fill.style.width = `${pct}%`;
      el.setAttribute("aria-valuenow", String(pct));
      label.textContent = `Importing… ${p.entries.toLocaleString()} entr${p.entries === 1 ? "y" : "ies"} · ${pct}%`;
    },
    close: () => {
      clearTimeout(timer);
      el.remove();
    },
  };
}

export function baseName(p: string) {
  return p.split(/[\\/]/).pop() ?? p;
}

const ACTION_WORDS: Record<string, string> = { skipped: "skipped", merged: "merged", kept: "imported anyway", flagged: "imported, flagged as a possible duplicate" };

export function showReport(r: ImportReport, collection: string | null) {
  const count = (a: string) => r.files.reduce((n, f) => n + f.decisions.filter((d) => d.action === a).length, 0);
  const parts = [`${r.added} added`];
  for (const a of ["skipped", "merged", "kept", "flagged"]) {
    const n = count(a);
    if (n) parts.push(`${n} duplicate${n === 1 ? "" : "s"} ${ACTION_WORDS[a]}`);
  }
  if (r.errors) parts.push(`${r.errors} problem${r.errors === 1 ? "" : "s"}`);
  const summary = `${parts.join(", ")}${collection ? ` into “${collection}”` : ""}`;
  const body = h("div", { class: "report-body" });
  for (const f of r.files) {
    const sec = h(
      "div",
      { class: "report-file", "data-report-file": baseName(f.path) },
      h("div", { class: "report-file-head" }, h("strong", { text: baseName(f.path) }), h("span", { class: "muted", text: ` ${f.format} · ${f.encoding}` })),
      h("div", { text: `${f.entries} entries read: ${f.added} added, ${f.duplicates} duplicates` }),
    );
    if (f.decisions.length) {
      const ul = h("ul", { class: "diags decisions" });
      for (const d of f.decisions) {
        ul.appendChild(
          h(
            "li",
            { class: `decision decision-${d.action}`, "data-decision": d.action },
            h("span", { class: "diag-where", text: `${baseName(f.path)}:${d.line}` }),
            h("span", { text: " " }),
            h("span", { class: "decision-entry", text: d.entryKey || d.title || "(entry)" }),
            h("span", { class: "muted", text: ` — ${d.reason} as ` }),
            h("span", { class: "decision-existing", text: d.existingKey }),
            h("span", { class: "decision-action", text: ` → ${ACTION_WORDS[d.action] ?? d.action}` }),
          ),
        );
      }
      sec.appendChild(ul);
    }
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
  // PDFs: the item each became (or was attached to), where each field came from, what is
  // uncertain.
  for (const p of r.pdfs) {
    const sec = h(
      "div",
      { class: "report-file report-pdf", "data-report-pdf": baseName(p.path) },
      h(
        "div",
        { class: "report-file-head" },
        h("strong", { text: baseName(p.path) }),
        h("span", { class: "muted", text: ` PDF · ${p.pages} pages` }),
      ),
      h("div", {
        "data-pdf-outcome": p.attachedBecause ? "attached" : "added",
        text: p.attachedBecause ? `attached to ${p.key} (already there: ${p.attachedBecause})` : `added as ${p.key}${p.needsReview ? " — tagged “needs review”" : ""}`,
      }),
    );
    const ul = h("ul", { class: "diags pdf-fields" });
    for (const f of p.fields) {
      ul.appendChild(
        h(
          "li",
          { class: `pdf-field${f.uncertain ? " uncertain" : ""}`, "data-pdf-field": f.field },
          h("span", { class: "diag-where", text: `${f.field}: ` }),
          h("span", { text: f.value }),
          h("span", { class: "muted", text: ` — ${f.source}${f.uncertain ? ", uncertain" : ""}` }),
        ),
      );
    }
    for (const n of p.notes) ul.appendChild(h("li", { class: "diag diag-warning", text: n }));
    sec.appendChild(ul);
    body.appendChild(sec);
  }
  modal("Import report", summary, body, "import-report");
}

export function modal(title: string, summary: string, body: HTMLElement, id: string, actions: HTMLElement[] = [], onClose?: () => void, closeLabel?: string) {
  document.querySelector(`[data-modal="${id}"]`)?.remove();
  const close = () => {
    el.remove();
    window.removeEventListener("keydown", esc, true);
    onClose?.();
  };
  const esc = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      close();
    }
  };
  const okBtn = h("button", { class: "btn primary", "data-action": "close-modal", onclick: close, text: closeLabel ?? (actions.length ? "Cancel" : "OK") });
  const el = h(
    "div",
    { class: "modal-backdrop", "data-modal": id, onclick: (e: Event) => e.target === el && close() },
    h(
      "div",
      { class: "modal", role: "dialog", "aria-modal": "true", "aria-label": title },
      h("h2", { text: title }),
      summary ? h("p", { class: "report-summary", "data-summary": "", text: summary }) : null,
      h("div", { class: "modal-body" }, body),
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
