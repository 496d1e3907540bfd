import { existsSync } from "node:fs";

/** Debian's chromium, as STACK.md says; `CHROMIUM_PATH` overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const hasChromium = (): boolean => existsSync(CHROMIUM_PATH);

/** Flags that render three.js through SwiftShader (WebGL2) headless and keep Chromium off the network. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--enable-unsafe-swiftshader",
  "--use-angle=swiftshader",
];
