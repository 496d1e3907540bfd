import { createHash } from "node:crypto";
import { pumpStationRequest } from "@plantgan/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHIPPED_MODEL_DIR } from "../seed.js";
import { bundleModelFolder } from "./bundle.js";
import {
  GenerationPool,
  GenerationWorkerCrashedError,
  generationShareFinishing,
  type PoolJob,
} from "./generation-pool.js";

/**
 * A generation's finishing (legalise, route, validate, polish per candidate) shared across the
 * pool's worker processes: real workers, the shipped model. Two workers give the candidates one
 * gives, both doing some of the units; a helper killed mid-finish fails the generation as a crash
 * and is replaced.
 */

/** Candidates as text without timings (the polish's lpMs, checkMs differ from run to run). */
function fingerprint(candidates: unknown): string {
  const text = JSON.stringify(candidates, (key, value) => (key.endsWith("Ms") ? undefined : value));
  return createHash("sha256").update(text).digest("hex");
}

describe("a generation's finishing shared across the warm pool", () => {
  let bundle: Uint8Array;
  const pools: GenerationPool[] = [];
  const job = (seed: number): PoolJob => ({
    request: pumpStationRequest(4, seed),
    weights: "shipped",
    loadBundle: async () => bundle,
  });
  const pool = async (size: number, shareFinishing = true) => {
    const made = new GenerationPool({ size, log: () => {}, shareFinishing });
    pools.push(made);
    await made.whenReady(size, 120_000);
    return made;
  };

  beforeAll(async () => {
    bundle = await bundleModelFolder(SHIPPED_MODEL_DIR);
  });

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it("gives with two workers the candidates one gives, the finishing done on both", async () => {
    const one = await pool(1);
    const alone = await one.run(job(21));
    expect(alone.candidates).toHaveLength(4);
    // One worker: every unit (a finish and a polish per candidate at least) done by it.
    expect([...alone.finishedBy.keys()]).toEqual([alone.pid]);
    expect(alone.finishedBy.get(alone.pid)).toBeGreaterThanOrEqual(8);
    await one.close();

    const two = await pool(2);
    const shared = await two.run(job(21));
    expect(fingerprint(shared.candidates)).toBe(fingerprint(alone.candidates));
    expect(shared.candidates.map((c) => c.rank)).toEqual([1, 2, 3, 4]);
    const workers = two.workerPids();
    expect([...shared.finishedBy.keys()].sort()).toEqual([...workers].sort());
    for (const pid of workers) expect(shared.finishedBy.get(pid)).toBeGreaterThan(0);
    // The same units in all, split between the two.
    const total = (m: ReadonlyMap<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    expect(total(shared.finishedBy)).toBe(total(alone.finishedBy));
  }, 300_000);

  it("leaves sharing off unless asked: two workers, every unit on the request's worker", async () => {
    const two = new GenerationPool({ size: 2, log: () => {} });
    pools.push(two);
    await two.whenReady(2, 120_000);
    const result = await two.run(job(22));
    expect([...result.finishedBy.keys()]).toEqual([result.pid]);
    expect(generationShareFinishing({})).toBe(false);
    expect(generationShareFinishing({ PLANTGAN_GENERATE_SHARE_FINISHING: "1" })).toBe(true);
    expect(() => generationShareFinishing({ PLANTGAN_GENERATE_SHARE_FINISHING: "yes" })).toThrow(
      /PLANTGAN_GENERATE_SHARE_FINISHING must be 0 or 1/,
    );
  }, 300_000);

  it("fails the generation as a crash when a helper dies mid-finish, and replaces it", async () => {
    const two = await pool(2);
    // The model loaded and the code warm, so the next request's units come quickly.
    await two.run(job(30));
    const running = two.run(job(31));
    const outcome = running.then(
      () => undefined,
      (error: unknown) => error,
    );
    let victim: number | undefined;
    const end = Date.now() + 60_000;
    while (victim === undefined && Date.now() < end) {
      victim = two.helperPids()[0];
      if (victim === undefined) await new Promise((r) => setTimeout(r, 2));
    }
    expect(victim, "no worker was seen helping").toBeDefined();
    process.kill(victim!, "SIGKILL");
    const error = await outcome;
    expect(error).toBeInstanceOf(GenerationWorkerCrashedError);
    expect((error as Error).message).toMatch(
      new RegExp(`process ${victim}\\) died while generating \\(signal SIGKILL\\)`),
    );

    // Replaced: two workers again, the victim not among them, and the next generation is served.
    await two.whenReady(2, 120_000);
    expect(two.workerPids()).not.toContain(victim);
    const after = await two.run(job(32));
    expect(after.candidates).toHaveLength(4);
  }, 300_000);
});
