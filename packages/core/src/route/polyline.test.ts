import { describe, expect, it } from "vitest";
import type { Point3 } from "../design/types.js";
import { routeLength, simplify, stub } from "./polyline.js";

describe("simplify", () => {
  it("drops repeated points and merges runs along one axis", () => {
    const points: Point3[] = [
      [0, 0, 0.5],
      [0, 0, 0.5],
      [1, 0, 0.5],
      [2, 0, 0.5],
      [2, 1, 0.5],
      [2, 2, 0.5],
      [2, 2, 1.2],
    ];
    expect(simplify(points)).toEqual([
      [0, 0, 0.5],
      [2, 0, 0.5],
      [2, 2, 0.5],
      [2, 2, 1.2],
    ]);
  });

  it("folds a run that doubles back, keeping both ends", () => {
    // A nozzle stub going west, then the route going east through it.
    const points: Point3[] = [
      [21.3, 5, 0.5],
      [21, 5, 0.5],
      [22, 5, 0.5],
      [22, 6, 0.5],
    ];
    expect(simplify(points)).toEqual([
      [21.3, 5, 0.5],
      [22, 5, 0.5],
      [22, 6, 0.5],
    ]);
  });

  it("never leaves a zero-length segment when a fold returns to the previous point", () => {
    const points: Point3[] = [
      [0, 0, 0],
      [1, 0, 0],
      [0, 0, 0],
      [0, 1, 0],
    ];
    const out = simplify(points);
    for (let k = 0; k + 1 < out.length; k++) expect(out[k]).not.toEqual(out[k + 1]);
    expect(out[0]).toEqual([0, 0, 0]);
    expect(out[out.length - 1]).toEqual([0, 1, 0]);
  });
});

describe("stub", () => {
  it("reaches a grid point from a nozzle one coordinate at a time", () => {
    const s = stub([21.3, 5.6, 0.4], [21, 6, 0.5]);
    expect(s).toEqual([
      [21.3, 5.6, 0.4],
      [21, 5.6, 0.4],
      [21, 6, 0.4],
      [21, 6, 0.5],
    ]);
    expect(routeLength(simplify(s))).toBeCloseTo(0.3 + 0.4 + 0.1, 9);
  });
});
