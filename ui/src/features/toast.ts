import { h } from "../lib/dom";
import { toAppError } from "../lib/ipc";

let host: HTMLElement | null = null;

function container(): HTMLElement {
  if (!host) {
    host = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
    document.body.appendChild(host);
  }
  return host;
}

export function toast(message: string, kind: "info" | "error" = "info", ms = kind === "error" ? 8000 : 3500) {
  const el = h(
    "div",
    { class: `toast toast-${kind}`, "data-kind": kind },
    h("span", { class: "toast-text", text: message }),
    h("button", { class: "toast-close", title: "Dismiss", "aria-label": "Dismiss", onclick: () => el.remove() }, "×"),
  );
  container().appendChild(el);
  setTimeout(() => el.remove(), ms);
}

/** Show a core error's message; never fail silently. */
export function showError(e: unknown, context?: string) {
  const err = toAppError(e);
  toast(context ? `${context}: ${err.message}` : err.message, "error");
  console.error(err.code, err.message);
}
