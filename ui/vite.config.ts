import { defineConfig } from "vite";

// Tauri serves ui/dist in the app; `tauri dev` uses the dev server on a fixed port.
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true, host: "127.0.0.1" },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, sourcemap: false },
});
