// Shared libraries (issue 27): File › Share library… (the server's address, a password that
// goes to the shell with it and nowhere else, the shared library's name, your name in the
// shared history; Connect tests the connection), File › Stop sharing, the status bar's sync
// indicator, the Conflicts view (your value and the shared library's side by side in the
// Duplicates view's chooser: Keep mine / Take theirs), and an item's shared history. Every
// connection to the server is made by the shell; server text is only ever set as text.

import { clear, h } from "../lib/dom";
import { ipc } from "../lib/ipc";
import { store } from "../lib/store";
import type { SharedHistoryEntry, SyncConflict, SyncStatus, Take } from "../lib/types";
import { chooserGrid } from "./chooser";
import { sharedFieldLabel, sharedValueText } from "./fields";
import { modal } from "./importer";
import { showError, toast } from "./toast";

/** "14:02" (local time) of an RFC 3339 time; the date too when it is not today. */
export function shortTime(rfc3339: string): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  const hm = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  return d.toDateString() === new Date().toDateString() ? hm : `${d.toLocaleDateString()} ${hm}`;
}

/** The URL with `password` as its user's password (percent-encoded); an error text when the
 * URL names no user to give it to. */
export function withPassword(url: string, password: string): { url: string } | { error: string } {
  const u = url.trim();
  if (!password) return { url: u };
  const m = /^(postgres(?:ql)?:\/\/)([^@/?#]*)@(.*)$/i.exec(u);
  if (!m || !m[2]) return { error: "Put the user name in the address (postgresql://user@host/database) to use a password." };
  const user = m[2].split(":")[0];
  return { url: `${m[1]}${user}:${encodeURIComponent(password)}@${m[3]}` };
}

/** File › Share library…: connect the open library to a shared library. */
export async function openShareDialog() {
  let defaults = { libraryName: "", author: "" };
  try {
    defaults = await ipc.shareDefaults();
  } catch (e) {
    showError(e, "Share library");
  }
  const s = store.s.sync;
  const url = h("input", { class: "field", "data-input": "share-url", placeholder: "postgresql://user@host/database?sslmode=verify-full", spellcheck: "false", value: s?.server ?? "" });
  const password = h("input", { class: "field", type: "password", "data-input": "share-password", autocomplete: "off", placeholder: "(from ~/.pgpass or PGPASSWORD when empty)" });
  const name = h("input", { class: "field", "data-input": "share-name", value: s?.library ?? defaults.libraryName });
  const author = h("input", { class: "field", "data-input": "share-author", value: s?.author ?? defaults.author });
  const error = h("p", { class: "share-error", role: "alert", "data-share-error": "", hidden: true });
  const body = h(
    "div",
    { class: "settings-form share-form" },
    h("p", { class: "muted", text: "Everyone in the group keeps the whole library on their computer; a PostgreSQL server carries the changes between them. Work offline as usual: changes are sent when the server can be reached." }),
    h("label", {}, "Server (PostgreSQL address)", url),
    h("label", {}, "Password", password),
    h("label", {}, "Shared library’s name on the server", name),
    h("label", {}, "Your name in the shared history", author),
    error,
  );
  const connectBtn = h("button", {
    class: "btn primary",
    "data-action": "share-connect",
    text: "Connect",
    onclick: async () => {
      error.hidden = true;
      const full = withPassword(url.value, password.value);
      if ("error" in full) {
        error.textContent = full.error;
        error.hidden = false;
        return;
      }
      if (!full.url) {
        error.textContent = "Enter the server’s address.";
        error.hidden = false;
        return;
      }
      connectBtn.disabled = true;
      connectBtn.textContent = "Connecting…";
      try {
        const st = await ipc.remoteConnect(full.url, name.value, author.value);
        store.setSync(st);
        dialog.close();
        toast(`Shared as “${st.library}” on ${st.server}`);
      } catch (e) {
        // The server's own words, as text.
        error.textContent = (e as { message?: string }).message ?? String(e);
        error.hidden = false;
      } finally {
        connectBtn.disabled = false;
        connectBtn.textContent = "Connect";
      }
    },
  });
  const dialog = modal("Share library", "", body, "share-library", [connectBtn]);
  url.focus();
}

/** File › Stop sharing (after a confirmation). */
export function confirmStopSharing() {
  const s = store.s.sync;
  if (!s || s.state === "off") {
    toast("This library is not shared.");
    return;
  }
  const stop = h("button", {
    class: "btn primary",
    "data-action": "stop-sharing",
    text: "Stop sharing",
    onclick: async () => {
      dialog.close();
      try {
        store.setSync(await ipc.remoteDisconnect());
        toast("This library is not shared any more (it stays as it is)");
      } catch (e) {
        showError(e, "Stop sharing");
      }
    },
  });
  const pending = s.outbox ? ` ${s.outbox} change${s.outbox === 1 ? " is" : "s are"} not sent yet and will not be.` : "";
  const dialog = modal(
    "Stop sharing?",
    `This library stays as it is on this computer, but no longer exchanges changes with “${s.library}” on ${s.server}.${pending}`,
    h("div", {}),
    "stop-sharing",
    [stop],
  );
}

/** The status bar's words for where the sync stands. */
export function syncText(s: SyncStatus): string {
  switch (s.state) {
    case "off":
      return "";
    case "syncing":
      return s.outbox ? `Pushing ${s.outbox.toLocaleString()}…` : "Syncing…";
    case "synced":
      return s.outbox ? `${s.outbox.toLocaleString()} to push` : "Synced";
    case "offline":
      return `Offline since ${s.offlineSince ? shortTime(s.offlineSince) : "?"}${s.outbox ? ` · ${s.outbox.toLocaleString()} to push` : ""}`;
    case "read-only":
      return "Read-only";
  }
}

/** The status bar's sync indicator and its conflicts button; follows `store.s.sync`. */
export function syncIndicator(openConflicts: () => void): HTMLElement {
  const state = h("button", { class: "sync-state link-btn", "data-status": "sync", onclick: () => void syncNow() });
  const conflicts = h("button", { class: "sync-conflicts link-btn", "data-status": "conflicts", hidden: true, onclick: openConflicts });
  const el = h("span", { class: "sync-indicator", hidden: true }, state, conflicts);
  const paint = () => {
    const s = store.s.sync;
    el.hidden = !s || s.state === "off";
    if (!s || el.hidden) return;
    el.dataset.state = s.state;
    state.textContent = syncText(s);
    const lines = [`Shared library “${s.library}” on ${s.server}`, `You are “${s.author}” in its history`];
    if (s.lastSync) lines.push(`Last synced ${shortTime(s.lastSync)}`);
    if (s.lastError) lines.push(`Last error: ${s.lastError}`);
    if (s.state === "read-only") lines.push("Your role may only read: your changes stay on this computer");
    lines.push("Click to sync now");
    state.title = lines.join("\n");
    conflicts.hidden = s.conflicts === 0;
    conflicts.textContent = `Conflicts ${s.conflicts}`;
    conflicts.title = "Fields changed here and in the shared library: choose which to keep";
  };
  store.subscribe((what) => what === "sync" && paint());
  paint();
  return el;
}

async function syncNow() {
  try {
    store.setSync(await ipc.syncNow());
  } catch (e) {
    showError(e, "Sync");
  }
}

/** The Conflicts view: each field changed on both sides, yours and theirs side by side. */
export class ConflictsView {
  el = h("section", { class: "dup-view conflicts-view", "data-view": "conflicts", "aria-label": "Conflicts" });
  private head = h("div", { class: "dup-head" });
  private list = h("div", { class: "conflict-list" });
  private seq = 0;
  conflicts: SyncConflict[] = [];

  constructor() {
    this.el.append(this.head, this.list);
  }

  async load() {
    const seq = ++this.seq;
    let list: SyncConflict[];
    try {
      list = await ipc.syncConflicts();
    } catch (e) {
      showError(e, "Conflicts");
      return;
    }
    if (seq !== this.seq) return;
    this.conflicts = list;
    this.render();
  }

  private render() {
    clear(this.head);
    this.head.append(
      h("h2", { class: "pane-title", text: "Conflicts" }),
      h("span", { class: "muted", "data-conflict-count": "", text: `${this.conflicts.length} field${this.conflicts.length === 1 ? "" : "s"} changed here and in the shared library` }),
    );
    clear(this.list);
    if (!this.conflicts.length) {
      this.list.appendChild(h("div", { class: "empty-pane muted", "data-empty": "conflicts", text: "No conflicts: every change here and in the shared library merged." }));
      return;
    }
    this.list.appendChild(
      h("p", { class: "muted small", text: "Your library keeps your value until you choose. Taking theirs is one action (Undo takes it back); either choice is sent to the shared library." }),
    );
    for (const c of this.conflicts) this.list.appendChild(this.card(c));
  }

  private card(c: SyncConflict): HTMLElement {
    const label = sharedFieldLabel(c.field);
    const kind = c.kind === "item" ? "" : c.kind === "collection" ? "Collection " : "Saved search ";
    const theirsWho = `Theirs (${c.author || "the shared library"}${c.at ? `, ${shortTime(c.at)}` : ""})`;
    const text = (v: unknown) => (c.deleted && v == null ? "Deleted" : sharedValueText(c.field, v));
    const grid = chooserGrid(
      "",
      [h("div", { class: "cmp-head", "data-col-head": "mine", text: "Yours" }), h("div", { class: "cmp-head", "data-col-head": "theirs", text: theirsWho })],
      [{ id: c.field, label, values: [text(c.mine), text(c.theirs)], differs: true, field: null, long: c.field === "abstract" }],
    );
    const act = (take: Take) => async () => {
      card.querySelectorAll("button").forEach((b) => (b.disabled = true));
      try {
        await ipc.resolveConflict(c.uuid, c.field, take);
        toast(take === "mine" ? `Kept your ${label.toLowerCase()} of ${c.name}` : `Took their ${label.toLowerCase()} of ${c.name}`);
        await this.load();
      } catch (e) {
        card.querySelectorAll("button").forEach((b) => (b.disabled = false));
        showError(e, "Resolve conflict");
      }
    };
    const note = c.deleted
      ? c.mine == null
        ? "You deleted this; it was changed in the shared library. Keep mine deletes it there too; Take theirs brings it back."
        : "This was deleted in the shared library; you changed it. Keep mine keeps it (with your changes); Take theirs deletes it."
      : "";
    const card = h(
      "div",
      { class: "conflict-card", "data-conflict": `${c.name}:${c.field}`, "data-deleted": String(c.deleted) },
      h("div", { class: "dup-detail-head" }, h("strong", { class: "conflict-name", text: `${kind}${c.name}` }), h("span", { class: "muted", text: ` · ${label}` })),
      note ? h("p", { class: "dup-note", "data-note": "deleted", text: note }) : null,
      grid,
      h(
        "div",
        { class: "conflict-actions" },
        h("button", { class: "btn", "data-action": "keep-mine", text: "Keep mine", onclick: act("mine") }),
        h("button", { class: "btn primary", "data-action": "take-theirs", text: "Take theirs", onclick: act("theirs") }),
      ),
    );
    return card;
  }
}

/** The item pane's History section: who changed the item in the shared library, when, and
 * which fields. */
export function historySection(key: string): HTMLElement {
  const box = h("section", { class: "shared-history", "data-section": "shared-history" }, h("h3", { text: "History" }));
  const body = h("div", { class: "muted small", text: "Loading…" });
  box.appendChild(body);
  ipc
    .sharedHistory(key)
    .then((list) => {
      clear(body);
      body.className = "history-list";
      if (!list.length) body.appendChild(h("p", { class: "muted small", text: "No changes in the shared library yet." }));
      for (const e of list) body.appendChild(historyLine(e));
    })
    .catch((e) => {
      clear(body);
      body.className = "muted small";
      body.dataset.historyError = "";
      body.textContent = (e as { message?: string }).message ?? String(e);
    });
  return box;
}

function historyLine(e: SharedHistoryEntry): HTMLElement {
  const what =
    e.change === "added" ? "added it" : e.change === "deleted" ? "deleted it" : e.fields.length ? e.fields.map(sharedFieldLabel).join(", ") : e.label || "changed it";
  return h(
    "div",
    { class: "history-line", "data-history-version": String(e.version), title: e.label },
    h("span", { class: "history-who", text: e.author || "someone" }),
    h("span", { class: "history-when muted", text: shortTime(e.at) }),
    h("span", { class: "history-what", text: what }),
  );
}
