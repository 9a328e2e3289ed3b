// Before the window shows the library: an old library is upgraded as it opens (seconds for
// 100k items), and meanwhile the window says so instead of staying blank.

import { h } from "../lib/dom";
import { ipc, onLibraryStatus } from "../lib/ipc";
import type { LibraryStatus } from "../lib/types";
import { baseName } from "./importer";

const done = (s: LibraryStatus) => s.state === "ready" || s.state === "failed";

/** Wait until the library is open (or failed to open), showing the upgrade in `root` meanwhile. */
export async function waitForLibrary(root: HTMLElement): Promise<LibraryStatus> {
  let finish: (s: LibraryStatus) => void = () => {};
  const finished = new Promise<LibraryStatus>((r) => (finish = r));
  // Listen first, then ask: the end cannot slip between the two.
  const unlisten = await onLibraryStatus((s) => done(s) && finish(s));
  try {
    const now = await ipc.libraryStatus();
    if (done(now)) return now;
    const screen = upgradeScreen(now);
    root.replaceChildren(screen.el);
    const final = await finished;
    screen.stop();
    return final;
  } finally {
    unlisten();
  }
}

function upgradeScreen(s: LibraryStatus) {
  const upgrading = s.state === "upgrading";
  const elapsed = h("span", { class: "upgrade-elapsed", "data-upgrade": "elapsed" });
  const started = performance.now() - s.elapsedMs;
  const tick = () => {
    const secs = Math.floor((performance.now() - started) / 1000);
    elapsed.textContent = secs >= 1 ? `${secs} s` : "";
  };
  tick();
  const timer = window.setInterval(tick, 500);
  const el = h(
    "div",
    { class: "upgrade-screen", role: "status", "aria-live": "polite", "data-library-state": s.state },
    h(
      "div",
      { class: "upgrade-box" },
      h("h1", { text: upgrading ? "Upgrading your library" : "Opening your library" }),
      h("p", { class: "upgrade-path", title: s.path, text: s.path }),
      upgrading
        ? h("p", {
            text: `It was made by an earlier version of Folio (library format ${s.fromVersion}); this version uses format ${s.toVersion}. This happens once and takes a few seconds for a large library.`,
          })
        : null,
      upgrading
        ? h("p", { class: "muted", text: `A copy of the library as it was is kept beside it (${baseName(s.path)}.v${s.fromVersion}-….bak).` })
        : null,
      h("div", { class: "progress-track upgrade-track", role: "progressbar", "aria-label": upgrading ? "Upgrading" : "Opening" }, h("div", { class: "upgrade-fill" })),
      elapsed,
    ),
  );
  return { el, stop: () => window.clearInterval(timer) };
}
