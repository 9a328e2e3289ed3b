// Test page: the real UI over a fake backend (mockIPC), for headless Chromium tests.
import { emit } from "@tauri-apps/api/event";
import { mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { FakeBackend } from "./fake-backend";

const fake = new FakeBackend((event, payload) => emit(event, payload));
mockWindows("main");
mockIPC((cmd, args) => fake.handle(cmd, (args ?? {}) as Record<string, unknown>), { shouldMockEvents: true });
(window as unknown as Record<string, unknown>).__fake = fake;
if (new URLSearchParams(location.search).get("library") === "upgrading") {
  fake.status = { ...fake.status, state: "upgrading", fromVersion: 10, toVersion: 11, elapsedMs: 2400 };
}
if (new URLSearchParams(location.search).get("indexing") === "running") {
  fake.indexing = { running: true, done: 6, total: 9, file: "x.pdf", report: null, error: null };
}
(window as unknown as Record<string, unknown>).__emit = emit;
await import("../src/main");
