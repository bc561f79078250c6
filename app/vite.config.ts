/**
 * The web app's build (issue 15, docs/adr/0050-web-app.md): TypeScript under app/src bundled by Vite into app/dist,
 * which the API serves under /app/. Nothing is fetched at run time from anywhere but the registry itself.
 */
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "/app/",
  // No public/ folder and no .env files: the app's only configuration is what the API answers at run time.
  publicDir: false,
  envDir: false,
  logLevel: "warn",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // The bundle's size is a product requirement (≤ 200 KB gzipped initial JavaScript): bench/app.ts measures it
    // from the manifest, so the build writes one.
    manifest: true,
    reportCompressedSize: false,
    sourcemap: false,
  },
  worker: { format: "es" },
});
