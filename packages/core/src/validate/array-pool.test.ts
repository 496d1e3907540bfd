/**
 * The typed-array pool: storage handed back is lent again, filled as asked, and a validation on
 * reused storage reports exactly what one on fresh storage does (vitest gives each test file fresh
 * modules, so the first validation here runs on an empty shelf).
 */
import { syntheticCleanPlant } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import type { Design } from "../design/types.js";
import { ArrayLease } from "./array-pool.js";
import { validateDesign } from "./validate.js";

/** A generated plant of about `size` equipment with faults planted across it. */
function faultyPlant(size: number): Design {
  const d = structuredClone(syntheticCleanPlant(size));
  d.equipment.forEach((e, i) => {
    // Every 37th item onto its neighbour (overlap, spacing, access, route ends).
    if (i % 37 === 5 && e.x !== undefined) Object.assign(e, { x: e.x + 3 });
  });
  d.lines.forEach((line, i) => {
    // Every 29th route bent off its axis, every 41st shifted onto its neighbours.
    const route = line.route;
    if (!route || route.length < 3) return;
    const bent = i % 29 === 3 ? route.map((p, k) => (k === 1 ? [p[0] + 0.8, p[1] + 0.5, p[2]] : p)) : route;
    const shifted = i % 41 === 7 ? bent.map((p) => [p[0]! + 2, p[1]!, p[2]!]) : bent;
    Object.assign(line, { route: shifted });
  });
  return d;
}

describe("ArrayLease", () => {
  it("lends ended storage again, filled with the value asked for", () => {
    const first = new ArrayLease();
    const a = first.int32(100_000);
    a.fill(7);
    const x = first.float64(20_000);
    x.fill(3.5);
    first.end();

    const second = new ArrayLease();
    const b = second.int32(60_000, -1);
    const y = second.float64(15_000);
    // Best fit: 240 kB takes the 400 kB buffer, 120 kB the 160 kB one. (Compared as booleans: a
    // failing toBe would print two large buffers.)
    expect(b.buffer === a.buffer).toBe(true);
    expect(y.buffer === x.buffer).toBe(true);
    expect(b.length).toBe(60_000);
    expect(b.every((v) => v === -1)).toBe(true);
    expect(y.every((v) => v === 0)).toBe(true);
  });

  it("never lends storage that is still out", () => {
    const first = new ArrayLease();
    const a = first.int32(100_000);
    const second = new ArrayLease();
    expect(second.int32(100_000).buffer === a.buffer).toBe(false);
  });
});

describe("validateDesign on reused storage", () => {
  it("reports what it reports on fresh storage, smaller design after larger and back", () => {
    // Both large enough for their segment columns to be pooled (64 kB and up).
    const small = faultyPlant(2_000);
    const large = faultyPlant(5_000);
    const smallFresh = validateDesign(small);
    const largeFirst = validateDesign(large);
    const smallReused = validateDesign(small);
    const largeReused = validateDesign(large);
    expect(smallFresh.summary.errors).toBeGreaterThan(100);
    const fired = new Set(smallFresh.violations.map((v) => v.rule));
    for (const rule of ["geometry.overlap", "piping.route-ends", "piping.route-orthogonal", "piping.route-clash"])
      expect(fired).toContain(rule);
    expect(smallReused).toEqual(smallFresh);
    expect(largeReused).toEqual(largeFirst);
  });
});
