// Open line ends (battery limits): a line that leaves the plot is anchored, names where it goes,
// is routed to the plot edge, and its route is checked to end there.
import { equipmentIn, modifiedDesign } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import type { Design, OpenEnd, PlantDesignInput } from "../../../design/types.js";
import { routeDesign } from "../../../route/index.js";
import { DEFAULT_RULE_PACK, validateDesign } from "../../index.js";

const ofRule = (d: Design, rule: string) => validateDesign(d).violations.filter((v) => v.rule === rule);

/** The clean pump station with a product line from drum V-102 to an open end. */
function withExport(end: OpenEnd, change?: (d: PlantDesignInput) => void): Design {
  return modifiedDesign("pump_station", (d) => {
    equipmentIn(d, "V-102").nozzles!.push({ id: "OUT", dx: 2, dy: -1, dz: 0.3, size: 100, rating: "CL600" });
    d.lines.push({
      id: "100-P-9001-C1",
      from: { tag: "V-102", nozzle: "OUT" },
      to: end,
      size: 100,
      rating: "CL600",
      components: [{ type: "gate_valve" }],
    });
    change?.(d);
  });
}

describe("open line ends (battery limits)", () => {
  it("a labelled open end is a sound end: no line-ends, line-anchored or open-end finding", () => {
    const d = withExport({ open: true, label: "to unit 200" });
    for (const rule of ["piping.line-ends", "piping.line-anchored", "piping.open-end"])
      expect(ofRule(d, rule), rule).toEqual([]);
  });

  it("an open end with neither label nor edge is a warning naming the line; with an edge it is not", () => {
    const found = ofRule(withExport({ open: true }), "piping.open-end");
    expect(found.map((v) => [v.severity, v.lines])).toEqual([["warning", ["100-P-9001-C1"]]]);
    expect(ofRule(withExport({ open: true, edge: "east" }), "piping.open-end")).toEqual([]);
  });

  it("a line open at both ends is anchored only when it carries a branch to a nozzle", () => {
    const header = (d: PlantDesignInput) => {
      d.lines.push({ id: "80-U-9002-A1", from: { open: true, label: "A" }, to: { open: true, label: "B" }, size: 80 });
    };
    expect(ofRule(withExport({ open: true, label: "x" }, header), "piping.line-anchored")).toEqual([]);
  });

  it.each(["east", "west", undefined] as const)(
    "the router takes the line to the %s edge (nearest when none)",
    (edge) => {
      const d = withExport({ open: true, label: "to unit 200", ...(edge ? { edge } : {}) });
      const routed = routeDesign(d, { lines: ["100-P-9001-C1"] });
      expect(routed.unrouted).toEqual([]);
      const line = routed.design.lines.find((l) => l.id === "100-P-9001-C1")!;
      const [x, y] = line.route!.at(-1)!;
      const { width, depth } = d.site;
      const off = { west: x, east: width - x, south: y, north: depth - y };
      if (edge) expect(off[edge]).toBe(0);
      else expect(Math.min(...Object.values(off))).toBe(0);
      const v = validateDesign(routed.design, DEFAULT_RULE_PACK, { outcome: { unrouted: routed.unrouted } });
      expect(v.violations.filter((f) => f.severity === "error")).toEqual([]);
    },
  );

  it("route-ends: a route that stops short of the plot edge is found, with how far", () => {
    const d = withExport({ open: true, label: "to unit 200", edge: "east" });
    const routed = routeDesign(d, { lines: ["100-P-9001-C1"] }).design;
    // The last point moved 3 m back inside the plot, along x.
    const moved: Design = {
      ...routed,
      lines: routed.lines.map((l) => {
        if (l.id !== "100-P-9001-C1" || !l.route) return l;
        const route = l.route.map((p) => [...p] as [number, number, number]);
        route[route.length - 1]![0] -= 3;
        return { ...l, route: route as typeof l.route };
      }),
    };
    const found = ofRule(moved, "piping.route-ends");
    expect(found.map((v) => v.lines)).toEqual([["100-P-9001-C1"]]);
    expect(found[0]!.message).toMatch(/3 m from the east edge of the plot/);
  });

  it("the router leaves a line open at both ends unrouted, and says why", () => {
    const d = withExport({ open: true, label: "x" }, (input) => {
      input.lines.push({
        id: "80-U-9002-A1",
        from: { open: true, label: "A" },
        to: { open: true, label: "B" },
        size: 80,
      });
    });
    const routed = routeDesign(d, { lines: ["80-U-9002-A1"] });
    expect(routed.unrouted.map((u) => u.code)).toEqual(["open_ends"]);
  });
});
