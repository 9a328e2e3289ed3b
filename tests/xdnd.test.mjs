// A real drag-and-drop under Xvfb: a GTK 3 XDND drag source window (python3-gi) offers two
// files, xdotool drags them onto Folio's window, and the imported rows appear.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ROOT, SHOTS, WebDriver, sandboxEnv, sleep, start, startDriver, startXvfb, waitFor } from "./support.mjs";

const work = mkdtempSync(join(tmpdir(), "folio-xdnd-"));
const library = join(work, "library.sqlite");
let xvfb, driver, wd, source, env;

before(async () => {
  xvfb = await startXvfb(1600, 900);
  env = sandboxEnv(xvfb.display, library);
  driver = await startDriver(env);
  wd = await new WebDriver(driver.base).open();
  await waitFor("UI ready", () => wd.exec(`return document.body.dataset.ready === "true"`), 30000);
});
after(async () => {
  source?.stop();
  await wd?.close();
  driver?.stop();
  xvfb?.stop();
});

const xdo = (...args) => execFileSync("xdotool", args, { env, encoding: "utf8" }).trim();

test("a .bib and a .ris file dragged from another window onto Folio are imported", { timeout: 120_000 }, async () => {
  const a = join(work, "refs.bib");
  writeFileSync(
    a,
    "@article{BibOne2020, author = {Steen, Trui}, title = {Dragged {BibTeX} entry}, journal = {Public Management Review}, year = 2020}\n" +
      "@book{extra2026, author = {Jaspers, Sylke}, title = {Dragged from another window}, publisher = {Emerald}, year = 2026, access = {free}}\n",
  );
  const b = join(work, "more refs.ris");
  writeFileSync(
    b,
    "TY  - JOUR\r\nAU  - Fledderus, Joost\r\nTI  - Dragged RIS record one\r\nT2  - Public Management Review\r\nPY  - 2015\r\nER  - \r\n\r\n" +
      "TY  - JOUR\r\nAU  - Uster, Anna\r\nTI  - Dragged RIS record two\r\nT2  - International Journal of Public Sector Management\r\nPY  - 2024\r\nER  - \r\n",
  );

  source = start("/usr/bin/python3", [join(ROOT, "tests", "xdnd_source.py"), "1340", "200", a, b], { env });
  await waitFor("drag source window", () => source.output.includes("ready"), 20000);
  const src = xdo("search", "--sync", "--name", "folio-drag-source").split("\n")[0];
  const app = xdo("search", "--name", "^Folio$").split("\n")[0];
  const geo = (w) => Object.fromEntries(xdo("getwindowgeometry", "--shell", w).split("\n").map((l) => l.split("=")).map(([k, v]) => [k, Number(v)]));
  const s = geo(src);
  const t = geo(app);
  const [sx, sy] = [s.X + 60, s.Y + 40];
  const [tx, ty] = [t.X + Math.floor(t.WIDTH / 2), t.Y + Math.floor(t.HEIGHT / 2)];
  xdo("mousemove", String(sx), String(sy));
  await sleep(200);
  xdo("mousedown", "1");
  for (let i = 1; i <= 30; i++) {
    xdo("mousemove", String(Math.round(sx + ((tx - sx) * i) / 30)), String(Math.round(sy + ((ty - sy) * i) / 30)));
    await sleep(40);
  }
  await sleep(400);
  xdo("mouseup", "1");
  await wd.confirmImport().catch((e) => {
    throw new Error(`${e.message}\nsource: ${source.output}`);
  });
  await waitFor("import report", () => wd.exec(`return !!document.querySelector("[data-modal=import-report]")`), 30000, 100).catch((e) => {
    throw new Error(`${e.message}\nsource: ${source.output}`);
  });
  assert.match(await wd.text("[data-summary]"), /^4 added/);
  await wd.click("[data-action=close-modal]");
  await waitFor("4 rows", async () => (await wd.rows()).length === 4);
  const rows = await wd.rows();
  for (const key of ["BibOne2020", "extra2026", "Fledderus2015", "Uster2024"]) {
    assert.ok(rows.includes(key), `${key} in ${rows}`);
  }
  await sleep(600);
  execFileSync("import", ["-window", "root", join(SHOTS, "xdnd-after-drop.png")], { env });
});
