// Shared libraries in the UI (issue 27), over the fake backend: File › Share library… (the
// password goes to the shell with the URL, a failed connection shows the server's text as
// text), the status bar's sync indicator in each state, the Conflicts view (Keep mine / Take
// theirs, "deleted on one side"), an item's shared history, and Stop sharing.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";
import { join } from "node:path";
import { SHOTS, useHarness } from "./support.mjs";

const ui = useHarness();
const { errors, calls, toasts, waitRows } = ui;
let page;
beforeEach(() => (page = ui.page));

const SYNCED = { state: "synced", server: "postgresql://ann@db.example.org/refs", library: "group", author: "ann@laptop", outbox: 0, conflicts: 0, offlineSince: null, lastError: null, lastSync: "2026-11-05T10:00:00Z", serverVersion: 12 };

/** The shell reports `s` (merged into SYNCED) as a sync-status event. */
async function sync(s) {
  await page.evaluate((s) => window.__fake.setSync(s), { ...SYNCED, ...s });
}

const indicator = () => page.evaluate(() => {
  const el = document.querySelector(".sync-indicator");
  return { hidden: el.hidden, text: document.querySelector("[data-status=sync]").textContent, state: el.dataset.state };
});

async function openMenu(id) {
  await page.click("[data-action=file-menu]");
  await page.click(`[data-menu=${id}]`);
}

describe("sharing a library", () => {
  test("File › Share library… tests the connection: the server's words as text, the password only in the URL to the shell", async () => {
    await waitRows(4);
    assert.equal((await indicator()).hidden, true, "no indicator while the library is not shared");
    await openMenu("share-library");
    await page.waitForSelector("[data-modal=share-library]");
    assert.equal(await page.inputValue("[data-input=share-name]"), "library");
    assert.equal(await page.inputValue("[data-input=share-author]"), "tester@machine");
    assert.equal(await page.getAttribute("[data-input=share-password]", "type"), "password");

    // A password needs a user in the address.
    await page.fill("[data-input=share-url]", "postgresql://db.example.org/refs");
    await page.fill("[data-input=share-password]", "s3cr@t");
    await page.click("[data-action=share-connect]");
    await page.waitForSelector("[data-share-error]:not([hidden])");
    assert.match(await page.textContent("[data-share-error]"), /user name/);
    assert.equal((await calls("remote_connect")).length, 0);

    // The server refuses: its message is shown as it is, markup and all, as text.
    await page.evaluate(() => {
      window.__fake.connectError = { code: "offline", message: "cannot reach the shared library at postgresql://ann@db.example.org/refs: <b>password</b> authentication failed <img src=x onerror=window.__pwned=1>" };
    });
    await page.fill("[data-input=share-url]", "postgresql://ann@db.example.org/refs?sslmode=verify-full");
    await page.fill("[data-input=share-name]", "group");
    await page.fill("[data-input=share-author]", "Ann <b>Smith</b>");
    await page.click("[data-action=share-connect]");
    await page.waitForFunction(() => document.querySelector("[data-share-error]")?.textContent.includes("authentication failed"));
    const err = await page.$eval("[data-share-error]", (e) => ({ text: e.textContent, elements: e.querySelectorAll("*").length }));
    assert.match(err.text, /<b>password<\/b> authentication failed <img src=x/);
    assert.equal(err.elements, 0, "no element was made from the server's text");
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    await page.screenshot({ path: join(SHOTS, "ui-mock-share-dialog-error.png") });
    const [sent] = await calls("remote_connect");
    assert.deepEqual(sent, { url: "postgresql://ann:s3cr%40t@db.example.org/refs?sslmode=verify-full", libraryName: "group", author: "Ann <b>Smith</b>" });

    // It works: the dialog closes and the status bar shows the push.
    await page.evaluate(() => (window.__fake.connectError = null));
    await page.click("[data-action=share-connect]");
    await page.waitForSelector("[data-modal=share-library]", { state: "detached" });
    assert.deepEqual(await indicator(), { hidden: false, text: "Pushing 3…", state: "syncing" });
    assert.match(await toasts(), /Shared as “group” on postgresql:\/\/ann@db\.example\.org\/refs/);
    assert.doesNotMatch(await toasts(), /s3cr/);
    assert.deepEqual(errors, []);
  });

  test("the status bar says synced, pushing, offline since, read-only and conflicts; a click on conflicts opens them", async () => {
    await waitRows(4);
    await sync({});
    await page.waitForFunction(() => document.querySelector("[data-status=sync]")?.textContent === "Synced");
    assert.equal((await indicator()).state, "synced");
    const tip = await page.getAttribute("[data-status=sync]", "title");
    assert.match(tip, /Shared library “group” on postgresql:\/\/ann@db\.example\.org\/refs/);
    assert.match(tip, /You are “ann@laptop”/);

    await sync({ state: "syncing", outbox: 1234 });
    await page.waitForFunction(() => document.querySelector("[data-status=sync]")?.textContent === "Pushing 1,234…");

    const since = "2026-11-05T09:07:00Z";
    const hm = await page.evaluate((s) => new Date(s).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false }), since);
    await sync({ state: "offline", offlineSince: since, outbox: 2, lastError: "cannot reach the shared library at postgresql://ann@db.example.org/refs: <i>timeout</i>" });
    // (a day other than today shows its date too)
    await page.waitForFunction(() => document.querySelector("[data-status=sync]")?.textContent.startsWith("Offline since"));
    assert.ok((await indicator()).text.includes(hm) && (await indicator()).text.endsWith("· 2 to push"), (await indicator()).text);
    assert.match(await page.getAttribute("[data-status=sync]", "title"), /Last error: .*<i>timeout<\/i>/);
    assert.equal(await page.$$eval(".sync-indicator i", (x) => x.length), 0);

    await sync({ state: "read-only" });
    await page.waitForFunction(() => document.querySelector("[data-status=sync]")?.textContent === "Read-only");
    assert.equal(await page.isVisible("[data-status=conflicts]"), false);

    await page.evaluate(() => {
      window.__fake.conflicts = [
        { uuid: "u1", kind: "item", name: "flores2022", field: "title", deleted: false, base: "Old", mine: "Mine", theirs: "Theirs", author: "bob", at: "2026-11-05T10:00:00Z" },
      ];
    });
    await sync({ conflicts: 1 });
    await page.waitForFunction(() => document.querySelector("[data-status=conflicts]")?.textContent === "Conflicts 1");
    await page.screenshot({ path: join(SHOTS, "ui-mock-sync-status.png") });
    await page.click("[data-status=conflicts]");
    await page.waitForSelector("[data-view=conflicts] [data-conflict='flores2022:title']");
    await sync({ state: "off", conflicts: 0 });
    await page.waitForFunction(() => document.querySelector(".sync-indicator")?.hidden === true);
    assert.deepEqual(errors, []);
  });

  test("the Conflicts view: yours and theirs side by side; Keep mine, Take theirs; deleted on one side", async () => {
    await waitRows(4);
    await page.evaluate(() => {
      window.__fake.conflicts = [
        { uuid: "u1", kind: "item", name: "flores2022", field: "title", deleted: false, base: "Co-creation", mine: "Co-creation in public services", theirs: "Co-creation in <b>integrated</b> public services", author: "bob@desktop", at: "2026-11-05T10:00:00Z" },
        { uuid: "u1", kind: "item", name: "flores2022", field: "creators", deleted: false, base: null, mine: [{ role: "author", family: "Flores", given: "C." }], theirs: [{ role: "author", family: "Casiano Flores", given: "Cesar" }, { role: "editor", literal: "OECD" }], author: "bob@desktop", at: "2026-11-05T10:01:00Z" },
        { uuid: "u3", kind: "item", name: "steen2020", field: "*", deleted: true, base: null, mine: null, theirs: { key: "steen2020", title: "Public value and co-production, revised" }, author: "carol", at: "2026-11-05T10:02:00Z" },
      ];
    });
    await sync({ conflicts: 3 });
    await page.click("[data-status=conflicts]");
    await page.waitForSelector("[data-conflict='flores2022:title']");
    assert.equal(await page.textContent("[data-conflict-count]"), "3 fields changed here and in the shared library");
    const card = "[data-conflict='flores2022:title']";
    assert.equal(await page.textContent(`${card} [data-col-head=mine]`), "Yours");
    assert.match(await page.textContent(`${card} [data-col-head=theirs]`), /^Theirs \(bob@desktop, /);
    const values = await page.$$eval(`${card} .cmp-cell .cmp-value`, (els) => els.map((e) => e.textContent));
    assert.deepEqual(values, ["Co-creation in public services", "Co-creation in <b>integrated</b> public services"]);
    assert.equal(await page.$$eval(`${card} b`, (x) => x.length), 0, "their value is text");
    assert.match(await page.textContent(`${card} .dup-detail-head`), /flores2022 · Title/);
    const creators = await page.$$eval("[data-conflict='flores2022:creators'] .cmp-cell .cmp-value", (els) => els.map((e) => e.textContent));
    assert.deepEqual(creators, ["Flores, C.", "Casiano Flores, Cesar; OECD (editor)"]);
    const del = "[data-conflict='steen2020:*']";
    assert.equal(await page.getAttribute(del, "data-deleted"), "true");
    assert.match(await page.textContent(`${del} [data-note=deleted]`), /You deleted this/);
    const delValues = await page.$$eval(`${del} .cmp-cell .cmp-value`, (els) => els.map((e) => e.textContent));
    assert.deepEqual(delValues, ["Deleted", "changed (“Public value and co-production, revised”)"]);
    await page.screenshot({ path: join(SHOTS, "ui-mock-conflicts.png") });

    await page.click(`${card} [data-action=take-theirs]`);
    await page.waitForSelector(card, { state: "detached" });
    await page.click(`${del} [data-action=keep-mine]`);
    await page.waitForSelector(del, { state: "detached" });
    assert.deepEqual(await calls("resolve_conflict"), [
      { uuid: "u1", field: "title", take: "theirs" },
      { uuid: "u3", field: "*", take: "mine" },
    ]);
    // Theirs is now the item's title (the table refreshed).
    await page.click("[data-nav=library]");
    await page.waitForFunction(() => [...document.querySelectorAll(".tr[data-key] ")].some((r) => r.textContent.includes("<b>integrated</b>")));
    assert.equal(await page.textContent("[data-status=conflicts]"), "Conflicts 1");
    assert.deepEqual(errors, []);
  });

  test("an item's shared history: who changed what, when; server text as text; not shared yet", async () => {
    await waitRows(4);
    await page.evaluate(() => {
      window.__fake.sharedHistory.jaspers2019 = [
        { version: 9, author: "bob <b>B</b>", label: "Edit jaspers2019", at: "2026-11-05T10:05:00Z", change: "changed", fields: ["title", "date", "short_title"] },
        { version: 4, author: "ann@laptop", label: "Tag 1 item", at: "2026-11-05T09:00:00Z", change: "changed", fields: ["tags"] },
        { version: 1, author: "ann@laptop", label: "Import 2 items", at: "2026-11-04T08:00:00Z", change: "added", fields: [] },
      ];
    });
    // Not shared: no history section.
    await page.click(".tr[data-key=jaspers2019]");
    await page.waitForSelector(".item-pane [data-field=title]");
    assert.equal(await page.$(".item-pane [data-section=shared-history]"), null);
    await sync({});
    await page.waitForSelector(".item-pane [data-history-version='9']");
    const lines = await page.$$eval(".item-pane .history-line", (els) => els.map((e) => [...e.children].map((c) => c.textContent)));
    assert.equal(lines.length, 3);
    assert.equal(lines[0][0], "bob <b>B</b>");
    assert.equal(lines[0][2], "Title, Date, Short title");
    assert.equal(lines[1][2], "Keywords");
    assert.equal(lines[2][2], "added it");
    assert.equal(await page.$$eval(".item-pane .history-line b", (x) => x.length), 0);
    assert.equal(await page.getAttribute("[data-history-version='9']", "title"), "Edit jaspers2019");
    await page.screenshot({ path: join(SHOTS, "ui-mock-item-history.png") });
    // An item the shared library does not have yet says so.
    await page.click(".tr[data-key=virkar2021]");
    await page.waitForSelector(".item-pane [data-history-error]");
    assert.match(await page.textContent(".item-pane [data-history-error]"), /not been shared yet/);
    assert.deepEqual(errors, []);
  });

  test("File › Stop sharing asks first, then the status bar has no sync", async () => {
    await waitRows(4);
    await sync({ outbox: 2 });
    await page.waitForSelector(".sync-indicator:not([hidden])");
    await openMenu("stop-sharing");
    await page.waitForSelector("[data-modal=stop-sharing]");
    assert.match(await page.textContent("[data-modal=stop-sharing]"), /2 changes are not sent yet/);
    await page.click("[data-modal=stop-sharing] [data-action=close-modal]");
    assert.equal((await calls("remote_disconnect")).length, 0);
    await openMenu("stop-sharing");
    await page.click("[data-action=stop-sharing]");
    await page.waitForFunction(() => document.querySelector(".sync-indicator")?.hidden === true);
    assert.equal((await calls("remote_disconnect")).length, 1);
    assert.deepEqual(errors, []);
  });
});
