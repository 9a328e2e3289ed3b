// The real app (debug build with the embedded UI) under Xvfb, driven over WebDriver
// (tauri-driver + WebKitWebDriver), on real user files: a publisher's pasted search results (the
// seed) and a .bib file written here are dropped on the window; then the rows, the access
// filter, an edit and its undo, export and the exported file's content; duplicates (a .bib and a
// .ris of the same article, kept, merged, undone); an auto-export that follows an edit; a
// dropped .aux; protected keys; the clipboard; a large import cancelled.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { ROOT, SHOTS, WebDriver, clipboardText, xshot, waitPainted, sandboxEnv, sleep, startDriver, startXvfb, waitFor } from "./support.mjs";

const work = mkdtempSync(join(tmpdir(), "folio-e2e-"));
const library = join(work, "library.sqlite");
const seedFile = process.env.FOLIO_SEED || resolve(ROOT, "..", "shared", "seed", "search-results.txt");
const bibFile = join(work, "refs.bib");
// Entries as a user's .bib has them; unedited entries must come back exactly like this.
const BRANDSEN = `@book{Brandsen2018,
  author = {Brandsen, Taco and Steen, Trui and Verschuere, Bram},
  title = {Co-Production and Co-Creation},
  publisher = {Routledge},
  year = {2018},
  isbn = {9781138700116}
}`;
const STEEN = `@article{Steen2021,
  author = {Steen, Trui and Brandsen, Taco},
  title = {Co-production and public value},
  journal = {Public Administration},
  year = {2021},
  volume = {99},
  doi = {10.1111/padm.70001}
}`;
const SEED_KEYS = ["CasianoFlores2022", "Fledderus2015", "Jaspers2019", "Uster2024"];
let xvfb, driver, wd;

/** Only the native save dialog is stubbed: its IPC reply (custom-protocol fetch) is our path. */
async function stubSaveDialog(path) {
  await wd.exec(
    `const path = arguments[0];
     window.__origFetch = window.__origFetch || window.fetch;
     window.fetch = (url, init) => String(url).includes("plugin%3Adialog%7Csave")
       ? Promise.resolve(new Response(JSON.stringify(path), { headers: { "Content-Type": "application/json", "Tauri-Response": "ok" } }))
       : window.__origFetch(url, init);
     document.querySelectorAll(".modal-backdrop").forEach((m) => m.remove());`,
    path,
  );
}

const toasts = () => wd.exec(`return document.querySelector(".toasts")?.textContent ?? ""`);
const count = async () => Number((await wd.text("[data-status=count]")).replace(/\D/g, ""));
async function drop(paths) {
  assert.equal(await wd.emit("tauri://drag-drop", { paths, position: { x: 600, y: 300 } }), "ok");
}
async function closeModals() {
  await wd.exec(`document.querySelectorAll(".modal-backdrop").forEach((m) => m.remove())`);
}

before(async () => {
  assert.ok(existsSync(seedFile), `the seed (pasted search results) is needed: ${seedFile} (set FOLIO_SEED)`);
  writeFileSync(bibFile, `${BRANDSEN}\n\n${STEEN}\n`);
  xvfb = await startXvfb();
  driver = await startDriver(sandboxEnv(xvfb.display, library));
  wd = await new WebDriver(driver.base).open();
  await waitFor("UI ready", () => wd.exec(`return document.body.dataset.ready === "true"`), 30000);
});
after(async () => {
  await wd?.close();
  driver?.stop();
  xvfb?.stop();
});

describe("the desktop app", () => {
  test("starts on an empty library (FOLIO_LIBRARY) with the empty state", async () => {
    assert.equal(await wd.text("[data-status=count]"), "0 items");
    assert.match(await wd.text(".empty-state"), /Your library is empty/);
    assert.equal(await wd.text("[data-status=library]"), library);
    assert.ok(existsSync(library), "library file created on first run");
    await waitPainted(xvfb.display); // WebKit paints some time after the DOM is ready
    await sleep(300);
    xshot(xvfb.display, join(SHOTS, "app-empty.png"));
  });

  test("pasted search results and a .bib file dropped together are imported; their rows appear", async () => {
    await drop([seedFile, bibFile]);
    await wd.confirmImport();
    await waitFor("import report", () => wd.exec(`return !!document.querySelector("[data-modal=import-report]")`));
    assert.match(await wd.text("[data-summary]"), /^6 added/);
    // the seed's pages have no titles: the report says so, with file and line
    assert.match(await wd.text("[data-report-file='search-results.txt']"), /search-results\.txt:\d+ warning: result 1 has no title/);
    assert.match(await wd.text("[data-report-file='refs.bib']"), /2 entries read: 2 added/);
    await wd.click("[data-action=close-modal]");
    await waitFor("6 rows", async () => (await wd.rows()).length === 6);
    assert.deepEqual((await wd.rows()).sort(), ["Brandsen2018", ...SEED_KEYS, "Steen2021"].sort());
    assert.equal(await wd.text("[data-status=count]"), "6 items");
    // the item with the longest structured abstract
    await wd.click(".tr[data-key=Uster2024] .td");
    await waitFor("abstract sections", async () => (await wd.exec(`return document.querySelectorAll(".abs-heading").length`)) === 6);
    const heads = await wd.exec(`return [...document.querySelectorAll(".abs-heading")].map((e) => e.textContent)`);
    assert.equal(heads[0], "Purpose");
    assert.ok(heads.includes("Findings") && heads.includes("Originality/value"), heads.join(", "));
    await waitPainted(xvfb.display);
    await sleep(600);
    xshot(xvfb.display, join(SHOTS, "app-seed.png"));
  });

  test("filter by access status", async () => {
    await wd.click(".tr[data-key=Fledderus2015] .td");
    await waitFor("pane", () => wd.exec(`return document.querySelector("[data-field=title]") && document.querySelector(".item-pane select[data-field=access]")`));
    await wd.exec(`const s = document.querySelector(".item-pane select[data-field=access]"); s.value = "open"; s.dispatchEvent(new Event("change"));`);
    await waitFor("badge open", async () => (await wd.text(".tr[data-key=Fledderus2015] .badge")) === "open");
    await wd.click("[data-access=open]");
    await waitFor("1 open row", async () => JSON.stringify(await wd.rows()) === JSON.stringify(["Fledderus2015"]));
    await wd.click("[data-access=open]");
    await wd.click("[data-access=restricted]");
    await waitFor("3 restricted rows", async () => (await wd.rows()).length === 3);
    await wd.click("[data-access=restricted]");
    await wd.click("[data-access=unknown]");
    await waitFor("the .bib's 2 rows", async () => JSON.stringify((await wd.rows()).sort()) === JSON.stringify(["Brandsen2018", "Steen2021"]));
    await wd.click("[data-access=unknown]");
    await waitFor("6 rows", async () => (await wd.rows()).length === 6);
  });

  test("edit a title in place, then undo it", async () => {
    await wd.click(".tr[data-key=Jaspers2019] .td");
    await waitFor("title field", () => wd.find("[data-field=title]"));
    await wd.clear("[data-field=title]");
    await wd.type("[data-field=title]", "Temporary co-production in vacant spaces\uE007");
    await waitFor("edited row", async () => (await wd.text(".tr[data-key=Jaspers2019] .td[data-col=title]")) === "Temporary co-production in vacant spaces");
    await wd.click("[data-action=undo]");
    await waitFor("title restored", async () => (await wd.text(".tr[data-key=Jaspers2019] .td[data-col=title]")) === "(no title)");
    await wd.click("[data-action=redo]");
    await waitFor("title redone", async () => (await wd.text(".tr[data-key=Jaspers2019] .td[data-col=title]")) === "Temporary co-production in vacant spaces");
    await wd.click("[data-action=undo]");
    await waitFor("title restored again", async () => (await wd.text(".tr[data-key=Jaspers2019] .td[data-col=title]")) === "(no title)");
  });

  test("File > Export… writes the whole library as BibTeX; the .bib's entries come back as they were", async () => {
    const out = join(work, "export.bib");
    await stubSaveDialog(out);
    await wd.click("body");
    await wd.exec(`document.querySelector("[data-action=file-menu]").click()`);
    await wd.click("[data-menu=export]");
    await waitFor("export dialog", () => wd.exec(`return !!document.querySelector("[data-modal=export]")`));
    await wd.exec(`document.querySelector("[data-scope=library]").click(); const s = document.querySelector("[data-input=export-format]"); s.value = "bibtex"; s.dispatchEvent(new Event("change"));`);
    await wd.click("[data-action=export-save]");
    await waitFor("export file", () => existsSync(out));
    const bib = readFileSync(out, "utf8");
    const keys = [...bib.matchAll(/^@\w+\{([^,]+),/gm)].map((m) => m[1]);
    assert.deepEqual(keys, ["Brandsen2018", ...SEED_KEYS, "Steen2021"].sort());
    assert.ok(bib.includes(BRANDSEN), "an unedited .bib entry is exported exactly as it was read");
    assert.ok(bib.includes(STEEN), "an unedited .bib entry is exported exactly as it was read");
    // the pasted results: journal, ISSN, access and the structured abstract
    assert.match(bib, /@article\{Uster2024,[\s\S]*?journal = \{International Journal of Public Sector Management\}[\s\S]*?issn = \{0951-3558\}[\s\S]*?abstract = \{Purpose: [\s\S]*?access = \{restricted\}/);
    assert.match(bib, /@article\{Fledderus2015,[\s\S]*?access = \{open\}/);
    await waitFor("toast", async () => /Exported 6 items/.test(await toasts()));
  });

  test("export of the selection as RIS", async () => {
    const out = join(work, "selection.ris");
    await stubSaveDialog(out);
    await wd.click(".tr[data-key=Steen2021] .td");
    await wd.exec(`document.querySelector("[data-action=file-menu]").click()`);
    await wd.click("[data-menu=export]");
    await waitFor("export dialog", () => wd.exec(`return !!document.querySelector("[data-scope=selection]")`));
    await wd.exec(`const s = document.querySelector("[data-input=export-format]"); s.value = "ris"; s.dispatchEvent(new Event("change"));`);
    await wd.click("[data-action=export-save]");
    await waitFor("ris file", () => existsSync(out));
    const ris = readFileSync(out, "utf8");
    assert.equal((ris.match(/^TY {2}- /gm) ?? []).length, 1);
    assert.match(ris, /^TI {2}- Co-production and public value\r?$/m);
    assert.match(ris, /^DO {2}- 10\.1111\/padm\.70001\r?$/m);
  });
});

describe("duplicates", () => {
  test("a .bib and a .ris of the same article, kept on import, merged in the Duplicates view, undone", async () => {
    const a = join(work, "same.bib");
    const b = join(work, "same.ris");
    writeFileSync(a, "@article{Verschuere2012,\n  author = {Verschuere, Bram and Brandsen, Taco and Pestoff, Victor},\n  title = {Co-production: The State of the Art in Research and the Future Agenda},\n  journal = {Voluntas},\n  year = {2012},\n  volume = {23},\n  pages = {1083--1101},\n  doi = {10.1007/s11266-012-9307-8}\n}\n");
    writeFileSync(b, "TY  - JOUR\r\nAU  - Verschuere, Bram\r\nAU  - Brandsen, Taco\r\nAU  - Pestoff, Victor\r\nTI  - Co-production: the state of the art in research and the future agenda\r\nT2  - VOLUNTAS: International Journal of Voluntary and Nonprofit Organizations\r\nPY  - 2012\r\nVL  - 23\r\nIS  - 4\r\nSP  - 1083\r\nEP  - 1101\r\nDO  - 10.1007/s11266-012-9307-8\r\nER  - \r\n");
    await closeModals();
    await drop([a, b]);
    await wd.confirmImport("keep");
    await waitFor("import report", () => wd.exec(`return !!document.querySelector("[data-modal=import-report]")`));
    assert.match(await wd.text("[data-summary]"), /^2 added, 1 duplicate imported anyway/);
    assert.match(await wd.text("[data-decision=kept]"), /same\.ris:1 .* same DOI as Verschuere2012 → imported anyway/);
    await wd.click("[data-action=close-modal]");
    await waitFor("8 rows", async () => (await wd.rows()).length === 8);
    await waitFor("duplicate count", async () => (await wd.text("[data-nav=duplicates] .count")) === "1");
    await wd.click("[data-nav=duplicates]");
    await waitFor("side by side", () => wd.exec(`return !!document.querySelector("[data-compare] [data-keep]")`));
    assert.match(await wd.text("[data-group='0']"), /same DOI/);
    const differing = await wd.exec(`return [...document.querySelectorAll(".cmp-label.differs")].map((e) => e.dataset.row)`);
    assert.ok(differing.includes("container"), differing.join(","));
    // keep the first item, with the .ris's (longer) journal name
    await wd.exec(`document.querySelector('[data-pick=container][data-col="1"]').click()`);
    await waitPainted(xvfb.display).catch(() => {});
    await sleep(500);
    xshot(xvfb.display, join(SHOTS, "app-duplicates.png"));
    await wd.click("[data-action=merge]");
    await waitFor("merged", async () => /Merged/.test(await toasts()));
    await closeModals();
    await wd.click("[data-nav=library]");
    await waitFor("7 rows", async () => (await wd.rows()).length === 7);
    const kept = (await wd.rows()).filter((k) => k.startsWith("Verschuere2012"));
    assert.equal(kept.length, 1);
    await wd.click(`.tr[data-key=${kept[0]}] .td`);
    await waitFor("kept journal", async () => (await wd.exec(`return document.querySelector("[data-field=container]")?.value`)) === "VOLUNTAS: International Journal of Voluntary and Nonprofit Organizations");
    // one undo brings both back
    await wd.click("[data-action=undo]");
    await waitFor("8 rows again", async () => (await wd.rows()).length === 8);
    await waitFor("duplicate count again", async () => (await wd.text("[data-nav=duplicates] .count")) === "1");
    // then merge them for good with "Merge all exact groups"
    await wd.click("[data-nav=duplicates]");
    await waitFor("merge exact", () => wd.exec(`const b = document.querySelector("[data-action=merge-exact]"); return b && !b.disabled`));
    await wd.click("[data-action=merge-exact]");
    await waitFor("no duplicates", () => wd.exec(`return !!document.querySelector("[data-empty=duplicates]")`));
    await wd.click("[data-nav=library]");
    await waitFor("7 rows", async () => (await wd.rows()).length === 7);
  });
});

describe("LaTeX workflow", () => {
  test("an auto-export follows an edit within a second", async () => {
    const target = join(work, "thesis.bib");
    await stubSaveDialog(target);
    await wd.exec(`document.querySelector("[data-action=file-menu]").click()`);
    await wd.click("[data-menu=auto-exports]");
    await waitFor("auto-exports dialog", () => wd.exec(`return !!document.querySelector("[data-modal=autoexports] [data-action=ae-add]")`));
    await wd.exec(`const s = document.querySelector("[data-input=ae-scope]"); s.value = "library"; s.dispatchEvent(new Event("change"));`);
    await wd.click("[data-action=ae-add]");
    await waitFor("registered", () => wd.exec(`return !!document.querySelector("[data-autoexport]")`));
    assert.match(await wd.text("[data-autoexport] [data-ae-status]"), /^7 items · last run/);
    assert.ok(readFileSync(target, "utf8").includes("@book{Brandsen2018,"));
    await sleep(1200); // WebKit paints a moment after the DOM changes
    xshot(xvfb.display, join(SHOTS, "app-autoexports.png"));
    await closeModals();
    await wd.click(".tr[data-key=Steen2021] .td");
    await waitFor("title field", () => wd.find("[data-field=title]"));
    // clearing the field saves an empty title (and re-renders the pane) before the new one is typed
    await wd.clear("[data-field=title]");
    await waitFor("title cleared", async () => (await wd.text(".tr[data-key=Steen2021] .td[data-col=title]")) === "(no title)");
    await sleep(300);
    const t0 = Date.now();
    await wd.type("[data-field=title]", "Co-production, value and the state\uE007");
    await waitFor("file follows the edit", () => readFileSync(target, "utf8").includes("title = {Co-production, value and the state}"), 5000, 20);
    const ms = Date.now() - t0;
    assert.ok(ms < 1500, `the auto-export was rewritten ${ms} ms after the edit was typed`);
  });

  test("Ctrl+Shift+C and Copy reference put the text on the system clipboard", async () => {
    // The previous test's edit refreshes the table after it is saved; a click that lands on a
    // row being replaced is lost, so click again until the row is selected.
    await waitFor("selected", async () => {
      if (await wd.exec(`return window.folio.store.selectedKeys().join() === "Steen2021"`)) return true;
      await wd.click(".tr[data-key=Steen2021] .td");
      return false;
    }, 10000, 300);
    await wd.keys("[data-table=items]", "\uE009\uE008c\uE000");
    let last = "";
    await waitFor("\\cite on the clipboard", () => (last = clipboardText(xvfb.display)) === "\\cite{Steen2021}", 10000, 200).catch(async (e) => {
      throw new Error(`${e.message}: ${JSON.stringify(last)}; toasts: ${await toasts()}`);
    });
    await wd.exec(`document.querySelector("[data-action=file-menu]").click()`);
    await wd.click("[data-menu=copy-ref-apa]");
    await waitFor("APA reference on the clipboard", () => /^Steen, T\., & Brandsen, T\. \(2021\)\. Co-production, value and the state\. Public Administration/.test((last = clipboardText(xvfb.display))), 10000, 200).catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(last)}`);
    });
  });

  test("a dropped .aux exports what the paper cites, reports the missing key and protects the keys", async () => {
    const aux = join(work, "paper.aux");
    writeFileSync(aux, "\\relax\n\\citation{Steen2021}\n\\citation{Brandsen2018}\n\\citation{Missing2000}\n\\bibstyle{apalike}\n\\bibdata{paper}\n");
    const out = join(work, "paper.bib");
    await drop([aux]);
    await waitFor("aux dialog", () => wd.exec(`return !!document.querySelector("[data-modal=aux]")`));
    assert.match(await wd.text("[data-aux-summary]"), /paper\.aux cites 2 entries/);
    assert.match(await wd.text("[data-aux-missing]"), /Missing2000/);
    await wd.exec(
      `const path = arguments[0];
       window.__origFetch = window.__origFetch || window.fetch;
       window.fetch = (url, init) => String(url).includes("plugin%3Adialog%7Csave")
         ? Promise.resolve(new Response(JSON.stringify(path), { headers: { "Content-Type": "application/json", "Tauri-Response": "ok" } }))
         : window.__origFetch(url, init);`,
      out,
    );
    await wd.click("[data-action=aux-export]");
    await waitFor("paper.bib", () => existsSync(out));
    const bib = readFileSync(out, "utf8");
    assert.deepEqual([...bib.matchAll(/^@\w+\{([^,]+),/gm)].map((m) => m[1]), ["Brandsen2018", "Steen2021"]);
    await waitFor("toast", async () => /Exported the 2 cited items .*1 missing: Missing2000/.test(await toasts()));
    // Steen2021 is now protected: changing its key asks first
    await waitFor("registered", async () => /Registered/.test((await wd.text("[data-status=action]")) ?? ""));
    await wd.click(".tr[data-key=Brandsen2018] .td");
    await wd.click(".tr[data-key=Steen2021] .td");
    await waitFor("key field", () => wd.exec(`return document.querySelector("[data-field=key]")?.value === "Steen2021"`));
    // type over the key (WebDriver's clear would first save an empty key, which the core refuses)
    await wd.exec(`document.querySelector("[data-field=key]").value = "SteenBrandsen2021"`);
    await wd.keys("[data-field=key]", "\uE007");
    await waitFor("confirmation", () => wd.exec(`return !!document.querySelector("[data-modal=protected-key]")`));
    assert.match(await wd.text("[data-protected]"), /Steen2021 — (cited in .*paper\.aux|exported to .*thesis\.bib)/);
    await sleep(400);
    xshot(xvfb.display, join(SHOTS, "app-protected-key.png"));
    await wd.click("[data-action=confirm-protected]");
    await waitFor("renamed", () => wd.exec(`return !!document.querySelector(".tr[data-key=SteenBrandsen2021]")`));
    await wd.click("[data-action=undo]");
    await waitFor("key back", () => wd.exec(`return !!document.querySelector(".tr[data-key=Steen2021]")`));
  });
});

describe("JabRef groups", () => {
  test("a dropped JabRef file's groups appear as nested collections and a saved search; undo takes them away", async () => {
    const corpus = process.env.FOLIO_CORPUS || resolve(ROOT, "..", "shared", "corpus");
    const jabref = join(corpus, "public", "bibtex", "jabref__complex.bib");
    assert.ok(existsSync(jabref), `the corpus is needed: ${jabref} (set FOLIO_CORPUS)`);
    await closeModals();
    await wd.click("[data-nav=library]");
    await sleep(500);
    const before = await count();
    const rowsBefore = (await wd.rows()).length;
    await drop([jabref]);
    await wd.confirmImport("keep");
    await waitFor("import report", () => wd.exec(`return !!document.querySelector("[data-modal=import-report]")`));
    assert.match(await wd.text("[data-report-file='jabref__complex.bib']"), /JabRef groups: 5 as collections, 1 as saved searches/);
    await wd.click("[data-action=close-modal]");
    await waitFor("the groups' collections", () => wd.exec(`return !!document.querySelector("[data-collection='TestOne/TestOneSubTwo']")`));
    const colls = await wd.exec(`return [...document.querySelectorAll("[data-collection]")].map((e) => e.dataset.collection)`);
    for (const c of ["StaticGroup", "TestOne", "TestOne/TestOneSubOne", "TestOne/TestOneSubTwo", "TestTwo"]) assert.ok(colls.includes(c), `${c} in ${colls}`);
    await wd.click("[data-collection='TestOne/TestOneSubTwo']");
    await waitFor("its 2 entries", async () => (await wd.rows()).length === 2);
    await wd.click("[data-saved=DynamicGroup]");
    await waitFor("the keyword group's 2 entries", async () => (await wd.rows()).length === 2 && (await wd.exec(`return document.querySelector("[data-input=search]").value`)) === "author:Churchill");
    await waitPainted(xvfb.display);
    await sleep(500);
    xshot(xvfb.display, join(SHOTS, "app-jabref-groups.png"));
    await wd.click("[data-action=undo]");
    await waitFor("groups gone", () => wd.exec(`return !document.querySelector("[data-collection='TestOne'], [data-saved=DynamicGroup]")`));
    await wd.exec(`const s = document.querySelector("[data-input=search]"); s.value = ""; s.dispatchEvent(new Event("input"));`);
    await wd.click("[data-nav=library]");
    await waitFor("the library as before", async () => (await count()) === before, 10000).catch(async (e) => {
      throw new Error(`${e.message}: ${await count()} items, ${before} before (${rowsBefore} rows then, ${(await wd.rows()).length} now; search ${JSON.stringify(await wd.exec(`return document.querySelector("[data-input=search]").value`))})`);
    });
  });
});

describe("a large import", () => {
  test("shows a determinate progress bar with the entries count; Cancel leaves the library unchanged", { timeout: 5 * 60_000 }, async () => {
    const N = 40000;
    const big = join(work, "big.bib");
    let text = "";
    for (let i = 0; i < N; i++) text += `@article{gen${i},\n  author = {Author${i % 997}, A.},\n  title = {Generated study number ${i} of public services},\n  journal = {Journal ${i % 50}},\n  year = {${1950 + (i % 70)}}\n}\n\n`;
    writeFileSync(big, text);
    const before = await count();
    await closeModals();
    await drop([big]);
    await wd.confirmImport("skip");
    await waitFor("progress bar", () => wd.exec(`const p = document.querySelector("[data-progress=import]"); return !!p && !p.hidden && Number(p.getAttribute("aria-valuenow")) > 0`), 60000, 20);
    assert.match(await wd.text("[data-progress-label]"), /^Importing… [\d,.\u202f ]+ entr(y|ies) · \d+%$/);
    await sleep(300);
    xshot(xvfb.display, join(SHOTS, "app-import-progress.png"));
    await wd.click("[data-action=import-cancel]");
    await waitFor("cancelled", async () => /Import cancelled — the library is unchanged/.test(await toasts()), 60000, 50);
    assert.equal(await wd.exec(`return !!document.querySelector("[data-progress=import]")`), false);
    assert.equal(await count(), before);
  });
});
