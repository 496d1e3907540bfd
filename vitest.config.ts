import { defineConfig } from "vitest/config";

// One run from the root covers every package: tests beside the code (packages/*/src/**/*.test.ts)
// and the cross-package suites in tests/. The source condition lets tests import TypeScript
// sources through the packages' public entries, with no build step.
export default defineConfig({
  resolve: { conditions: ["@plantgan/source"] },
  ssr: { resolve: { conditions: ["@plantgan/source"], externalConditions: ["@plantgan/source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
