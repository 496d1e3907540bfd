import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/**
 * The built page carries its own Content-Security-Policy: everything from the server's origin,
 * nothing fetched from elsewhere (no CDN fonts, HDRs or chart scripts). A regression that reaches
 * out fails loudly in the browser tests. Dev mode skips it (Vite injects inline scripts and a
 * websocket).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

function contentSecurityPolicy(): Plugin {
  return {
    name: "plantgan-csp",
    apply: "build",
    transformIndexHtml: (html) =>
      html.replace("<head>", `<head>\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`),
  };
}

export default defineConfig({
  base: "/",
  plugins: [react(), contentSecurityPolicy()],
  resolve: { conditions: ["@plantgan/source"] },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    assetsInlineLimit: 0,
    rollupOptions: {
      // core's design entry also re-exports the Ajv-based parser, which the viewer never calls:
      // declaring core's modules free of side effects lets the bundler drop them (and Ajv).
      treeshake: { moduleSideEffects: (id: string) => !/[\\/]packages[\\/]core[\\/]src[\\/]/.test(id) },
    },
  },
  server: {
    // `vite` in dev proxies the API to a running server (pnpm plantgan serve).
    proxy: { "/v1": "http://127.0.0.1:8080" },
  },
});
