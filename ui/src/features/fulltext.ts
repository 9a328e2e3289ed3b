// What the app shows of the attachments' full text: an item's hits for the search on view
// (which file and page, a snippet with the matched words marked; a click opens the built-in
// viewer at that page), and the status bar's "Indexing 3 of 12 files…" with Cancel while the
// shell reads new files' text in the background.

import { h } from "../lib/dom";
import { ipc, onFulltextProgress } from "../lib/ipc";
import type { FulltextReport, IndexProgress, Item } from "../lib/types";
import { showError, toast } from "./toast";
import { openViewer, termsOfSnippet } from "./viewer";

/** Whether a search looks into the files' text: a `fulltext:`/`ft:` term, or any words in
 * "everything" mode. */
export function searchesText(query: string, everything: boolean): boolean {
  return /(^|[\s-])(fulltext|ft):/i.test(query) || (everything && query.trim() !== "");
}

/** A snippet as DOM: "[word]" marks a match (text nodes and `<mark>`: library text is never
 * HTML). */
function snippetNodes(snippet: string): Node[] {
  return snippet.split(/[[\]]/).map((part, i) => (i % 2 ? h("mark", { text: part }) : document.createTextNode(part)));
}

/** The pages of `it`'s files that the search matches, filled in when the shell answers. */
export function hitsSection(it: Item, query: string, everything: boolean): HTMLElement {
  const box = h("div", { class: "fulltext-hits", "data-section": "fulltext-hits" });
  ipc
    .fulltextHits(it.id, query, everything)
    .then((list) => {
      for (const hit of list) {
        const file = it.attachments.find((a) => a.id === hit.attachment);
        const pdf = file?.mime === "application/pdf" && !file.missing;
        const where = h("span", { class: "hit-where muted", text: `${hit.title}, p. ${hit.page}: ` });
        const line = h(
          pdf ? "button" : "div",
          {
            class: `hit-line${pdf ? " hit-open" : ""}`,
            "data-hit-page": String(hit.page),
            "data-hit-attachment": String(hit.attachment),
            title: pdf ? `Open ${hit.title} at page ${hit.page}` : "",
          },
          where,
          ...snippetNodes(hit.snippet),
        );
        if (pdf) {
          line.dataset.action = "open-hit";
          line.addEventListener("click", () =>
            openViewer({ attachment: hit.attachment, title: hit.title, page: hit.page, terms: termsOfSnippet(hit.snippet) }),
          );
        }
        box.appendChild(line);
      }
    })
    .catch((e) => showError(e, "Full-text hits"));
  return box;
}

/** "Open in viewer" for one of an item's PDFs (the built-in viewer, at its first page). */
export function viewerButton(a: Item["attachments"][number]): HTMLElement | null {
  if (a.mime !== "application/pdf") return null;
  return h("button", {
    class: "btn small",
    "data-action": "view-attachment",
    text: "View",
    title: "Open in Folio's viewer",
    disabled: a.missing,
    onclick: () => openViewer({ attachment: a.id, title: a.title }),
  });
}

/** The status bar's indexing indicator: hidden unless the shell is reading files' text. */
export function indexingIndicator(): HTMLElement {
  const text = h("span", { "data-indexing-text": "" });
  const cancel = h("button", {
    class: "link-btn",
    "data-action": "cancel-indexing",
    text: "Cancel",
    onclick: () => ipc.fulltextCancel().catch((e) => showError(e, "Cancel indexing")),
  });
  const el = h("span", { class: "status-indexing", "data-status": "indexing", role: "status", hidden: true }, text, cancel);
  let wasRunning = false;
  const show = (p: IndexProgress) => {
    el.hidden = !p.running;
    el.dataset.running = String(p.running);
    if (p.running) {
      text.textContent = `Indexing ${Math.min(p.done + 1, p.total).toLocaleString()} of ${p.total.toLocaleString()} file${p.total === 1 ? "" : "s"}…`;
      text.title = p.file;
    } else if (wasRunning && p.report) {
      toast(indexSummary(p.report));
    }
    if (p.error) showError({ code: "fulltext", message: p.error }, "Indexing");
    wasRunning = p.running;
  };
  void onFulltextProgress(show);
  ipc
    .fulltextProgress()
    .then((p) => {
      if (p.running) show(p);
    })
    .catch((e) => console.error("fulltext progress", e));
  return el;
}

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** What an indexing pass did, in words: the files whose text was read, those without text,
 * those that failed (the first with its reason: the item pane shows each one's). */
export function indexSummary(r: FulltextReport): string {
  const parts: string[] = [];
  if (r.indexed) parts.push(`read the text of ${count(r.indexed, "file")} (${count(r.pages, "page")})`);
  if (r.noText) parts.push(`${count(r.noText, "file")} without text (a scan or not a text format)`);
  if (r.failed) parts.push(`${count(r.failed, "file")} could not be read${r.failures[0] ? ` (${r.failures[0]}${r.failed > 1 ? ", …" : ""})` : ""}`);
  if (r.missing) parts.push(`${count(r.missing, "file")} not found`);
  if (!parts.length) parts.push(r.cancelled ? "nothing was read" : "every file's text was already indexed");
  const text = parts.join("; ");
  return r.cancelled ? `Indexing cancelled: ${text}` : text.charAt(0).toUpperCase() + text.slice(1);
}
