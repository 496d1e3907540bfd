import { readdirSync, readFileSync } from "node:fs";

/** Marker argument of the generation pool's worker processes (src/gan/generation-pool.ts). */
const WORKER_MARK = "plantgan-generation-worker";

/** CPU time (user + system, clock ticks) of this process's generation pool workers, summed. */
function poolWorkerTicks(): number {
  let ticks = 0;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").includes(WORKER_MARK)) continue;
      const fields = readFileSync(`/proc/${name}/stat`, "utf8").split(") ")[1]!.split(" ");
      if (Number(fields[1]) !== process.pid) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended while we looked.
    }
  }
  return ticks;
}

/**
 * Waits until the pool's workers have finished their idle warm-up (no CPU used for half a second),
 * as on a server that has been up a while; at most `timeoutMs`. Returns the seconds waited.
 */
export async function settlePoolWorkers(timeoutMs = 30_000): Promise<number> {
  const t0 = performance.now();
  let last = poolWorkerTicks();
  while (performance.now() - t0 < timeoutMs) {
    await new Promise((r) => setTimeout(r, 500));
    const now = poolWorkerTicks();
    if (now === last) break;
    last = now;
  }
  return (performance.now() - t0) / 1000;
}
