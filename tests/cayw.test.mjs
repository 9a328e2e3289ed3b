// Cite as you write against the real app under Xvfb: an editor's request to Better BibTeX's
// `/better-bibtex/cayw` on the app's local API brings up the picker window; typing and Enter
// (real X key events, xdotool) answer the waiting request with `\cite{…}`; Tab builds a
// citation of several items, a comma after the search adds a page, Esc cancels; `selected=true` takes the app's selection; the
// Settings dialog shows where the server listens and turning "allow editors to change the
// library" off refuses the picker; Copy reference in a bundled CSL style chosen in the citation
// dialog. Screenshots: cayw-picker.png, cayw-settings.png, cite-style.png.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { SHOTS, TARGET, WebDriver, clipboardText, freePort, sandboxEnv, sleep, startDriver, startXvfb, waitFor, waitPainted, xshot } from "./support.mjs";

const FOLIO = process.env.FOLIO_BIN ?? join(TARGET, "release", "folio");
const work = mkdtempSync(join(tmpdir(), "folio-cayw-"));
const library = join(work, "library.sqlite");
const settings = join(work, "settings.json");
let xvfb, driver, wd, port;

const BIB = `@article{Steen2021,
  author = {Steen, Trui and Brandsen, Taco},
  title = {Co-production and public value},
  journal = {Public Administration},
  year = {2021}
}
@book{Brandsen2018,
  author = {Brandsen, Taco and Steen, Trui and Verschuere, Bram},
  title = {Co-Production and Co-Creation},
  publisher = {Routledge},
  year = {2018}
}
@article{Jaspers2019,
  author = {Jaspers, Sylke and Steen, Trui},
  title = {Realizing public values: enhancement or obstruction?},
  journal = {Public Management Review},
  year = {2019}
}
`;

const url = (q) => `http://127.0.0.1:${port}/better-bibtex/cayw?${q}`;
const x = (...args) => execFileSync("xdotool", args, { env: { ...process.env, DISPLAY: xvfb.display }, encoding: "utf8" }).trim();

/** The picker's X window, once it is mapped. */
async function pickerWindow() {
  return waitFor("the picker window", () => {
    try {
      return x("search", "--onlyvisible", "--name", "Insert citation").split("\n")[0];
    } catch {
      return null; // xdotool exits 1 while there is none
    }
  }, 20000, 100);
}

async function pickerGone() {
  await waitFor("the picker closed", () => {
    try {
      x("search", "--onlyvisible", "--name", "Insert citation");
      return false;
    } catch {
      return true;
    }
  }, 10000, 100);
}

/** Switch WebDriver to the picker's webview (or back to the main window) and wait until its
 * page is ready. */
async function driveWindow(picker) {
  const handles = await wd.req("GET", `${wd.s}/window/handles`);
  const main = (wd.mainHandle ??= await wd.req("GET", `${wd.s}/window`));
  const target = picker ? handles.find((h) => h !== main) : main;
  assert.ok(target, `window handles ${JSON.stringify(handles)}`);
  await wd.req("POST", `${wd.s}/window`, { handle: target });
  if (picker) await waitFor("the picker's page", () => wd.exec(`return document.body.dataset.ready === "true"`), 20000);
}

/** Type into the picker (real key events on its X window), wait for its rows to show what was
 * typed, press `key`. */
async function typeAndPress(win, text, key) {
  await waitFor("the picker's page", () => driveWindow(true).then(() => true), 20000, 200);
  x("windowfocus", "--sync", win);
  if (text) x("type", "--delay", "40", text);
  await waitFor(`the picker shows "${text}"`, () => wd.exec(`return document.querySelector("[data-picker=query]").value === arguments[0] && document.querySelectorAll("[data-picker=list] [data-key]").length > 0`, text), 10000);
  if (key) x("key", key);
}

before(async () => {
  assert.ok(existsSync(FOLIO), `the folio CLI is needed at ${FOLIO}: cargo build -p folio --bin folio --release (or set FOLIO_BIN)`);
  const bib = join(work, "refs.bib");
  writeFileSync(bib, BIB);
  execFileSync(FOLIO, ["--library", library, "import", bib], { stdio: "ignore" });
  port = await freePort();
  writeFileSync(settings, JSON.stringify({ server: { enabled: true, port, allowWrites: true } }));
  xvfb = await startXvfb();
  driver = await startDriver({ ...sandboxEnv(xvfb.display, library), FOLIO_SETTINGS: settings });
  wd = await new WebDriver(driver.base).open();
  await waitFor("UI ready", () => wd.exec(`return document.body.dataset.ready === "true"`), 30000);
  await waitFor("3 rows", async () => (await wd.rows()).length === 3, 20000);
});

after(async () => {
  await wd?.close();
  driver?.stop();
  xvfb?.stop();
});

describe("cite as you write", () => {
  test("the probe answers ready on the port from the settings", async () => {
    const r = await fetch(url("probe=true"));
    assert.equal(r.status, 200);
    assert.equal(await r.text(), "ready");
  });

  test("a cayw request opens the picker; typing and Enter answer \\cite{…}", { timeout: 60_000 }, async () => {
    const answer = fetch(url("format=latex")).then((r) => r.text());
    const win = await pickerWindow();
    await typeAndPress(win, "production public", null);
    await waitPainted(xvfb.display);
    await sleep(800);
    xshot(xvfb.display, join(SHOTS, "cayw-picker.png"));
    await wd.screenshot(join(SHOTS, "cayw-picker-webview.png"));
    x("key", "Return");
    assert.equal(await answer, "\\cite{Steen2021}");
    await pickerGone();
    await driveWindow(false);
  });

  test("Tab adds an item and goes on; Enter cites them all (pandoc, brackets)", { timeout: 60_000 }, async () => {
    const answer = fetch(url("format=pandoc&brackets=true")).then((r) => r.text());
    const win = await pickerWindow();
    await typeAndPress(win, "creation", "Tab");
    await typeAndPress(win, "Jaspers", "Return");
    assert.equal(await answer, "[@Brandsen2018; @Jaspers2019]");
    await pickerGone();
    await driveWindow(false);
  });

  test("a comma after the search adds a page; biblatex gets it as the postnote", { timeout: 60_000 }, async () => {
    const answer = fetch(url("format=biblatex")).then((r) => r.text());
    const win = await pickerWindow();
    await typeAndPress(win, "Jaspers, 12", "Tab");
    await waitFor("the chosen item with its page", () => wd.exec(`return document.querySelector('[data-picker=chosen] [data-key="Jaspers2019"]')?.textContent === "Jaspers2019, p. 12"`), 10000);
    await sleep(800);
    xshot(xvfb.display, join(SHOTS, "cayw-locator.png"));
    x("key", "Return"); // the box is empty: Enter cites the chosen item only
    assert.equal(await answer, "\\autocite[12]{Jaspers2019}");
    await pickerGone();
    await driveWindow(false);
  });

  test("Esc cancels: the answer is empty", { timeout: 60_000 }, async () => {
    const answer = fetch(url("format=biblatex")).then(async (r) => [r.status, await r.text()]);
    const win = await pickerWindow();
    await typeAndPress(win, "Steen", "Escape");
    assert.deepEqual(await answer, [200, ""]);
    await pickerGone();
    await driveWindow(false);
  });

  test("selected=true takes the rows selected in the app, without the picker", async () => {
    await wd.click('.tr[data-key="Jaspers2019"]');
    await sleep(500); // the UI tells the shell its selection after 150 ms
    const r = await fetch(url("selected=true&format=biblatex&command=textcite"));
    assert.equal(await r.text(), "\\textcite{Jaspers2019}");
  });

  test("Copy reference in another CSL style: a bundled one chosen in the dialog; a missing .csl file is refused", { timeout: 60_000 }, async () => {
    await wd.click('[data-action="file-menu"]');
    await wd.click('[data-menu="cite-settings"]');
    await waitFor("the bundled styles", () => wd.exec(`return document.querySelectorAll('[data-input="cite-style"] option').length > 50`), 10000);
    // A .csl file that does not exist: the dialog says why and stays open.
    await wd.type('[data-input="cite-style-file"]', join(work, "nope.csl"));
    await wd.click('[data-action="cite-save"]');
    await waitFor("the error", async () => /nope\.csl/.test((await wd.text(".toasts")) ?? ""), 10000);
    assert.ok(await wd.exec(`return !!document.querySelector('[data-modal="cite-settings"]')`));
    await wd.clear('[data-input="cite-style-file"]');
    await wd.exec(`const s = document.querySelector('[data-input="cite-style"]'); s.value = "nature"; s.dispatchEvent(new Event("change"));`);
    await sleep(1000);
    await wd.screenshot(join(SHOTS, "cite-style.png"));
    await wd.click('[data-action="cite-save"]');
    await waitFor("saved", async () => /also in Nature/.test((await wd.text(".toasts")) ?? ""), 10000);
    await wd.click('.tr[data-key="Steen2021"]');
    await wd.click('[data-action="file-menu"]');
    await wd.click('[data-menu="copy-ref-chosen"]');
    let last = "";
    await waitFor("a Nature reference on the clipboard", () => /^1\. Steen, T\. & Brandsen, T\. Co-production and public value\. Public Administration/.test((last = clipboardText(xvfb.display))), 10000, 200).catch((e) => {
      throw new Error(`${e.message}; the clipboard holds ${JSON.stringify(last)}`);
    });
  });

  test("Settings shows where the server listens; with editors' changes off the picker is refused", { timeout: 60_000 }, async () => {
    await wd.click('[data-action="file-menu"]');
    await wd.click('[data-menu="server-settings"]');
    await waitFor("the settings line", async () => (await wd.text('[data-status="server"]'))?.includes(`http://127.0.0.1:${port}`), 10000);
    await wd.exec(`document.querySelector('[data-setting="allow-writes"]').click()`);
    await wd.click('[data-action="save-settings"]');
    let said = "";
    await waitFor("saved", async () => /Listening/.test((said = (await wd.text(".toasts")) ?? "")), 10000).catch((e) => {
      throw new Error(`${e.message}; the app said: ${said}`);
    });
    assert.ok(await wd.exec(`return !!document.querySelector('[data-modal="server-settings"]')`), "the settings dialog is open");
    // (waitPainted looks at a pixel the dialog's backdrop covers.)
    await sleep(1000);
    xshot(xvfb.display, join(SHOTS, "cayw-settings.png"));
    const r = await fetch(url("format=latex"));
    assert.equal(r.status, 403);
    assert.match(await r.text(), /allow editors to change the library/);
    const saved = JSON.parse(execFileSync("cat", [settings], { encoding: "utf8" }));
    assert.deepEqual(saved.server, { enabled: true, port, allowWrites: false });
    // A web page's request is refused whatever the settings.
    const web = await fetch(url("probe=true"), { headers: { Origin: "https://evil.example" } });
    assert.equal(web.status, 403);
  });
});
