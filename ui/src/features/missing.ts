// File › Find missing files…: after a folder of papers moved, the user picks the folder they
// are in now; every missing file found there is relinked in one undo step, and a report says
// what was relinked, what is still missing and what was found more than once (left for
// "Locate…" in the item pane). Library text is set as text only.

import { h } from "../lib/dom";
import { dialogs, ipc } from "../lib/ipc";
import type { MissingFile, MissingReport } from "../lib/types";
import { modal } from "./importer";
import { showError, toast } from "./toast";

function section(title: string, list: MissingFile[], kind: string): HTMLElement | null {
  if (list.length === 0) return null;
  const ul = h("ul", { class: "diags" });
  for (const f of list) {
    const where = f.found.length ? ` → ${f.found.join(", ")}` : "";
    const li = h("li", { class: `diag missing-${kind}`, "data-missing": kind, "data-key": f.key, text: `${f.key}: ${f.title}${where}` });
    if (f.note) li.appendChild(h("div", { class: "muted", text: f.note }));
    ul.appendChild(li);
  }
  return h("section", { "data-section": `missing-${kind}` }, h("h3", { text: `${title} (${list.length})` }), ul);
}

/** What the search found, as a dialog (nothing to say in detail: a toast). */
export function showMissingReport(r: MissingReport) {
  const summary = `${r.relinked.length} relinked, ${r.missing.length} still missing, ${r.ambiguous.length} ambiguous (${r.scanned} files searched)`;
  if (r.missing.length === 0 && r.ambiguous.length === 0 && r.notes.length === 0) {
    toast(r.relinked.length ? `${summary}. Undo takes them back.` : "No missing files.");
    return;
  }
  const body = h(
    "div",
    { class: "missing-report" },
    section("Relinked", r.relinked, "relinked"),
    section("Found more than once or changed: use Locate… on the item", r.ambiguous, "ambiguous"),
    section("Still missing", r.missing, "missing"),
    ...r.notes.map((n) => h("p", { class: "muted", text: n })),
  );
  modal("Find missing files", summary, body, "missing-report");
}

/** Pick the folder the files are in now and search it. */
export async function findMissingFiles() {
  try {
    const folder = await dialogs.pickFolder("Find missing files in…");
    if (!folder) return;
    toast(`Searching ${folder}…`);
    showMissingReport(await ipc.findMissingFiles(folder));
  } catch (e) {
    showError(e, "Find missing files");
  }
}
