// A second launch hands over to the first instance (tauri-plugin-single-instance, over the
// D-Bus session bus on Linux) and exits; the first window comes to the front. Xvfb alone has
// no window manager (nothing is ever "active" or "minimized"), so an EWMH window manager
// (openbox) runs on the virtual display: another window is put in front of Folio, or Folio is
// minimized, and after the second launch the window manager's _NET_ACTIVE_WINDOW is Folio's
// window and it is not hidden.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { APP, SHOTS, sandboxEnv, sleep, start, startXvfb, waitFor, xshot } from "./support.mjs";

let xvfb, wm, bus, first, other, env;
after(() => {
  other?.stop();
  first?.stop();
  bus?.stop();
  wm?.stop();
  xvfb?.stop();
});

const x = (cmd, ...args) => execFileSync(cmd, args, { env, encoding: "utf8", timeout: 10000 }).trim();
/** The window the window manager says is active (0 when none). */
const activeWindow = () => {
  const m = /window id # (0x[0-9a-f]+)/i.exec(x("xprop", "-root", "_NET_ACTIVE_WINDOW"));
  return m ? Number(m[1]) : 0;
};
const windowsNamed = (name) =>
  x("xdotool", "search", "--onlyvisible", "--name", `^${name}$`)
    .split("\n")
    .filter(Boolean)
    .map(Number);
const wmState = (id) => x("xprop", "-id", String(id), "_NET_WM_STATE");
const isHidden = (id) => /_NET_WM_STATE_HIDDEN/.test(wmState(id));

/** Launch the app again; it must hand over and exit by itself. */
async function secondLaunch() {
  const code = await new Promise((resolve) => {
    const second = spawn(APP, [], { env, stdio: "ignore" });
    const timer = setTimeout(() => (second.kill("SIGKILL"), resolve("timeout")), 30000);
    second.on("exit", (c) => (clearTimeout(timer), resolve(c)));
  });
  assert.equal(code, 0, "the second instance exits by itself");
  assert.equal(first.exitCode, null, `the first instance keeps running:\n${first.output}`);
}

let folio = 0;
before(async () => {
  xvfb = await startXvfb();
  bus = start("dbus-daemon", ["--session", "--nofork", "--print-address=1"]);
  const address = await waitFor("session bus", () => bus.output.split("\n")[0].trim(), 10000);
  env = { ...sandboxEnv(xvfb.display, join(mkdtempSync(join(tmpdir(), "folio-si-")), "library.sqlite")), DBUS_SESSION_BUS_ADDRESS: address };
  wm = start("openbox", ["--sm-disable"], { env });
  // An EWMH window manager announces itself on the root window.
  await waitFor("openbox", () => /window id #/.test(x("xprop", "-root", "_NET_SUPPORTING_WM_CHECK")), 15000, 200).catch((e) => {
    throw new Error(`${e.message}\n${wm.output}`);
  });
  first = start(APP, [], { env });
  folio = await waitFor("Folio's window", () => windowsNamed("Folio")[0], 60000, 200).catch((e) => {
    throw new Error(`${e.message}\n${first.output}`);
  });
  await waitFor("Folio active at start", () => activeWindow() === folio, 20000, 100);
  await sleep(1500); // the UI paints
});

test("a second launch brings Folio's window in front of another window", { timeout: 90_000 }, async () => {
  // Another application's window, opened over Folio, takes the focus.
  const py = `import gi
gi.require_version("Gtk", "3.0")
from gi.repository import Gtk
w = Gtk.Window(title="Another application")
w.set_default_size(900, 600)
w.add(Gtk.Label(label="Another application, in front of Folio"))
w.connect("destroy", Gtk.main_quit)
w.show_all()
Gtk.main()`;
  other = start("/usr/bin/python3", ["-c", py], { env });
  const otherId = await waitFor("the other window", () => windowsNamed("Another application")[0], 20000, 100);
  await waitFor("the other window active", () => activeWindow() === otherId, 10000, 100);
  assert.notEqual(activeWindow(), folio);
  xshot(xvfb.display, join(SHOTS, "app-single-instance-before.png"));

  await secondLaunch();
  await waitFor("Folio's window active again", () => activeWindow() === folio, 10000, 100);
  assert.equal(isHidden(folio), false, wmState(folio));
  await sleep(500);
  xshot(xvfb.display, join(SHOTS, "app-single-instance-focused.png"));
  assert.equal(activeWindow(), folio, "Folio stays the active window");
});

test("a second launch restores a minimized Folio window and focuses it", { timeout: 90_000 }, async () => {
  x("xdotool", "windowminimize", "--sync", String(folio));
  await waitFor("Folio minimized", () => isHidden(folio), 10000, 100);
  assert.notEqual(activeWindow(), folio);

  await secondLaunch();
  await waitFor("Folio restored", () => !isHidden(folio), 10000, 100);
  await waitFor("Folio's window active", () => activeWindow() === folio, 10000, 100);
  await sleep(500);
  xshot(xvfb.display, join(SHOTS, "app-single-instance-restored.png"));
  assert.equal(isHidden(folio), false);
});
