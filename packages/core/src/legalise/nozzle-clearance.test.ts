import { describe, expect, it } from "vitest";
import { nozzlePosition, rectDistance } from "../design/geometry.js";
import type { Design, Equipment } from "../design/types.js";
import { metres } from "../design/units.js";
import { routeDesign } from "../route/router.js";
import { legaliseDesign } from "./index.js";

/**
 * A nozzle on a keep-out's edge is never routed: the router starts every pipe at a free grid point
 * by its nozzle, and the road's closed rectangle takes that point. The legaliser keeps every nozzle
 * a grid step off keep-outs (the eval's random baseline lost two water-treatment candidates to a
 * tank whose outlet touched road-N); the v1 legaliser the shipped dataset was built with does not.
 */

const ROAD = { id: "road-N", kind: "road" as const, x: 0, y: 72, width: 100, depth: 8 };

function vessel(tag: string, x: number, y: number, rotation: Equipment["rotation"]): Equipment {
  return {
    tag,
    type: "vessel",
    x,
    y,
    z: 0,
    rotation,
    footprint: { width: 4, depth: 4, height: 4 },
    hazard: "none",
    // OUT faces +x before rotation: turned 90° it faces north, onto the road.
    nozzles: [{ id: "OUT", dx: 2, dy: 0, dz: 1, size: 100 }],
  };
}

/** V-1's outlet on the road's edge (rotated 90°: the nozzle at y 72), piped to V-2 further south. */
function touching(): Design {
  return {
    schemaVersion: "1.0",
    id: "nozzle-clearance",
    processClass: "tank_farm",
    site: { width: 100, depth: 80, gridSize: 1, keepOut: [ROAD], racks: [] },
    equipment: [vessel("V-1", 50, 70, 90), vessel("V-2", 50, 40, 0)],
    lines: [
      {
        id: "100-P-1-A1",
        from: { tag: "V-1", nozzle: "OUT" },
        to: { tag: "V-2", nozzle: "OUT" },
        size: 100,
        components: [],
      },
    ],
    instruments: [],
    control: { loops: [], interlocks: [] },
  } as unknown as Design;
}

const nozzleGap = (d: Design) => {
  const v = d.equipment.find((e) => e.tag === "V-1")! as Equipment & { x: number; y: number };
  const [x, y] = nozzlePosition(v, v.nozzles[0]!);
  return rectDistance({ minX: x, minY: y, maxX: x, maxY: y }, { minX: 0, minY: 72, maxX: 100, maxY: 80 });
};

describe("nozzles keep a grid step off keep-outs", () => {
  it("the router cannot start a pipe at a nozzle on the road's edge", () => {
    expect(nozzleGap(touching())).toBe(0);
    expect(routeDesign(touching()).unrouted.map((u) => u.code)).toEqual(["blocked_nozzle"]);
  });

  it("the legaliser moves the item until its nozzle is a grid step clear, and the line routes", () => {
    const r = legaliseDesign(touching(), undefined, { margin: metres(0.5) });
    expect(r.unresolved).toEqual([]);
    expect(r.moves).toEqual([expect.objectContaining({ tag: "V-1", reason: "keep_out", against: "road-N" })]);
    expect(nozzleGap(r.design)).toBeGreaterThanOrEqual(1);
    expect(routeDesign(r.design).unrouted).toEqual([]);
  });

  it("the v1 legaliser (the shipped dataset's) leaves it where it stands", () => {
    const r = legaliseDesign(touching(), undefined, { margin: metres(0.5), v1: true });
    expect(r.moves.filter((m) => m.reason !== "snap")).toEqual([]);
  });
});
