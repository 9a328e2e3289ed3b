// The real app under Xvfb with PDFs (issue 26): an item made from a PDF shows its file (pages,
// text indexed), Open hands the file to the system's viewer (here a recorder), a full-text
// search names the file and page of the hit, the built-in viewer opens at that page with the
// words marked, a PDF dropped on the window becomes a new reference whose report says where
// each field came from, a PDF dragged from another window onto an item (a real XDND drag)
// is attached to it and its text read in the background, and Locate… (the native file dialog,
// typed into with xdotool) copies a missing stored copy back.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { ROOT, SHOTS, TARGET, WebDriver, sandboxEnv, sleep, start, startDriver, startXvfb, waitFor } from "./support.mjs";

const FOLIO = process.env.FOLIO_BIN ?? join(TARGET, "release", "folio");
const corpus = process.env.FOLIO_CORPUS || resolve(ROOT, "..", "shared", "corpus");
const pdf1 = join(corpus, "pdf", "public", "cermine__test1.pdf");
const pdf2 = join(corpus, "pdf", "public", "cermine__test2.pdf");
const pdf3 = join(corpus, "pdf", "public", "cermine__test3.pdf");
const work = mkdtempSync(join(tmpdir(), "folio-pdf-"));
const library = join(work, "library.sqlite");
const opened = join(work, "opened.txt");
const recorder = join(work, "viewer.sh");
let xvfb, driver, wd, env, source;

before(async () => {
  assert.ok(existsSync(FOLIO), `the folio CLI is needed at ${FOLIO} (or set FOLIO_BIN)`);
  assert.ok(existsSync(pdf1) && existsSync(pdf2) && existsSync(pdf3), `the PDF corpus is needed under ${corpus} (FOLIO_CORPUS)`);
  execFileSync(FOLIO, ["--library", library, "import", pdf1], { encoding: "utf8", env: { ...process.env, FOLIO_PDF_WORKER: FOLIO } });
  // The "system viewer": records the path it was asked to open.
  writeFileSync(recorder, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
  chmodSync(recorder, 0o755);
  // Room right of the window for the drag source of the XDND test.
  xvfb = await startXvfb(1600, 900);
  env = { ...sandboxEnv(xvfb.display, library), FOLIO_OPEN_WITH: recorder };
  driver = await startDriver(env);
  wd = await new WebDriver(driver.base).open();
});
after(async () => {
  source?.stop();
  await wd?.close();
  driver?.stop();
  xvfb?.stop();
});

test("a PDF's item shows its file, opens it, and a full-text search names the page", { timeout: 120_000 }, async () => {
  await waitFor("the item from the PDF", async () => (await wd.rows()).length === 1, 30000);
  await wd.click(".tr[data-key] .td");
  await waitFor("its file", () => wd.exec(`return !!document.querySelector("[data-section=files] .file-line")`), 20000);
  const line = await wd.exec(`const e = document.querySelector("[data-section=files] .file-line"); return [e.querySelector(".file-name").textContent, e.querySelector(".file-facts").textContent, e.querySelector("[data-fulltext]").textContent];`);
  assert.equal(line[0], "cermine__test1.pdf");
  assert.match(line[1], /^\d+ KB · 4 pages$/);
  assert.equal(line[2], "text indexed");
  await wd.click("[data-action=open-attachment]");
  await waitFor("the viewer asked", () => existsSync(opened), 20000);
  const path = readFileSync(opened, "utf8");
  assert.ok(path.startsWith(join(work, "library.files")) && path.endsWith(".pdf"), path);
  // A full-text search: the file and page of the hit, the words marked.
  // The whole query at once (typed key by key, the search could run twice, the second time
  // after the click below, and clear the selection).
  await wd.exec(`const s = document.querySelector("[data-input=search]"); s.value = arguments[0]; s.dispatchEvent(new Event("input"));`, 'ft:"caudal migration"');
  // The search clears the selection when it runs.
  await waitFor("the search ran", () => wd.exec(`return !!document.querySelector(".item-pane .empty-pane")`), 20000);
  await waitFor("one row for the search", async () => (await wd.rows()).length === 1, 20000);
  await wd.click(".tr[data-key] .td");
  await waitFor("the hit", () => wd.exec(`return !!document.querySelector("[data-section=fulltext-hits] .hit-line mark")`), 20000);
  const hit = await wd.text("[data-section=fulltext-hits] .hit-line");
  assert.match(hit, /^cermine__test1\.pdf, p\. \d: .*caudal migration/is);
  // WebDriver's picture of the page (the X screen showed an older frame here).
  await wd.screenshot(join(SHOTS, "app-files.png"));
});

test("a PDF dropped on the window becomes a reference, the report naming each field's source", { timeout: 180_000 }, async () => {
  await wd.exec(`const s = document.querySelector("[data-input=search]"); s.value = ""; s.dispatchEvent(new Event("input"));`);
  assert.equal(await wd.emit("tauri://drag-drop", { paths: [pdf2], position: { x: 600, y: 600 } }), "ok");
  await wd.confirmImport();
  await waitFor("the import report", () => wd.exec(`return !!document.querySelector("[data-report-pdf] [data-pdf-outcome]")`), 120000);
  // Its title and authors come from the page layout, a guess: tagged for review.
  assert.match(await wd.text("[data-pdf-outcome]"), /^added as Tully2010( — tagged “needs review”)?$/);
  const fields = await wd.exec(`return [...document.querySelectorAll("[data-report-pdf] .pdf-field")].map((e) => e.dataset.pdfField + "|" + e.textContent);`);
  assert.ok(fields.some((f) => f.startsWith("doi|doi: 10.1155/2010/157939 — printed on page 1")), fields.join("\n"));
  assert.ok(fields.some((f) => f.startsWith("title|title: Patient Experiences of Structured Heart Failure Programmes")), fields.join("\n"));
  await wd.screenshot(join(SHOTS, "app-pdf-import.png"));
  // The new item shows its metadata and its file.
  await wd.click("[data-action=close-modal]");
  await waitFor("two rows", async () => (await wd.rows()).includes("Tully2010"), 20000);
  await wd.click(".tr[data-key=Tully2010] .td");
  await waitFor("its item pane", () => wd.exec(`return document.querySelector(".item-pane")?.dataset.itemId != null && !!document.querySelector("[data-section=files] .file-line")`), 20000);
  assert.match(await wd.exec(`return document.querySelector(".item-pane [data-field=title]").value`), /^Patient Experiences of Structured Heart Failure Programmes/);
  assert.equal(await wd.exec(`return document.querySelector(".item-pane [data-field=doi]")?.value ?? null`), "10.1155/2010/157939");
  assert.equal(await wd.text("[data-section=files] .file-name"), "cermine__test2.pdf");
  await wd.screenshot(join(SHOTS, "app-pdf-item.png"));
});

test("the built-in viewer opens at a full-text hit's page with the words marked (Everything search)", { timeout: 120_000 }, async () => {
  // Everything mode: plain words search the files' text too.
  await wd.click("[data-action=search-everything]");
  await wd.exec(`const s = document.querySelector("[data-input=search]"); s.value = arguments[0]; s.dispatchEvent(new Event("input"));`, '"caudal migration"');
  await waitFor("the search ran", () => wd.exec(`return !!document.querySelector(".item-pane .empty-pane")`), 20000);
  await waitFor("one row for the search", async () => (await wd.rows()).length === 1, 20000);
  await wd.click(".tr[data-key] .td");
  await waitFor("the hit", () => wd.exec(`return !!document.querySelector("[data-section=fulltext-hits] [data-action=open-hit] mark")`), 20000);
  const page = Number(await wd.exec(`return document.querySelector("[data-action=open-hit]").dataset.hitPage`));
  assert.ok(page >= 1 && page <= 4, String(page));
  await wd.click("[data-action=open-hit]");
  await waitFor("the viewer drew the page", () => wd.exec(`return document.querySelector(".viewer")?.dataset.state`).then((s) => s === "ready" || s === "error"), 60000);
  assert.equal(await wd.exec(`return document.querySelector(".viewer").dataset.state`), "ready", await wd.text("[data-viewer-error]"));
  assert.equal(Number(await wd.exec(`return document.querySelector(".viewer").dataset.page`)), page);
  assert.equal(await wd.exec(`return document.querySelector("[data-input=viewer-page]").value`), String(page));
  assert.equal(await wd.text("[data-viewer-pages]"), "of 4");
  // The words are marked in pdf.js's text layer, on the page, visibly.
  const marks = await wd.exec(`return [...document.querySelectorAll(".viewer mark.viewer-mark")].map((m) => { const r = m.getBoundingClientRect(); return [m.textContent, r.width, r.height, r.top]; })`);
  assert.ok(marks.length >= 1, "no mark");
  assert.match(marks.map((m) => m[0]).join(" ").replace(/\s+/g, " "), /caudal ?migration/i);
  assert.ok(marks.every(([, w, h, top]) => w > 5 && h > 4 && top > 30 && top < 900), JSON.stringify(marks));
  await sleep(300);
  await wd.screenshot(join(SHOTS, "app-viewer.png"));
  // The next page, then back; the system viewer by id.
  await wd.click("[data-action=viewer-next]");
  await waitFor("next page", () => wd.exec(`return document.querySelector(".viewer").dataset.page === String(arguments[0]) && document.querySelector(".viewer").dataset.state === "ready"`, page === 4 ? 4 : page + 1), 30000);
  await wd.click("[data-action=viewer-close]");
  await waitFor("viewer closed", () => wd.exec(`return !document.querySelector(".viewer")`), 10000);
  // Back to the plain search over everything.
  await wd.click("[data-action=search-everything]");
  await wd.exec(`const s = document.querySelector("[data-input=search]"); s.value = ""; s.dispatchEvent(new Event("input"));`);
  await waitFor("all rows", async () => (await wd.rows()).length === 2, 20000);
});

const xdo = (...args) => execFileSync("xdotool", args, { env, encoding: "utf8" }).trim();

/** A real XDND drag of `files` from a GTK source window onto the screen point (x, y). */
async function dragFiles(files, x, y) {
  source = start("/usr/bin/python3", [join(ROOT, "tests", "xdnd_source.py"), "1340", "200", ...files], { env });
  await waitFor("drag source window", () => source.output.includes("ready"), 20000);
  const src = xdo("search", "--sync", "--name", "folio-drag-source").split("\n")[0];
  const g = Object.fromEntries(xdo("getwindowgeometry", "--shell", src).split("\n").map((l) => l.split("=")).map(([k, v]) => [k, Number(v)]));
  const [sx, sy] = [g.X + 60, g.Y + 40];
  xdo("mousemove", String(sx), String(sy));
  await sleep(200);
  xdo("mousedown", "1");
  for (let i = 1; i <= 30; i++) {
    xdo("mousemove", String(Math.round(sx + ((x - sx) * i) / 30)), String(Math.round(sy + ((y - sy) * i) / 30)));
    await sleep(40);
  }
  await sleep(400);
  xdo("mouseup", "1");
}

test("a PDF dragged from another window onto an item is attached to it and its text read in the background", { timeout: 180_000 }, async () => {
  await waitFor("two rows", async () => (await wd.rows()).length === 2, 20000);
  const target = (await wd.rows()).find((k) => k !== "Tully2010");
  const app = xdo("search", "--name", "^Folio$").split("\n")[0];
  const w = Object.fromEntries(xdo("getwindowgeometry", "--shell", app).split("\n").map((l) => l.split("=")).map(([k, v]) => [k, Number(v)]));
  const r = await wd.exec(`const b = document.querySelector('.tr[data-key="' + arguments[0] + '"]').getBoundingClientRect(); return [b.left + b.width / 3, b.top + b.height / 2, window.devicePixelRatio];`, target);
  await dragFiles([pdf3], Math.round(w.X + r[0] * r[2]), Math.round(w.Y + r[1] * r[2]));
  await wd.click(`.tr[data-key="${target}"] .td`);
  await waitFor("attached", () => wd.exec(`return document.querySelectorAll("[data-section=files] .file-line").length === 2`), 30000).catch(async (e) => {
    throw new Error(`${e.message}\nstatus: ${await wd.text("[data-status=action]")}\nsource: ${source.output}`);
  });
  await wd.click(`.tr[data-key="${target}"] .td`);
  await waitFor("two files on the item", () => wd.exec(`return document.querySelectorAll("[data-section=files] .file-line").length === 2`), 20000);
  const names = await wd.exec(`return [...document.querySelectorAll("[data-section=files] .file-name")].map((e) => e.textContent)`);
  assert.deepEqual(names, ["cermine__test1.pdf", "cermine__test3.pdf"]);
  // Read in the background: the file's text becomes indexed without asking, the window usable.
  await waitFor("the dropped file's text indexed", async () => {
    await wd.click(`.tr[data-key="${target}"] .td`);
    return wd.exec(`return [...document.querySelectorAll("[data-section=files] [data-fulltext]")].map((e) => e.dataset.fulltext).join(",")`).then((s) => s === "indexed,indexed");
  }, 120000, 1000);
  assert.equal(await wd.exec(`return document.querySelector("[data-status=indexing]").hidden`), true);
  // The other item is unchanged.
  await wd.click(".tr[data-key=Tully2010] .td");
  await waitFor("its one file", () => wd.exec(`return document.querySelector(".item-pane")?.dataset.itemId != null && document.querySelectorAll("[data-section=files] .file-line").length === 1`), 20000);
  await wd.click(`.tr[data-key="${target}"] .td`);
  await waitFor("two files again", () => wd.exec(`return document.querySelectorAll("[data-section=files] .file-line").length === 2`), 20000);
  await sleep(300);
  await wd.screenshot(join(SHOTS, "app-pdf-attached.png"));
});

test("hostile PDFs in the built-in viewer: each opens or shows its error, and the window keeps answering", { timeout: 420_000 }, async () => {
  const hostile = join(corpus, "pdf", "public", "hostile");
  const names = [
    "hostile_encrypted-user-password__pdfjs__issue6010_1.pdf",
    "hostile_decompression-bomb__pdfjs__bomb_giant.pdf",
    "hostile_pages-tree-loop__pdfjs__Pages-tree-refs.pdf",
    "hostile_type3-recursion__pdfjs__ContentStreamCycleType3insideType3.pdf",
    "hostile_truncated-download__generated.pdf",
    "hostile_tiny-corrupt-184-bytes__pdfjs__bug1020226.pdf",
    "hostile_no-trailer__pdfjs__bug1978317.pdf",
  ].map((n) => join(hostile, n));
  for (const f of names) assert.ok(existsSync(f), `the hostile PDFs are needed: ${f}`);
  // Attached by the CLI while the app runs (the window follows); the app reads their text in
  // the background meanwhile.
  execFileSync(FOLIO, ["--library", library, "attach", "Tully2010", ...names], { encoding: "utf8" });
  await waitFor("the app sees them", async () => {
    await wd.click(".tr[data-key=Tully2010] .td");
    return wd.exec(`return document.querySelectorAll("[data-section=files] [data-action=view-attachment]").length`).then((n) => n === names.length + 1);
  }, 30000, 500);
  // The watcher saw the CLI's change, so the app reads their text in the background too: none
  // stays "not read yet" (a hostile file ends failed or without text, the others indexed).
  await waitFor("their text read", async () => {
    await wd.click(".tr[data-key=Tully2010] .td");
    return wd.exec(`return [...document.querySelectorAll("[data-section=files] [data-fulltext]")].every((e) => e.dataset.fulltext !== "pending")`);
  }, 180000, 2000);
  const states = await wd.exec(`return [...document.querySelectorAll("[data-section=files] .file-line")].map((e) => e.querySelector(".file-name").textContent + ": " + e.querySelector("[data-fulltext]").dataset.fulltext)`);
  console.log(states.join("\n"));
  assert.ok(states.some((s) => /encrypted-user-password.*: failed$/.test(s)), states.join("\n"));
  const outcomes = [];
  for (let i = 1; i <= names.length; i++) {
    const title = await wd.exec(`return document.querySelectorAll("[data-section=files] .file-line")[arguments[0]].querySelector(".file-name").textContent`, i);
    await wd.exec(`document.querySelectorAll("[data-section=files] .file-line")[arguments[0]].querySelector("[data-action=view-attachment]").click()`, i);
    const t0 = Date.now();
    // Each WebDriver call runs script on the window's main thread: answered means not frozen.
    let longest = 0;
    const state = await waitFor(`the viewer on ${title}`, async () => {
      const a = Date.now();
      const s = await wd.exec(`return document.querySelector(".viewer")?.dataset.state`);
      longest = Math.max(longest, Date.now() - a);
      return s === "ready" || s === "error" ? s : false;
    }, 60000, 200);
    const error = state === "error" ? await wd.text("[data-viewer-error]") : "";
    outcomes.push({ title, state, ms: Date.now() - t0, longest, error });
    console.log(`${title}: ${state} in ${Date.now() - t0} ms (longest WebDriver answer ${longest} ms)${error ? ` — ${error}` : ""}`);
    assert.ok(longest < 3000, `the window did not answer for ${longest} ms on ${title}`);
    if (/encrypted-user-password/.test(title)) {
      assert.equal(state, "error");
      assert.match(error, /^Cannot show this PDF: it is protected by a password\./);
      await wd.screenshot(join(SHOTS, "app-viewer-hostile.png"));
    }
    await wd.exec(`document.querySelector("[data-action=viewer-close]").click()`);
    await waitFor("viewer closed", () => wd.exec(`return !document.querySelector(".viewer")`), 10000);
  }
  assert.equal(outcomes.length, names.length);
  // The window still works: another item's pane.
  await wd.click(".tr[data-key=Datta2010] .td");
  await waitFor("Datta2010's pane", () => wd.exec(`return document.querySelectorAll("[data-section=files] .file-line").length === 2`), 20000);
});

test("Locate… relinks a stored copy that went missing: the file is back and no longer marked", { timeout: 120_000 }, async () => {
  await wd.exec(`document.querySelector("[data-action=close-modal]")?.click();`);
  const list = JSON.parse(execFileSync(FOLIO, ["--library", library, "attachments", "--json"], { encoding: "utf8" }));
  const stored = list.find((a) => a.title === "cermine__test1.pdf");
  assert.ok(stored && stored.stored && !stored.missing, JSON.stringify(list));
  // The stored copy is moved away by hand; the user finds it elsewhere.
  const elsewhere = join(work, "found again.pdf");
  renameSync(stored.path, elsewhere);
  const row = `.tr[data-key="${stored.key}"]`;
  await waitFor("its row", () => wd.exec(`return !!document.querySelector(arguments[0])`, row), 20000);
  // Select another row, then this one: the pane reads the item (and sees the file missing).
  await wd.exec(`[...document.querySelectorAll(".tr[data-key]")].find((r) => r.dataset.key !== arguments[0])?.querySelector(".td")?.click();`, stored.key);
  await wd.click(`${row} .td`);
  await waitFor("the file marked missing", () => wd.exec(`return !!document.querySelector("[data-section=files] .file-line.missing [data-action=locate-attachment]")`), 20000);
  await wd.click("[data-section=files] .file-line.missing [data-action=locate-attachment]");
  // The native file dialog (GTK): real X key events type the path into its location field.
  const x = (...args) => execFileSync("xdotool", args, { env: { ...process.env, DISPLAY: xvfb.display }, encoding: "utf8" }).trim();
  const dialog = await waitFor("the file dialog", () => {
    try {
      return x("search", "--onlyvisible", "--name", "Locate cermine__test1.pdf").split("\n")[0];
    } catch {
      return null; // xdotool exits 1 while there is none
    }
  }, 20000, 100);
  x("windowfocus", "--sync", dialog);
  x("key", "ctrl+l");
  x("type", "--delay", "20", elsewhere);
  x("key", "Return");
  // A second Return when the first only completed the name (the dialog is gone otherwise).
  await new Promise((r) => setTimeout(r, 700));
  try {
    if (x("search", "--onlyvisible", "--name", "Locate cermine__test1.pdf")) x("key", "Return");
  } catch {
    // closed: the file was chosen
  }
  try {
    await waitFor("no longer missing", () => wd.exec(`return !document.querySelector("[data-section=files] .file-line.missing") && !!document.querySelector("[data-section=files] .file-line")`), 20000);
  } catch (e) {
    await wd.screenshot(join(SHOTS, "app-locate-failed.png"));
    throw new Error(`${e.message}; toasts: ${await wd.exec(`return document.querySelector(".toasts")?.textContent ?? ""`)}`);
  }
  assert.deepEqual(readFileSync(stored.path), readFileSync(pdf1), "copied back under its name, the same bytes");
  assert.ok(existsSync(elsewhere), "the picked file stays where it is");
  await waitFor("the toast", () => wd.exec(`return /Located cermine__test1\\.pdf/.test(document.querySelector(".toasts")?.textContent ?? "")`), 10000);
  await wd.screenshot(join(SHOTS, "app-locate.png"));
});
