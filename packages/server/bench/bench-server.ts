import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../src/index.js";

export { pumpStationRequest } from "@plantgan/testing";

/** Rate limits far above what one bench run can send, so the limiter never shapes a figure. */
export const BENCH_RATE = { upload: 10_000_000, heavy: 10_000_000 } as const;

/**
 * A server on a fresh data folder (`dataDir`, for the caller to remove) with the shipped model
 * seeded (no dataset, no viewer), quiet.
 */
export async function startBenchServer(prefix: string) {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const server = await startServer({
    port: 0,
    dataDir,
    viewerDir: false,
    seed: { dataset: false, model: true },
    rateLimit: BENCH_RATE,
    logger: { level: "error" },
    print: () => {},
  });
  return { server, dataDir };
}

/** Nearest-rank percentile; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
