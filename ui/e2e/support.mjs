// Shared set-up for the headless Chromium tests: a Vite dev server on a free port and Debian's
// Chromium driven by playwright-core (no browser download).
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, beforeEach } from "node:test";
import { chromium } from "playwright-core";

export const UI = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = resolve(UI, "..");
export const SHOTS = process.env.FOLIO_SCREENSHOTS ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "screenshots");
mkdirSync(SHOTS, { recursive: true });

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on("error", rej);
  });
}

export async function startVite() {
  const port = await freePort();
  const proc = spawn(join(UI, "node_modules/.bin/vite"), ["--port", String(port), "--strictPort", "--host", "127.0.0.1"], {
    cwd: UI,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout.on("data", (d) => (out += d));
  proc.stderr.on("data", (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${url}/e2e/harness.html`);
      if (r.ok) return { url, stop: () => proc.kill("SIGTERM") };
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  proc.kill("SIGTERM");
  throw new Error(`vite did not start:\n${out}`);
}

export async function startBrowser(colorScheme = "light") {
  const profile = mkdtempSync(join(tmpdir(), "folio-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 800 },
    colorScheme,
    permissions: ["clipboard-read", "clipboard-write"],
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    ctx,
    async close() {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** One browser and one Vite server per test file; before each test a fresh harness page (the UI
 * over the fake backend) with these localStorage keys removed. Returns helpers bound to the
 * current page (`t.page`), and `t.errors`, the page errors of the running test. */
export function useHarness({ clearStorage = [], colorScheme = "light" } = {}) {
  const t = {
    page: null,
    errors: [],
    rows: () => t.page.$$eval(".tr[data-key]", (els) => els.map((e) => e.getAttribute("data-key"))),
    count: () => t.page.textContent("[data-status=count]"),
    calls: (cmd) => t.page.evaluate((c) => window.__fake.calls.filter((x) => x.cmd === c).map((x) => x.args), cmd),
    toasts: () => t.page.$$eval(".toast", (els) => els.map((e) => e.textContent).join("\n")),
    waitRows: (n) => t.page.waitForFunction((n) => document.querySelectorAll(".tr[data-key]").length === n, n, { timeout: 5000 }),
    confirmImport: () => t.page.click("[data-action=import-go]"),
  };
  let vite, browser;
  before(async () => {
    vite = await startVite();
    browser = await startBrowser(colorScheme);
  });
  after(async () => {
    await browser?.close();
    vite?.stop();
  });
  beforeEach(async () => {
    t.page = browser.ctx.pages()[0] ?? (await browser.ctx.newPage());
    t.errors.length = 0;
    t.page.removeAllListeners("pageerror");
    t.page.on("pageerror", (e) => t.errors.push(String(e)));
    await t.page.goto(`${vite.url}/e2e/harness.html`);
    await t.page.waitForSelector("body[data-ready=true]");
    await t.page.evaluate((keys) => keys.forEach((k) => localStorage.removeItem(k)), clearStorage);
  });
  return t;
}
