import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { PlantDesignInput } from "../../design/index.js";
import { conditionVector } from "../condition.js";
import { stripLayout } from "../topology.js";
import { encodeSlotGraph, encodeSlotGraphWithLosses, placeComponents, SlotGraphError, slotOrder } from "./encode.js";
import { defaultSlotGraphSpec, edgeStride, type FeatureGroup } from "./spec.js";
import { SPARE_LETTERS } from "./vocabulary.js";

const VAL = fileURLToPath(new URL("../../../../../datasets/synthetic-v1/val.ndjson.gz", import.meta.url));
const designs: PlantDesignInput[] = gunzipSync(readFileSync(VAL))
  .toString("utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .slice(0, 50)
  .map((l) => JSON.parse(l) as PlantDesignInput);
const first = designs[0] as PlantDesignInput;
const spec = defaultSlotGraphSpec();

/** Bytewise equality (toEqual walks a million-element array one by one). */
function sameFloats(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Every group of a row keeps its kind's promise: one 1 per categorical, flags 0/1, values in [0, 1]. */
function checkRow(row: Float32Array, groups: readonly FeatureGroup[]): void {
  for (const g of groups) {
    const cols = [...row.subarray(g.offset, g.offset + g.size)];
    if (g.kind === "categorical") {
      expect({ group: g.name, ones: cols.filter((v) => v === 1).length, sum: cols.reduce((a, b) => a + b, 0) }).toEqual(
        {
          group: g.name,
          ones: 1,
          sum: 1,
        },
      );
    } else if (g.kind === "binary") {
      for (const v of cols) expect([0, 1]).toContain(v);
    } else {
      for (const v of cols) expect(v >= 0 && v <= 1).toBe(true);
    }
  }
}

describe("encodeSlotGraph on synthetic-v1 val", () => {
  it("orders slots by type, then tag in natural order, spares side by side", () => {
    expect(slotOrder(first).slice(0, 6)).toEqual(["P-101A", "P-101B", "P-101C", "P-102A", "P-102B", "V-101"]);
    expect(
      slotOrder({
        ...first,
        equipment: [{ ...first.equipment[0], tag: "V-10" } as never, { ...first.equipment[0], tag: "V-9" } as never],
      }),
    ).toEqual(["V-9", "V-10"]);
  });

  it("keeps every group's kind on present rows and leaves absent slots and cells all zero", () => {
    const stride = edgeStride(spec);
    for (const d of designs.slice(0, 20)) {
      const g = encodeSlotGraph(d, spec);
      const n = d.equipment.length;
      expect([...g.mask]).toEqual(Array.from({ length: spec.nMax }, (_, i) => (i < n ? 1 : 0)));
      for (let i = 0; i < spec.nMax; i++) {
        const row = g.nodes.subarray(i * spec.nodeWidth, (i + 1) * spec.nodeWidth);
        if (i < n) checkRow(row, spec.nodeGroups);
        else expect(row.every((v) => v === 0)).toBe(true);
      }
      for (let cell = 0; cell < spec.nMax * spec.nMax; cell++) {
        const data = g.edges.subarray(cell * stride, (cell + 1) * stride);
        if (data[0] === 1) {
          expect(Math.floor(cell / spec.nMax)).toBeLessThan(n);
          expect(cell % spec.nMax).toBeLessThan(n);
          checkRow(data.subarray(1), spec.edgeGroups);
        } else {
          expect(data.every((v) => v === 0)).toBe(true);
        }
      }
      expect([...g.condition]).toEqual([...conditionVector(d)]);
    }
  });

  it("reads no positions: a topology-only copy (no x, y, rotation, routes) encodes to the same graph", () => {
    for (const d of designs.slice(0, 10)) {
      const placed = encodeSlotGraph(d, spec);
      const bare = encodeSlotGraph(stripLayout(d), spec);
      expect(sameFloats(bare.nodes, placed.nodes)).toBe(true);
      expect(sameFloats(bare.edges, placed.edges)).toBe(true);
    }
  });

  it("keeps a 2-out-of-3 pump set as three parallel nodes with the same lines (P-101A/B/C of pump_station-0028)", () => {
    const g = encodeSlotGraph(first, spec);
    const spare = spec.nodeGroups.find((x) => x.name === "spare") as FeatureGroup;
    const slots = slotOrder(first);
    const letters = [0, 1, 2].map((i) => {
      const row = g.nodes.subarray(i * spec.nodeWidth + spare.offset, i * spec.nodeWidth + spare.offset + spare.size);
      return SPARE_LETTERS[row.indexOf(1) - 1];
    });
    expect(letters).toEqual(["A", "B", "C"]);
    // Each pump draws from the inlet filter and delivers to the launcher (tees resolved to the items).
    const filter = slots.indexOf("F-101");
    const launcher = slots.indexOf("V-102");
    const stride = edgeStride(spec);
    for (const pump of [0, 1, 2]) {
      expect(g.edges[(filter * spec.nMax + pump) * stride]).toBe(1);
      expect(g.edges[(pump * spec.nMax + launcher) * stride]).toBe(1);
    }
  });

  it("refuses a design with more equipment than nMax with code too_many_equipment", () => {
    const small = defaultSlotGraphSpec(first.equipment.length - 1);
    expect(() => encodeSlotGraph(first, small)).toThrow(SlotGraphError);
    try {
      encodeSlotGraph(first, small);
    } catch (e) {
      expect((e as SlotGraphError).code).toBe("too_many_equipment");
      expect((e as Error).message).toMatch(/pump_station-0028 has 10 equipment items; .* at most 9 /);
    }
    expect(() => encodeSlotGraph(first, defaultSlotGraphSpec(first.equipment.length))).not.toThrow();
  });

  it("refuses two items with one tag with code duplicate_tag", () => {
    const twice = { ...first, equipment: [...first.equipment, first.equipment[0]] } as PlantDesignInput;
    expect(() => encodeSlotGraph(twice, spec)).toThrow(expect.objectContaining({ code: "duplicate_tag" }));
  });

  it("counts what it cannot hold: a third line between one pair, a line that leads nowhere", () => {
    const line = first.lines[0] as PlantDesignInput["lines"][number];
    const extra = [1, 2].map((k) => ({ ...line, id: `${line.id}-X${k}` }));
    const dangling = { ...line, id: "DANGLING", from: { line: "NO-SUCH-LINE" } };
    const { losses } = encodeSlotGraphWithLosses({ ...first, lines: [...first.lines, ...extra, dangling] }, spec);
    expect(losses.extraLines).toBe(1);
    expect(losses.unresolvedLines).toBe(1);
  });

  it("drops a hand control loop with its own reason, apart from loops that are not encodable for another", () => {
    const loops = first.control?.loops ?? [];
    const measured = loops[0]!;
    const valve = first.lines.flatMap((l) => l.components ?? []).find((c) => c.tag === measured.finalElement)!;
    expect(valve).toBeDefined();
    const withHand = {
      ...first,
      control: {
        ...first.control,
        loops: [...loops, { tag: "HC-901", finalElement: measured.finalElement }, { ...measured, tag: "AIC-902" }],
      },
    } as PlantDesignInput;
    const before = encodeSlotGraphWithLosses(first, spec);
    const after = encodeSlotGraphWithLosses(withHand, spec);
    expect(after.losses.droppedLoops).toBe(before.losses.droppedLoops + 2);
    expect(after.losses.droppedLoopReasons).toEqual({
      ...before.losses.droppedLoopReasons,
      "hand loop (no measurement): not encoded": 1,
      "controller variable A is not one of L, P, F, T": 1,
    });
    // Nothing of either is written: the tensors are those of the design without them.
    expect(sameFloats(after.graph.nodes, before.graph.nodes)).toBe(true);
    expect(sameFloats(after.graph.edges, before.graph.edges)).toBe(true);
  });
});

describe("placeComponents", () => {
  it("sorts real component runs into the canonical flow order without loss", () => {
    const runs = new Map<string, PlantDesignInput["lines"][number]["components"]>();
    for (const d of designs) for (const l of d.lines) runs.set(JSON.stringify(l.components ?? []), l.components ?? []);
    expect(runs.size).toBeGreaterThan(15);
    for (const components of runs.values()) expect(placeComponents(components ?? []).unplaced).toBe(0);
  });

  it("tells an inlet, a discharge (after a check valve) and an outlet valve apart, and a tagged valve as a shut-off", () => {
    const p = placeComponents([
      { type: "gate_valve" },
      { type: "check_valve" },
      { type: "gate_valve" },
      { type: "ball_valve", tag: "XV-1" },
      { type: "control_valve", tag: "FV-1" },
      { type: "gate_valve" },
    ]);
    expect(p).toMatchObject({
      inletValve: "gate_valve",
      checkValve: true,
      dischargeValve: "gate_valve",
      shutoffValve: "ball_valve",
      controlValve: true,
      outletValve: "gate_valve",
      unplaced: 0,
    });
    // Two control valves in one line: the second has no place of its own.
    expect(placeComponents([{ type: "control_valve" }, { type: "control_valve" }]).unplaced).toBe(1);
  });
});
