import { h } from "../lib/dom";
import { toAppError } from "../lib/ipc";

let host: HTMLElement | null = null;
const MAX_TOASTS = 3;

/** Toasts stack in the bottom-right corner. Dialogs keep clear of them: the room the stack takes
 * (from the window's bottom edge to the top of the highest toast) is published as the CSS
 * variable --toast-room, which a dialog's backdrop leaves free at the bottom, so a toast never
 * covers a dialog's buttons. */
function container(): HTMLElement {
  if (!host) {
    const el = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
    host = el;
    document.body.appendChild(el);
    const update = () => {
      const room = el.childElementCount ? Math.ceil(window.innerHeight - el.getBoundingClientRect().top) + 8 : 0;
      document.documentElement.style.setProperty("--toast-room", `${room}px`);
    };
    new ResizeObserver(update).observe(el);
    new MutationObserver(update).observe(el, { childList: true });
    window.addEventListener("resize", update);
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
  const c = container();
  // At most three at a time: the oldest gives way.
  while (c.childElementCount >= MAX_TOASTS) c.firstElementChild?.remove();
  c.appendChild(el);
  setTimeout(() => el.remove(), ms);
}

/** Show a core error's message; never fail silently. */
export function showError(e: unknown, context?: string) {
  const err = toAppError(e);
  toast(context ? `${context}: ${err.message}` : err.message, "error");
  console.error(err.code, err.message);
}
