// Right pane: the selected item, every field editable in place (validated by the core), creators
// with roles, the structured abstract as sections, keywords as chips, the access badge,
// collections and kept extra fields. Several selected items: bulk actions.

import { clear, h } from "../lib/dom";
import { dialogs, ipc } from "../lib/ipc";
import { ACCESS_STATUSES, ITEM_TYPES, ROLES, type AccessStatus, type Creator, type Item, type Role } from "../lib/types";
import { fieldLabel, fieldValue } from "./fields";
import { hitsSection, searchesText, viewerButton } from "./fulltext";
import { withKeyConfirm } from "./latex";
import { historySection } from "./sharing";
import { store } from "../lib/store";
import { showError, toast } from "./toast";

/** "1.2 MB" */
function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const TEXT_STATE: Record<string, string> = {
  indexed: "text indexed",
  pending: "text not read yet",
  none: "no text",
  failed: "text unreadable",
};

/** "Locate…" for a missing file: the user picks where it is now; the pane refreshes through
 * the change event. A file with other content is taken, with a warning. */
async function locate(it: Item, attachment: number, title: string) {
  try {
    const path = await dialogs.pickLocatedFile(title);
    if (!path) return;
    const r = await ipc.locateAttachment(it.id, attachment, path);
    if (r.warning) toast(r.warning, "error");
    else toast(`Located ${title} (Undo takes it back)`);
  } catch (e) {
    showError(e, "Locate");
  }
}

/** The item's files: name, size, pages, where its full text stands, a missing file marked;
 * Open (the system's viewer) and Detach for each, Attach… and Index text for the item. */
function filesSection(it: Item): HTMLElement {
  const box = h("section", { class: "files", "data-section": "files" });
  const attach = h("button", {
    class: "btn small",
    "data-action": "attach-files",
    text: "Attach…",
    onclick: async () => {
      try {
        const paths = await dialogs.pickAttachments();
        if (paths.length) await ipc.attachFiles(it.id, paths);
      } catch (e) {
        showError(e, "Attach");
      }
    },
  });
  box.appendChild(h("h3", { text: "Files" }, attach));
  if (it.attachments.length === 0) {
    box.appendChild(h("p", { class: "muted", text: "No files. Drop a PDF on this item, or Attach…" }));
    return box;
  }
  for (const a of it.attachments) {
    const facts = [size(a.bytes), a.pages != null ? `${a.pages} pages` : "", a.kind === "linked" ? "linked" : ""].filter(Boolean).join(" · ");
    const state = h("span", {
      class: `badge text-state text-${a.fulltext}`,
      "data-fulltext": a.fulltext,
      title: a.fulltextError ?? "",
      text: TEXT_STATE[a.fulltext] ?? a.fulltext,
    });
    const row = h(
      "div",
      { class: `file-line${a.missing ? " missing" : ""}`, "data-attachment": String(a.id), title: a.file },
      h("span", { class: "file-name", text: a.title }),
      h("span", { class: "file-facts muted", text: facts }),
      a.missing ? h("span", { class: "badge badge-missing", "data-badge": "missing", text: "missing" }) : state,
      h(
        "span",
        { class: "row-actions" },
        viewerButton(a),
        a.missing
          ? h("button", {
              class: "btn small",
              "data-action": "locate-attachment",
              text: "Locate…",
              title: `Point ${a.title} at where the file is now`,
              onclick: () => void locate(it, a.id, a.title),
            })
          : null,
        h("button", {
          class: "btn small",
          "data-action": "open-attachment",
          text: "Open",
          disabled: a.missing,
          onclick: () => ipc.openAttachment(a.id).catch((e) => showError(e, "Open")),
        }),
        h("button", {
          class: "btn small",
          "data-action": "detach-attachment",
          text: "Detach",
          onclick: () =>
            ipc
              .detachAttachment(it.id, a.id)
              .then(() => toast(`Detached ${a.title} (Undo brings it back)`))
              .catch((e) => showError(e, "Detach")),
        }),
      ),
    );
    box.appendChild(row);
  }
  // The search on view looks into the files' text: which file and page matched, with the
  // matched words marked; a click opens the viewer there.
  const { query, everything } = store.s;
  if (searchesText(query, everything)) box.appendChild(hitsSection(it, query, everything));
  if (it.attachments.some((a) => a.fulltext === "pending" && !a.missing)) {
    box.appendChild(
      h("button", {
        class: "link-btn",
        "data-action": "index-text",
        text: "Read the text of new files",
        // In the background: the status bar shows the progress, with Cancel.
        onclick: () => ipc.fulltextStart().catch((e) => showError(e, "Index text")),
      }),
    );
  }
  return box;
}

/** Empty fields are hidden until asked for (every field stays editable). */
let showEmpty = false;

export class ItemPane {
  el = h("aside", { class: "pane item-pane", "aria-label": "Item" });
  private item: Item | null = null;
  private loadSeq = 0;

  async show() {
    const sel = store.s.selection;
    const seq = ++this.loadSeq;
    if (store.s.all) {
      this.item = null;
      this.renderMulti();
      return;
    }
    if (sel.size === 0) {
      this.item = null;
      clear(this.el);
      delete this.el.dataset.itemId;
      this.el.appendChild(h("div", { class: "empty-pane muted", text: store.s.total ? "Select an item to see and edit it." : "" }));
      return;
    }
    if (sel.size > 1 || [...sel.values()][0] < 0) {
      this.item = null;
      this.renderMulti();
      return;
    }
    const id = [...sel.values()][0];
    try {
      const item = await ipc.getItem(id);
      if (seq !== this.loadSeq) return;
      this.item = item;
      this.render();
    } catch (e) {
      if (seq === this.loadSeq) showError(e, "Load item");
    }
  }

  /** Whether the shown item's shared history is on view. */
  showsHistory(): boolean {
    return this.el.querySelector("[data-section=shared-history]") != null;
  }

  /** Re-read the shown item after the library changed (undo, edits elsewhere). */
  async refresh() {
    if (this.item || store.selectionCount()) {
      const focused = document.activeElement as HTMLElement | null;
      const field = focused?.dataset?.field;
      if (field && this.el.contains(focused)) return; // don't clobber an edit in progress
      await this.show();
    }
  }

  private renderMulti() {
    clear(this.el);
    delete this.el.dataset.itemId;
    const n = store.selectionCount();
    const keys = store.targets();
    this.el.append(
      h("h2", { class: "pane-title", text: `${n.toLocaleString()} items selected` }),
      h("p", { class: "muted", text: "Drag them onto a collection or tag, or:" }),
      h(
        "div",
        { class: "field-row" },
        h("label", { text: "Access" }),
        accessSelect("", (v) => ipc.setAccess(v, keys).catch((e) => showError(e, "Set access"))),
      ),
      h(
        "div",
        { class: "field-row" },
        h("label", { text: "Add tag" }),
        h("input", {
          class: "field",
          placeholder: "tag name, Enter",
          "data-input": "bulk-tag",
          onkeydown: (e: Event) => {
            const ke = e as KeyboardEvent;
            const t = ke.target as HTMLInputElement;
            if (ke.key === "Enter" && t.value.trim()) {
              ipc.tagAdd(t.value.trim(), keys).then(() => (t.value = "")).catch((err) => showError(err, "Tag"));
            }
          },
        }),
      ),
    );
  }

  private render() {
    const it = this.item!;
    clear(this.el);
    // Files dropped on the pane attach to this item.
    this.el.dataset.itemId = String(it.id);
    const id = it.id;
    /** Save one field; false when it was not saved (refused, busy, not confirmed). */
    const save = async (field: string, value: string, input?: HTMLElement): Promise<boolean> => {
      try {
        const what = "This edit";
        const r = await withKeyConfirm(what, (force) => ipc.editField(id, field, value, force));
        if (r == null) {
          // Not confirmed: show the stored value again.
          await this.show();
          return false;
        }
        this.item = r;
        input?.classList.remove("invalid");
        input?.removeAttribute("aria-invalid");
        const err = input?.parentElement?.querySelector(".field-error");
        err?.remove();
        return true;
      } catch (e) {
        const msg = (e as { message?: string }).message ?? String(e);
        if (input) {
          input.classList.add("invalid");
          input.setAttribute("aria-invalid", "true");
          input.parentElement?.querySelector(".field-error")?.remove();
          input.parentElement?.appendChild(h("div", { class: "field-error", role: "alert", text: msg }));
        }
        showError(e, `Edit ${field}`);
        return false;
      }
    };
    /** Save `input` when its value changed since the last save; a failed save (e.g. a busy
     * library) is retried by the next Enter or blur, even with the same value. */
    const committer = (name: string, input: HTMLInputElement | HTMLTextAreaElement, saved: string) => {
      let last = saved;
      const commit = () => {
        const v = input.value;
        if (v === last) return;
        const prev = last;
        last = v;
        void save(name, v, input).then((ok) => {
          if (!ok && last === v) last = prev;
        });
      };
      return { commit, saved: () => last };
    };

    if (it.inTrash) {
      this.el.appendChild(
        h(
          "div",
          { class: "banner" },
          h("span", { text: "This item is in the trash." }),
          h("button", { class: "btn", onclick: () => ipc.restoreItems([it.key]).catch(showError), text: "Restore" }),
        ),
      );
    }

    // Header: type, access badge, key
    const typeSel = h("select", { class: "field type-select", "aria-label": "Item type", "data-field": "type" });
    for (const t of ITEM_TYPES) typeSel.appendChild(h("option", { value: t, text: t, selected: t === it.itemType }));
    typeSel.addEventListener("change", () => save("type", typeSel.value, typeSel));
    const head = h(
      "div",
      { class: "item-head" },
      typeSel,
      h("span", { class: `badge big badge-${it.access}`, "data-badge": "access", title: it.accessSource ? `from ${it.accessSource}` : "", text: it.access }),
      accessSelect(it.access, (v) => ipc.setAccess(v, [it.key]).catch((e) => showError(e, "Set access"))),
    );
    this.el.appendChild(head);

    const grid = h("div", { class: "fields" });
    const textField = (name: string, label: string, value: string, multiline = false) => {
      const input = multiline
        ? h("textarea", { class: "field", rows: 2, "data-field": name, "aria-label": label, value })
        : h("input", { class: "field", "data-field": name, "aria-label": label, value, spellcheck: "false" });
      const { commit, saved } = committer(name, input as HTMLInputElement | HTMLTextAreaElement, value);
      input.addEventListener("blur", commit);
      input.addEventListener("keydown", (e) => {
        const ke = e as KeyboardEvent;
        if (ke.key === "Enter" && (!multiline || name === "title" || ke.ctrlKey || ke.metaKey)) {
          ke.preventDefault();
          commit();
        }
        if (ke.key === "Escape") {
          input.value = saved();
          (input as HTMLElement).blur();
        }
      });
      grid.appendChild(h("div", { class: "field-row" }, h("label", { text: label }), input));
    };
    textField("title", fieldLabel("title"), fieldValue(it, "title"), true);
    this.el.appendChild(grid);

    // Creators
    this.el.appendChild(this.creatorsEditor(it));

    const grid2 = h("div", { class: "fields" });
    this.el.appendChild(grid2);
    const more = (name: string, label: string, value: string, multiline = false) => {
      textField(name, label, value, multiline);
      grid2.appendChild(grid.lastElementChild!);
    };
    more("date", fieldLabel("date"), it.date);
    let empty = 0;
    for (const f of it.fields) {
      if (f.name === "title") continue;
      more(f.name, fieldLabel(f.name), f.value, f.name === "note");
      if (!f.value) {
        empty++;
        grid2.lastElementChild!.classList.add("empty-field");
      }
    }
    more("key", fieldLabel("key"), it.key);
    grid2.classList.toggle("show-empty", showEmpty);
    if (empty) {
      const toggle = h("button", {
        class: "link-btn",
        "data-action": "toggle-empty-fields",
        text: showEmpty ? "Hide empty fields" : `Show all fields (${empty} empty)`,
        onclick: () => {
          showEmpty = !showEmpty;
          grid2.classList.toggle("show-empty", showEmpty);
          toggle.textContent = showEmpty ? "Hide empty fields" : `Show all fields (${empty} empty)`;
        },
      });
      this.el.appendChild(toggle);
    }

    // Files
    this.el.appendChild(filesSection(it));

    // Abstract
    const abs = h("section", { class: "abstract", "data-section": "abstract" }, h("h3", { text: "Abstract" }));
    const absBody = h("div", { class: "abstract-body" });
    const showAbstract = () => {
      clear(absBody);
      if (it.abstractSections.length === 0) absBody.appendChild(h("p", { class: "muted", text: "No abstract." }));
      for (const s of it.abstractSections) {
        const sec = h("div", { class: "abs-section" });
        if (s.heading) sec.appendChild(h("h4", { class: "abs-heading", text: s.heading }));
        sec.appendChild(h("p", { class: "abs-text", text: s.text }));
        absBody.appendChild(sec);
      }
    };
    showAbstract();
    const editBtn = h("button", {
      class: "btn small",
      "data-action": "edit-abstract",
      text: "Edit",
      onclick: () => {
        clear(absBody);
        const ta = h("textarea", { class: "field abstract-edit", rows: 10, "data-field": "abstract", value: it.abstractText, "aria-label": "Abstract" });
        absBody.append(
          ta,
          h("div", { class: "hint muted", text: "Sections: a heading line (e.g. Purpose) followed by its text." }),
          h(
            "div",
            { class: "row-actions" },
            h("button", { class: "btn primary small", onclick: () => save("abstract", ta.value, ta), text: "Save" }),
            h("button", { class: "btn small", onclick: showAbstract, text: "Cancel" }),
          ),
        );
        ta.focus();
      },
    });
    abs.firstElementChild!.appendChild(editBtn);
    abs.appendChild(absBody);
    this.el.appendChild(abs);

    // Keywords (tags) as chips
    const tagsBox = h("section", { class: "kw", "data-section": "keywords" }, h("h3", { text: "Keywords" }));
    const chips = h("div", { class: "chips" });
    for (const t of it.tags) {
      chips.appendChild(
        h(
          "span",
          { class: `chip kw-chip${t.source === "import" ? " imported" : ""}`, "data-keyword": t.name, title: t.source === "import" ? "from import" : "added by you" },
          h("span", { text: t.label ?? t.name }),
          h("button", {
            class: "chip-x",
            "aria-label": `Remove ${t.name}`,
            text: "×",
            onclick: () => ipc.tagRemove(t.name, [it.key]).catch((e) => showError(e, "Remove tag")),
          }),
        ),
      );
    }
    const addTag = h("input", { class: "field chip-input", placeholder: "Add keyword…", "data-input": "add-keyword", "aria-label": "Add keyword" });
    addTag.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && addTag.value.trim()) {
        ipc.tagAdd(addTag.value.trim(), [it.key]).catch((err) => showError(err, "Add tag"));
      }
    });
    chips.appendChild(addTag);
    tagsBox.appendChild(chips);
    this.el.appendChild(tagsBox);

    // Collections
    const colls = h("section", { class: "colls", "data-section": "collections" }, h("h3", { text: "In collections" }));
    if (it.collections.length === 0) colls.appendChild(h("p", { class: "muted", text: "Unfiled" }));
    for (const c of it.collections) {
      colls.appendChild(
        h(
          "div",
          { class: "coll-line" },
          h("span", { text: c }),
          h("button", { class: "btn small", text: "Remove", onclick: () => ipc.collectionRemove(c, [it.key]).catch((e) => showError(e, "Remove from collection")) }),
        ),
      );
    }
    this.el.appendChild(colls);

    // Extra (unmapped) fields
    const extra = h("section", { class: "extra", "data-section": "extra" }, h("h3", { text: "Other fields" }));
    const eg = h("div", { class: "fields" });
    for (const f of it.extra) {
      const input = h("input", { class: "field", "data-field": `extra:${f.name}`, value: f.value, "aria-label": f.name });
      const { commit } = committer(f.name, input as HTMLInputElement, f.value);
      input.addEventListener("blur", commit);
      input.addEventListener("keydown", (e) => e.key === "Enter" && commit());
      eg.appendChild(h("div", { class: "field-row" }, h("label", { text: f.name }), input));
    }
    const nn = h("input", { class: "field", placeholder: "name", "aria-label": "New field name", "data-input": "extra-name" });
    const nv = h("input", { class: "field", placeholder: "value", "aria-label": "New field value", "data-input": "extra-value" });
    const addExtra = () => nn.value.trim() && nv.value.trim() && save(nn.value.trim(), nv.value, nv);
    nv.addEventListener("keydown", (e) => e.key === "Enter" && addExtra());
    eg.appendChild(h("div", { class: "field-row new-extra" }, nn, nv));
    extra.appendChild(eg);
    if (it.extra.length === 0) extra.appendChild(h("p", { class: "muted small", text: "Fields an import could not map are kept here." }));
    this.el.appendChild(extra);

    // Who changed it in the shared library (when the library is shared).
    if (store.shared()) this.el.appendChild(historySection(it.key));

    this.el.appendChild(
      h("p", { class: "muted small meta", text: `Added ${it.dateAdded.slice(0, 19).replace("T", " ")} · modified ${it.dateModified.slice(0, 19).replace("T", " ")}` }),
    );
  }

  private creatorsEditor(it: Item): HTMLElement {
    const box = h("section", { class: "creators", "data-section": "creators" }, h("h3", { text: "Creators" }));
    const list: Creator[] = it.creators.map((c) => ({ ...c }));
    const commit = async () => {
      try {
        this.item = await ipc.setCreators(it.id, list.filter((c) => c.family.trim() || c.literal.trim()));
      } catch (e) {
        showError(e, "Creators");
      }
      this.render();
    };
    list.forEach((c, i) => {
      const role = h("select", { class: "field role", "aria-label": "Role", "data-creator-role": i });
      for (const r of ROLES) role.appendChild(h("option", { value: r, text: r, selected: r === c.role }));
      role.addEventListener("change", () => {
        c.role = role.value as Role;
        commit();
      });
      const isOrg = !!c.literal;
      const fam = h("input", { class: "field", value: isOrg ? c.literal : c.family, placeholder: isOrg ? "Organisation" : "Family", "aria-label": "Family name", "data-creator-family": i });
      const giv = h("input", { class: "field", value: c.given, placeholder: "Given", "aria-label": "Given name", hidden: isOrg, "data-creator-given": i });
      const change = () => {
        if (isOrg) c.literal = fam.value;
        else c.family = fam.value;
        c.given = giv.value;
        commit();
      };
      fam.addEventListener("change", change);
      giv.addEventListener("change", change);
      const move = (d: number) => {
        const j = i + d;
        if (j < 0 || j >= list.length) return;
        [list[i], list[j]] = [list[j], list[i]];
        commit();
      };
      box.appendChild(
        h(
          "div",
          { class: "creator-row", "data-creator": i },
          role,
          fam,
          giv,
          h("button", { class: "icon-btn", title: "Move up", "aria-label": "Move up", disabled: i === 0, onclick: () => move(-1), text: "↑" }),
          h("button", { class: "icon-btn", title: "Move down", "aria-label": "Move down", disabled: i === list.length - 1, onclick: () => move(1), text: "↓" }),
          h("button", {
            class: "icon-btn",
            title: "Remove",
            "aria-label": "Remove creator",
            text: "−",
            onclick: () => {
              list.splice(i, 1);
              commit();
            },
          }),
        ),
      );
    });
    const addPerson = h("button", {
      class: "btn small",
      "data-action": "add-creator",
      text: "+ Person",
      onclick: () => this.addCreatorRow(box, list, commit, false),
    });
    const addOrg = h("button", { class: "btn small", text: "+ Organisation", onclick: () => this.addCreatorRow(box, list, commit, true) });
    box.appendChild(h("div", { class: "row-actions" }, addPerson, addOrg));
    return box;
  }

  private addCreatorRow(box: HTMLElement, list: Creator[], commit: () => Promise<void>, org: boolean) {
    const fam = h("input", { class: "field", placeholder: org ? "Organisation" : "Family", "data-input": "new-creator-family", "aria-label": "New creator family name" });
    const giv = h("input", { class: "field", placeholder: "Given", hidden: org, "data-input": "new-creator-given", "aria-label": "New creator given name" });
    const done = () => {
      if (!fam.value.trim()) return toast("A creator needs a name", "error");
      list.push({ role: "author", family: org ? "" : fam.value, given: giv.value, particle: "", suffix: "", literal: org ? fam.value : "" });
      commit();
    };
    for (const i of [fam, giv]) i.addEventListener("keydown", (e) => e.key === "Enter" && done());
    box.insertBefore(h("div", { class: "creator-row new" }, fam, giv, h("button", { class: "btn small primary", text: "Add", onclick: done })), box.lastElementChild);
    fam.focus();
  }
}

function accessSelect(current: AccessStatus | "", onChange: (v: AccessStatus) => void): HTMLSelectElement {
  const s = h("select", { class: "field access-select", "aria-label": "Access status", "data-field": "access" });
  if (!current) s.appendChild(h("option", { value: "", text: "Set access…", selected: true }));
  for (const a of ACCESS_STATUSES) s.appendChild(h("option", { value: a, text: a, selected: a === current }));
  s.addEventListener("change", () => s.value && onChange(s.value as AccessStatus));
  return s;
}
