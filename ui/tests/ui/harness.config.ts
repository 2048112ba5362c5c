// Builds the test-only IPC mock (harness.ts) into one IIFE file for page.addInitScript.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  publicDir: false,
  logLevel: "warn",
  build: {
    outDir: ".harness",
    emptyOutDir: true,
    minify: false,
    lib: {
      entry: "harness.ts",
      name: "hsMock",
      formats: ["iife"],
      fileName: () => "harness.js",
    },
  },
});
