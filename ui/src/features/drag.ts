// Dragging inside the window with pointer events (not HTML5 drag-and-drop, which Tauri's native
// file-drop handling blocks on Windows): items onto collections or tags, collections onto
// collections (nesting) or onto "My Library" (top level).

import { h } from "../lib/dom";
import type { Targets } from "../lib/types";

export type DragPayload = { kind: "items"; targets: Targets } | { kind: "collection"; path: string };

export interface DropTarget {
  collection?: string;
  tag?: string;
  root?: boolean;
}

type DropHandler = (payload: DragPayload, target: DropTarget) => void;
let onDrop: DropHandler = () => {};

export function setDropHandler(fn: DropHandler) {
  onDrop = fn;
}

export function targetAt(x: number, y: number): { el: HTMLElement; target: DropTarget } | null {
  let el = document.elementFromPoint(x, y) as HTMLElement | null;
  while (el && el !== document.body) {
    if (el.dataset.dropCollection != null) return { el, target: { collection: el.dataset.dropCollection } };
    if (el.dataset.dropTag != null) return { el, target: { tag: el.dataset.dropTag } };
    if (el.dataset.dropRoot != null) return { el, target: { root: true } };
    el = el.parentElement;
  }
  return null;
}

/** Call from pointerdown; the drag starts once the pointer moved a few pixels. */
export function beginDrag(down: PointerEvent, label: string | (() => string), payload: () => DragPayload | null) {
  if (down.button !== 0) return;
  const sx = down.clientX;
  const sy = down.clientY;
  let ghost: HTMLElement | null = null;
  let over: HTMLElement | null = null;
  let data: DragPayload | null = null;

  const move = (e: PointerEvent) => {
    if (!ghost) {
      if (Math.abs(e.clientX - sx) + Math.abs(e.clientY - sy) < 6) return;
      data = payload();
      if (!data) return cleanup();
      ghost = h("div", { class: "drag-ghost", text: typeof label === "function" ? label() : label });
      document.body.appendChild(ghost);
      document.body.classList.add("dragging");
    }
    ghost.style.left = `${e.clientX + 12}px`;
    ghost.style.top = `${e.clientY + 8}px`;
    const t = targetAt(e.clientX, e.clientY);
    if (over && over !== t?.el) over.classList.remove("drop-over");
    over = t?.el ?? null;
    over?.classList.add("drop-over");
  };
  const up = (e: PointerEvent) => {
    const wasDragging = ghost != null;
    cleanup();
    if (!wasDragging || !data) return;
    const t = targetAt(e.clientX, e.clientY);
    if (t) onDrop(data, t.target);
  };
  const key = (e: KeyboardEvent) => {
    if (e.key === "Escape") cleanup();
  };
  function cleanup() {
    window.removeEventListener("pointermove", move);
    window.removeEventListener("pointerup", up);
    window.removeEventListener("keydown", key);
    ghost?.remove();
    over?.classList.remove("drop-over");
    document.body.classList.remove("dragging");
    ghost = null;
  }
  window.addEventListener("pointermove", move);
  window.addEventListener("pointerup", up);
  window.addEventListener("keydown", key);
}
