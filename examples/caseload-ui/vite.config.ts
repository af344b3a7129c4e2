import { defineConfig } from "vite";

// Served by the gateway at /ui/ (same origin as /graphql: no CORS needed). React's automatic
// JSX runtime via Vite's own transform, so no framework plugin is needed to build.
export default defineConfig({
  base: "/ui/",
  oxc: { jsx: { runtime: "automatic" } },
  // `npm run dev` beside `make run`: the API stays on the gateway, same origin for the browser.
  server: {
    proxy: { "/graphql": "http://127.0.0.1:8000", "/ui/demo-tokens.json": "http://127.0.0.1:8000" },
  },
  build: { outDir: process.env.UI_OUT_DIR ?? "dist", emptyOutDir: true, sourcemap: false },
  test: { include: ["src/**/*.test.ts"] },
});
