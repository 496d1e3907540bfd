// The P&ID layout draws every line, including lines with an open end (battery limit): each open
// end is an off-page connector node the line runs to or from, in the flow direction.
import type { Design } from "@plantgan/core/design";
import { tankFarm } from "@plantgan/testing";
import { describe, expect, it } from "vitest";
import { layoutPid, offPageText, type PidDrawing } from "./pid-layout.js";

/**
 * The tank farm with its pump discharge sent to a battery limit (a branch still tees into it), a
 * branch coming in from one, and a line open at both ends.
 */
function withOpenEnds(): Design {
  const base = tankFarm();
  const extraLine = (id: string, from: Design["lines"][number]["from"], to: Design["lines"][number]["to"]) => ({
    id,
    from,
    to,
    size: 80,
    service: "process" as const,
    components: [],
  });
  return {
    ...base,
    lines: [
      ...base.lines.map((l) =>
        l.id === "100-P-1002-A1"
          ? { ...l, to: { open: true as const, label: "to unit 200", edge: "east" as const } }
          : l,
      ),
      extraLine("80-U-9002-A1", { open: true, edge: "south" }, { line: "150-P-1001-A1" }),
      extraLine("80-U-9003-A1", { open: true }, { open: true, label: "CW return" }),
    ],
  };
}
const design = withOpenEnds();

const near = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);

/** The drawn polylines of a line, and whether one of them touches the node's box. */
function touches(drawing: PidDrawing, lineId: string, key: string): boolean {
  const n = drawing.nodes.find((x) => x.key === key)!;
  const reach = Math.hypot(n.width, n.height) / 2 + 1;
  return drawing.lines
    .filter((l) => l.id === lineId)
    .some((l) => [l.points[0]!, l.points[l.points.length - 1]!].some((p) => near(p, n) <= reach));
}

describe("P&ID layout", () => {
  const drawing = layoutPid(design);
  const offPage = drawing.nodes.filter((n) => n.kind === "offpage");

  it("draws every line of the design, open-ended ones included", () => {
    expect(new Set(drawing.lines.map((l) => l.id))).toEqual(new Set(design.lines.map((l) => l.id)));
  });

  it("gives each open end an off-page connector with its label (else its edge), flowing in at a from end and out at a to end", () => {
    expect(offPage.map((n) => [n.id, n.flow, n.label]).sort()).toEqual(
      [
        ["100-P-1002-A1", "out", "to unit 200"],
        ["80-U-9002-A1", "in", "south edge"],
        ["80-U-9003-A1", "in", "off-page"],
        ["80-U-9003-A1", "out", "CW return"],
      ].sort(),
    );
    for (const n of offPage) expect(touches(drawing, n.id, n.key)).toBe(true);
  });

  it("lays the flow left to right: a line comes in from its connector and leaves to its connector", () => {
    const open = (line: string, flow: "in" | "out") => offPage.find((n) => n.id === line && n.flow === flow)!;
    const pump = drawing.nodes.find((n) => n.key === "eq:P-101A")!;
    expect(open("100-P-1002-A1", "out").x).toBeGreaterThan(pump.x);
    expect(open("80-U-9003-A1", "in").x).toBeLessThan(open("80-U-9003-A1", "out").x);
    // The cooling water branch still tees into the line that now leaves the plot.
    expect(touches(drawing, "100-CW-2001", "tee:100-P-1002-A1")).toBe(true);
  });

  it("a design without open ends has no off-page connector", () => {
    expect(layoutPid(tankFarm()).nodes.filter((n) => n.kind === "offpage")).toEqual([]);
  });

  it("says where an unlabelled open end goes as well as the drawing knows", () => {
    expect(offPageText({ open: true, label: "T-201 fill", edge: "north" })).toBe("T-201 fill");
    expect(offPageText({ open: true, edge: "west" })).toBe("west edge");
    expect(offPageText({ open: true })).toBe("off-page");
  });
});
