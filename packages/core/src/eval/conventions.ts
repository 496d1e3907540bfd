/**
 * The house conventions of issue 14 item 5, each judged on one design (the designer's templates
 * already put a low-low trip on every tank feeding a pump, so house-conventions.ts writes the
 * other three). A convention that
 * has nothing to apply to (no spared pumps, no control valve, no tank feeding a pump) gives
 * undefined, and shares are taken over the designs it applies to.
 */
import type { Design } from "../design/types.js";
import { isNozzleEnd } from "../design/types.js";
import { controlValveStations, pumpGroups, tanksFeedingPumps } from "./motifs.js";
import { tagLetters } from "./topology-graph.js";

export const CONVENTIONS = ["pumps2oo3", "controlValveStations", "lowLowOnPumpTanks", "pumpDischargeGauges"] as const;
export type Convention = (typeof CONVENTIONS)[number];

export type ConventionVerdicts = Readonly<Record<Convention, boolean | undefined>>;

/** Spared pumps come in threes (2-out-of-3), never in A/B pairs. */
export function followsPumps2oo3(design: Design): boolean | undefined {
  const spared = pumpGroups(design).filter((g) => g.length >= 2);
  if (spared.length === 0) return undefined;
  return spared.every((g) => g.length === 3);
}

/** Every control valve has block valves on both sides and a bypass. */
export function followsControlValveStations(design: Design): boolean | undefined {
  const stations = controlValveStations(design);
  if (stations.length === 0) return undefined;
  return stations.every((s) => s.blocksBothSides && s.bypass);
}

/** Every tank that feeds a pump has a low-low level trip. */
export function followsLowLowOnPumpTanks(design: Design): boolean | undefined {
  const tanks = tanksFeedingPumps(design);
  if (tanks.length === 0) return undefined;
  return tanks.every((t) => t.lowLow);
}

/** Every pump has a local pressure gauge (a PI instrument) on a line leaving it. */
export function followsPumpDischargeGauges(design: Design): boolean | undefined {
  const pumps = design.equipment.filter((e) => e.type === "pump");
  if (pumps.length === 0) return undefined;
  const gaugedLines = new Set(
    design.instruments.flatMap((i) => (i.on && "line" in i.on && tagLetters(i.tag) === "PI" ? [i.on.line] : [])),
  );
  return pumps.every((p) =>
    design.lines.some((l) => isNozzleEnd(l.from) && l.from.tag === p.tag && gaugedLines.has(l.id)),
  );
}

export function conventionVerdicts(design: Design): ConventionVerdicts {
  return {
    pumps2oo3: followsPumps2oo3(design),
    controlValveStations: followsControlValveStations(design),
    lowLowOnPumpTanks: followsLowLowOnPumpTanks(design),
    pumpDischargeGauges: followsPumpDischargeGauges(design),
  };
}
