// A second launch hands over to the first instance (tauri-plugin-single-instance, over the
// D-Bus session bus on Linux) and exits; the first keeps running.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { APP, sandboxEnv, sleep, start, startXvfb, waitFor } from "./support.mjs";

let xvfb, bus, first;
after(() => {
  first?.stop();
  bus?.stop();
  xvfb?.stop();
});

test("a second launch exits and leaves the first window running", { timeout: 90_000 }, async () => {
  xvfb = await startXvfb();
  bus = start("dbus-daemon", ["--session", "--nofork", "--print-address=1"]);
  const address = await waitFor("session bus", () => bus.output.split("\n")[0].trim(), 10000);
  const env = { ...sandboxEnv(xvfb.display, join(mkdtempSync(join(tmpdir(), "folio-si-")), "library.sqlite")), DBUS_SESSION_BUS_ADDRESS: address };
  first = start(APP, [], { env });
  await sleep(4000);
  assert.equal(first.exitCode, null, `first instance exited early:\n${first.output}`);
  const t0 = Date.now();
  const code = await new Promise((resolve) => {
    const second = spawn(APP, [], { env, stdio: "ignore" });
    const timer = setTimeout(() => (second.kill("SIGKILL"), resolve("timeout")), 30000);
    second.on("exit", (c) => (clearTimeout(timer), resolve(c)));
  });
  assert.equal(code, 0, "the second instance exits by itself");
  assert.ok(Date.now() - t0 < 30000);
  await sleep(500);
  assert.equal(first.exitCode, null, "the first instance keeps running");
});
