// Settings › Editors and scripts: the local HTTP API that LaTeX and Markdown editors, biber
// and scripts talk to as they would to Zotero (port 23119), whether it runs, on which port, and
// whether editors may change the library (the citation picker, collection.scanAUX,
// autoexport.add).

import { h } from "../lib/dom";
import { ipc } from "../lib/ipc";
import type { ServerStatus } from "../lib/types";
import { modal } from "./importer";
import { showError, toast } from "./toast";

/** Where the server stands, in one sentence. */
export function serverLine(s: ServerStatus): string {
  if (!s.settings.enabled) return "Off: editors and scripts cannot reach Folio.";
  if (s.error) return `Not running: ${s.error}`;
  if (s.port == null) return "Starting…";
  const url = `http://127.0.0.1:${s.port}`;
  return s.fallbackFrom != null
    ? `Port ${s.fallbackFrom} is taken (is Zotero running?): listening on ${url} instead. Editors set to Zotero's port will not find Folio.`
    : s.port === 23119
      ? `Listening on ${url} (Zotero's port: editors and scripts made for Zotero find Folio).`
      : `Listening on ${url}. Editors and scripts must be set to port ${s.port} (Zotero's is 23119).`;
}

export async function openServerSettings() {
  let status: ServerStatus;
  try {
    status = await ipc.serverStatus();
  } catch (e) {
    showError(e, "Settings");
    return;
  }
  const enabled = h("input", { type: "checkbox", "data-setting": "server-enabled", checked: status.settings.enabled });
  const port = h("input", { type: "number", min: 1, max: 65535, value: status.settings.port, "data-setting": "server-port", class: "port-input" });
  const writes = h("input", { type: "checkbox", "data-setting": "allow-writes", checked: status.settings.allowWrites });
  const line = h("p", { class: "server-line", "data-status": "server", role: "status", text: serverLine(status) });
  const body = h(
    "div",
    { class: "settings-form" },
    h("label", { class: "check" }, enabled, " Answer editors and scripts on this computer (Zotero's local API and Better BibTeX's endpoints, 127.0.0.1 only)"),
    h("label", {}, "Port ", port),
    h("label", { class: "check" }, writes, " Allow editors to change the library: the cite-as-you-write picker, collection.scanAUX and autoexport.add"),
    line,
    h("p", { class: "muted", text: "Web pages can never reach it: requests from a browser page or another host name are refused." }),
    h("p", {
      class: "muted",
      "data-status": "styles-folder",
      text: status.stylesFolder
        ? `Citation styles for editors (style=…): any bundled style, or a .csl file you put in ${status.stylesFolder}.`
        : "Citation styles for editors (style=…): the bundled styles (no styles folder could be made).",
    }),
  );
  const save = h("button", {
    class: "btn primary",
    "data-action": "save-settings",
    text: "Save",
    onclick: async () => {
      const n = Number(port.value);
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        showError(new Error("the port must be a whole number from 1 to 65535"), "Settings");
        return;
      }
      try {
        const s = await ipc.serverConfigure({ enabled: enabled.checked, port: n, allowWrites: writes.checked });
        line.textContent = serverLine(s);
        toast(s.settings.enabled ? serverLine(s) : "The local API is off");
      } catch (e) {
        showError(e, "Settings");
      }
    },
  });
  modal("Editors and scripts", "", body, "server-settings", [save], undefined, "Close");
}
