import { describe, expect, it } from "vitest";
import { MAX_OBSTACLES, OBSTACLE_WIDTH, obstacleArray } from "./obstacles.js";

const rows = (a: Float32Array) =>
  Array.from({ length: MAX_OBSTACLES }, (_, k) => Array.from(a.slice(k * OBSTACLE_WIDTH, (k + 1) * OBSTACLE_WIDTH)));

describe("obstacleArray", () => {
  it("grows racks by the pack's keep-free strip, keeps keep-outs as they are, pads with zeros", () => {
    const a = obstacleArray({
      racks: [{ id: "R1", x: 10, y: 20, length: 50, width: 6, axis: "x", levels: [5] }],
      keepOut: [{ id: "K1", x: 0, y: 0, width: 4, depth: 2 }],
    });
    // Rack 50 × 6 m from (10, 20), + 1 m each side: centre (35, 23), 52 × 8 m.
    expect(rows(a)[0]).toEqual([35, 23, 52, 8]);
    expect(rows(a)[1]).toEqual([2, 1, 4, 2]);
    expect(
      rows(a)
        .slice(2)
        .flat()
        .every((v) => v === 0),
    ).toBe(true);
  });

  it("puts a request's fixed items first (turned footprints) and keeps the largest site obstacles", () => {
    const keepOut = Array.from({ length: 10 }, (_, i) => ({ id: `K${i}`, x: i * 10, y: 0, width: 1 + i, depth: 1 }));
    const a = obstacleArray({ racks: [], keepOut }, undefined, [
      { x: 50, y: 40, rotation: 90, footprint: { width: 6, depth: 2 } },
    ]);
    expect(rows(a)[0]).toEqual([50, 40, 2, 6]);
    // 7 rows left for 10 keep-outs: the widest (K9 … K3) are kept.
    expect(
      rows(a)
        .slice(1)
        .map((r) => r[2]),
    ).toEqual([10, 9, 8, 7, 6, 5, 4]);
  });
});
