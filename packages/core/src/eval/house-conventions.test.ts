import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseDesign } from "../design/parse.js";
import type { Design } from "../design/types.js";
import { branchLine, isNozzleEnd } from "../design/types.js";
import { defaultSlotGraphSpec, requireGroup } from "../gan/topology/spec.js";
import { conventionVerdicts, followsPumpDischargeGauges } from "./conventions.js";
import { applyHouseConventions, HOUSE_CONVENTIONS, type HouseConvention, houseVariant } from "./house-conventions.js";
import { pumpGroups } from "./motifs.js";
import { parseTopology } from "./topology-graph.js";
import { topologyErrors } from "./validity.js";

/** Every 5th val design of datasets/synthetic-v1 (70, all classes), parsed. */
const VAL: Design[] = gunzipSync(
  readFileSync(new URL("../../../../datasets/synthetic-v1/val.ndjson.gz", import.meta.url)),
)
  .toString("utf8")
  .trim()
  .split("\n")
  .filter((_, i) => i % 5 === 0)
  .map((l) => {
    const parsed = parseDesign(JSON.parse(l));
    if (!parsed.success) throw new Error("a val design does not parse");
    return parsed.data;
  });

const rewrite = (d: Design, conventions: readonly HouseConvention[] = HOUSE_CONVENTIONS) => {
  const parsed = parseTopology(applyHouseConventions(d, conventions));
  if (!parsed) throw new Error(`the rewrite of ${d.id} does not parse`);
  return parsed;
};

describe("applyHouseConventions on synthetic-v1 val designs", () => {
  it("gives designs that parse, have no topology error and no layout", () => {
    expect(VAL.length).toBe(70);
    for (const d of VAL) {
      const out = rewrite(d);
      expect(topologyErrors(out), out.id).toEqual([]);
      expect(out.equipment.every((e) => e.x === undefined && e.y === undefined)).toBe(true);
      expect(out.lines.every((l) => l.route === undefined)).toBe(true);
    }
  });

  it("makes every design follow the valve and gauge conventions, which the designer's do not", () => {
    const before = VAL.map(conventionVerdicts);
    const after = VAL.map((d) => conventionVerdicts(rewrite(d)));
    expect(before.filter((v) => v.controlValveStations === true)).toHaveLength(0);
    expect(before.filter((v) => v.pumpDischargeGauges === true)).toHaveLength(0);
    expect(after.filter((v) => v.controlValveStations === false)).toHaveLength(0);
    expect(after.filter((v) => v.pumpDischargeGauges === false)).toHaveLength(0);
    // Each design has a control valve and a pump, so every verdict is a judgement, not "does not apply".
    expect(after.every((v) => v.controlValveStations === true && v.pumpDischargeGauges === true)).toBe(true);
  });

  it("turns every A/B pump pair into A/B/C with the same lines and trips; larger banks stay as they are", () => {
    let pairs = 0;
    let tripped = 0;
    for (const d of VAL) {
      const out = rewrite(d, ["pumps2oo3"]);
      const groups = pumpGroups(out);
      for (const pair of pumpGroups(d).filter((g) => g.length === 2)) {
        pairs++;
        const grown = groups.find((g) => pair.every((t) => g.includes(t)));
        expect(grown, `${d.id} ${pair}`).toHaveLength(3);
        const [a, b] = [...pair].sort();
        const third = grown!.find((t) => !pair.includes(t))!;
        expect(third).toBe(b!.replace(/B$/, "C"));
        const servedBy = (tag: string) =>
          out.lines
            .filter((l) => (isNozzleEnd(l.from) && l.from.tag === tag) || (isNozzleEnd(l.to) && l.to.tag === tag))
            .map((l) => `${l.service}:${l.size}:${l.components.map((c) => c.type).join(",")}`)
            .sort();
        expect(servedBy(third)).toEqual(servedBy(b!));
        const stopped = (tag: string) =>
          out.control.interlocks.filter((il) => il.effects.some((e) => e.target === tag)).map((il) => il.tag);
        expect(stopped(third)).toEqual(stopped(b!));
        if (stopped(a!).length > 0) tripped++;
      }
      // Banks of four or more parallel pumps are not pairs: the rewrite leaves them, and the convention says no.
      for (const bank of pumpGroups(d).filter((g) => g.length > 3)) {
        expect(groups.find((g) => bank.every((t) => g.includes(t)))).toHaveLength(bank.length);
      }
    }
    expect(pairs).toBeGreaterThan(50);
    expect(tripped).toBeGreaterThan(20);
  });

  it("puts block valves on both sides of every control valve and one bypass with its own globe valve", () => {
    const d = VAL[0]!;
    const out = rewrite(d, ["controlValveStations"]);
    const cvLines = out.lines.filter((l) => l.components.some((c) => c.type === "control_valve"));
    expect(cvLines.length).toBe(d.lines.filter((l) => l.components.some((c) => c.type === "control_valve")).length);
    for (const line of cvLines) {
      const bypasses = out.lines.filter((l) => branchLine(l.from) === line.id && branchLine(l.to) === line.id);
      expect(bypasses.map((b) => b.components.map((c) => c.type))).toEqual([["globe_valve"]]);
      expect(bypasses[0]!.size).toBe(line.size);
    }
    // Nothing else changes: the same equipment, and the original lines keep their ends.
    expect(out.equipment.map((e) => e.tag)).toEqual(d.equipment.map((e) => e.tag));
    expect(out.lines.length).toBe(d.lines.length + cvLines.length);
  });

  it("is idempotent: a house design rewritten again is unchanged", () => {
    for (const d of VAL.slice(0, 20)) {
      const once = applyHouseConventions(d);
      expect(applyHouseConventions(once)).toEqual(once);
    }
  });

  it("the gauge detector wants a PI on a line leaving each pump, not on its suction", () => {
    const d = VAL[0]!;
    const pump = d.equipment.find((e) => e.type === "pump")!.tag;
    const suction = d.lines.find((l) => isNozzleEnd(l.to) && l.to.tag === pump)!;
    const onSuction = { ...d, instruments: [...d.instruments, { tag: "PI-999", on: { line: suction.id } }] };
    expect(followsPumpDischargeGauges(onSuction)).toBe(false);
    expect(followsPumpDischargeGauges(rewrite(d, ["pumpDischargeGauges"]))).toBe(true);
  });
});

describe("houseVariant", () => {
  it("keeps the designs the slot graph holds whole with every convention, and says why it leaves out the others", () => {
    const spec = defaultSlotGraphSpec();
    const items = VAL.map((d) => ({ d, item: houseVariant(d, HOUSE_CONVENTIONS, spec) }));
    const kept = items.filter(({ item }) => "design" in item);
    const reasons = new Set(items.flatMap(({ item }) => ("skipped" in item ? [item.skipped] : [])));
    expect(kept.length).toBeGreaterThan(30);
    for (const { item } of kept) {
      if (!("design" in item)) continue;
      const v = conventionVerdicts(item.design);
      expect(HOUSE_CONVENTIONS.every((c) => v[c] !== false)).toBe(true);
    }
    // Tank farms and water treatment are held whole; flare-line control valves beside a relief line are not.
    for (const { d, item } of items) {
      if (d.processClass === "tank_farm" || d.processClass === "water_treatment") expect("design" in item).toBe(true);
      if (d.processClass === "distillation") expect(item).toEqual({ skipped: "not_held" });
    }
    expect(reasons.has("breaks_convention")).toBe(true);
  });

  it("with spare sets, hands back what each set's further members held: their own gauge", () => {
    const spec = defaultSlotGraphSpec(48, { spareSets: true });
    const gauge = requireGroup(spec.edgeGroups, "line1.instrument.PI").offset + 1;
    const kept = VAL.filter((d) => d.processClass === "tank_farm").flatMap((d) => {
      const item = houseVariant(d, HOUSE_CONVENTIONS, spec);
      return "design" in item ? [item] : [];
    });
    expect(kept.length).toBeGreaterThan(0);
    for (const item of kept) {
      // A pump set's discharge: the set's line and the member's branch each carry a PI.
      const discharges = item.memberBranches.filter((b) => b.side === "from" && b.line.includes(gauge));
      expect(discharges.length).toBeGreaterThan(0);
      for (const b of discharges) expect(b.branch).toContain(gauge);
    }
    // One slot per item: no set, so nothing to hand back.
    const farm = VAL.find((d) => d.processClass === "tank_farm")!;
    const plain = houseVariant(farm, HOUSE_CONVENTIONS, defaultSlotGraphSpec());
    expect("design" in plain && plain.memberBranches).toEqual([]);
  });
});
