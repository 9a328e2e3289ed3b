// Shared helpers for the end-to-end tests of the real app: Xvfb, tauri-driver + WebKitWebDriver,
// and a small dependency-free WebDriver client (fetch). Used by `node --test tests/`.
import { execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const TARGET = process.env.CARGO_TARGET_DIR ?? join(ROOT, "target");
export const APP = process.env.FOLIO_APP_BIN ?? join(TARGET, "debug", "folio-desktop");
export const SHOTS = process.env.FOLIO_SCREENSHOTS ?? join(TARGET, "screenshots");
mkdirSync(SHOTS, { recursive: true });

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what, fn, timeout = 20000, every = 100) {
  const t0 = Date.now();
  let last;
  while (Date.now() - t0 < timeout) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(every);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on("error", rej);
  });
}

const children = [];
process.on("exit", () => {
  for (const c of children) {
    try {
      process.kill(-c.pid, "SIGTERM");
    } catch {
      /* gone */
    }
  }
});

/** Spawn in its own process group (so stopping it stops its children), logging to `log`. */
export function start(cmd, args, opts = {}) {
  const p = spawn(cmd, args, { ...opts, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  p.output = "";
  p.stdout.on("data", (d) => (p.output += d));
  p.stderr.on("data", (d) => (p.output += d));
  p.stop = () => {
    try {
      process.kill(-p.pid, "SIGTERM");
    } catch {
      /* gone */
    }
  };
  children.push(p);
  return p;
}

/** What is on the (virtual) screen: WebKit's own WebDriver screenshots can lag far behind the
 * screen while the machine is busy, so the app's screenshots are taken from X. */
export function xshot(display, file) {
  execFileSync("import", ["-window", "root", file], { env: { ...process.env, DISPLAY: display } });
}

/** The colour of one screen pixel, read from X ("srgb(r,g,b)"). */
export function xpixel(display, x, y) {
  return execFileSync("convert", ["x:root", "-format", `%[pixel:p{${x},${y}}]`, "info:"], { env: { ...process.env, DISPLAY: display }, encoding: "utf8" }).trim();
}

/** Wait until the app's window shows the painted UI, not only the blank window background:
 * the "My Library" row (selected at start) at (150, 83) has the selection colour of the light
 * (#d6e4fb) or the dark (#2d4470) theme. */
export async function waitPainted(display, timeout = 60000) {
  const painted = new Set(["srgb(214,228,251)", "srgb(45,68,112)"]);
  return waitFor("painted window", () => painted.has(xpixel(display, 150, 83)), timeout, 25);
}

export async function startXvfb(width = 1280, height = 800) {
  for (let n = 90 + Math.floor(Math.random() * 400); ; n++) {
    if (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) continue;
    const x = start("Xvfb", [`:${n}`, "-screen", "0", `${width}x${height}x24`, "-nolisten", "tcp"]);
    await waitFor("Xvfb", () => existsSync(`/tmp/.X11-unix/X${n}`), 10000);
    // The socket exists a moment before the server takes connections.
    await waitFor("Xvfb accepting clients", () => (execFileSync("xdpyinfo", [], { env: { ...process.env, DISPLAY: `:${n}` }, stdio: "ignore" }), true), 10000, 50);
    x.display = `:${n}`;
    return x;
  }
}

/** A fresh HOME/XDG tree so the app's window state and default library stay in the test. */
export function sandboxEnv(display, library) {
  const home = mkdtempSync(join(tmpdir(), "folio-e2e-home-"));
  return {
    ...process.env,
    DISPLAY: display,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local/share"),
    XDG_CACHE_HOME: join(home, ".cache"),
    FOLIO_LIBRARY: library,
    GDK_BACKEND: "x11",
    NO_AT_BRIDGE: "1",
  };
}

export function tauriDriverPath() {
  const c = [process.env.TAURI_DRIVER, join(process.env.CARGO_HOME ?? join(process.env.HOME, ".cargo"), "bin", "tauri-driver")].filter(Boolean);
  const found = c.find((p) => existsSync(p));
  if (!found) throw new Error("tauri-driver not found: cargo install tauri-driver --locked");
  return found;
}

export async function startDriver(env) {
  const port = await freePort();
  const nativePort = await freePort();
  const d = start(tauriDriverPath(), ["--port", String(port), "--native-port", String(nativePort), "--native-driver", "/usr/bin/WebKitWebDriver"], { env });
  const base = `http://127.0.0.1:${port}`;
  await waitFor("tauri-driver", async () => (await fetch(`${base}/status`)).ok, 15000, 200).catch((e) => {
    throw new Error(`${e.message}\n${d.output}`);
  });
  d.base = base;
  return d;
}

export class WebDriver {
  constructor(base) {
    this.base = base;
  }
  async req(method, path, body) {
    const r = await fetch(`${this.base}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const j = await r.json().catch(() => ({}));
    if (!r.ok || (j.value && j.value.error)) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j.value ?? j).slice(0, 500)}`);
    return j.value;
  }
  async open(app = APP) {
    const v = await this.req("POST", "/session", {
      capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application: app } } },
    });
    this.sid = v.sessionId;
    this.s = `/session/${this.sid}`;
    return this;
  }
  async close() {
    if (this.sid) await this.req("DELETE", this.s).catch(() => {});
    this.sid = null;
  }
  async exec(script, ...args) {
    return this.req("POST", `${this.s}/execute/sync`, { script, args });
  }
  async execAsync(script, ...args) {
    return this.req("POST", `${this.s}/execute/async`, { script, args });
  }
  async find(css) {
    const v = await this.req("POST", `${this.s}/element`, { using: "css selector", value: css });
    return Object.values(v)[0];
  }
  async click(css) {
    // The table repaints its (virtualized) rows after every change: a row found a moment ago
    // may be replaced before the click lands, so a stale element is looked up again.
    for (let attempt = 0; ; attempt++) {
      const id = await waitFor(`element ${css}`, () => this.find(css), 10000);
      try {
        await this.req("POST", `${this.s}/element/${id}/click`, {});
        return;
      } catch (e) {
        if (attempt >= 4 || !/stale element/.test(String(e.message))) throw e;
        await sleep(100);
      }
    }
  }
  async type(css, text) {
    const id = await waitFor(`element ${css}`, () => this.find(css), 10000);
    await this.req("POST", `${this.s}/element/${id}/value`, { text });
  }
  async clear(css) {
    const id = await waitFor(`element ${css}`, () => this.find(css), 10000);
    await this.req("POST", `${this.s}/element/${id}/clear`, {});
  }
  async text(css) {
    return this.exec("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", css);
  }
  async screenshot(file) {
    const b64 = await this.req("GET", `${this.s}/screenshot`);
    writeFileSync(file, Buffer.from(b64, "base64"));
  }
  /** Emit an event into the app as the shell would (e.g. a native file drop). */
  async emit(event, payload) {
    return this.execAsync(
      `const done = arguments[arguments.length - 1];
       window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: arguments[0], payload: arguments[1] })
         .then(() => done("ok"), (e) => done("error: " + JSON.stringify(e)));`,
      event,
      payload,
    );
  }
  /** Confirm the import options dialog (duplicate policy) that every import opens first. */
  async confirmImport(policy) {
    await waitFor("import options", () => this.exec(`return !!document.querySelector("[data-action=import-go]")`), 20000);
    if (policy) await this.exec(`document.querySelector('[data-policy="' + arguments[0] + '"]').click()`, policy);
    await this.exec(`document.querySelector("[data-action=import-go]").click()`);
  }
  /** Real key presses into an element (WebDriver "send keys"; \uE009 Control, \uE008 Shift, \uE000 release). */
  async keys(css, text) {
    const id = await waitFor(`element ${css}`, () => this.find(css), 10000);
    await this.req("POST", `${this.s}/element/${id}/value`, { text });
  }
  async rows() {
    return this.exec(`return [...document.querySelectorAll(".tr[data-key]")].map((e) => e.dataset.key);`);
  }
}

/** The text on the X clipboard (read with GTK through python3-gi, as the XDND test's source). */
export function clipboardText(display) {
  const py = `import gi
gi.require_version("Gtk", "3.0")
from gi.repository import Gtk, Gdk
t = Gtk.Clipboard.get(Gdk.SELECTION_CLIPBOARD).wait_for_text()
print(t or "", end="")`;
  return execFileSync("/usr/bin/python3", ["-c", py], { env: { ...process.env, DISPLAY: display }, encoding: "utf8", timeout: 10000 });
}

/** A private PostgreSQL server for a test (shared libraries, issue 27): the newest installed
 * under /usr/lib/postgresql/*\/bin, a fresh cluster in a temporary folder (owned by the
 * `postgres` user when we are root: initdb and postgres refuse root), listening on 127.0.0.1
 * only, superuser `folio_admin` with trust authentication. `stop()` ends it and removes the
 * folder; it is also killed when the test process exits. */
export async function startPostgres() {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "initdb"))).sort((a, b) => Number(a) - Number(b)) : [];
  if (!versions.length) throw new Error("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): install Debian's postgresql package");
  const bin = join(base, versions.at(-1), "bin");
  const dir = mkdtempSync(join(tmpdir(), "folio-e2e-pg-"));
  let ids = {};
  if (process.getuid?.() === 0) {
    ids = { uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })), gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })) };
    chownSync(dir, ids.uid, ids.gid);
  }
  execFileSync(join(bin, "initdb"), ["-U", "folio_admin", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync", "-D", join(dir, "data")], { cwd: dir, stdio: "ignore", ...ids });
  const port = await freePort();
  const pg = start(join(bin, "postgres"), ["-D", join(dir, "data"), "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off"], { cwd: dir, ...ids });
  await waitFor("postgres", () => {
    try {
      execFileSync(join(bin, "pg_isready"), ["-q", "-h", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  }, 60000, 100).catch((e) => {
    throw new Error(`${e.message}\n${pg.output}`);
  });
  const url = (db, user = "folio_admin") => `postgresql://${user}@127.0.0.1:${port}/${db}?sslmode=disable`;
  return {
    port,
    url,
    /** Run SQL as the superuser on `db`; its output (unaligned, tuples only). */
    psql(db, sql) {
      return execFileSync(join(bin, "psql"), ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", url(db), "-c", sql], { encoding: "utf8" }).trim();
    },
    /** Fast shutdown (connections are cut), then the folder goes. */
    async stop() {
      try {
        process.kill(pg.pid, "SIGINT");
      } catch {
        /* gone */
      }
      await waitFor("postgres to stop", () => pg.exitCode !== null || pg.signalCode !== null, 15000, 50).catch(() => pg.stop());
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
