// The open app and the `folio` CLI on the same library: what the CLI adds, imports and edits
// shows up in the open window without a restart (the shell watches SQLite's data_version);
// both write at the same time and nothing is lost or corrupted (PRAGMA integrity_check, counts,
// every title); a library another process keeps busy gives a clear message in the window and on
// the command line, never a silent failure.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { SHOTS, TARGET, WebDriver, sandboxEnv, sleep, startDriver, startXvfb, waitFor, waitPainted, xshot } from "./support.mjs";

const FOLIO = process.env.FOLIO_BIN ?? join(TARGET, "release", "folio");
const work = mkdtempSync(join(tmpdir(), "folio-cli-app-"));
const library = join(work, "library.sqlite");
// The app waits up to 2 s for a busy library (the CLI keeps its default of 10 s).
const APP_BUSY_MS = 2000;
let xvfb, driver, wd;

const run = promisify(execFile);
/** Run the CLI on the test library; resolves with {code, stdout, stderr}. */
async function folio(args, env = {}) {
  try {
    const r = await run(FOLIO, ["--library", library, ...args], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 60000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? String(e) };
  }
}
async function folioOk(args) {
  const r = await folio(args);
  assert.equal(r.code, 0, `folio ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
}
/** SQLite's own check of the file, from a separate process (Python's sqlite3). */
async function integrity() {
  const r = await run("/usr/bin/python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])", library], { encoding: "utf8" });
  return r.stdout.trim();
}
const count = async () => Number((await wd.text("[data-status=count]")).replace(/\D/g, ""));
const rowTitles = () => wd.exec(`return [...document.querySelectorAll(".tr[data-key] .td[data-col=title]")].map((e) => e.textContent)`);
/** Call one of the shell's commands from the page, as the UI's ipc.ts does. */
const invoke = (cmd, args) =>
  wd.execAsync(
    `const done = arguments[arguments.length - 1];
     window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then((v) => done({ ok: v }), (e) => done({ err: e }));`,
    cmd,
    args,
  );

function bib(prefix, n) {
  let s = "";
  for (let i = 0; i < n; i++) s += `@article{${prefix}${i},\n  author = {Author${i}, A.},\n  title = {${prefix} entry ${i} on public value},\n  journal = {Public Administration},\n  year = {${2000 + (i % 20)}}\n}\n\n`;
  return s;
}

before(async () => {
  assert.ok(existsSync(FOLIO), `the folio CLI is needed at ${FOLIO}: cargo build -p folio --bin folio --release (or set FOLIO_BIN)`);
  xvfb = await startXvfb();
  driver = await startDriver({ ...sandboxEnv(xvfb.display, library), FOLIO_BUSY_TIMEOUT_MS: String(APP_BUSY_MS) });
  wd = await new WebDriver(driver.base).open();
  await waitFor("UI ready", () => wd.exec(`return document.body.dataset.ready === "true"`), 30000);
  await waitPainted(xvfb.display);
});
after(async () => {
  await wd?.close();
  driver?.stop();
  xvfb?.stop();
});

describe("the app and the CLI on one library", () => {
  test("what the CLI adds, imports and edits appears in the open window without a restart", async () => {
    assert.equal(await count(), 0);
    await folioOk(["add", "--key", "Cli2020", "--title", "Added by the command line", "--author", "Steen, Trui", "--year", "2020"]);
    await waitFor("the CLI's item in the window", async () => (await rowTitles()).includes("Added by the command line"), 5000, 50);
    assert.equal(await count(), 1);
    assert.equal(await wd.text("[data-status=action]"), "Library changed outside Folio");
    // an import of a .bib file and an edit
    const file = join(work, "cli.bib");
    writeFileSync(file, bib("cliimport", 3));
    await folioOk(["import", file]);
    await waitFor("3 imported items", async () => (await count()) === 4, 5000, 50);
    // the left pane's counts follow too
    await waitFor("sidebar total", async () => (await wd.text("[data-nav=library] .count")) === "4", 5000, 50);
    // the item pane of the selected item follows an edit made by the CLI
    await wd.click(".tr[data-key=Cli2020] .td");
    await waitFor("item pane", async () => (await wd.exec(`return document.querySelector("[data-field=title]")?.value`)) === "Added by the command line");
    await folioOk(["edit", "Cli2020", "--set", "title=Edited by the command line"]);
    await waitFor("the edit in the table", async () => (await rowTitles()).includes("Edited by the command line"), 5000, 50);
    await waitFor("the edit in the item pane", async () => (await wd.exec(`return document.querySelector("[data-field=title]")?.value`)) === "Edited by the command line", 5000, 50);
    await sleep(600); // WebKit paints a moment after the DOM changes
    xshot(xvfb.display, join(SHOTS, "app-cli-refresh.png"));
  });

  test("app and CLI write at the same time: nothing is lost or corrupted", { timeout: 180_000 }, async () => {
    const before = await count();
    const N_APP = 30;
    const N_CLI = 30;
    const FILES = 3;
    const PER_FILE = 200;
    for (let f = 0; f < FILES; f++) writeFileSync(join(work, `batch${f}.bib`), bib(`batch${f}x`, PER_FILE));
    // The app: new items and title edits through the shell's commands, one after another.
    const app = (async () => {
      const errors = [];
      for (let i = 0; i < N_APP; i++) {
        const made = await invoke("new_item", { itemType: "article", collection: null });
        if (made.err) {
          errors.push(made.err);
          continue;
        }
        const edited = await invoke("edit_field", { id: made.ok, field: "title", value: `App item ${i}`, force: false });
        if (edited.err) errors.push(edited.err);
      }
      return errors;
    })();
    // The CLI at the same time: single adds, tag edits and whole-file imports.
    const cli = (async () => {
      const failures = [];
      for (let i = 0; i < N_CLI; i++) {
        const r = await folio(["add", "--key", `CliItem${i}`, "--title", `CLI item ${i}`, "--year", "2021"]);
        if (r.code !== 0) failures.push(r.stderr);
        if (i % 10 === 9) {
          const imp = await folio(["import", join(work, `batch${(i - 9) / 10}.bib`)]);
          if (imp.code !== 0) failures.push(imp.stderr);
        }
        if (i % 5 === 4) {
          const t = await folio(["tag", "add", "from-cli", `CliItem${i}`]);
          if (t.code !== 0) failures.push(t.stderr);
        }
      }
      return failures;
    })();
    const [appErrors, cliFailures] = await Promise.all([app, cli]);
    assert.deepEqual(appErrors, [], "every app action succeeded");
    assert.deepEqual(cliFailures, [], "every CLI command succeeded");

    const expected = before + N_APP + N_CLI + FILES * PER_FILE;
    assert.equal(await integrity(), "ok");
    assert.equal(Number((await folioOk(["list", "--count"])).trim()), expected);
    assert.equal(Number((await folioOk(["list", "--count", "--query", 'title:"App item"'])).trim()), N_APP);
    assert.equal(Number((await folioOk(["list", "--count", "--query", 'title:"CLI item"'])).trim()), N_CLI);
    assert.equal(Number((await folioOk(["list", "--count", "--query", "tag:from-cli"])).trim()), N_CLI / 5);
    for (let f = 0; f < FILES; f++) assert.equal(Number((await folioOk(["list", "--count", "--query", `key:batch${f}x*`])).trim()), PER_FILE);
    const info = JSON.parse(await folioOk(["info", "--json"]));
    assert.equal(info.items, expected);
    // every app title is there once
    const appTitles = JSON.parse(await folioOk(["list", "--json", "--query", 'title:"App item"'])).map((i) => i.title);
    assert.deepEqual([...new Set(appTitles)].sort(), Array.from({ length: N_APP }, (_, i) => `App item ${i}`).sort());
    // the window shows the final count without a restart
    await waitFor("the window's count", async () => (await count()) === expected, 10000, 100);
  });

  test("a library kept busy by another process gives a clear message, in the window and on the command line", { timeout: 90_000 }, async () => {
    const n = await count();
    await folioOk(["add", "--key", "Busy2020", "--title", "Kept busy", "--year", "2020"]);
    await waitFor("the window refreshed", async () => (await count()) === n + 1, 5000, 50);
    // Another process holds the write lock for a while (as a long import would).
    const hold = spawn(
      "/usr/bin/python3",
      ["-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(float(sys.argv[2])); c.execute('COMMIT')", library, "6"],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise((res) => hold.stdout.once("data", res));
    const done = new Promise((res) => hold.on("exit", res));
    try {
      // the user finds an item and edits its title in the item pane
      await wd.type("[data-input=search]", "key:Busy2020");
      // (the search runs a moment after the last key press, and clears the selection)
      await waitFor("the search", () => wd.exec(`return window.folio.store.s.query === "key:Busy2020"`), 10000, 50);
      await waitFor("the item found", async () => (await wd.rows()).join() === "Busy2020", 10000, 50);
      await wd.click(".tr[data-key=Busy2020] .td");
      await waitFor("the item pane", async () => (await wd.exec(`return document.querySelector("[data-field=title]")?.value`)) === "Kept busy", 10000, 50);
      await sleep(500);
      await wd.clear("[data-field=title]");
      const t0 = Date.now();
      await waitFor("busy message", async () => /library is busy/.test((await wd.exec(`return document.querySelector(".toasts")?.textContent ?? ""`)) ?? ""), APP_BUSY_MS + 8000, 50).catch(async (e) => {
        const seen = await wd.exec(`return { toasts: document.querySelector(".toasts")?.textContent, field: document.querySelector("[data-field=title]")?.value, action: document.querySelector("[data-status=action]")?.textContent }`);
        throw new Error(`${e.message}: ${JSON.stringify(seen)}`);
      });
      const waited = Date.now() - t0;
      const toast = await wd.exec(`return [...document.querySelectorAll(".toast-error")].map((e) => e.textContent).join("\\n")`);
      assert.match(toast, /Edit title: library is busy: another Folio process is writing to it; try again when it has finished/);
      assert.match(await wd.exec(`return document.querySelector(".field-error")?.textContent ?? ""`), /library is busy/);
      assert.ok(waited < APP_BUSY_MS + 8000);
      await sleep(500);
      xshot(xvfb.display, join(SHOTS, "app-busy.png"));
      // the CLI says the same and exits 1
      const r = await folio(["edit", "Busy2020", "--set", "year=2024"], { FOLIO_BUSY_TIMEOUT_MS: "300" });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /library is busy: another Folio process is writing to it/);
    } finally {
      await done;
    }
    // nothing changed while it was busy; once it is free the same edits go through
    assert.equal(JSON.parse(await folioOk(["show", "--json", "Busy2020"])).title, "Kept busy");
    // (the pane may show the stored title again by now: clear it and type the new one)
    await wd.clear("[data-field=title]");
    await wd.type("[data-field=title]", "Edited in the app\uE007");
    await waitFor("saved", async () => JSON.parse(await folioOk(["show", "--json", "Busy2020"])).title === "Edited in the app", 10000, 200).catch(async (e) => {
      // what the window shows, and what the app's handle and another process read
      const seen = await wd.exec(`return { field: document.querySelector("[data-field=title]")?.value, error: document.querySelector(".field-error")?.textContent, toasts: document.querySelector(".toasts")?.textContent }`);
      const app = await invoke("history", { limit: 3 });
      throw new Error(`${e.message}: ${JSON.stringify(seen)}; app's history ${JSON.stringify(app)}; CLI's history ${(await folio(["history"])).stdout.slice(0, 300)}`);
    });
    assert.equal(await integrity(), "ok");
  });
});
