// An in-memory stand-in for the Rust shell, answering the same commands with the same DTO
// shapes, so the UI can be tested in a browser. Deliberately simple.

interface FItem {
  id: number;
  key: string;
  itemType: string;
  title: string;
  creators: { role: string; family: string; given: string; particle: string; suffix: string; literal: string }[];
  year: number | null;
  container: string;
  access: string;
  dateAdded: string;
  tags: string[];
  collections: number[];
  abstractSections: { heading: string; text: string }[];
  extra: { name: string; value: string }[];
  fields: Record<string, string>;
  deleted: boolean;
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
}

type Args = Record<string, unknown>;

function person(family: string, given: string) {
  return { role: "author", family, given, particle: "", suffix: "", literal: "" };
}

export function seed(): Data {
  const mk = (id: number, key: string, title: string, fam: string, year: number, container: string, access: string, tags: string[], collections: number[]): FItem => ({
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
  };
}

export class FakeBackend {
  data: Data = seed();
  undoStack: { label: string; data: string }[] = [];
  redoStack: { label: string; data: string }[] = [];
  calls: { cmd: string; args: Args }[] = [];
  /** Files the fake "file system" knows: path -> items to import (or an error diagnostic). */
  files: Record<string, { title: string; access?: string }[] | { error: string; line: number }> = {};
  savePath = "/tmp/folio-export.bib";
  openPaths: string[] = [];

  constructor(private emit: (event: string, payload: unknown) => Promise<void>) {}

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

  private row(it: FItem) {
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

  private item(id: number) {
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
      tags: it.tags.map((name) => ({ name, source: "import" })),
      access: it.access,
      accessSource: "test",
      extra: it.extra,
      collections: it.collections.map((c) => this.collPath(c)),
      inTrash: it.deleted,
      dateAdded: it.dateAdded,
      dateModified: it.dateAdded,
    };
  }

  private tree(parent: number | null): unknown[] {
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

  private mutate<T>(label: string, scopes: string[], f: () => T): T {
    const before = JSON.stringify(this.data);
    const r = f();
    this.undoStack.push({ label, data: before });
    this.redoStack = [];
    void this.emit("library-changed", { scopes, action: label });
    return r;
  }

  private byKeys(keys: string[]): FItem[] {
    return keys.map((k) => {
      const it = this.data.items.find((i) => i.key === k);
      if (!it) throw { code: "not-found", message: `no item with key ${k}` };
      return it;
    });
  }

  async handle(cmd: string, a: Args): Promise<unknown> {
    this.calls.push({ cmd, args: a });
    const live = this.data.items.filter((i) => !i.deleted);
    switch (cmd) {
      case "sidebar": {
        const tags = new Map<string, number>();
        for (const it of live) for (const t of it.tags) tags.set(t, (tags.get(t) ?? 0) + 1);
        return {
          libraryPath: "/home/test/.local/share/folio/library.sqlite",
          total: live.length,
          unfiled: live.filter((i) => !i.collections.length).length,
          trash: this.data.items.length - live.length,
          collections: this.tree(null),
          tags: [...tags].sort().map(([name, items]) => ({ name, items, imported: items })),
          access: ["open", "free", "restricted", "unknown"].map((status) => ({ status, items: live.filter((i) => i.access === status).length })),
        };
      }
      case "list_page": {
        const all = this.sorted(this.filtered(a.filter as Args), a.sort as Args);
        const off = a.offset as number;
        return { total: all.length, offset: off, rows: all.slice(off, off + (a.limit as number)).map((i) => this.row(i)) };
      }
      case "list_keys":
        return this.sorted(this.filtered(a.filter as Args), a.sort as Args).map((i) => i.key);
      case "get_item":
        return this.item(a.id as number);
      case "edit_field": {
        const it = this.data.items.find((x) => x.id === a.id)!;
        const field = a.field as string;
        const value = a.value as string;
        if ((field === "year" || field === "date") && value && !/^\d+$/.test(value)) throw { code: "invalid-input", message: `${it.key}: year must be a number, got "${value}"` };
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
          for (const it of items) it.access = a.status as string;
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
        return this.mutate("Add to collection", ["items", "collections"], () => {
          const c = this.collByPath(a.path as string);
          let n = 0;
          for (const it of this.byKeys(a.keys as string[])) if (!it.collections.includes(c.id)) (it.collections.push(c.id), n++);
          return n;
        });
      case "collection_remove":
        return this.mutate("Remove from collection", ["items", "collections"], () => {
          const c = this.collByPath(a.path as string);
          for (const it of this.byKeys(a.keys as string[])) it.collections = it.collections.filter((x) => x !== c.id);
          return (a.keys as string[]).length;
        });
      case "collection_create":
        return this.mutate("New collection", ["collections"], () => {
          const parent = a.parent ? this.collByPath(a.parent as string).id : null;
          const id = this.data.nextId++;
          this.data.collections.push({ id, name: a.name as string, parentId: parent });
          return id;
        });
      case "collection_rename":
        return this.mutate("Rename collection", ["collections"], () => {
          this.collByPath(a.path as string).name = a.name as string;
        });
      case "collection_move":
        return this.mutate("Move collection", ["collections"], () => {
          this.collByPath(a.path as string).parentId = a.parent ? this.collByPath(a.parent as string).id : null;
        });
      case "collection_delete":
        return this.mutate("Delete collection", ["collections", "items"], () => {
          const c = this.collByPath(a.path as string);
          this.data.collections = this.data.collections.filter((x) => x.id !== c.id);
        });
      case "delete_items":
        return this.mutate("Delete", ["items", "collections", "tags"], () => {
          for (const it of this.byKeys(a.keys as string[])) it.deleted = true;
          return (a.keys as string[]).length;
        });
      case "restore_items":
        return this.mutate("Restore", ["items", "collections", "tags"], () => {
          for (const it of this.byKeys(a.keys as string[])) it.deleted = false;
          return (a.keys as string[]).length;
        });
      case "new_item":
        return this.mutate("New item", ["items"], () => {
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
        void this.emit("library-changed", { scopes: ["items", "collections", "tags"], action: `${cmd}: ${step.label}` });
        return step.label;
      }
      case "import_files":
      case "import_text": {
        const paths = cmd === "import_files" ? (a.paths as string[]) : ["clipboard"];
        const ch = a.onProgress as { onmessage?: (p: unknown) => void } | undefined;
        const files = paths.map((p) => {
          const spec = cmd === "import_text" ? [{ title: String(a.text).trim().slice(0, 60) }] : this.files[p];
          if (!spec) throw { code: "io", message: `${p}: No such file or directory (os error 2)` };
          return { p, spec };
        });
        const coll = a.collection ? this.collByPath(a.collection as string) : null;
        return this.mutate(`Import ${paths.length} file(s)`, ["items", "collections", "tags"], () => {
          const reports = files.map(({ p, spec }) => {
            if (!Array.isArray(spec)) {
              return { path: p, format: "bibtex", encoding: "UTF-8", entries: 0, added: 0, duplicates: 0, errors: 1, keys: [], repairs: [], diagnostics: [{ severity: "error", line: spec.line, message: spec.error }] };
            }
            const keys: string[] = [];
            let dup = 0;
            spec.forEach((s, i) => {
              if (this.data.items.some((x) => x.title === s.title)) return void dup++;
              const id = this.data.nextId++;
              const key = `imported${id}`;
              keys.push(key);
              this.data.items.push({ ...seed().items[0], id, key, title: s.title, access: s.access ?? "unknown", tags: [], collections: coll ? [coll.id] : [], creators: [person("Imported", "I.")] });
              ch?.onmessage?.({ done: i + 1, total: spec.length, entries: i + 1 });
            });
            return { path: p, format: p.endsWith(".ris") ? "ris" : "bibtex", encoding: "UTF-8", entries: spec.length, added: keys.length, duplicates: dup, errors: 0, keys, repairs: [], diagnostics: [] };
          });
          return {
            added: reports.reduce((n, r) => n + r.added, 0),
            duplicates: reports.reduce((n, r) => n + r.duplicates, 0),
            errors: reports.reduce((n, r) => n + r.errors, 0),
            files: reports,
          };
        });
      }
      case "export_file": {
        const sel = a.selection as { keys: string[]; filter: Args };
        const n = sel.keys.length ? sel.keys.length : this.filtered(sel.filter).length;
        return { items: n, written: true, diagnostics: [] };
      }
      case "export_text":
        return (a.selection as { keys: string[] }).keys.map((k) => `@article{${k},\n}\n`).join("\n");
      case "open_library":
        return a.path;
      case "plugin:dialog|save":
        return this.savePath;
      case "plugin:dialog|open":
        return this.openPaths;
      default:
        throw { code: "unknown-command", message: `fake backend: no command ${cmd}` };
    }
  }
}
