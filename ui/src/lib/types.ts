// The wire types are generated from the Rust DTOs (src-tauri/src/dto.rs) into ipc-types.ts:
// never edit them here. This file adds what only the UI has.

import type { Filter, ProtectedKey } from "./ipc-types";

export * from "./ipc-types";

/** What an action on the selection applies to: the selected keys, or (after Select all) every
 * row of a filter, which the shell resolves itself, so 100k keys never cross IPC. */
export interface Targets {
  keys: string[];
  filter: Filter | null;
}

/** Errors from the shell: a stable code and a message to show. */
export class AppError extends Error {
  constructor(
    public code: string,
    message: string,
    /** For code "protected-key": the keys and why each is protected. */
    public protectedKeys: ProtectedKey[] = [],
  ) {
    super(message);
  }
}
