// The built-in PDF viewer (pdf.js from npm, its worker bundled with the app: no CDN). It shows
// one page at a time over the window: a canvas with pdf.js's text layer on top, the words of a
// full-text hit marked in that layer (DOM nodes around the matched text, never HTML), page
// navigation, zoom and "Open in system viewer". The bytes come from the shell by attachment id
// (only the open library's PDFs); pdf.js parses them in its worker, so a hostile file cannot
// freeze the window: its error is shown, and closing the viewer ends the worker.

/// <reference types="vite/client" />
import "./viewer.css";
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";
import { h } from "../lib/dom";
import { ipc } from "../lib/ipc";
import { showError } from "./toast";

type PdfJs = typeof import("pdfjs-dist");
type PdfDoc = import("pdfjs-dist").PDFDocumentProxy;
type LoadingTask = import("pdfjs-dist").PDFDocumentLoadingTask;

/** What to open: an attachment, at a page, with words to mark. */
export interface ViewerTarget {
  attachment: number;
  title: string;
  /** 1-based; the first page when absent. */
  page?: number;
  /** Words or phrases to mark on every page shown (a full-text hit's matched words). */
  terms?: string[];
}

/** How long pdf.js may take to open a file, or to draw a page, before the viewer gives up. */
const TIMEOUT_MS = 30_000;
/** The most pixels one page's canvas gets (a huge page is drawn at a lower resolution). */
const MAX_CANVAS_PIXELS = 16 * 1024 * 1024;
const ZOOMS = [0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4];

/** `p`, or an error saying what did not happen within `ms`. */
function within<T>(p: Promise<T>, what: string, ms = TIMEOUT_MS): Promise<T> {
  let timer = 0;
  const late = new Promise<never>((_, reject) => {
    timer = window.setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

let pdfjs: Promise<PdfJs> | null = null;
/** pdf.js, loaded the first time the viewer opens (a chunk of its own). */
function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= import("pdfjs-dist").then((m) => {
    m.GlobalWorkerOptions.workerSrc = workerUrl;
    return m;
  });
  return pdfjs;
}

/** The matched words of a full-text snippet ("…the [boundary] [layer] of…"): marks separated
 * only by spaces are one phrase. */
export function termsOfSnippet(snippet: string): string[] {
  const out: string[] = [];
  const re = /\[([^\]]*)\]/g;
  let last = -1;
  for (let m = re.exec(snippet); m; m = re.exec(snippet)) {
    const between = last >= 0 ? snippet.slice(last, m.index) : null;
    if (between != null && /^\s*$/.test(between) && out.length) out[out.length - 1] += ` ${m[1]}`;
    else out.push(m[1]);
    last = re.lastIndex;
  }
  return out.filter((t) => t.trim());
}

/** Text folded for matching: compatibility forms (ligatures), no accents, lower case, and no
 * spaces or hyphens at all (a PDF's text layer splits words and lines where the index joined
 * them). */
function fold(text: string, onChar?: (folded: string, index: number) => void): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (/[\s\u00ad\-\u2010\u2011]/.test(c)) continue;
    const f = c.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
    for (const ch of f) onChar?.(ch, i);
    out += f;
  }
  return out;
}

/** Mark every occurrence of `terms` in a rendered text layer with `<mark>` elements around
 * the matched text (split text nodes). Returns how many occurrences were marked. */
export function markTerms(layer: HTMLElement, terms: string[]): number {
  const nodes: Text[] = [];
  const walker = document.createTreeWalker(layer, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
  // The page's folded text, with each folded character's node and offset.
  let hay = "";
  const at: [number, number][] = [];
  nodes.forEach((node, ni) =>
    fold(node.data, (ch, i) => {
      hay += ch;
      at.push([ni, i]);
    }),
  );
  // Pieces to wrap per node: [start, end) offsets in its text.
  const pieces = new Map<number, [number, number][]>();
  let count = 0;
  for (const term of new Set(terms.map((t) => fold(t)).filter(Boolean))) {
    for (let i = hay.indexOf(term); i >= 0; i = hay.indexOf(term, i + term.length)) {
      count++;
      for (let k = i; k < i + term.length; k++) {
        const [ni, off] = at[k];
        const list = pieces.get(ni) ?? [];
        const prev = list[list.length - 1];
        if (prev && off <= prev[1]) prev[1] = Math.max(prev[1], off + 1);
        else list.push([off, off + 1]);
        pieces.set(ni, list);
      }
    }
  }
  for (const [ni, list] of pieces) {
    // From the end, so earlier offsets stay valid while the node is split.
    for (const [start, end] of list.sort((a, b) => b[0] - a[0])) {
      const node = nodes[ni];
      const tail = node.splitText(start);
      tail.splitText(end - start);
      const mark = h("mark", { class: "viewer-mark" });
      tail.parentNode!.replaceChild(mark, tail);
      mark.appendChild(tail);
    }
  }
  return count;
}

let current: Viewer | null = null;

/** Open the viewer on an attachment (closing one already open). */
export function openViewer(t: ViewerTarget): void {
  current?.close();
  current = new Viewer(t);
  void current.load();
}

class Viewer {
  el: HTMLElement;
  private body: HTMLElement;
  private pageBox: HTMLElement;
  private pageInput: HTMLInputElement;
  private pagesLabel: HTMLElement;
  private zoomLabel: HTMLElement;
  /** Page and zoom controls: disabled until the document is open (and when it cannot be). */
  private navs: (HTMLButtonElement | HTMLInputElement)[] = [];
  private task: LoadingTask | null = null;
  private doc: PdfDoc | null = null;
  private lib: PdfJs | null = null;
  private page = 1;
  private scale = 0;
  private seq = 0;
  private cancelRender: (() => void) | null = null;
  private closed = false;
  private before: Element | null = document.activeElement;

  constructor(private t: ViewerTarget) {
    this.page = Math.max(1, t.page ?? 1);
    this.pageInput = h("input", { class: "viewer-page", type: "text", inputmode: "numeric", "aria-label": "Page", "data-input": "viewer-page", value: String(this.page) });
    this.pagesLabel = h("span", { class: "muted", "data-viewer-pages": "" });
    this.zoomLabel = h("span", { class: "viewer-zoom muted", "data-viewer-zoom": "" });
    this.pageBox = h("div", { class: "viewer-pagebox" });
    this.body = h("div", { class: "viewer-body" }, this.pageBox);
    const btn = (action: string, text: string, title: string, onclick: () => void) =>
      h("button", { class: "btn small", "data-action": action, text, title, "aria-label": title, onclick });
    const nav = (action: string, text: string, title: string, onclick: () => void) => {
      const b = btn(action, text, title, onclick);
      this.navs.push(b);
      return b;
    };
    this.navs.push(this.pageInput);
    const bar = h(
      "div",
      { class: "viewer-bar" },
      h("span", { class: "viewer-title", text: t.title, title: t.title }),
      nav("viewer-prev", "‹", "Previous page (Page Up)", () => this.go(this.page - 1)),
      this.pageInput,
      this.pagesLabel,
      nav("viewer-next", "›", "Next page (Page Down)", () => this.go(this.page + 1)),
      h("span", { class: "viewer-gap" }),
      nav("viewer-zoom-out", "−", "Zoom out (−)", () => this.zoom(-1)),
      this.zoomLabel,
      nav("viewer-zoom-in", "+", "Zoom in (+)", () => this.zoom(1)),
      nav("viewer-fit", "Fit width", "Fit the page's width", () => this.fit()),
      h("span", { class: "viewer-gap" }),
      btn("viewer-open-system", "Open in system viewer", "Open the file in the system's PDF viewer", () =>
        ipc.openAttachment(t.attachment).catch((e) => showError(e, "Open")),
      ),
      btn("viewer-close", "Close", "Close the viewer (Esc)", () => this.close()),
    );
    this.setNavs(false);
    this.el = h("div", { class: "viewer", role: "dialog", "aria-label": `PDF: ${t.title}`, "data-viewer": String(t.attachment), "data-state": "loading" }, bar, this.body);
    this.pageInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.go(Number(this.pageInput.value));
    });
    this.el.addEventListener("keydown", (e) => this.onKey(e));
    document.body.appendChild(this.el);
    this.setMessage("Opening…");
    this.el.tabIndex = -1;
    this.el.focus();
  }

  private onKey(e: KeyboardEvent) {
    const typing = e.target === this.pageInput;
    if (e.key === "Escape") this.close();
    else if (typing) return;
    else if (e.key === "PageDown" || e.key === "ArrowRight") this.go(this.page + 1);
    else if (e.key === "PageUp" || e.key === "ArrowLeft") this.go(this.page - 1);
    else if (e.key === "+" || e.key === "=") this.zoom(1);
    else if (e.key === "-") this.zoom(-1);
    else return;
    e.preventDefault();
    e.stopPropagation();
  }

  private setNavs(on: boolean) {
    for (const n of this.navs) n.disabled = !on;
  }

  private setMessage(text: string, error = false) {
    this.body.querySelector(".viewer-message")?.remove();
    if (!text) return;
    const m = h("div", { class: `viewer-message${error ? " viewer-error" : ""}`, role: error ? "alert" : "status", text });
    if (error) m.dataset.viewerError = "";
    this.body.prepend(m);
  }

  private fail(e: unknown) {
    // The first error says why (a password asked for, then the load it cancelled).
    if (this.closed || this.el.dataset.state === "error") return;
    const raw = e && typeof e === "object" && "message" in e ? String((e as { message: unknown }).message) : String(e);
    const msg = raw.replace(/[.\s]+$/, "");
    this.el.dataset.state = "error";
    this.pageBox.replaceChildren();
    // A page that cannot be drawn leaves the others reachable; a document that did not open
    // has no pages to go to or zoom.
    if (!this.doc) {
      this.setNavs(false);
      this.pageInput.value = "";
      this.pagesLabel.textContent = "";
      this.zoomLabel.textContent = "";
    }
    this.setMessage(`Cannot show this PDF: ${msg}. “Open in system viewer” may still read it.`, true);
  }

  async load() {
    try {
      const [lib, data] = await Promise.all([loadPdfJs(), ipc.attachmentPdf(this.t.attachment)]);
      if (this.closed) return;
      this.lib = lib;
      const task = lib.getDocument({ data, enableXfa: false, stopAtErrors: false });
      this.task = task;
      task.onPassword = () => {
        this.fail(new Error("it is protected by a password"));
        void task.destroy();
      };
      this.doc = await within(task.promise, "it did not open");
      if (this.closed) return;
      this.pagesLabel.textContent = `of ${this.doc.numPages}`;
      this.page = Math.min(this.page, this.doc.numPages);
      this.setNavs(true);
      await this.render();
    } catch (e) {
      this.fail(e);
      void this.task?.destroy();
    }
  }

  /** The scale at which the page fills the viewer's width. */
  private async fitScale(): Promise<number> {
    const page = await within(this.doc!.getPage(this.page), `page ${this.page} did not load`);
    const w = page.getViewport({ scale: 1 }).width;
    return Math.max(0.25, Math.min(4, (this.body.clientWidth - 40) / w));
  }

  private async fit() {
    if (!this.doc) return;
    this.scale = await this.fitScale();
    await this.render();
  }

  private zoom(dir: 1 | -1) {
    if (!this.doc) return;
    const next = dir > 0 ? ZOOMS.find((z) => z > this.scale + 0.01) : [...ZOOMS].reverse().find((z) => z < this.scale - 0.01);
    if (next == null) return;
    this.scale = next;
    void this.render();
  }

  private go(n: number) {
    if (!this.doc || !Number.isFinite(n)) return;
    const p = Math.min(Math.max(1, Math.round(n)), this.doc.numPages);
    this.pageInput.value = String(p);
    if (p === this.page && this.el.dataset.state === "ready") return;
    this.page = p;
    void this.render();
  }

  /** Draw the current page at the current scale, then its text layer with the marks. */
  private async render() {
    const seq = ++this.seq;
    this.cancelRender?.();
    const lib = this.lib!;
    try {
      if (!this.scale) this.scale = await this.fitScale();
      const page = await within(this.doc!.getPage(this.page), `page ${this.page} did not load`);
      if (seq !== this.seq || this.closed) return;
      this.el.dataset.state = "rendering";
      const viewport = page.getViewport({ scale: this.scale });
      const ratio = Math.min(window.devicePixelRatio || 1, Math.sqrt(MAX_CANVAS_PIXELS / (viewport.width * viewport.height)));
      const canvas = h("canvas", { class: "viewer-canvas" });
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      canvas.style.width = `${Math.floor(viewport.width)}px`;
      canvas.style.height = `${Math.floor(viewport.height)}px`;
      const layer = h("div", { class: "textLayer" });
      const sheet = h("div", { class: "viewer-sheet", "data-viewer-page": String(this.page) }, canvas, layer);
      sheet.style.width = `${Math.floor(viewport.width)}px`;
      sheet.style.height = `${Math.floor(viewport.height)}px`;
      sheet.style.setProperty("--scale-factor", String(this.scale));
      sheet.style.setProperty("--total-scale-factor", String(this.scale));
      sheet.style.setProperty("--scale-round-x", "1px");
      sheet.style.setProperty("--scale-round-y", "1px");
      const task = page.render({ canvas, viewport, transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined });
      const text = new lib.TextLayer({ textContentSource: page.streamTextContent(), container: layer, viewport });
      this.cancelRender = () => {
        task.cancel();
        text.cancel();
      };
      this.pageBox.replaceChildren(sheet);
      this.pageInput.value = String(this.page);
      this.zoomLabel.textContent = `${Math.round(this.scale * 100)} %`;
      await within(Promise.all([task.promise, text.render()]), `page ${this.page} was not drawn`);
      if (seq !== this.seq || this.closed) return;
      const marks = markTerms(layer, this.t.terms ?? []);
      this.el.dataset.marks = String(marks);
      this.el.dataset.page = String(this.page);
      this.el.dataset.state = "ready";
      this.setMessage("");
      layer.querySelector(".viewer-mark")?.scrollIntoView({ block: "center", inline: "nearest" });
    } catch (e) {
      // A render replaced by the next one is cancelled, not failed.
      if (seq !== this.seq || (e as { name?: string })?.name === "RenderingCancelledException") return;
      this.cancelRender?.();
      this.fail(e);
    }
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.cancelRender?.();
    void this.task?.destroy();
    this.el.remove();
    if (current === this) current = null;
    (this.before as HTMLElement | null)?.focus?.();
  }
}
