/** Browser test support for the e2e suites and the viewer bench: Debian's Chromium and a static server. */
export { CHROMIUM_ARGS, CHROMIUM_PATH, hasChromium } from "./chromium.js";
export { serveStatic } from "./static-server.js";
