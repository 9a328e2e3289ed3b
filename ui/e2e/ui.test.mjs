// The UI in headless Chromium over a fake backend (mockIPC): panes, filters, search, editing,
// undo, file drops, the import report, the export flow, and that library text is only text.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";
import { join } from "node:path";
import { SHOTS, useHarness } from "./support.mjs";

const ui = useHarness({ clearStorage: ["folio.import.duplicates"] });
const { errors, rows, count, calls, waitRows, confirmImport } = ui;
let page;
beforeEach(() => (page = ui.page));

describe("three panes", () => {
  test("library, table and item pane show the library", async () => {
    assert.ok(await page.$("nav.sidebar"));
    assert.ok(await page.$("main.middle"));
    assert.ok(await page.$("aside.item-pane"));
    await waitRows(4);
    assert.equal(await count(), "4 items");
    const nav = await page.$$eval(".sidebar .nav-row .nav-label", (els) => els.map((e) => e.textContent));
    assert.deepEqual(nav.slice(0, 3), ["My Library", "Unfiled", "Trash"]);
    assert.ok(nav.includes("Thesis") && nav.includes("Chapter 2"));
    const tags = await page.$$eval("[data-filter=tags] [data-tag]", (els) => els.map((e) => e.dataset.tag));
    assert.deepEqual(tags, ["co-creation", "co-production", "e-government", "public value"]);
    // headers sort
    await page.click(".th[data-col=year]");
    await page.waitForFunction(() => document.querySelector(".tr[data-index='0']")?.dataset.key === "jaspers2019");
    await page.click(".th[data-col=year]");
    await page.waitForFunction(() => document.querySelector(".tr[data-index='0']")?.dataset.key === "flores2022");
    await page.screenshot({ path: join(SHOTS, "ui-mock-light.png") });
    assert.deepEqual(errors, []);
  });

  test("filters by collection (with subcollections), tag and access, combined", async () => {
    await page.click("[data-collection='Thesis']");
    await waitRows(3);
    assert.deepEqual((await rows()).sort(), ["flores2022", "jaspers2019", "virkar2021"]);
    await page.click("[data-access=restricted]");
    await waitRows(1);
    assert.deepEqual(await rows(), ["flores2022"]);
    await page.click("[data-access=restricted]");
    await page.click("[data-tag='co-production']");
    await waitRows(1);
    assert.deepEqual(await rows(), ["jaspers2019"]);
    await page.click("[data-nav=library]");
    await waitRows(2);
    assert.deepEqual((await rows()).sort(), ["jaspers2019", "steen2020"]);
    await page.click("[data-nav=unfiled]");
    await waitRows(1);
    assert.deepEqual(await rows(), ["steen2020"]);
    const last = (await calls("list_page")).at(-1);
    assert.equal(last.filter.unfiled, true);
    assert.deepEqual(last.filter.tags, ["co-production"]);
  });

  test("a saved search (a JabRef keyword group, say) shows its items, within its collection, its query in the box", async () => {
    await waitRows(4);
    const names = await page.$$eval("[data-tree=saved] [data-saved]", (els) => els.map((e) => e.dataset.saved));
    assert.deepEqual(names, ["Public", "Recent in Thesis"]);
    await page.click("[data-saved='Recent in Thesis']");
    await waitRows(2);
    assert.deepEqual((await rows()).sort(), ["flores2022", "virkar2021"]);
    assert.equal(await page.inputValue("[data-input=search]"), "year:202");
    assert.ok(await page.$("[data-collection='Thesis'].active"), "its collection is the view");
    assert.ok(await page.$("[data-saved='Recent in Thesis'].active"));
    const last = (await calls("list_page")).at(-1);
    assert.equal(last.filter.collection, 1);
    assert.equal(last.filter.query, "year:202");
    await page.click("[data-saved='Public']");
    await waitRows(3);
    assert.deepEqual((await rows()).sort(), ["flores2022", "jaspers2019", "steen2020"]);
    assert.ok(await page.$("[data-nav=library].active"));
    await page.screenshot({ path: join(SHOTS, "ui-mock-saved-search.png") });
    assert.deepEqual(errors, []);
  });

  test("the search in the box is saved (within the collection on view), deleted, and the deletion undone", async () => {
    await waitRows(4);
    await page.click("[data-collection='Thesis']");
    await waitRows(3);
    await page.fill("[data-input=search]", "interop");
    await waitRows(1);
    await page.click("[data-action=save-search]");
    await page.fill("[data-input=saved-name]", "Interop in Thesis");
    await page.press("[data-input=saved-name]", "Enter");
    await page.waitForSelector("[data-saved='Interop in Thesis']");
    const saved = (await calls("search_save")).at(-1);
    assert.deepEqual(saved, { name: "Interop in Thesis", query: "interop", collection: "Thesis" });
    await page.click("[data-nav=library]");
    await page.fill("[data-input=search]", "");
    await waitRows(4);
    await page.click("[data-saved='Interop in Thesis']");
    await waitRows(1);
    assert.deepEqual(await rows(), ["virkar2021"]);
    await page.hover("[data-saved='Public']");
    await page.click("[data-saved='Public'] [data-action=delete-saved]");
    await page.waitForSelector("[data-saved='Public']", { state: "detached" });
    await page.click("[data-action=undo]");
    await page.waitForSelector("[data-saved='Public']");
    // With an empty box, + says what to do instead of saving nothing.
    await page.fill("[data-input=search]", "");
    await page.click("[data-action=save-search]");
    await page.waitForFunction(() => /Type a search in the box first/.test(document.querySelector(".toasts")?.textContent ?? ""));
    assert.equal(await page.$("[data-input=saved-name]"), null);
    assert.deepEqual(errors, []);
  });

  test("a tag with LaTeX markup shows its label in the left pane and the item pane, and filters by its name", async () => {
    const name = "Bt (\\bioname{Bacillus thuringiensis})";
    await page.evaluate((n) => {
      window.__fake.data.items.find((i) => i.key === "steen2020").tags.push(n);
      return window.__emit("library-changed", { scopes: ["items", "tags"], action: "test" });
    }, name);
    const chip = `[data-tag="${name.replace(/\\/g, "\\\\")}"]`;
    await page.waitForSelector(chip);
    assert.equal((await page.textContent(`${chip} span`)).trim(), "Bt (Bacillus thuringiensis)");
    await page.click(chip);
    await waitRows(1);
    assert.deepEqual(await rows(), ["steen2020"]);
    assert.deepEqual((await calls("list_page")).at(-1).filter.tags, [name]);
    await page.click(".tr[data-key=steen2020] .td");
    const kw = `[data-keyword="${name.replace(/\\/g, "\\\\")}"] span`;
    await page.waitForSelector(kw);
    assert.equal((await page.textContent(kw)).trim(), "Bt (Bacillus thuringiensis)");
  });

  test("search box sends the fielded query and shows query errors", async () => {
    await page.fill("[data-input=search]", "title:vacant");
    await waitRows(1);
    assert.deepEqual(await rows(), ["jaspers2019"]);
    assert.equal((await calls("list_page")).at(-1).query ?? (await calls("list_page")).at(-1).filter.query, "title:vacant");
    await page.fill("[data-input=search]", 'title:"open');
    await page.waitForSelector(".query-error:not([hidden])");
    assert.match(await page.textContent(".query-error"), /unbalanced/);
  });
});

describe("library-changed refreshes what its scopes name", () => {
  const emit = (scopes) => page.evaluate((s) => window.__emit("library-changed", { scopes: s, action: `changed: ${s.join(" ")}` }), scopes);
  const settle = async (scopes) => {
    await page.waitForFunction((t) => document.querySelector("[data-status=action]")?.textContent === t, `changed: ${scopes.join(" ")}`);
    await page.waitForTimeout(250);
  };
  const n = async (cmd) => (await calls(cmd)).length;

  test("tags: the left pane is read again, the table page is not", async () => {
    await waitRows(4);
    const pages = await n("list_page");
    const sidebars = await n("sidebar");
    await page.evaluate(() => window.__fake.data.items.find((i) => i.key === "virkar2021").tags.push("interop"));
    await emit(["tags"]);
    await page.waitForSelector("[data-tag=interop]");
    await settle(["tags"]);
    assert.equal(await n("sidebar"), sidebars + 1);
    assert.equal(await n("list_page"), pages, "a tags change does not reload the table");
    assert.deepEqual(errors, []);
  });

  test("collections: the left pane only; items: the table, the item pane and the left pane", async () => {
    await waitRows(4);
    await page.click(".tr[data-key=steen2020] .td");
    await page.waitForSelector(".item-pane [data-field=title]");
    const [pages, items, sidebars] = [await n("list_page"), await n("get_item"), await n("sidebar")];
    await emit(["collections"]);
    await settle(["collections"]);
    assert.deepEqual([await n("list_page"), await n("get_item"), await n("sidebar")], [pages, items, sidebars + 1]);

    await page.evaluate(() => (window.__fake.data.items.find((i) => i.key === "steen2020").title = "Public value, revised"));
    await emit(["items"]);
    await page.waitForFunction(() => document.querySelector(".tr[data-key=steen2020] [data-col=title]")?.textContent === "Public value, revised");
    await settle(["items"]);
    assert.equal(await n("list_page"), pages + 1, "an items change reloads the table page");
    assert.equal(await n("get_item"), items + 1, "and the item on view");
    assert.equal(await n("sidebar"), sidebars + 2, "and the left pane's counts");
    assert.equal(await page.inputValue(".item-pane [data-field=title]"), "Public value, revised");
    assert.deepEqual(errors, []);
  });

  test("auto-exports: nothing is read again; library: back to the whole library", async () => {
    await page.click("[data-collection='Thesis']");
    await waitRows(3);
    const [pages, sidebars] = [await n("list_page"), await n("sidebar")];
    await emit(["auto-exports"]);
    await settle(["auto-exports"]);
    assert.deepEqual([await n("list_page"), await n("sidebar")], [pages, sidebars]);

    await emit(["library", "items", "collections", "tags"]);
    await waitRows(4);
    assert.ok(await page.$(".nav-row.active[data-nav=library]"));
    assert.equal((await calls("list_page")).at(-1).filter.collection, null);
    assert.deepEqual(errors, []);
  });
});

describe("collections and columns", () => {
  test("create, rename, nest by dragging, move to top, delete", async () => {
    await page.click("[data-action=new-collection]");
    await page.fill("[data-input=new-collection]", "Reading list");
    await page.press("[data-input=new-collection]", "Enter");
    await page.waitForSelector("[data-collection='Reading list']");
    assert.deepEqual((await calls("collection_create"))[0], { parent: null, name: "Reading list" });
    // rename with F2
    await page.focus("[data-collection='Reading list']");
    await page.keyboard.press("F2");
    await page.fill(".nav-row .inline-input", "To read");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-collection='To read']");
    // nest by dragging onto Thesis
    const a = await page.locator("[data-collection='To read']").boundingBox();
    const b = await page.locator("[data-collection='Thesis']").boundingBox();
    await page.mouse.move(a.x + 30, a.y + 8);
    await page.mouse.down();
    await page.mouse.move(b.x + 30, b.y + 8, { steps: 10 });
    await page.mouse.up();
    await page.waitForSelector("[data-collection='Thesis/To read']");
    assert.deepEqual((await calls("collection_move"))[0], { path: "To read", parent: "Thesis" });
    // back to the top level by dragging onto My Library
    const c = await page.locator("[data-collection='Thesis/To read']").boundingBox();
    const root = await page.locator("[data-nav=library]").boundingBox();
    await page.mouse.move(c.x + 40, c.y + 8);
    await page.mouse.down();
    await page.mouse.move(root.x + 30, root.y + 8, { steps: 10 });
    await page.mouse.up();
    await page.waitForSelector("[data-collection='To read']");
    // delete with the Delete key, then undo brings it back
    await page.focus("[data-collection='To read']");
    await page.keyboard.press("Delete");
    await page.waitForFunction(() => !document.querySelector("[data-collection='To read']"));
    await page.click("[data-action=undo]");
    await page.waitForSelector("[data-collection='To read']");
  });

  test("choose and reorder columns; the choice is kept", async () => {
    await page.click("[data-action=columns]");
    await page.click("[data-col-toggle=key]");
    await page.waitForSelector(".th[data-col=key]");
    await page.click("[data-col-toggle=creators]");
    await page.waitForFunction(() => !document.querySelector(".th[data-col=creators]"));
    // move Year before Title
    const up = page.locator(".col-choice", { has: page.locator("[data-col-toggle=year]") }).locator("button[title='Move left']");
    await up.click();
    const cols = await page.$$eval(".th[data-col]", (els) => els.map((e) => e.dataset.col));
    assert.deepEqual(cols.slice(0, 2), ["year", "title"]);
    assert.ok(cols.includes("key") && !cols.includes("creators"));
    assert.deepEqual(await page.$$eval(".tr[data-index='0'] .td", (els) => els.map((e) => e.dataset.col)), cols);
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    assert.deepEqual(await page.$$eval(".th[data-col]", (els) => els.map((e) => e.dataset.col)), cols);
    await page.evaluate(() => localStorage.removeItem("folio.columns"));
  });
});

describe("editing", () => {
  test("edit a field in place, then undo with Ctrl+Z", async () => {
    await page.click(".tr[data-key=steen2020] .td");
    await page.waitForSelector("[data-field=title]");
    assert.equal(await page.inputValue("[data-field=title]"), "Public value and co-production");
    // structured abstract shown as sections, keywords as chips, access badge
    const heads = await page.$$eval(".abs-heading", (els) => els.map((e) => e.textContent));
    assert.deepEqual(heads, ["Purpose", "Findings"]);
    assert.deepEqual(await page.$$eval(".kw-chip", (els) => els.map((e) => e.dataset.keyword)), ["co-production", "public value"]);
    assert.equal(await page.textContent("[data-badge=access]"), "free");
    await page.fill("[data-field=title]", "A better title");
    await page.press("[data-field=title]", "Enter");
    await page.waitForFunction(() => [...document.querySelectorAll(".tr .td[data-col=title]")].some((e) => e.textContent === "A better title"));
    // validation: a bad year is refused with the core's message, shown next to the field
    await page.fill("[data-field=date]", "soon");
    await page.press("[data-field=date]", "Enter");
    await page.waitForSelector("[data-field=date].invalid");
    assert.match(await page.textContent(".field-error"), /year must be a number/);
    // undo from the table
    await page.click(".tr[data-key=steen2020] .td");
    await page.keyboard.press("Control+z");
    await page.waitForFunction(() => [...document.querySelectorAll(".tr .td[data-col=title]")].some((e) => e.textContent === "Public value and co-production"));
    assert.equal(await page.inputValue("[data-field=title]"), "Public value and co-production");
    await page.keyboard.press("Control+Shift+z");
    await page.waitForFunction(() => [...document.querySelectorAll(".tr .td[data-col=title]")].some((e) => e.textContent === "A better title"));
  });

  test("invalid input shows the core's message, never silently", async () => {
    await page.evaluate(() => {
      const f = window.__fake;
      const orig = f.handle.bind(f);
      f.handle = async (cmd, a) => (cmd === "edit_field" && a.field === "doi" ? Promise.reject({ code: "invalid-input", message: "steen2020: DOI must start with 10." }) : orig(cmd, a));
    });
    await page.click(".tr[data-key=steen2020] .td");
    assert.equal(await page.isVisible("[data-field=doi]"), false, "empty fields hidden until asked for");
    await page.click("[data-action=toggle-empty-fields]");
    await page.fill("[data-field=doi]", "nonsense");
    await page.press("[data-field=doi]", "Enter");
    await page.waitForSelector(".toast-error");
    assert.match(await page.textContent(".toast-error"), /DOI must start with 10\./);
    assert.match(await page.textContent(".field-error"), /DOI must start/);
  });

  test("creators: add, reorder, remove", async () => {
    await page.click(".tr[data-key=steen2020] .td");
    await page.click("[data-action=add-creator]");
    await page.fill("[data-input=new-creator-family]", "Brandsen");
    await page.fill("[data-input=new-creator-given]", "Taco");
    await page.press("[data-input=new-creator-given]", "Enter");
    await page.waitForSelector("[data-creator='1']");
    await page.click("[data-creator='1'] [aria-label='Move up']");
    await page.waitForFunction(() => document.querySelector("[data-creator-family='0']")?.value === "Brandsen");
    const last = (await calls("set_creators")).at(-1);
    assert.deepEqual(last.creators.map((c) => c.family), ["Brandsen", "Steen"]);
    await page.click("[data-creator='0'] [aria-label='Remove creator']");
    await page.waitForFunction(() => document.querySelectorAll("[data-creator]").length === 1);
  });

  test("drag items onto a collection and a tag with the pointer", async () => {
    await page.click(".tr[data-key=steen2020] .td");
    const src = await page.locator(".tr[data-key=steen2020] .td").first().boundingBox();
    const dst = await page.locator("[data-collection='Thesis/Chapter 2']").boundingBox();
    await page.mouse.move(src.x + 20, src.y + 10);
    await page.mouse.down();
    await page.mouse.move(src.x + 40, src.y + 30, { steps: 4 });
    await page.mouse.move(dst.x + 20, dst.y + 8, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === "collection_add"));
    assert.deepEqual((await calls("collection_add"))[0], { path: "Thesis/Chapter 2", keys: ["steen2020"], filter: null });
    const tag = await page.locator("[data-tag='e-government']").boundingBox();
    const src2 = await page.locator(".tr[data-key=steen2020] .td").first().boundingBox();
    await page.mouse.move(src2.x + 20, src2.y + 10);
    await page.mouse.down();
    await page.mouse.move(tag.x + 10, tag.y + 8, { steps: 10 });
    await page.mouse.up();
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === "tag_add"));
    assert.deepEqual((await calls("tag_add"))[0], { tag: "e-government", keys: ["steen2020"], filter: null });
  });
});

describe("import and export", () => {
  test("dropping files imports them, with progress and a report (bad entries with file:line)", async () => {
    await page.evaluate(() => {
      window.__fake.files["/data/a.bib"] = [{ title: "Dropped one", access: "open" }, { title: "Dropped two" }];
      window.__fake.files["/data/b.ris"] = { error: "missing closing brace", line: 12 };
    });
    await page.evaluate(() => window.__emit("tauri://drag-drop", { paths: ["/data/a.bib", "/data/b.ris"], position: { x: 600, y: 300 } }));
    await confirmImport();
    await page.waitForSelector("[data-modal=import-report]");
    assert.match(await page.textContent("[data-summary]"), /^2 added, 1 problem/);
    assert.match(await page.textContent("[data-report-file='b.ris'] .diag"), /b\.ris:12 error: missing closing brace/);
    await page.click("[data-action=close-modal]");
    await waitRows(6);
    assert.deepEqual((await calls("import_files"))[0].paths, ["/data/a.bib", "/data/b.ris"]);
    // undo removes the whole import
    await page.click(".tr[data-index='0'] .td");
    await page.keyboard.press("Control+z");
    await waitRows(4);
  });

  test("dropping onto a collection imports into it", async () => {
    await page.evaluate(() => (window.__fake.files["/data/c.bib"] = [{ title: "Into chapter" }]));
    const box = await page.locator("[data-collection='Thesis/Chapter 2']").boundingBox();
    await page.evaluate(
      ([x, y]) => window.__emit("tauri://drag-drop", { paths: ["/data/c.bib"], position: { x: x * devicePixelRatio, y: y * devicePixelRatio } }),
      [box.x + 10, box.y + 5],
    );
    await confirmImport();
    await page.waitForSelector("[data-modal=import-report]");
    assert.equal((await calls("import_files"))[0].collection, "Thesis/Chapter 2");
  });

  test("a missing file shows the core's error as a toast", async () => {
    await page.evaluate(() => window.__emit("tauri://drag-drop", { paths: ["/nope.bib"], position: { x: 1, y: 1 } }));
    await confirmImport();
    await page.waitForSelector(".toast-error");
    assert.match(await page.textContent(".toast-error"), /Import: \/nope\.bib: No such file/);
  });

  test("File > Export… exports the selection as RIS through the save dialog", async () => {
    await page.click(".tr[data-key=flores2022] .td");
    await page.click(".tr[data-key=virkar2021] .td", { modifiers: ["Control"] });
    await page.click("[data-action=file-menu]");
    await page.click("[data-menu=export]");
    await page.waitForSelector("[data-modal=export]");
    assert.ok(await page.isChecked("[data-scope=selection]"));
    await page.selectOption("[data-input=export-format]", "ris");
    await page.evaluate(() => (window.__fake.savePath = "/tmp/out.ris"));
    await page.click("[data-action=export-save]");
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === "export_file"));
    const [exp] = await calls("export_file");
    assert.equal(exp.format, "ris");
    assert.equal(exp.path, "/tmp/out.ris");
    assert.deepEqual(exp.selection.keys.sort(), ["flores2022", "virkar2021"]);
    const [dlg] = await calls("plugin:dialog|save");
    assert.ok(dlg.options.defaultPath.endsWith(".ris"));
    await page.waitForFunction(() => [...document.querySelectorAll(".toast")].some((t) => t.textContent.includes("Exported 2 items to /tmp/out.ris")));
  });

  test("export of a collection view uses its filter", async () => {
    await page.click("[data-collection='Thesis']");
    await waitRows(3);
    await page.keyboard.press("Control+e");
    await page.waitForSelector("[data-modal=export]");
    await page.check("[data-scope=view]");
    await page.click("[data-action=export-save]");
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === "export_file"));
    const [exp] = await calls("export_file");
    assert.equal(exp.selection.keys.length, 0);
    assert.equal(exp.selection.filter.collection, 1);
  });
});

describe("safety", () => {
  test("titles with HTML render as text and run no script", async () => {
    let dialogs = 0;
    page.on("dialog", (d) => (dialogs++, d.dismiss()));
    await page.evaluate(() => {
      const f = window.__fake;
      f.data.items[0].title = "<img src=x onerror=alert(1)>";
      f.data.items[1].title = "<script>window.__pwned = 1</script>";
      f.data.items[1].abstractSections = [{ heading: "<b>Purpose</b>", text: "<img src=y onerror=window.__pwned=2>" }];
      f.data.items[1].tags = ["<i>tag</i>"];
    });
    await page.evaluate(() => window.__emit("library-changed", { scopes: ["items", "tags"], action: "test" }));
    await page.waitForFunction(() => [...document.querySelectorAll(".td[data-col=title]")].some((e) => e.textContent.startsWith("<script>")));
    await page.click(".tr[data-key=jaspers2019] .td");
    await page.waitForSelector(".abs-heading");
    await page.waitForTimeout(300);
    const titles = await page.$$eval(".td[data-col=title]", (els) => els.map((e) => e.textContent));
    assert.ok(titles.includes("<img src=x onerror=alert(1)>"));
    assert.ok(titles.includes("<script>window.__pwned = 1</script>"));
    assert.equal(await page.textContent(".abs-heading"), "<b>Purpose</b>");
    assert.equal(await page.$$eval("#app img, #app script, #app b, #app i", (e) => e.length), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(dialogs, 0);
    assert.deepEqual(errors, []);
  });
});

describe("keyboard", () => {
  test("arrows move the selection, Delete trashes, paste imports text", async () => {
    await page.click(".tr[data-index='0'] .td");
    await page.keyboard.press("ArrowDown");
    const second = await page.$eval(".tr[data-index='1']", (e) => e.dataset.key);
    await page.waitForFunction((k) => document.querySelector(`.tr[data-key='${k}']`)?.classList.contains("selected"), second);
    await page.keyboard.press("Delete");
    await waitRows(3);
    assert.deepEqual((await calls("delete_items"))[0].keys, [second]);
    await page.evaluate(() => {
      const e = new ClipboardEvent("paste", { clipboardData: new DataTransfer() });
      e.clipboardData.setData("text/plain", "@article{x, title={Pasted}}");
      document.dispatchEvent(e);
    });
    await confirmImport();
    await page.waitForSelector("[data-modal=import-report]");
    assert.equal((await calls("import_text"))[0].text, "@article{x, title={Pasted}}");
  });

  test("Copy BibTeX and Copy \\cite{key} of the selection", async () => {
    await page.click(".tr[data-key=flores2022] .td");
    await page.click(".tr[data-key=steen2020] .td", { modifiers: ["Control"] });
    await page.keyboard.press("Control+Shift+c");
    await page.waitForFunction(() => window.__fake.clipboard.startsWith("\\cite{"));
    const cite = await page.evaluate(() => window.__fake.clipboard);
    assert.match(cite, /^\\cite\{(flores2022,steen2020|steen2020,flores2022)\}$/);
    await page.click("[data-action=file-menu]");
    await page.click("[data-menu=copy-bibtex]");
    await page.waitForFunction(() => window.__fake.clipboard.startsWith("@article"));
    assert.equal((await calls("export_text"))[0].format, "bibtex");
  });

  test("Ctrl+A selects every row of the filter without fetching keys; actions send the filter", async () => {
    await page.click("[data-tag='co-production']");
    await waitRows(2);
    await page.click(".tr[data-index='0'] .td");
    await page.keyboard.press("Control+a");
    await page.waitForFunction(() => document.querySelector(".pane-title")?.textContent === "2 items selected");
    assert.equal((await calls("list_keys")).length, 0, "no keys fetched");
    assert.equal(await page.$$eval(".tr.selected", (els) => els.length), 2);
    // a bulk action names the filter, and the shell resolves it
    await page.fill("[data-input=bulk-tag]", "bulk");
    await page.press("[data-input=bulk-tag]", "Enter");
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === "tag_add"));
    const tag = (await calls("tag_add"))[0];
    assert.deepEqual(tag.keys, []);
    assert.deepEqual(tag.filter.tags, ["co-production"]);
    assert.equal(await page.evaluate(() => window.__fake.data.items.filter((i) => i.tags.includes("bulk")).length), 2);
    // Ctrl+click takes one row out: now the keys are fetched once
    const first = await page.$eval(".tr[data-index='0']", (e) => e.dataset.key);
    await page.click(".tr[data-index='0'] .td", { modifiers: ["Control"] });
    await page.waitForFunction(() => !document.querySelector(".tr[data-index='0']").classList.contains("selected"));
    assert.equal((await calls("list_keys")).length, 1);
    await page.keyboard.press("Delete");
    await waitRows(1);
    const del = (await calls("delete_items"))[0];
    assert.equal(del.filter, null);
    assert.equal(del.keys.length, 1);
    assert.notEqual(del.keys[0], first);
    // a new filter ends "all rows"
    await page.keyboard.press("Control+a");
    await page.click("[data-tag='co-production']");
    await page.waitForFunction(() => !document.querySelector(".pane-title")?.textContent.includes("selected"));
    assert.deepEqual(errors, []);
  });

  test("the left pane is keyboard-driven", async () => {
    await page.focus("[data-nav=library]");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await waitRows(1);
    assert.deepEqual(await rows(), ["steen2020"]);
  });

  test("Ctrl+V with references on the clipboard imports them (real key press)", async () => {
    await page.evaluate(() => navigator.clipboard.writeText("TY  - JOUR\nTI  - From the clipboard\nER  - \n"));
    await page.click(".tr[data-index='0'] .td");
    await page.keyboard.press("Control+v");
    await confirmImport();
    await page.waitForSelector("[data-modal=import-report]");
    assert.match((await calls("import_text"))[0].text, /TI  - From the clipboard/);
    // inside a text field, Ctrl+V pastes text as usual and imports nothing
    await page.click("[data-action=close-modal]");
    await page.click("[data-input=search]");
    await page.keyboard.press("Control+v");
    await page.waitForTimeout(300);
    assert.equal((await calls("import_text")).length, 1);
  });

  test("empty library shows the empty state; dark theme follows the OS", async () => {
    await page.evaluate(() => window.__fake.reset({ items: [], collections: [], nextId: 1 }));
    await page.emulateMedia({ colorScheme: "dark" });
    await page.evaluate(() => window.__emit("library-changed", { scopes: ["items", "collections", "tags"], action: "test" }));
    await page.waitForSelector(".empty-state:not([hidden])");
    assert.match(await page.textContent(".empty-state"), /Your library is empty/);
    const bg = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--bg").trim());
    assert.equal(bg, "#1e1f22");
    await page.screenshot({ path: join(SHOTS, "ui-mock-empty-dark.png") });
    await page.emulateMedia({ colorScheme: "light" });
  });
});

describe("an old library", () => {
  test("while it is upgraded the window says so, then shows the library", async () => {
    await page.goto(page.url().replace(/harness\.html.*/, "harness.html?library=upgrading"));
    await page.waitForSelector("[data-library-state=upgrading]");
    const text = await page.textContent(".upgrade-screen");
    assert.match(text, /Upgrading your library/);
    assert.match(text, /\/home\/test\/\.local\/share\/folio\/library\.sqlite/);
    assert.match(text, /format 10\b.*format 11\b/s);
    assert.match(text, /library\.sqlite\.v10-….bak/);
    assert.match(text, /\b2 s\b/, "the time it has taken so far");
    assert.equal(await page.$("nav.sidebar"), null, "no library panes yet");
    assert.equal((await calls("list_page")).length, 0, "nothing asked of a library that is not open");
    await page.screenshot({ path: join(SHOTS, "ui-mock-upgrading.png") });
    await page.evaluate(() => window.__fake.finishOpen());
    await waitRows(4);
    assert.equal(await page.$(".upgrade-screen"), null);
    assert.equal(await count(), "4 items");
    assert.deepEqual(errors, []);
  });

  test("an upgrade that fails says why", async () => {
    await page.goto(page.url().replace(/harness\.html.*/, "harness.html?library=upgrading"));
    await page.waitForSelector("[data-library-state=upgrading]");
    await page.evaluate(() => window.__fake.finishOpen({ code: "busy", message: "the library is busy: another program is writing to it" }));
    await page.waitForSelector("nav.sidebar");
    await page.waitForFunction(() => /Cannot open .*library\.sqlite: the library is busy/.test(document.querySelector(".toasts")?.textContent ?? ""));
  });
});

describe("the citation picker", () => {
  const picked = () => page.evaluate(() => window.__fake.picked);
  const openPicker = async () => {
    await page.goto(page.url().replace(/harness\.html.*/, "harness.html?window=cayw#cayw"));
    await page.waitForSelector("body[data-ready=true] [data-picker=query]");
  };
  const rowsShow = (key) =>
    page.waitForFunction((k) => document.querySelector("[data-picker=list] .current")?.dataset.key === k, key, { timeout: 5000 });

  test("a comma after the search gives the item a locator; Tab adds it, Enter cites all", async () => {
    await openPicker();
    await page.type("[data-picker=query]", "steen, ch. 3");
    await rowsShow("steen2020");
    await page.keyboard.press("Tab");
    await page.waitForSelector("[data-picker=chosen] [data-key=steen2020]");
    assert.equal(await page.textContent("[data-picker=chosen] [data-key=steen2020]"), "steen2020, ch. 3");
    await page.type("[data-picker=query]", "jaspers, 45");
    await rowsShow("jaspers2019");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => window.__fake.picked !== null);
    const [a, b] = await picked();
    assert.deepEqual(
      [a.key, a.label, a.locator, b.key, b.label, b.locator],
      ["steen2020", "chapter", "3", "jaspers2019", "", "45"],
    );
    assert.deepEqual(errors, []);
  });

  test("Tab pressed before a slow search answers adds the item typed, not a row of an older search", async () => {
    await openPicker();
    await page.waitForSelector("[data-picker=list] [data-key]");
    const first = await page.getAttribute("[data-picker=list] .current", "data-key");
    assert.notEqual(first, "jaspers2019", "the test needs another item first among the recent ones");
    // Each search takes longer than the picker's debounce: the search Tab starts is overtaken
    // by the debounced one of the last keys, and Tab must wait for that one's rows.
    await page.evaluate(() => (window.__fake.listDelayMs = 400));
    await page.type("[data-picker=query]", "jaspers");
    await page.keyboard.press("Tab");
    await page.waitForSelector("[data-picker=chosen] [data-key]");
    assert.deepEqual(await page.$$eval("[data-picker=chosen] [data-key]", (els) => els.map((e) => e.dataset.key)), ["jaspers2019"]);
    await page.keyboard.press("Escape");
    await page.evaluate(() => (window.__fake.listDelayMs = 0));
    assert.deepEqual(errors, []);
  });

  test("← walks to a chosen item; Enter edits its prefix, suffix and year only", async () => {
    await openPicker();
    await page.type("[data-picker=query]", "jaspers");
    await rowsShow("jaspers2019");
    await page.keyboard.press("Tab");
    await page.waitForSelector("[data-picker=chosen] [data-key=jaspers2019]");
    await page.keyboard.press("ArrowLeft");
    await page.waitForFunction(() => document.activeElement?.dataset.key === "jaspers2019");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-picker=editor]:not([hidden]) [data-edit=locator]");
    await page.fill("[data-edit=prefix]", "see");
    await page.fill("[data-edit=locator]", "12–15");
    await page.fill("[data-edit=suffix]", "emphasis added");
    await page.check("[data-edit=suppress-author]");
    await page.screenshot({ path: join(SHOTS, "ui-mock-picker-edit.png") });
    await page.press("[data-edit=suffix]", "Enter");
    await page.waitForSelector("[data-picker=editor][hidden]", { state: "attached" });
    assert.equal(await page.textContent("[data-picker=chosen] [data-key=jaspers2019]"), "see -jaspers2019, p. 12–15 emphasis added");
    // A second item; an edit of the first one cancelled with Esc changes nothing, also when
    // the second one is edited after it.
    await page.type("[data-picker=query]", "steen");
    await rowsShow("steen2020");
    await page.keyboard.press("Tab");
    await page.waitForSelector("[data-picker=chosen] [data-key=steen2020]");
    await page.click("[data-picker=chosen] [data-key=jaspers2019]");
    await page.fill("[data-edit=locator]", "99");
    await page.press("[data-edit=locator]", "Escape");
    await page.click("[data-picker=chosen] [data-key=steen2020]");
    await page.fill("[data-edit=locator]", "7");
    await page.press("[data-edit=locator]", "Enter");
    // Focus is back in the box: Enter with it empty cites the chosen items only.
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => window.__fake.picked !== null);
    assert.deepEqual(await picked(), [
      { key: "jaspers2019", prefix: "see", locator: "12–15", label: "", suffix: "emphasis added", suppressAuthor: true },
      { key: "steen2020", prefix: "", locator: "7", label: "", suffix: "", suppressAuthor: false },
    ]);
    assert.deepEqual(errors, []);
  });
});

describe("files of an item", () => {
  test("attach, see size, pages and text state, a missing file marked, open by id, detach", async () => {
    await waitRows(4);
    await page.click(".tr[data-key=steen2020] .td");
    await page.waitForSelector("[data-section=files]");
    assert.match(await page.textContent("[data-section=files]"), /No files/);
    await page.evaluate(() => (window.__fake.openPaths = ["/papers/Steen 2020.pdf", "/papers/gone.pdf", "/papers/notes.txt"]));
    await page.click("[data-action=attach-files]");
    await page.waitForSelector("[data-section=files] .file-line >> nth=2");
    const lines = await page.$$eval("[data-section=files] .file-line", (els) =>
      els.map((e) => [e.querySelector(".file-name").textContent, e.querySelector(".file-facts").textContent, e.querySelector(".badge").textContent, e.querySelector("[data-action=open-attachment]").disabled]),
    );
    assert.deepEqual(lines, [
      ["Steen 2020.pdf", "121 KB · 12 pages", "text indexed", false],
      ["gone.pdf", "121 KB", "missing", true],
      ["notes.txt", "121 KB · 12 pages", "text not read yet", false],
    ]);
    assert.deepEqual((await calls("attach_files"))[0], { id: 3, paths: ["/papers/Steen 2020.pdf", "/papers/gone.pdf", "/papers/notes.txt"], link: false });
    // A file not read yet offers to read it.
    assert.ok(await page.$("[data-action=index-text]"));
    await page.screenshot({ path: join(SHOTS, "ui-mock-files.png") });
    const first = await page.getAttribute("[data-section=files] .file-line >> nth=0", "data-attachment");
    await page.click(`[data-attachment='${first}'] [data-action=open-attachment]`);
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === "open_attachment"));
    assert.deepEqual((await calls("open_attachment"))[0], { attachment: Number(first) });
    await page.click(`[data-attachment='${first}'] [data-action=detach-attachment]`);
    await page.waitForFunction(() => document.querySelectorAll("[data-section=files] .file-line").length === 2);
    await page.click("[data-action=index-text]");
    // It reads them in the background (the status bar follows it).
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === "fulltext_start"));
    assert.deepEqual(errors, []);
  });

  test("Locate… relinks a missing file; Find missing files… relinks the rest and reports", async () => {
    await waitRows(4);
    await page.click(".tr[data-key=steen2020] .td");
    await page.evaluate(() => (window.__fake.openPaths = ["/papers/moved.pdf", "/papers/moved-b.pdf", "/papers/gone.pdf", "/papers/twice.pdf"]));
    await page.click("[data-action=attach-files]");
    await page.waitForSelector("[data-section=files] .file-line >> nth=3");
    assert.equal((await page.$$("[data-section=files] [data-action=locate-attachment]")).length, 4, "each missing file offers Locate…");
    const moved = await page.getAttribute("[data-section=files] .file-line >> nth=0", "data-attachment");
    await page.evaluate(() => (window.__fake.openPaths = ["/new place/moved.pdf"]));
    await page.click(`[data-attachment='${moved}'] [data-action=locate-attachment]`);
    await page.waitForFunction((id) => !document.querySelector(`[data-attachment='${id}']`)?.classList.contains("missing"), moved);
    assert.deepEqual((await calls("locate_attachment"))[0], { id: 3, attachment: Number(moved), path: "/new place/moved.pdf" });
    const dialog = (await calls("plugin:dialog|open")).at(-1);
    assert.equal(dialog.options.title, "Locate moved.pdf");
    assert.equal(dialog.options.multiple, false);
    assert.equal(await page.$(`[data-attachment='${moved}'] [data-action=locate-attachment]`), null, "no Locate… once found");
    await page.waitForFunction(() => /Located moved\.pdf/.test(document.querySelector(".toasts")?.textContent ?? ""));
    // The folder they all went to: one relinked, one ambiguous, one still missing.
    await page.evaluate(() => (window.__fake.openPaths = ["/new place"]));
    await page.click("[data-action=file-menu]");
    await page.click("[data-menu=find-missing]");
    await page.waitForSelector("[data-modal=missing-report]");
    assert.equal((await calls("plugin:dialog|open")).at(-1).options.directory, true);
    assert.deepEqual((await calls("find_missing_files"))[0], { folder: "/new place" });
    assert.equal(await page.textContent("[data-modal=missing-report] [data-summary]"), "1 relinked, 1 still missing, 1 ambiguous (42 files searched)");
    const kinds = await page.$$eval("[data-modal=missing-report] [data-missing]", (els) => els.map((e) => [e.dataset.missing, e.firstChild.textContent]));
    assert.deepEqual(kinds, [
      ["relinked", "steen2020: moved-b.pdf → /new place/moved-b.pdf"],
      ["ambiguous", "steen2020: twice.pdf → /new place/a/twice.pdf, /new place/b/twice.pdf"],
      ["missing", "steen2020: gone.pdf"],
    ]);
    await page.screenshot({ path: join(SHOTS, "ui-mock-missing-files.png") });
    await page.click("[data-modal=missing-report] [data-action=close-modal]");
    // The pane refreshed: only gone.pdf and twice.pdf are still marked missing.
    await page.waitForFunction(() => document.querySelectorAll("[data-section=files] .file-line.missing").length === 2);
    assert.deepEqual(errors, []);
  });

  test("a PDF dropped on a row is attached to that item; a .bib dropped there is imported", async () => {
    await waitRows(4);
    const box = await page.$eval(".tr[data-key=jaspers2019]", (e) => {
      const r = e.getBoundingClientRect();
      return [r.left + 40, r.top + r.height / 2];
    });
    const drop = (paths) =>
      page.evaluate(([x, y, paths]) => window.__emit("tauri://drag-drop", { paths, position: { x: x * devicePixelRatio, y: y * devicePixelRatio } }), [...box, paths]);
    await drop(["/papers/Jaspers 2019.pdf"]);
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === "attach_files"));
    assert.deepEqual((await calls("attach_files"))[0], { id: 2, paths: ["/papers/Jaspers 2019.pdf"], link: false });
    assert.equal((await calls("import_files")).length, 0);
    await drop(["/data/more.bib"]);
    await confirmImport();
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === "import_files"));
    assert.equal((await calls("attach_files")).length, 1);
    assert.deepEqual(errors, []);
  });

  test("a PDF dropped on the window becomes a reference; the report says where each field came from", async () => {
    await waitRows(4);
    await page.evaluate(() => window.__emit("tauri://drag-drop", { paths: ["/papers/sundstrom.pdf"], position: { x: 600 * devicePixelRatio, y: 600 * devicePixelRatio } }));
    await confirmImport();
    await page.waitForSelector("[data-modal=import-report] [data-report-pdf='sundstrom.pdf']");
    assert.equal(await page.textContent("[data-pdf-outcome]"), "added as sundstrom100");
    const fields = await page.$$eval("[data-report-pdf] .pdf-field", (els) => els.map((e) => e.textContent));
    assert.deepEqual(fields, [
      "title: Stressful life events are not associated with the development of dementia — layout of page 1",
      "authors: Sundström, Anna — layout of page 1, uncertain",
      "doi: 10.1017/S1041610213001804 — printed on page 1",
    ]);
    await page.screenshot({ path: join(SHOTS, "ui-mock-pdf-report.png") });
    assert.deepEqual((await calls("import_files"))[0].paths, ["/papers/sundstrom.pdf"]);
    await waitRows(5);
    assert.deepEqual(errors, []);
  });

  test("a full-text search shows which file and page matched, the words marked, markup as text", async () => {
    await waitRows(4);
    await page.click(".tr[data-key=steen2020] .td");
    await page.evaluate(() => (window.__fake.openPaths = ["/papers/Steen 2020.pdf"]));
    await page.click("[data-action=attach-files]");
    await page.waitForSelector("[data-section=files] .file-line");
    await page.fill("[data-input=search]", "ft:value");
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === "list_page" && c.args.filter.query === "ft:value"));
    await waitRows(1);
    await page.click(".tr[data-key=steen2020] .td");
    await page.waitForSelector("[data-section=fulltext-hits] .hit-line");
    assert.equal(await page.textContent(".hit-line"), "Steen 2020.pdf, p. 3: …the <b>co-produced</b> value of public services…");
    assert.equal(await page.textContent(".hit-line mark"), "value");
    assert.equal(await page.$(".hit-line b"), null, "markup in the text stays text");
    assert.deepEqual((await calls("fulltext_hits")).at(-1), { id: 3, query: "ft:value", everything: false });
    await page.screenshot({ path: join(SHOTS, "ui-mock-fulltext-hits.png") });
    assert.deepEqual(errors, []);
  });
});
