import { beforeAll, describe, expect, it } from "vitest";
import { EQUIPMENT_TYPES } from "../../design/vocabulary.js";
import { useBackend } from "../backend.js";
import { conditionVector } from "../condition.js";
import { buildTopologyGenerator, disposeGenerator } from "./generator.js";
import { generateSlotGraphs } from "./model-io.js";
import { assignMinCost, decodeSkeletonRows, uniformStream } from "./sample.js";
import { defaultSlotGraphSpec, type SlotGraph } from "./spec.js";
import { resolveTopologyTrainerConfig } from "./training.js";

beforeAll(async () => {
  await useBackend("wasm");
});

/** The cheapest assignment by trying every one (small sizes only). */
function bruteForce(cost: Float64Array, rows: number, cols: number): number {
  let best = Number.POSITIVE_INFINITY;
  const used = new Array<boolean>(cols).fill(false);
  const go = (r: number, sum: number) => {
    if (r === rows) {
      best = Math.min(best, sum);
      return;
    }
    for (let c = 0; c < cols; c++) {
      if (used[c]) continue;
      used[c] = true;
      go(r + 1, sum + cost[r * cols + c]!);
      used[c] = false;
    }
  };
  go(0, 0);
  return best;
}

describe("assignMinCost (Hungarian method)", () => {
  it("finds the cheapest assignment of rows to distinct columns, as brute force does", () => {
    const next = uniformStream(42);
    for (let trial = 0; trial < 40; trial++) {
      const rows = 1 + Math.floor(next() * 4);
      const cols = rows + Math.floor(next() * 3);
      const cost = Float64Array.from({ length: rows * cols }, () => Math.round(next() * 20) - 5);
      const pick = assignMinCost(cost, rows, cols);
      expect(new Set(pick).size).toBe(rows);
      const total = Array.from(pick).reduce((s, c, r) => s + cost[r * cols + c]!, 0);
      expect(total).toBeCloseTo(bruteForce(cost, rows, cols), 9);
    }
  });
});

describe("decodeSkeletonRows", () => {
  // 4 slots, types [a, b, c] then the existence logit.
  const layout = { groups: [{ start: 0, size: 3, kind: "categorical" }], typeGroup: 0, spareGroup: -1, width: 3 };
  const logits = new Float32Array([
    // slot 0: wants to exist as a
    5, 0, 0, 4,
    // slot 1: wants to exist as b, c close behind
    0, 3, 2.5, 4,
    // slot 2: absent, would be c
    0, 0, 2, -3,
    // slot 3: absent, would be a
    1, 0, 0, -5,
  ]);
  const rows = (out: Float32Array) => Array.from({ length: 4 }, (_, i) => Array.from(out.subarray(i * 4, i * 4 + 4)));

  it("follows the logits when nothing is required", () => {
    expect(rows(decodeSkeletonRows(logits, 4, layout))).toEqual([
      [1, 0, 0, 1],
      [0, 1, 0, 1],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it("adds the required items at the cheapest slots and leaves the rest to their logits", () => {
    // Two of type c: slot 1 (c nearly as likely as b) and slot 2 (absent, but c if it existed);
    // slot 0 keeps its a, slot 3 stays absent.
    expect(rows(decodeSkeletonRows(logits, 4, layout, { required: [0, 0, 2] }))).toEqual([
      [1, 0, 0, 1],
      [0, 0, 1, 1],
      [0, 0, 1, 1],
      [0, 0, 0, 0],
    ]);
  });

  it("holds a listed type at exactly its count: surplus slots of that type are drawn among the other types or dropped", () => {
    // Slots 0 and 1 both want c; one c is asked. The one not forced is conditioned on "not c": slot 0
    // (c sure, a the only other type with weight) becomes a only if a is still likely enough to exist.
    const surplus = new Float32Array([
      // slot 0: c nearly certain, exists
      0, -9, 6, 4,
      // slot 1: c, with a close behind, exists
      5.5, -9, 6, 4,
      // slot 2: b, exists
      0, 3, 0, 4,
      // slot 3: absent
      0, 0, 0, -5,
    ]);
    const out = rows(decodeSkeletonRows(surplus, 4, layout, { required: [0, 0, 1] }));
    expect(out).toEqual([
      [0, 0, 1, 1], // forced c (the cheapest slot to force: c is surest here)
      [1, 0, 0, 1], // not c: a, and p(a) is high enough to exist
      [0, 1, 0, 1], // unlisted b, left as drawn
      [0, 0, 0, 0],
    ]);
    expect(out.filter((r) => r[2] === 1)).toHaveLength(1);
    // With "at least" (no exact type), both c slots stay c, as the old decoding did.
    const atLeast = rows(decodeSkeletonRows(surplus, 4, layout, { required: [0, 0, 1], exact: [false, false, false] }));
    expect(atLeast.filter((r) => r[2] === 1)).toHaveLength(2);
  });

  it("drops a surplus slot whose only likely type is the listed one", () => {
    const sure = new Float32Array([0, 0, 9, 4, 0, 0, 9, 4, 0, 0, 9, 4, 0, 0, 0, -5]);
    const out = rows(decodeSkeletonRows(sure, 4, layout, { required: [0, 0, 2] }));
    expect(out.filter((r) => r[2] === 1)).toHaveLength(2);
    expect(out.filter((r) => r[3] === 1)).toHaveLength(2);
  });

  it("refuses more required items than slots", () => {
    expect(() => decodeSkeletonRows(logits, 4, layout, { required: [3, 2] })).toThrow(/do not fit/);
  });
});

describe("generation with required equipment", () => {
  it("holds exactly the required count of every listed type, whatever the latent", () => {
    const spec = defaultSlotGraphSpec(24);
    const config = resolveTopologyTrainerConfig(spec, { latentSize: 8, hidden: 32, slotHidden: 16 }, 3);
    const generator = buildTopologyGenerator(spec, config.model);
    const want: Record<string, number> = { pump: 4, tank: 3, flare: 1, column: 2 };
    const required = EQUIPMENT_TYPES.map((t) => want[t] ?? 0);
    const c = conditionVector({ processClass: "tank_farm", site: { width: 200, depth: 150 }, counts: {} });
    const count = (g: SlotGraph, t: number) =>
      g.mask.reduce((s, on, i) => s + on * g.nodes[i * spec.nodeWidth + t]!, 0);
    const free = generateSlotGraphs({ config, generator }, Array(6).fill(c), { seed: 5, sampleNoise: true }).graphs;
    const held = generateSlotGraphs({ config, generator }, Array(6).fill(c), { seed: 5, sampleNoise: true, required });
    // The untrained model alone does not hold them: the constraint does the work here.
    expect(free.every((g) => required.every((r, t) => count(g, t) >= r))).toBe(false);
    for (const g of held.graphs) for (const [t, r] of required.entries()) if (r > 0) expect(count(g, t)).toBe(r);
    // Unlisted types are still drawn by the model: some graph holds one.
    expect(held.graphs.some((g) => required.some((r, t) => r === 0 && count(g, t) > 0))).toBe(true);
    // Per graph lists work too: graph 1 asks for 9 filters (EQUIPMENT_TYPES index 9).
    const perGraph = generateSlotGraphs({ config, generator }, [c, c], {
      seed: 1,
      required: [undefined, [0, 0, 0, 0, 0, 0, 0, 0, 0, 9]],
    });
    expect(count(perGraph.graphs[1]!, 9)).toBe(9);
    disposeGenerator(generator);
  });
});
