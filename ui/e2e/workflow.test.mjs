// The UI in headless Chromium over the fake backend: the Duplicates view (list, side by side,
// choose, merge, undo, merge all exact), the duplicate policy of imports, the import progress
// bar with Cancel, and the LaTeX workflow (auto-exports, .aux drops, protected keys, copying).
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";
import { join } from "node:path";
import { SHOTS, useHarness } from "./support.mjs";

const ui = useHarness({ clearStorage: ["folio.import.duplicates", "folio.cite.command"] });
const { errors, rows, calls, toasts, waitRows } = ui;
let page;
beforeEach(() => (page = ui.page));

/** Two items with the same DOI (one richer), and a pair with the same title and no DOI. */
async function addDuplicates() {
  await page.evaluate(() => {
    const f = window.__fake;
    const base = f.data.items[2];
    f.data.items.push(
      { ...structuredClone(base), id: 50, key: "steen2020a", title: "Co-production and value", container: "Public Administration", year: 2020, fields: { title: "Co-production and value", doi: "10.1/pv", volume: "97" }, tags: ["co-production"], collections: [1] },
      { ...structuredClone(base), id: 51, key: "steen2020b", title: "Co-production and public value", container: "Public Administration Review", year: 2020, fields: { title: "Co-production and public value", doi: "10.1/pv", volume: "98", issue: "2" }, tags: ["value"], collections: [] },
      { ...structuredClone(base), id: 52, key: "alpha2019", title: "Trust in government", year: 2019, fields: { title: "Trust in government" }, tags: [], collections: [] },
      { ...structuredClone(base), id: 53, key: "alpha2019b", title: "Trust in Government", year: 2019, fields: { title: "Trust in Government" }, tags: [], collections: [] },
    );
    return window.__emit("library-changed", { scopes: ["items", "collections", "tags"], action: "test" });
  });
}

describe("duplicates", () => {
  test("the left pane counts groups; the view lists them, side by side, with differences", async () => {
    await addDuplicates();
    await page.waitForFunction(() => document.querySelector("[data-nav=duplicates] .count")?.textContent === "2");
    await page.click("[data-nav=duplicates]");
    await page.waitForSelector("[data-view=duplicates] [data-group]");
    const kinds = await page.$$eval("[data-group]", (els) => els.map((e) => e.dataset.kind));
    assert.deepEqual(kinds, ["duplicate", "suggestion"]);
    assert.match(await page.textContent("[data-group='0']"), /same DOI/);
    assert.match(await page.textContent("[data-group='1']"), /Possible duplicate/);
    // the first group opens side by side; differing fields are highlighted
    await page.waitForSelector("[data-compare] [data-keep=steen2020a]");
    const differing = await page.$$eval(".cmp-label.differs", (els) => els.map((e) => e.dataset.row));
    for (const f of ["title", "container", "volume", "keywords"]) assert.ok(differing.includes(f), `${f} differs: ${differing}`);
    assert.ok(!differing.includes("doi"), "same DOI does not differ");
    // the item pane makes room; the suggestion says what it is
    assert.ok(await page.$eval("aside.item-pane", (e) => e.hidden));
    await page.screenshot({ path: join(SHOTS, "ui-mock-duplicates.png") });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: join(SHOTS, "ui-mock-duplicates-dark.png") });
    await page.emulateMedia({ colorScheme: "light" });
    await page.click("[data-group='1']");
    await page.waitForSelector("[data-note=suggestion]");
    assert.deepEqual(errors, []);
  });

  test("choose the item and the values to keep, merge (one step), see conflicts, undo", async () => {
    await addDuplicates();
    await page.click("[data-nav=duplicates]");
    await page.waitForSelector("[data-compare] [data-keep=steen2020b]");
    // keep the second item, but the first item's title
    await page.check("[data-keep=steen2020b]");
    assert.ok(await page.isChecked("[data-pick=container][data-col='1']"), "picks follow the kept item");
    await page.check("[data-pick=title][data-col='0']");
    await page.click("[data-action=merge]");
    await page.waitForSelector("[data-modal=merge-report]");
    const [m] = await calls("merge_items");
    assert.equal(m.keep, "steen2020b");
    assert.deepEqual(m.others, ["steen2020a"]);
    assert.deepEqual(m.choices, [{ field: "title", value: "Co-production and value" }]);
    assert.ok(await page.$("[data-conflicts] [data-conflict=volume]"), "conflicts reported");
    await page.click("[data-action=close-modal]");
    // the group is gone; the library shows one item
    await page.waitForFunction(() => document.querySelector("[data-dup-count]")?.textContent === "1 group");
    await page.click("[data-nav=library]");
    await page.waitForFunction(() => !document.querySelector(".tr[data-key=steen2020a]") && !!document.querySelector(".tr[data-key=steen2020b]"));
    assert.match(await page.textContent(".tr[data-key=steen2020b] .td[data-col=title]"), /Co-production and value/);
    // one undo restores both
    await page.click(".tr[data-index='0'] .td");
    await page.keyboard.press("Control+z");
    await page.waitForFunction(() => !!document.querySelector(".tr[data-key=steen2020a]") && !!document.querySelector(".tr[data-key=steen2020b]"));
    await page.waitForFunction(() => document.querySelector("[data-nav=duplicates] .count")?.textContent === "2");
  });

  test("merge all exact (DOI/ISBN) groups leaves the suggestions", async () => {
    await addDuplicates();
    await page.click("[data-nav=duplicates]");
    await page.waitForSelector("[data-action=merge-exact]:not([disabled])");
    assert.match(await page.textContent("[data-action=merge-exact]"), /\(1\)/);
    await page.click("[data-action=merge-exact]");
    await page.waitForFunction(() => document.querySelectorAll("[data-group]").length === 1);
    assert.equal(await page.$eval("[data-group='0']", (e) => e.dataset.kind), "suggestion");
    assert.match(await toasts(), /Merged 1 group/);
    assert.equal((await calls("merge_exact")).length, 1);
  });
});

describe("import options and progress", () => {
  test("the duplicate policy is asked (default skip), sent, remembered; the report lists each decision", async () => {
    await page.evaluate(() => (window.__fake.files["/data/dup.bib"] = [{ title: "Temporary use of vacant spaces" }, { title: "Fresh entry" }]));
    await page.evaluate(() => window.__emit("tauri://drag-drop", { paths: ["/data/dup.bib"], position: { x: 600, y: 300 } }));
    await page.waitForSelector("[data-modal=import-options]");
    assert.ok(await page.isChecked("[data-policy=skip]"));
    await page.check("[data-policy=keep]");
    await page.click("[data-action=import-go]");
    await page.waitForSelector("[data-modal=import-report]");
    assert.equal((await calls("import_files"))[0].duplicates, "keep");
    assert.match(await page.textContent("[data-summary]"), /^2 added, 1 duplicate imported anyway/);
    const d = await page.textContent("[data-decision=kept]");
    assert.match(d, /dup\.bib:1 entry0 — same title, year and first author as jaspers2019 → imported anyway/);
    await page.click("[data-action=close-modal]");
    // remembered for the next import (here: paste)
    await page.evaluate(() => {
      const e = new ClipboardEvent("paste", { clipboardData: new DataTransfer() });
      e.clipboardData.setData("text/plain", "Temporary use of vacant spaces");
      document.dispatchEvent(e);
    });
    await page.waitForSelector("[data-modal=import-options]");
    assert.ok(await page.isChecked("[data-policy=keep]"));
    await page.check("[data-policy=skip]");
    await page.click("[data-action=import-go]");
    await page.waitForSelector("[data-decision=skipped]");
    assert.equal((await calls("import_text"))[0].duplicates, "skip");
    // Escape in the options dialog imports nothing
    await page.click("[data-action=close-modal]");
    await page.evaluate(() => window.__emit("tauri://drag-drop", { paths: ["/data/dup.bib"], position: { x: 600, y: 300 } }));
    await page.waitForSelector("[data-modal=import-options]");
    await page.keyboard.press("Escape");
    await page.waitForTimeout(200);
    assert.equal((await calls("import_files")).length, 1);
  });

  test("a large import shows a determinate bar with the entries count; Cancel stops it", async () => {
    await page.evaluate(() => (window.__fake.files["/data/big.bib"] = { slow: 20000 }));
    await page.evaluate(() => window.__emit("tauri://drag-drop", { paths: ["/data/big.bib"], position: { x: 600, y: 300 } }));
    await page.click("[data-action=import-go]");
    await page.waitForSelector("[data-progress=import]:not([hidden])");
    await page.waitForFunction(() => Number(document.querySelector("[data-progress=import]").getAttribute("aria-valuenow")) >= 10);
    assert.match(await page.textContent("[data-progress-label]"), /Importing… [\d,]+ entries · \d+%/);
    await page.screenshot({ path: join(SHOTS, "ui-mock-import-progress.png") });
    await page.click("[data-action=import-cancel]");
    await page.waitForSelector("[data-progress=import]", { state: "detached" });
    await page.waitForFunction(() => [...document.querySelectorAll(".toast")].some((t) => /Import cancelled — the library is unchanged/.test(t.textContent)));
    assert.equal((await calls("import_cancel")).length, 1);
    await waitRows(4);
    // a full run reaches the report
    await page.evaluate(() => (window.__fake.files["/data/big2.bib"] = { slow: 30 }));
    await page.evaluate(() => window.__emit("tauri://drag-drop", { paths: ["/data/big2.bib"], position: { x: 600, y: 300 } }));
    await page.click("[data-action=import-go]");
    await page.waitForSelector("[data-modal=import-report]");
    assert.match(await page.textContent("[data-summary]"), /^20 added/);
  });
});

describe("LaTeX workflow", () => {
  test("auto-exports: add from a collection's menu (scope, format, options, save dialog), list, run, remove", async () => {
    await page.click("[data-collection='Thesis']", { button: "right" });
    await page.click("[data-menu=collection-autoexport]");
    await page.waitForSelector("[data-modal=autoexports] [data-empty=autoexports]");
    assert.equal(await page.inputValue("[data-input=ae-scope]"), "collection");
    assert.equal(await page.inputValue("[data-input=ae-collection]"), "1");
    await page.selectOption("[data-input=ae-format]", "biblatex");
    await page.selectOption("[data-input=ae-encoding]", "unicode");
    await page.check("[data-omit=abstract]");
    await page.check("[data-omit=file]");
    await page.evaluate(() => (window.__fake.savePath = "/home/test/thesis/refs.bib"));
    await page.click("[data-action=ae-add]");
    await page.waitForSelector("[data-autoexport='/home/test/thesis/refs.bib']");
    const [add] = await calls("auto_export_add");
    assert.deepEqual(add.export, { path: "/home/test/thesis/refs.bib", format: "biblatex", scope: { kind: "collection", collectionId: 1, recursive: true, name: "", status: null }, ascii: false, omitFields: ["abstract", "file"] });
    const [dlg] = await calls("plugin:dialog|save");
    assert.equal(dlg.options.defaultPath, "Thesis.bib");
    assert.match(await page.textContent("[data-autoexport] [data-ae-status]"), /items · last run/);
    await page.screenshot({ path: join(SHOTS, "ui-mock-autoexports.png") });
    await page.click("[data-action=ae-run]");
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === "auto_export_run"));
    await page.click("[data-action=ae-remove]");
    await page.waitForSelector("[data-empty=autoexports]");
    assert.deepEqual((await calls("auto_export_remove"))[0], { path: "/home/test/thesis/refs.bib" });
    // the global dialog from the File menu, with a tag scope
    await page.keyboard.press("Escape");
    await page.click("[data-action=file-menu]");
    await page.click("[data-menu=auto-exports]");
    await page.waitForSelector("[data-modal=autoexports]");
    await page.selectOption("[data-input=ae-scope]", "tag");
    await page.selectOption("[data-input=ae-tag]", "co-production");
    await page.click("[data-action=ae-add]");
    await page.waitForFunction(() => window.__fake.calls.filter((c) => c.cmd === "auto_export_add").length === 2);
    assert.deepEqual((await calls("auto_export_add"))[1].export.scope, { kind: "tag", name: "co-production", collectionId: null, recursive: false, status: null });
  });

  test("toasts never cover a dialog: the dialog moves up, clear of the toasts' corner", async () => {
    await page.setViewportSize({ width: 1280, height: 640 });
    await page.click("[data-action=file-menu]");
    await page.click("[data-menu=auto-exports]");
    await page.waitForSelector("[data-modal=autoexports]");
    await page.evaluate(() => (window.__fake.savePath = "/home/test/thesis/refs.bib"));
    await page.click("[data-action=ae-add]");
    await page.waitForSelector("[data-autoexport='/home/test/thesis/refs.bib']");
    for (let i = 0; i < 4; i++) await page.click("[data-action=ae-run]");
    await page.waitForFunction(() => document.querySelectorAll(".toast").length === 3);
    await page.waitForTimeout(200);
    assert.equal(await page.$$eval(".toast", (els) => els.length), 3, "at most three toasts at a time");
    await page.waitForTimeout(300); // the backdrop's padding transition
    const overlap = await page.evaluate(() => {
      const boxes = [...document.querySelectorAll(".modal, .modal button")].map((e) => e.getBoundingClientRect());
      const toasts = [...document.querySelectorAll(".toast")].map((e) => e.getBoundingClientRect());
      const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      return toasts.flatMap((t, i) => boxes.filter((b) => hit(t, b)).map(() => i));
    });
    assert.deepEqual(overlap, [], "no toast overlaps the dialog or its buttons");
    // the buttons are inside the window and inside the dialog (not scrolled away)
    const cut = await page.evaluate(() => {
      const m = document.querySelector("[data-modal=autoexports] .modal").getBoundingClientRect();
      return [...document.querySelectorAll("[data-modal=autoexports] .modal-actions button")].filter((b) => {
        const r = b.getBoundingClientRect();
        return r.top < m.top || r.bottom > m.bottom || r.bottom > window.innerHeight;
      }).length;
    });
    assert.equal(cut, 0, "the dialog's buttons are in view");
    await page.screenshot({ path: join(SHOTS, "ui-mock-toasts-over-dialog.png") });
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.deepEqual(errors, []);
  });

  test("a dropped .tex exports what its .aux cites, reports missing keys, registers the .aux", async () => {
    await page.evaluate(() => (window.__fake.aux["/papers/p.aux"] = ["jaspers2019", "steen2020", "ghost1999"]));
    await page.evaluate(() => window.__emit("tauri://drag-drop", { paths: ["/papers/p.tex"], position: { x: 600, y: 300 } }));
    await page.waitForSelector("[data-modal=aux]");
    assert.match(await page.textContent("[data-aux-summary]"), /p\.aux cites 2 entries/);
    assert.match(await page.textContent("[data-aux-missing]"), /ghost1999 — not in the library/);
    assert.ok(await page.isChecked("[data-input=aux-register]"));
    await page.evaluate(() => (window.__fake.savePath = "/papers/p.bib"));
    await page.click("[data-action=aux-export]");
    await page.waitForFunction(() => window.__fake.registeredAux.includes("/papers/p.aux"));
    assert.deepEqual((await calls("export_aux"))[0], { path: "/papers/p.tex", format: "bibtex", out: "/papers/p.bib", register: true });
    assert.equal((await calls("plugin:dialog|save"))[0].options.defaultPath, "p.bib");
    await page.waitForFunction(() => [...document.querySelectorAll(".toast")].some((t) => /Exported the 2 cited items to \/papers\/p\.bib \(1 missing: ghost1999\)/.test(t.textContent)));
    assert.equal((await calls("import_files")).length, 0, "a LaTeX file is not imported");
  });

  test("unticking \"Protect these keys\" exports without registering the .aux", async () => {
    await page.evaluate(() => (window.__fake.aux["/papers/q.aux"] = ["jaspers2019"]));
    await page.evaluate(() => window.__emit("tauri://drag-drop", { paths: ["/papers/q.aux"], position: { x: 600, y: 300 } }));
    await page.waitForSelector("[data-modal=aux]");
    await page.uncheck("[data-input=aux-register]");
    await page.evaluate(() => (window.__fake.savePath = "/papers/q.bib"));
    await page.click("[data-action=aux-export]");
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === "export_aux"));
    assert.equal((await calls("export_aux"))[0].register, false);
    await page.waitForFunction(() => [...document.querySelectorAll(".toast")].some((t) => /Exported the 1 cited item/.test(t.textContent)));
    assert.deepEqual(await page.evaluate(() => window.__fake.registeredAux), []);
    assert.equal((await calls("aux_register")).length, 0);
  });

  test("changing a protected key asks first, naming the key and why; confirm retries with force; undo", async () => {
    await page.evaluate(() => (window.__fake.protectedKeys.jaspers2019 = "cited in /papers/p.aux"));
    await page.click(".tr[data-key=jaspers2019] .td");
    await page.waitForSelector("[data-field=key]");
    await page.fill("[data-field=key]", "jaspers2019x");
    await page.press("[data-field=key]", "Enter");
    await page.waitForSelector("[data-modal=protected-key]");
    assert.match(await page.textContent("[data-protected]"), /jaspers2019 — cited in \/papers\/p\.aux/);
    await page.screenshot({ path: join(SHOTS, "ui-mock-protected-key.png") });
    // Cancel: nothing changes
    await page.keyboard.press("Escape");
    await page.waitForSelector("[data-modal=protected-key]", { state: "detached" });
    assert.equal(await page.inputValue("[data-field=key]"), "jaspers2019");
    await page.fill("[data-field=key]", "jaspers2019x");
    await page.press("[data-field=key]", "Enter");
    await page.click("[data-action=confirm-protected]");
    await page.waitForSelector(".tr[data-key=jaspers2019x]");
    const edits = (await calls("edit_field")).filter((c) => c.field === "key");
    assert.deepEqual(edits.map((c) => c.force), [false, false, true]);
    await page.click(".tr[data-key=jaspers2019x] .td");
    await page.keyboard.press("Control+z");
    await page.waitForSelector(".tr[data-key=jaspers2019]");
    // regenerating a protected key asks too
    await page.click(".tr[data-key=jaspers2019] .td", { button: "right" });
    await page.click("[data-menu=row-regenerate]");
    await page.waitForSelector("[data-modal=protected-key]");
    await page.click("[data-action=confirm-protected]");
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === "regenerate_keys" && c.args.force));
  });

  test("a key LaTeX rejects is fixed from the context menu and the file menu; the toast names the change; undo", async () => {
    await page.click(".tr[data-key=steen2020] .td");
    await page.fill("[data-field=key]", "st'een 2020");
    await page.press("[data-field=key]", "Enter");
    await page.waitForSelector(".tr[data-key=\"st'een 2020\"]");
    await page.click(".tr[data-key=\"st'een 2020\"] .td", { button: "right" });
    await page.click("[data-menu=row-fix-key]");
    await page.waitForSelector(".tr[data-key=steen2020]");
    await page.waitForFunction(() => [...document.querySelectorAll(".toast")].some((t) => t.textContent.includes("Fixed keys: st'een 2020 → steen2020")));
    await page.click(".tr[data-key=steen2020] .td");
    await page.keyboard.press("Control+z");
    await page.waitForSelector(".tr[data-key=\"st'een 2020\"]");
    // The file menu does the same for the selection; a valid key is left alone.
    await page.click(".tr[data-key=\"st'een 2020\"] .td");
    await page.click(".tr[data-key=flores2022] .td", { modifiers: ["Control"] });
    await page.click("[data-action=file-menu]");
    await page.click("[data-menu=fix-keys]");
    await page.waitForSelector(".tr[data-key=steen2020]");
    const fix = (await calls("fix_keys")).at(-1);
    assert.deepEqual([...fix.keys].sort(), ["flores2022", "st'een 2020"]);
    assert.ok(await page.$(".tr[data-key=flores2022]"));
  });

  test("quick copy: \\cite with the chosen command, formatted references from the context menu", async () => {
    await page.click(".tr[data-key=flores2022] .td");
    await page.click(".tr[data-key=steen2020] .td", { modifiers: ["Control"] });
    await page.click("[data-action=file-menu]");
    await page.click("[data-menu=cite-settings]");
    await page.check("[data-cite=citep]");
    await page.click("[data-action=cite-save]");
    await page.click(".tr[data-key=steen2020] .td", { modifiers: ["Control"] });
    await page.click(".tr[data-key=steen2020] .td", { modifiers: ["Control"] });
    await page.keyboard.press("Control+Shift+c");
    await page.waitForFunction(() => window.__fake.clipboard.startsWith("\\citep{"));
    assert.match(await page.evaluate(() => window.__fake.clipboard), /^\\citep\{(flores2022,steen2020|steen2020,flores2022)\}$/);
    // kept after a reload
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    await page.click(".tr[data-key=jaspers2019] .td");
    await page.keyboard.press("Control+Shift+c");
    await page.waitForFunction(() => window.__fake.clipboard === "\\citep{jaspers2019}");
    for (const [style, re] of [
      ["apa", /^Jaspers, A\. \(2019\)\. Temporary use of vacant spaces\./],
      ["ieee", /^\[1\] A\. Jaspers/],
    ]) {
      await page.click(".tr[data-key=jaspers2019] .td", { button: "right" });
      await page.click(`[data-menu=row-copy-ref-${style}]`);
      await page.waitForFunction((re) => new RegExp(re).test(window.__fake.clipboard), re.source);
    }
    assert.deepEqual((await calls("format_references")).map((c) => c.style), ["apa", "ieee"]);
    await page.click(".tr[data-key=jaspers2019] .td", { button: "right" });
    await page.screenshot({ path: join(SHOTS, "ui-mock-row-menu.png") });
    assert.deepEqual(errors, []);
  });
});
