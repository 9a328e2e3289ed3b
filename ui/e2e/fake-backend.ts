// An in-memory stand-in for the Rust shell, answering the same commands with the same DTO
// shapes (typed with the generated wire types where it builds them), so the UI can be tested
// in a browser. Deliberately simple. Its `library-changed` scopes are the shell's
// (src-tauri/src/commands.rs), since the UI refreshes by them.

import {
  ACCESS_STATUSES,
  type AccessStatus,
  type ChangeScope,
  type Collection,
  type Creator,
  type Item,
  type Attachment,
  type ItemRow,
  type ItemType,
  type LibraryChanged,
  type SavedSearch,
  type SharedHistoryEntry,
  type Sidebar,
  type SyncConflict,
  type SyncStatus,
} from "../src/lib/types";

/** What most changes touch (the shell's `all_scopes`). */
const ALL: ChangeScope[] = ["items", "collections", "tags"];

interface FItem {
  id: number;
  key: string;
  itemType: ItemType;
  title: string;
  creators: Creator[];
  year: number | null;
  container: string;
  access: AccessStatus;
  dateAdded: string;
  tags: string[];
  collections: number[];
  abstractSections: { heading: string; text: string }[];
  extra: { name: string; value: string }[];
  fields: Record<string, string>;
  deleted: boolean;
  attachments?: Attachment[];
}

interface FColl {
  id: number;
  name: string;
  parentId: number | null;
}

interface Data {
  items: FItem[];
  collections: FColl[];
  nextId: number;
  saved: { name: string; query: string; collection: number | null }[];
}

type Args = Record<string, unknown>;

function person(family: string, given: string): Creator {
  return { role: "author", family, given, particle: "", suffix: "", literal: "" };
}

/** As the shell's labels: a command's braced argument instead of the command (enough for the tests). */
function shown(name: string): string {
  return name.replace(/\\[A-Za-z]+\{([^{}]*)\}/g, "$1");
}

export function seed(): Data {
  const mk = (id: number, key: string, title: string, fam: string, year: number, container: string, access: AccessStatus, tags: string[], collections: number[]): FItem => ({
    id,
    key,
    itemType: "article",
    title,
    creators: [person(fam, "A.")],
    year,
    container,
    access,
    dateAdded: `2026-11-0${id}T10:00:00Z`,
    tags,
    collections,
    abstractSections: [
      { heading: "Purpose", text: `Why ${title}.` },
      { heading: "Findings", text: "Things were found." },
    ],
    extra: [{ name: "publisher-id", value: `X${id}` }],
    fields: { title },
    deleted: false,
  });
  return {
    items: [
      mk(1, "flores2022", "Co-creation in integrated public services", "Flores", 2022, "Transforming Government", "restricted", ["co-creation", "e-government"], [1]),
      mk(2, "jaspers2019", "Temporary use of vacant spaces", "Jaspers", 2019, "Public Management Review", "open", ["co-production"], [2]),
      mk(3, "steen2020", "Public value and co-production", "Steen", 2020, "Public Administration", "free", ["co-production", "public value"], []),
      mk(4, "virkar2021", "Interoperability frameworks", "Virkar", 2021, "Government Information Quarterly", "unknown", [], [1]),
    ],
    collections: [
      { id: 1, name: "Thesis", parentId: null },
      { id: 2, name: "Chapter 2", parentId: 1 },
    ],
    nextId: 100,
    saved: [
      { name: "Public", query: "public", collection: null },
      { name: "Recent in Thesis", query: "year:202", collection: 1 },
    ],
  };
}

/** A small, valid PDF with one line of Helvetica text per page (for pdf.js in the viewer). */
export function makePdf(pages: string[]): Uint8Array {
  const objs: string[] = [];
  const kids = pages.map((_, i) => `${4 + i * 2} 0 R`).join(" ");
  objs.push("<< /Type /Catalog /Pages 2 0 R >>");
  objs.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  objs.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  for (const [i, text] of pages.entries()) {
    const esc = text.replace(/[\\()]/g, (c) => `\\${c}`);
    const stream = `BT /F1 18 Tf 72 700 Td (${esc}) Tj ET`;
    objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + i * 2} 0 R >>`);
    objs.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  }
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}

export class FakeBackend {
  data: Data = seed();
  undoStack: { label: string; data: string }[] = [];
  redoStack: { label: string; data: string }[] = [];
  calls: { cmd: string; args: Args }[] = [];
  /** Files the fake "file system" knows: path -> items to import (or an error diagnostic). */
  files: Record<string, { title: string; access?: AccessStatus; doi?: string }[] | { error: string; line: number } | { slow: number }> = {};
  /** What the app wrote to the clipboard (through the clipboard plugin). */
  clipboard = "";
  /** Set by import_cancel while a slow import runs. */
  cancelled = false;
  importing = false;
  autoExports: { path: string; format: string; scope: Record<string, unknown>; ascii: boolean | null; omitFields: string[]; lastRunAt: string | null; items: number | null; lastError: string | null }[] = [];
  /** .aux files: path -> cited keys. */
  aux: Record<string, string[]> = {};
  registeredAux: string[] = [];
  /** Keys that a paper depends on -> why. */
  protectedKeys: Record<string, string> = {};
  savePath = "/tmp/folio-export.bib";
  /** What `library_status` answers (the harness starts it as `?library=upgrading`). */
  server = { enabled: true, port: 23119, allowWrites: false };
  selectionReported: unknown = null;
  /** How long `list_page` takes (ms): a slow library, for races between searches. */
  listDelayMs = 0;
  /** What the picker answered (cayw_answer), for the picker tests. */
  picked: unknown[] | null = null;
  status: Record<string, unknown> = { state: "ready", path: "/home/test/.local/share/folio/library.sqlite", fromVersion: null, toVersion: null, code: null, message: null, elapsedMs: 5 };
  openPaths: string[] = [];
  /** The shared library (issue 27): where the sync stands, the conflicts, items' histories. */
  sync: SyncStatus = { state: "off", server: null, library: null, author: null, outbox: 0, conflicts: 0, offlineSince: null, lastError: null, lastSync: null, serverVersion: 0 };
  conflicts: SyncConflict[] = [];
  sharedHistory: Record<string, SharedHistoryEntry[]> = {};
  /** The PDF `attachment_pdf` sends (null: a 5-page PDF whose page 3 holds the hit). */
  pdf: Uint8Array | null = null;
  /** Where the background indexing stands (`fulltext_progress`, `fulltext-progress`). */
  indexing: Record<string, unknown> = { running: false, done: 0, total: 0, file: "", report: null, error: null };

  /** The shell's indexer reports progress. */
  setIndexing(p: Record<string, unknown>) {
    this.indexing = { ...this.indexing, ...p };
    void this.emit("fulltext-progress", this.indexing);
  }

  /** What `remote_connect` fails with, when set (the error is the server's text). */
  connectError: { code: string; message: string } | null = null;

  /** The shell sends `sync-status`. */
  setSync(s: Partial<SyncStatus>) {
    this.sync = { ...this.sync, ...s };
    void this.emit("sync-status", this.sync);
  }

  constructor(private emit: (event: string, payload: unknown) => Promise<void>) {}

  /** The open (an upgrade) ends: ready, or failed with `error`. */
  finishOpen(error?: { code: string; message: string }) {
    this.status = { ...this.status, state: error ? "failed" : "ready", code: error?.code ?? null, message: error?.message ?? null };
    void this.emit("library-status", this.status);
  }

  reset(d?: Data) {
    this.data = d ?? seed();
    this.undoStack = [];
    this.redoStack = [];
    this.calls = [];
  }

  private collPath(id: number): string {
    const c = this.data.collections.find((x) => x.id === id)!;
    return c.parentId == null ? c.name : `${this.collPath(c.parentId)}/${c.name}`;
  }

  private collByPath(path: string): FColl {
    const c = this.data.collections.find((x) => this.collPath(x.id) === path);
    if (!c) throw { code: "not-found", message: `no collection ${path}` };
    return c;
  }

  private descendants(id: number): number[] {
    const kids = this.data.collections.filter((c) => c.parentId === id).map((c) => c.id);
    return [id, ...kids.flatMap((k) => this.descendants(k))];
  }

  private filtered(f: Args): FItem[] {
    const tags = (f.tags as string[]) ?? [];
    const access = (f.access as string[]) ?? [];
    const q = String(f.query ?? "").trim().toLowerCase();
    if (q.includes('"') && q.split('"').length % 2 === 0) throw { code: "invalid-query", message: "search: unbalanced quote" };
    let within: number[] | null = null;
    if (f.collection != null) within = this.descendants(f.collection as number);
    return this.data.items.filter((it) => {
      if (!!f.trash !== it.deleted) return false;
      if (f.unfiled && it.collections.length) return false;
      if (within && !it.collections.some((c) => within!.includes(c))) return false;
      if (tags.some((t) => !it.tags.some((x) => x.toLowerCase() === t.toLowerCase()))) return false;
      if (access.length && !access.includes(it.access)) return false;
      if (q) {
        for (const term of q.split(/\s+/)) {
          const [field, val] = term.includes(":") ? term.split(":", 2) : ["", term];
          const hay = field === "title" ? it.title : field === "year" ? String(it.year) : field === "author" ? it.creators.map((c) => c.family).join(" ") : `${it.title} ${it.container} ${it.key} ${it.creators.map((c) => c.family).join(" ")}`;
          if (!hay.toLowerCase().includes(val)) return false;
        }
      }
      return true;
    });
  }

  private sorted(items: FItem[], s: Args): FItem[] {
    const col = String(s.column || "title");
    const get = (it: FItem): string | number =>
      col === "year" ? it.year ?? 0 : col === "creators" ? it.creators[0]?.family ?? "" : col === "key" ? it.key : col === "access" ? it.access : col === "container" ? it.container : col === "added" ? it.dateAdded : it.title.toLowerCase();
    const out = [...items].sort((a, b) => (get(a) < get(b) ? -1 : get(a) > get(b) ? 1 : 0));
    return s.descending ? out.reverse() : out;
  }

  private row(it: FItem): ItemRow {
    return {
      id: it.id,
      key: it.key,
      itemType: it.itemType,
      title: it.title,
      creators: it.creators.map((c) => c.family || c.literal).join(", "),
      year: it.year,
      container: it.container,
      access: it.access,
      dateAdded: it.dateAdded,
    };
  }

  private item(id: number): Item {
    const it = this.data.items.find((x) => x.id === id);
    if (!it) throw { code: "not-found", message: `no item with id ${id}` };
    const fields = ["title", "subtitle", "shorttitle", "container", "series", "volume", "issue", "pages", "edition", "publisher", "place", "institution", "doi", "issn", "isbn", "url", "language", "genre", "note"].map((name) => ({
      name,
      value: name === "title" ? it.title : name === "container" ? it.container : it.fields[name] ?? "",
    }));
    return {
      id: it.id,
      key: it.key,
      itemType: it.itemType,
      fields,
      date: it.year == null ? "" : String(it.year),
      year: it.year,
      creators: it.creators,
      abstractSections: it.abstractSections,
      abstractText: it.abstractSections.map((s) => `${s.heading}\n${s.text}`).join("\n\n"),
      tags: it.tags.map((name) => ({ name, label: shown(name), source: "import" })),
      access: it.access,
      accessSource: "test",
      extra: it.extra,
      collections: it.collections.map((c) => this.collPath(c)),
      inTrash: it.deleted,
      dateAdded: it.dateAdded,
      dateModified: it.dateAdded,
      attachments: it.attachments ?? [],
    };
  }

  private saved(): SavedSearch[] {
    return [...this.data.saved]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => ({ ...s, collectionPath: s.collection == null ? null : this.collPath(s.collection) }));
  }

  private tree(parent: number | null): Collection[] {
    return this.data.collections
      .filter((c) => c.parentId === parent)
      .map((c) => ({
        id: c.id,
        name: c.name,
        path: this.collPath(c.id),
        parentId: c.parentId,
        items: this.data.items.filter((i) => !i.deleted && i.collections.includes(c.id)).length,
        children: this.tree(c.id),
      }));
  }

  private mutate<T>(label: string, scopes: ChangeScope[], f: () => T): T {
    const before = JSON.stringify(this.data);
    const r = f();
    this.undoStack.push({ label, data: before });
    this.redoStack = [];
    this.changed(scopes, label);
    return r;
  }

  private register(aux: string, action: string) {
    if (!this.registeredAux.includes(aux)) this.registeredAux.push(aux);
    for (const k of this.aux[aux] ?? []) this.protectedKeys[k] = `cited in ${aux}`;
    this.changed(["auto-exports"], action);
  }

  private changed(scopes: ChangeScope[], action: string) {
    const payload: LibraryChanged = { scopes, action };
    void this.emit("library-changed", payload);
  }

  private byKeys(keys: string[]): FItem[] {
    return keys.map((k) => {
      const it = this.data.items.find((i) => i.key === k);
      if (!it) throw { code: "not-found", message: `no item with key ${k}` };
      return it;
    });
  }

  private mergeInto(keep: FItem, others: FItem[], choices: { field: string; value: string }[]) {
    const conflicts: { key: string; field: string; kept: string; other: string }[] = [];
    const get = (it: FItem, f: string) => (f === "title" ? it.title : f === "container" ? it.container : f === "date" ? (it.year == null ? "" : String(it.year)) : (it.fields[f] ?? ""));
    const set = (it: FItem, f: string, v: string) => {
      if (f === "title") it.title = v;
      else if (f === "container") it.container = v;
      else if (f === "date" || f === "year") it.year = v ? parseInt(v, 10) : null;
      else if (f === "access") it.access = v as AccessStatus;
      else it.fields[f] = v;
    };
    for (const o of others) {
      for (const f of new Set(["title", "container", "date", ...Object.keys(o.fields)])) {
        const mine = get(keep, f);
        const theirs = get(o, f);
        if (!theirs) continue;
        if (!mine) set(keep, f, theirs);
        else if (mine.toLowerCase() !== theirs.toLowerCase()) conflicts.push({ key: o.key, field: f, kept: mine, other: theirs });
      }
      for (const t of o.tags) if (!keep.tags.includes(t)) keep.tags.push(t);
      for (const c of o.collections) if (!keep.collections.includes(c)) keep.collections.push(c);
      o.deleted = true;
    }
    for (const c of choices) set(keep, c.field, c.value);
    return { kept: keep.key, merged: others.map((o) => o.key), conflicts };
  }

  async handle(cmd: string, a: Args): Promise<unknown> {
    this.calls.push({ cmd, args: a });
    // After Select all, actions name every row of a filter instead of keys (as the shell does).
    if (a && a.filter && Array.isArray(a.keys) && cmd !== "list_page" && cmd !== "list_keys") {
      a = { ...a, keys: this.sorted(this.filtered(a.filter as Args), { column: "title" }).map((i) => i.key) };
    }
    const live = this.data.items.filter((i) => !i.deleted);
    switch (cmd) {
      case "library_status":
        return this.status;
      case "sidebar": {
        const tags = new Map<string, number>();
        for (const it of live) for (const t of it.tags) tags.set(t, (tags.get(t) ?? 0) + 1);
        const sidebar: Sidebar = {
          libraryPath: "/home/test/.local/share/folio/library.sqlite",
          total: live.length,
          unfiled: live.filter((i) => !i.collections.length).length,
          trash: this.data.items.length - live.length,
          collections: this.tree(null),
          tags: [...tags].sort().map(([name, items]) => ({ name, label: shown(name), items, imported: items })),
          access: ACCESS_STATUSES.map((status) => ({ status, items: live.filter((i) => i.access === status).length })),
          saved: this.saved(),
        };
        return sidebar;
      }
      case "list_page": {
        if (this.listDelayMs) await new Promise((r) => setTimeout(r, this.listDelayMs));
        const all = this.sorted(this.filtered(a.filter as Args), a.sort as Args);
        const off = a.offset as number;
        return { total: all.length, offset: off, rows: all.slice(off, off + (a.limit as number)).map((i) => this.row(i)) };
      }
      case "list_keys":
        return this.sorted(this.filtered(a.filter as Args), a.sort as Args).map((i) => i.key);
      case "get_item":
        return this.item(a.id as number);
      case "attach_files": {
        const it = this.data.items.find((x) => x.id === a.id)!;
        return this.mutate(`Attach to ${it.key}`, ["items"], () => {
          it.attachments ??= [];
          for (const p of a.paths as string[]) {
            const title = p.split("/").pop()!;
            const missing = /^(gone|moved|twice)/.test(title);
            it.attachments.push({ id: this.data.nextId++, title, kind: a.link ? "linked" : "stored", file: p, mime: title.endsWith(".pdf") ? "application/pdf" : "text/plain", bytes: 123456, pages: missing ? null : 12, fulltext: missing || title.endsWith(".txt") ? "pending" : "indexed", fulltextError: null, missing });
          }
          return this.item(it.id);
        });
      }
      case "detach_attachment": {
        const it = this.data.items.find((x) => x.id === a.id)!;
        return this.mutate(`Detach from ${it.key}`, ["items"], () => {
          it.attachments = (it.attachments ?? []).filter((x) => x.id !== a.attachment);
          return this.item(it.id);
        });
      }
      case "open_attachment":
        return null;
      case "locate_attachment": {
        const it = this.data.items.find((x) => x.id === a.id)!;
        const att = (it.attachments ?? []).find((x) => x.id === a.attachment);
        if (!att) throw { code: "not-found", message: `${it.key} has no attachment ${a.attachment}` };
        return this.mutate(`Locate ${att.title} of ${it.key}`, ["items"], () => {
          att.file = String(a.path);
          att.missing = false;
          const warning = String(a.path).includes("other") ? `${att.title}: the file's content differs from the one attached; relinked anyway` : null;
          return { item: this.item(it.id), warning };
        });
      }
      case "find_missing_files": {
        const folder = String(a.folder);
        const relinked: unknown[] = [];
        const missing: unknown[] = [];
        const ambiguous: unknown[] = [];
        const found = () => {
          for (const it of this.data.items) {
            for (const att of it.attachments ?? []) {
              if (!att.missing) continue;
              const entry = { key: it.key, title: att.title, was: att.file, found: [] as string[], note: null as string | null };
              // The fake's rule: a file named "twice…" is found twice, "gone…" nowhere.
              if (att.title.startsWith("twice")) ambiguous.push({ ...entry, found: [`${folder}/a/${att.title}`, `${folder}/b/${att.title}`], note: "found in several places" });
              else if (att.title.startsWith("gone")) missing.push(entry);
              else {
                att.missing = false;
                att.file = `${folder}/${att.title}`;
                relinked.push({ ...entry, found: [att.file] });
              }
            }
          }
          return { relinked, missing, ambiguous, scanned: 42, notes: [] };
        };
        return this.mutate("Relink missing files", ["items"], found);
      }
      case "fulltext_hits": {
        const it = this.data.items.find((x) => x.id === a.id)!;
        const pdf = (it.attachments ?? []).find((x) => x.fulltext === "indexed");
        const searchesText = /ft:|fulltext:/.test(String(a.query)) || (a.everything === true && String(a.query).trim() !== "");
        if (!pdf || !searchesText) return [];
        return [{ attachment: pdf.id, title: pdf.title, page: 3, snippet: "…the <b>co-produced</b> [value] of public services…" }];
      }
      case "attachment_pdf": {
        const all = this.data.items.flatMap((x) => x.attachments ?? []);
        const f = all.find((x) => x.id === a.attachment);
        if (!f) throw { code: "invalid-input", message: `no attachment ${a.attachment}` };
        if (f.mime !== "application/pdf") throw { code: "invalid-input", message: `${f.title} is not a PDF` };
        const bytes = this.pdf ?? makePdf(["Steen 2020: page one", "Page two is about co-production", "The co-produced value of public services", "Page four", "Page five"]);
        return bytes.slice().buffer;
      }
      case "fulltext_start":
        this.setIndexing({ running: true, done: 0, total: 12, file: "Steen 2020.pdf", report: null });
        return null;
      case "fulltext_cancel": {
        const was = this.indexing.running === true;
        this.setIndexing({ running: false, report: { indexed: Number(this.indexing.done), noText: 0, failed: 0, missing: 0, pages: 40, failures: [], cancelled: true } });
        return was;
      }
      case "fulltext_progress":
        return this.indexing;
      case "fulltext_index":
        return { indexed: 0, noText: 0, failed: 0, missing: 0, pages: 0, failures: [], cancelled: false };
      case "edit_field": {
        const it = this.data.items.find((x) => x.id === a.id)!;
        const field = a.field as string;
        const value = a.value as string;
        if ((field === "year" || field === "date") && value && !/^\d+$/.test(value)) throw { code: "invalid-input", message: `${it.key}: year must be a number, got "${value}"` };
        if (field === "key" && value !== it.key && this.protectedKeys[it.key] && !a.force) {
          throw { code: "protected-key", message: `changing these citation keys would break a paper: ${it.key} (${this.protectedKeys[it.key]}); confirm with --force`, protected: [{ key: it.key, reason: this.protectedKeys[it.key] }] };
        }
        return this.mutate(`Edit ${it.key}`, ["items"], () => {
          if (field === "title") it.title = value;
          else if (field === "container") it.container = value;
          else if (field === "year" || field === "date") it.year = value ? parseInt(value, 10) : null;
          else if (field === "key") it.key = value;
          else it.fields[field] = value;
          return this.item(it.id);
        });
      }
      case "set_creators": {
        const it = this.data.items.find((x) => x.id === a.id)!;
        return this.mutate(`Edit ${it.key}`, ["items"], () => {
          it.creators = a.creators as FItem["creators"];
          return this.item(it.id);
        });
      }
      case "set_access":
        return this.mutate("Set access", ["items"], () => {
          const items = this.byKeys(a.keys as string[]);
          for (const it of items) it.access = a.status as AccessStatus;
          return items.length;
        });
      case "tag_add":
        return this.mutate("Tag", ["items", "tags"], () => {
          let n = 0;
          for (const it of this.byKeys(a.keys as string[])) if (!it.tags.includes(a.tag as string)) (it.tags.push(a.tag as string), n++);
          return n;
        });
      case "tag_remove":
        return this.mutate("Untag", ["items", "tags"], () => {
          for (const it of this.byKeys(a.keys as string[])) it.tags = it.tags.filter((t) => t !== a.tag);
          return 1;
        });
      case "collection_add":
        return this.mutate("Add to collection", ALL, () => {
          const c = this.collByPath(a.path as string);
          let n = 0;
          for (const it of this.byKeys(a.keys as string[])) if (!it.collections.includes(c.id)) (it.collections.push(c.id), n++);
          return n;
        });
      case "collection_remove":
        return this.mutate("Remove from collection", ALL, () => {
          const c = this.collByPath(a.path as string);
          for (const it of this.byKeys(a.keys as string[])) it.collections = it.collections.filter((x) => x !== c.id);
          return (a.keys as string[]).length;
        });
      case "search_save":
        return this.mutate(`Saved search ${a.name}`, ["collections"], () => {
          const collection = a.collection ? this.collByPath(a.collection as string).id : null;
          this.data.saved = this.data.saved.filter((s) => s.name !== a.name);
          this.data.saved.push({ name: a.name as string, query: a.query as string, collection });
          return null;
        });
      case "search_delete":
        return this.mutate(`Deleted saved search ${a.name}`, ["collections"], () => {
          this.data.saved = this.data.saved.filter((s) => s.name !== a.name);
          return null;
        });
      case "collection_create":
        return this.mutate("New collection", ["collections"], () => {
          const parent = a.parent ? this.collByPath(a.parent as string).id : null;
          const id = this.data.nextId++;
          this.data.collections.push({ id, name: a.name as string, parentId: parent });
          return id;
        });
      case "collection_rename":
        return this.mutate("Rename collection", ["collections", "items"], () => {
          this.collByPath(a.path as string).name = a.name as string;
        });
      case "collection_move":
        return this.mutate("Move collection", ["collections", "items"], () => {
          this.collByPath(a.path as string).parentId = a.parent ? this.collByPath(a.parent as string).id : null;
        });
      case "collection_delete":
        return this.mutate("Delete collection", ALL, () => {
          const c = this.collByPath(a.path as string);
          this.data.collections = this.data.collections.filter((x) => x.id !== c.id);
        });
      case "delete_items":
        return this.mutate("Delete", ALL, () => {
          for (const it of this.byKeys(a.keys as string[])) it.deleted = true;
          return (a.keys as string[]).length;
        });
      case "restore_items":
        return this.mutate("Restore", ALL, () => {
          for (const it of this.byKeys(a.keys as string[])) it.deleted = false;
          return (a.keys as string[]).length;
        });
      case "new_item":
        return this.mutate("New item", ALL, () => {
          const id = this.data.nextId++;
          this.data.items.push({ ...seed().items[3], id, key: `untitled${id}`, title: "Untitled", tags: [], collections: [], abstractSections: [], extra: [] });
          return id;
        });
      case "undo":
      case "redo": {
        const from = cmd === "undo" ? this.undoStack : this.redoStack;
        const to = cmd === "undo" ? this.redoStack : this.undoStack;
        const step = from.pop();
        if (!step) throw { code: "nothing-to", message: `nothing to ${cmd}` };
        to.push({ label: step.label, data: JSON.stringify(this.data) });
        this.data = JSON.parse(step.data);
        this.changed(ALL, `${cmd}: ${step.label}`);
        return step.label;
      }
      case "import_cancel": {
        const was = this.importing;
        this.cancelled = this.importing;
        return was;
      }
      case "import_files":
      case "import_text": {
        const paths = cmd === "import_files" ? (a.paths as string[]) : ["clipboard"];
        const policy = String(a.duplicates ?? "skip");
        const ch = a.onProgress as { onmessage?: (p: unknown) => void } | undefined;
        // PDFs become references with their files (as the shell's PDF import reports them).
        const pdfPaths = paths.filter((p) => p.toLowerCase().endsWith(".pdf"));
        const files = paths.filter((p) => !pdfPaths.includes(p)).map((p) => {
          const spec = cmd === "import_text" ? [{ title: String(a.text).trim().slice(0, 60) }] : this.files[p];
          if (!spec) throw { code: "io", message: `${p}: No such file or directory (os error 2)` };
          return { p, spec };
        });
        // A slow import: progress in steps until done or cancelled (then nothing changes).
        for (const f of files) {
          const spec = f.spec as { slow?: number };
          if (!Array.isArray(f.spec) && spec.slow) {
            this.importing = true;
            this.cancelled = false;
            const n = spec.slow;
            const total = n * 100;
            try {
              for (let i = 0; i <= 40; i++) {
                await new Promise((r) => setTimeout(r, 50));
                if (this.cancelled) throw { code: "cancelled", message: "import cancelled; the library is unchanged" };
                ch?.onmessage?.({ done: Math.round((total * i) / 40), total, entries: Math.round((n * i) / 40) });
              }
            } finally {
              this.importing = false;
            }
            f.spec = Array.from({ length: Math.min(n, 20) }, (_, i) => ({ title: `Generated entry ${i}` }));
          }
        }
        const coll = a.collection ? this.collByPath(a.collection as string) : null;
        return this.mutate(`Import ${paths.length} file(s)`, ALL, () => {
          const reports = files.map(({ p, spec }) => {
            if (!Array.isArray(spec)) {
              const bad = spec as { error: string; line: number };
              return { path: p, format: "bibtex", encoding: "UTF-8", entries: 0, added: 0, duplicates: 0, errors: 1, keys: [], repairs: [], decisions: [], diagnostics: [{ severity: "error", line: bad.line, message: bad.error }] };
            }
            const keys: string[] = [];
            const decisions: unknown[] = [];
            let dup = 0;
            spec.forEach((s, i) => {
              const existing = this.data.items.find((x) => !x.deleted && (x.title === s.title || (s.doi && x.fields.doi === s.doi)));
              if (existing) {
                dup++;
                const action = policy === "keep" ? "kept" : policy === "merge" ? "merged" : "skipped";
                decisions.push({ line: i * 5 + 1, entryKey: `entry${i}`, title: s.title, existingKey: existing.key, reason: s.doi ? "same DOI" : "same title, year and first author", action });
                if (policy !== "keep") return;
              }
              const id = this.data.nextId++;
              const key = `imported${id}`;
              keys.push(key);
              this.data.items.push({ ...seed().items[0], id, key, title: s.title, access: s.access ?? "unknown", tags: [], collections: coll ? [coll.id] : [], creators: [person("Imported", "I.")], fields: { title: s.title, ...(s.doi ? { doi: s.doi } : {}) } });
              ch?.onmessage?.({ done: i + 1, total: spec.length, entries: i + 1 });
            });
            return { path: p, format: p.endsWith(".ris") ? "ris" : "bibtex", encoding: "UTF-8", entries: spec.length, added: keys.length, duplicates: dup, errors: 0, keys, repairs: [], decisions, diagnostics: [] };
          });
          const pdfs = pdfPaths.map((p) => {
            const id = this.data.nextId++;
            const title = "Stressful life events are not associated with the development of dementia";
            const key = `sundstrom${id}`;
            this.data.items.push({ ...seed().items[0], id, key, title, year: 2014, tags: [], collections: coll ? [coll.id] : [], creators: [person("Sundström", "Anna")], fields: { title, doi: "10.1017/S1041610213001804" }, attachments: [{ id: this.data.nextId++, title: p.split("/").pop()!, kind: "stored", file: p, mime: "application/pdf", bytes: 194431, pages: 8, fulltext: "indexed", fulltextError: null, missing: false }] });
            return {
              path: p,
              key,
              attachedBecause: null,
              pages: 8,
              needsReview: false,
              fields: [
                { field: "title", value: title, source: "layout of page 1", uncertain: false },
                { field: "authors", value: "Sundström, Anna", source: "layout of page 1", uncertain: true },
                { field: "doi", value: "10.1017/S1041610213001804", source: "printed on page 1", uncertain: false },
              ],
              notes: ["the authors is a guess from the page layout or text"],
            };
          });
          return {
            added: reports.reduce((n, r) => n + r.added, 0) + pdfs.length,
            duplicates: reports.reduce((n, r) => n + r.duplicates, 0),
            errors: reports.reduce((n, r) => n + r.errors, 0),
            files: reports,
            pdfs,
          };
        });
      }
      case "duplicates": {
        const groups: { reason: string; kind: string; identifier: boolean; confidence: number; keys: string[] }[] = [];
        const byDoi = new Map<string, string[]>();
        for (const it of live) if (it.fields.doi) byDoi.set(it.fields.doi, [...(byDoi.get(it.fields.doi) ?? []), it.key]);
        for (const keys of byDoi.values()) if (keys.length > 1) groups.push({ reason: "same DOI", kind: "duplicate", identifier: true, confidence: 1, keys });
        const byTitle = new Map<string, string[]>();
        for (const it of live) if (!it.fields.doi) byTitle.set(it.title.toLowerCase(), [...(byTitle.get(it.title.toLowerCase()) ?? []), it.key]);
        for (const keys of byTitle.values()) if (keys.length > 1) groups.push({ reason: "similar title, same first author", kind: "suggestion", identifier: false, confidence: 0.8, keys });
        return groups;
      }
      case "duplicate_count":
        return ((await this.handle("duplicates", {})) as unknown[]).length;
      case "items_by_keys":
        return this.byKeys(a.keys as string[]).map((it) => this.item(it.id));
      case "merge_items": {
        const keep = this.byKeys([a.keep as string])[0];
        const others = this.byKeys(a.others as string[]);
        return this.mutate(`Merge ${others.map((o) => o.key).join(", ")} into ${keep.key}`, ALL, () => this.mergeInto(keep, others, a.choices as { field: string; value: string }[]));
      }
      case "merge_exact":
        return this.mutate("Merge duplicate groups", ALL, () => {
          const out = [];
          const byDoi = new Map<string, FItem[]>();
          for (const it of this.data.items.filter((i) => !i.deleted && i.fields.doi)) byDoi.set(it.fields.doi, [...(byDoi.get(it.fields.doi) ?? []), it]);
          for (const g of byDoi.values()) if (g.length > 1) out.push(this.mergeInto(g[0], g.slice(1), []));
          return out;
        });
      case "auto_exports":
        return this.autoExports;
      case "auto_export_add": {
        const e = a.export as { path: string; format: string; scope: Record<string, unknown>; ascii: boolean | null; omitFields: string[] };
        if (!e.path) throw { code: "invalid-input", message: "choose a file to export to" };
        if (this.autoExports.some((x) => x.path === e.path)) throw { code: "conflict", message: `${e.path} is already an auto-export target` };
        const n = live.length;
        this.autoExports.push({ ...e, scopeLabel: e.scope.kind === "library" ? "the whole library" : `${e.scope.kind} ${e.scope.name ?? e.scope.status ?? e.scope.collectionId}`, lastRunAt: "2026-11-28T10:00:00Z", items: n, lastError: null } as never);
        this.changed(["auto-exports"], `Auto-export to ${e.path}`);
        return { path: e.path, items: n, written: true, error: null };
      }
      case "auto_export_remove":
        this.autoExports = this.autoExports.filter((x) => x.path !== a.path);
        this.changed(["auto-exports"], "Removed auto-export");
        return null;
      case "auto_export_run":
        return this.autoExports.map((x) => ({ path: x.path, items: x.items ?? 0, written: false, error: x.lastError }));
      case "saved_searches":
        return this.saved();
      case "aux_read": {
        const p = String(a.path).replace(/\.tex$/, ".aux");
        const cited = this.aux[p];
        if (!cited) throw { code: "io", message: `${p}: No such file or directory (os error 2)` };
        const have = cited.filter((k) => live.some((i) => i.key === k));
        return { aux: p, keys: have, missing: cited.filter((k) => !have.includes(k)), registered: this.registeredAux.includes(p) };
      }
      case "export_aux": {
        const p = String(a.path).replace(/\.tex$/, ".aux");
        const n = (this.aux[p] ?? []).filter((k) => live.some((i) => i.key === k)).length;
        // As the shell: the .aux is registered too unless `register` is false.
        if (n && a.register !== false) this.register(p, "Registered the .aux");
        return { items: n, written: true, diagnostics: [] };
      }
      case "aux_register": {
        const p = String(a.path).replace(/\.tex$/, ".aux");
        this.register(p, `Registered ${p}`);
        return null;
      }
      case "protected_keys":
        return Object.entries(this.protectedKeys).map(([key, reason]) => ({ key, reason }));
      case "regenerate_keys": {
        const keys = a.keys as string[];
        const prot = keys.filter((k) => this.protectedKeys[k]);
        if (prot.length && !a.force) throw { code: "protected-key", message: "changing these citation keys would break a paper", protected: prot.map((key) => ({ key, reason: this.protectedKeys[key] })) };
        return this.mutate("Regenerate keys", ["items"], () =>
          this.byKeys(keys).map((it) => {
            const old = it.key;
            it.key = `${(it.creators[0]?.family ?? "anon").toLowerCase()}${it.year ?? ""}`;
            return [old, it.key];
          }),
        );
      }
      case "fix_keys": {
        // Like the core: characters LaTeX tools reject are dropped; valid keys stay.
        const keys = a.keys as string[];
        const bad = keys.filter((k) => /[^A-Za-z0-9:_.\-+\/]/.test(k));
        const prot = bad.filter((k) => this.protectedKeys[k]);
        if (prot.length && !a.force) throw { code: "protected-key", message: "changing these citation keys would break a paper", protected: prot.map((key) => ({ key, reason: this.protectedKeys[key] })) };
        return this.mutate("Fix keys", ["items"], () => ({
          renamed: this.byKeys(bad).map((it) => {
            const old = it.key;
            it.key = old.replace(/[^A-Za-z0-9:_.\-+\/]/g, "");
            return [old, it.key];
          }),
          relinked: [],
        }));
      }
      case "format_references": {
        const style = String(a.style);
        return this.byKeys(a.keys as string[])
          .map((it, i) => {
            const au = `${it.creators[0]?.family ?? ""}, ${it.creators[0]?.given ?? ""}`;
            if (style === "ieee") return `[${i + 1}] ${it.creators[0]?.given ?? ""} ${it.creators[0]?.family}, “${it.title},” ${it.container}, ${it.year}.`;
            if (style === "apa") return `${au} (${it.year}). ${it.title}. ${it.container}.`;
            return `${au} ${it.year}. “${it.title}.” ${it.container}. [${style}]`;
          })
          .join("\n");
      }
      case "export_file": {
        const sel = a.selection as { keys: string[]; filter: Args };
        const n = sel.keys.length ? sel.keys.length : this.filtered(sel.filter).length;
        return { items: n, written: true, diagnostics: [] };
      }
      case "export_text":
        return (a.selection as { keys: string[] }).keys.map((k) => `@article{${k},\n}\n`).join("\n");
      case "open_library":
        this.changed(["library", ...ALL], `Opened ${a.path}`);
        return a.path;
      case "selection_changed":
        this.selectionReported = { keys: a.keys, filter: a.filter };
        return null;
      case "server_status":
        return { settings: this.server, port: this.server.enabled ? this.server.port : null, fallbackFrom: null, error: null, stylesFolder: "/home/researcher/.config/folio/styles" };
      case "server_configure":
        this.server = a.settings as typeof this.server;
        return { settings: this.server, port: this.server.enabled ? this.server.port : null, fallbackFrom: null, error: null, stylesFolder: "/home/researcher/.config/folio/styles" };
      case "cayw_answer":
        this.picked = (a.picked as unknown[] | null) ?? null;
        return false;
      case "locator_labels":
        return [
          { label: "page", short: "p." },
          { label: "chapter", short: "ch." },
          { label: "section", short: "sec." },
        ];
      case "cite_styles":
        return [
          { name: "nature", title: "Nature" },
          { name: "modern-language-association", title: "Modern Language Association 9th edition" },
        ];
      case "check_style":
        if (String(a.style).endsWith(".csl")) throw { code: "invalid-input", message: `${a.style}: cannot read the style file` };
        return String(a.style);
      case "share_defaults":
        return { libraryName: "library", author: "tester@machine" };
      case "remote_connect": {
        if (this.connectError) throw this.connectError;
        const url = String(a.url);
        const server = url.replace(/:\/\/([^:@/]*):[^@]*@/, "://$1@");
        this.setSync({ state: "syncing", server, library: String(a.libraryName), author: String(a.author), outbox: 3, lastError: null });
        return this.sync;
      }
      case "remote_disconnect":
        this.setSync({ state: "off", server: null, library: null, author: null, outbox: 0, conflicts: 0 });
        return this.sync;
      case "sync_status":
      case "sync_now":
        return this.sync;
      case "sync_conflicts":
        return this.conflicts;
      case "resolve_conflict": {
        const c = this.conflicts.find((x) => x.uuid === a.uuid && x.field === a.field);
        if (!c) throw { code: "not-found", message: `no conflict on ${a.field} of ${a.uuid}` };
        this.conflicts = this.conflicts.filter((x) => x !== c);
        const it = this.data.items.find((i) => i.key === c.name);
        if (it && a.take === "theirs" && c.field === "title") it.title = String(c.theirs);
        this.changed(ALL, "Resolved a conflict");
        this.setSync({ conflicts: this.conflicts.length });
        return null;
      }
      case "shared_history": {
        const h = this.sharedHistory[String(a.key)];
        if (!h) throw { code: "not-found", message: `${a.key} has not been shared yet` };
        return h;
      }
      case "plugin:clipboard-manager|write_text":
        this.clipboard = String(a.text);
        return null;
      case "plugin:dialog|save":
        return this.savePath;
      case "plugin:dialog|open":
        // One path (or none) unless several were asked for, as the dialog plugin answers.
        return (a.options as Args | undefined)?.multiple ? this.openPaths : (this.openPaths[0] ?? null);
      default:
        throw { code: "unknown-command", message: `fake backend: no command ${cmd}` };
    }
  }
}
