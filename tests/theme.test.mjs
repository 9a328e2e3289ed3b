// The theme follows the OS: under a dark GTK theme the webview reports prefers-color-scheme: dark.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { SHOTS, WebDriver, sandboxEnv, sleep, startDriver, startXvfb, waitFor, waitPainted, xshot } from "./support.mjs";

let xvfb, driver, wd;
after(async () => {
  await wd?.close();
  driver?.stop();
  xvfb?.stop();
});

test("dark GTK theme gives the dark UI", { timeout: 90_000 }, async () => {
  xvfb = await startXvfb();
  const env = { ...sandboxEnv(xvfb.display, join(mkdtempSync(join(tmpdir(), "folio-dark-")), "library.sqlite")), GTK_THEME: "Adwaita:dark" };
  driver = await startDriver(env);
  wd = await new WebDriver(driver.base).open();
  await waitFor("UI ready", () => wd.exec(`return document.body.dataset.ready === "true"`), 30000);
  assert.equal(await wd.exec(`return matchMedia("(prefers-color-scheme: dark)").matches`), true);
  assert.equal(await wd.exec(`return getComputedStyle(document.documentElement).getPropertyValue("--bg").trim()`), "#1e1f22");
  await waitPainted(xvfb.display);
  await sleep(300);
  xshot(xvfb.display, join(SHOTS, "app-empty-dark.png"));
});
