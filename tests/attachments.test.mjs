// The real app under Xvfb with PDFs (issue 26): an item made from a PDF shows its file (pages,
// text indexed), Open hands the file to the system's viewer (here a recorder), a full-text
// search names the file and page of the hit, a PDF dropped on the window becomes a new
// reference whose report says where each field came from, and Locate… (the native file dialog,
// typed into with xdotool) copies a missing stored copy back.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { ROOT, SHOTS, TARGET, WebDriver, sandboxEnv, startDriver, startXvfb, waitFor } from "./support.mjs";

const FOLIO = process.env.FOLIO_BIN ?? join(TARGET, "release", "folio");
const corpus = process.env.FOLIO_CORPUS || resolve(ROOT, "..", "shared", "corpus");
const pdf1 = join(corpus, "pdf", "public", "cermine__test1.pdf");
const pdf2 = join(corpus, "pdf", "public", "cermine__test2.pdf");
const work = mkdtempSync(join(tmpdir(), "folio-pdf-"));
const library = join(work, "library.sqlite");
const opened = join(work, "opened.txt");
const recorder = join(work, "viewer.sh");
let xvfb, driver, wd;

before(async () => {
  assert.ok(existsSync(FOLIO), `the folio CLI is needed at ${FOLIO} (or set FOLIO_BIN)`);
  assert.ok(existsSync(pdf1) && existsSync(pdf2), `the PDF corpus is needed under ${corpus} (FOLIO_CORPUS)`);
  execFileSync(FOLIO, ["--library", library, "import", pdf1], { encoding: "utf8", env: { ...process.env, FOLIO_PDF_WORKER: FOLIO } });
  // The "system viewer": records the path it was asked to open.
  writeFileSync(recorder, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
  chmodSync(recorder, 0o755);
  xvfb = await startXvfb();
  driver = await startDriver({ ...sandboxEnv(xvfb.display, library), FOLIO_OPEN_WITH: recorder });
  wd = await new WebDriver(driver.base).open();
});
after(async () => {
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
