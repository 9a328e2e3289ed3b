// The real app started on a library made by an earlier version (format 10): the window shows
// the upgrade while it runs (held up here by another program's write lock, as a CLI import
// would), then the library.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { ROOT, SHOTS, TARGET, WebDriver, sandboxEnv, xpixel, startDriver, startXvfb, waitFor, waitPainted, xshot } from "./support.mjs";

const FOLIO = process.env.FOLIO_BIN ?? join(TARGET, "release", "folio");
const seedFile = process.env.FOLIO_SEED || resolve(ROOT, "..", "shared", "seed", "search-results.txt");
const work = mkdtempSync(join(tmpdir(), "folio-upgrade-"));
const library = join(work, "library.sqlite");
let xvfb, driver, wd, hold, current;

const python = (code, ...args) => execFileSync("python3", ["-c", code, ...args], { encoding: "utf8" });

before(async () => {
  assert.ok(existsSync(FOLIO), `the folio CLI is needed at ${FOLIO} (or set FOLIO_BIN)`);
  assert.ok(existsSync(seedFile), `the seed is needed: ${seedFile} (set FOLIO_SEED)`);
  execFileSync(FOLIO, ["--library", library, "import", seedFile], { encoding: "utf8" });
  current = Number(python("import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA user_version').fetchone()[0])", library).trim());
  assert.ok(current > 10, `the CLI made format ${current}`);
  // Back to format 10, as the previous version left it: version 11 added two columns, 12 only
  // re-stamps values (source fingerprints), 13 added one column (the import each record came from), 14 the journal's parts,
  // 15 the object versions, 16 the attachments, 17 their full text, 18 the shared-library bookkeeping.
  python(
    "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('ALTER TABLE items DROP COLUMN source_checks'); " +
      "c.execute('ALTER TABLE items DROP COLUMN source_macros'); " +
      "c.execute('ALTER TABLE items DROP COLUMN source_batch'); c.execute('DROP TABLE journal_parts'); " +
      "c.execute('ALTER TABLE journal DROP COLUMN parts'); " +
      "c.execute('DROP TABLE object_versions'); c.execute('DROP TABLE library_version'); c.execute('DROP TABLE attachments'); c.execute('DROP TABLE fulltext'); " +
      "[c.execute('DROP TABLE ' + t) for t in ['sync_objects', 'sync_state', 'action_labels', 'sync_outbox', 'sync_conflicts', 'sync_waiting']]; " +
      "c.execute('PRAGMA user_version = 10'); c.commit(); c.close()",
    library,
  );
  assert.equal(python("import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA user_version').fetchone()[0])", library).trim(), "10");
  xvfb = await startXvfb();
  // The upgrade waits up to a minute for the other program (10 s by default), so a slow first
  // paint cannot outlast it.
  driver = await startDriver({ ...sandboxEnv(xvfb.display, library), FOLIO_BUSY_TIMEOUT_MS: "60000" });
});
after(async () => {
  hold?.kill();
  await wd?.close();
  driver?.stop();
  xvfb?.stop();
});

test("an old library: the window shows its upgrade, then the library", { timeout: 120_000 }, async () => {
  // Another program writes to the library: the upgrade waits for it.
  hold = spawn("python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.readline(); c.execute('ROLLBACK')", library], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise((res) => hold.stdout.once("data", res));
  wd = await new WebDriver(driver.base).open();
  await waitFor("the upgrade on screen", () => wd.exec(`return !!document.querySelector("[data-library-state=upgrading]")`), 30000, 50);
  const text = await wd.text(".upgrade-screen");
  assert.match(text, /Upgrading your library/);
  assert.match(text, new RegExp(`format 10\\b.*format ${current}\\b`, "s"));
  assert.ok(text.includes(library), text);
  // …and on the screen: the box (white) on the window's grey background (#f4f5f7).
  const r = await wd.exec(`const r = document.querySelector(".upgrade-box").getBoundingClientRect(); return { x: Math.round(r.left), y: Math.round(r.top) };`);
  let seen;
  await waitFor("the upgrade painted", () => {
    seen = [xpixel(xvfb.display, r.x + 14, r.y + 14), xpixel(xvfb.display, 20, 20)];
    return seen[0] === "srgb(255,255,255)" && seen[1] === "srgb(244,245,247)";
  }, 30000, 50).catch((e) => {
    xshot(xvfb.display, join(SHOTS, "app-upgrading-failed.png"));
    throw new Error(`${e.message}: pixels ${seen} at ${JSON.stringify(r)}`);
  });
  xshot(xvfb.display, join(SHOTS, "app-upgrading.png"));
  // The other program is done: the upgrade goes through and the library shows.
  hold.stdin.write("\n");
  await waitFor("rows", () => wd.exec(`return document.body.dataset.ready === "true" && document.querySelectorAll(".tr[data-key]").length === 4`), 30000, 50);
  assert.equal(await wd.exec(`return document.querySelector(".upgrade-screen")`), null);
  assert.equal(python("import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA user_version').fetchone()[0])", library).trim(), String(current));
  assert.equal(readdirSync(work).filter((f) => f.startsWith("library.sqlite.v10-") && f.endsWith(".bak")).length, 1, "a backup of the old library");
  await waitPainted(xvfb.display);
  xshot(xvfb.display, join(SHOTS, "app-upgraded.png"));
});
