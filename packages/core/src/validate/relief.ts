/** What the relief-system rules share: where a line's relief valve sits and where a line's flow lands. */
import type { Component, Equipment, Line } from "../design/types.js";
import { type DesignIndex, END_BRANCH, END_NOZZLE, PART_RELIEF, PART_RELIEF_SERVICE } from "./context.js";

/** Valves that can stop flow when shut (a check valve or relief valve cannot be shut by hand). */
export const BLOCK_VALVES: ReadonlySet<Component["type"]> = new Set([
  "gate_valve",
  "globe_valve",
  "ball_valve",
  "butterfly_valve",
  "plug_valve",
  "needle_valve",
  "control_valve",
]);

/** A valve held open by a lock or car seal: it does not count as a block valve in a relief path. */
export const lockedOpen = (c: Component): boolean => c.lock === "LO" || c.lock === "CSO";

/** Position of the first relief valve in a line's components, or -1. */
export const reliefValveAt = (line: Line): number => line.components.findIndex((c) => c.type === "relief_valve");

/** True for a line that carries relief flow: it holds a relief valve or serves relief or flare. */
export const isReliefLine = (
  line: Line,
  /** The line's `DesignIndex.lineParts`, when known: then neither its service nor its components are read. */
  parts?: number,
): boolean =>
  parts === undefined
    ? line.service === "relief" || line.service === "flare" || reliefValveAt(line) >= 0
    : (parts & (PART_RELIEF | PART_RELIEF_SERVICE)) !== 0;

/**
 * The equipment a line's flow reaches: its to-nozzle, or, for a line that tees into a header, the
 * header's to-end, and so on (headers of headers), at most `maxSteps` lines; undefined when the
 * chain ends nowhere (a missing line or a loop: other rules' findings).
 */
export function landsOn(
  index: DesignIndex,
  /** Position of the line in `design.lines`. */
  lineIndex: number,
  maxSteps = 32,
): { equipment: Equipment; key: number; via: Line } | undefined {
  // Through the index's resolved line ends: no tag or line id is looked up again.
  const { endKind, endTarget } = index;
  let at = lineIndex;
  for (let step = 0; at >= 0 && step < maxSteps; step++) {
    const code = 2 * at + 1;
    const kind = endKind[code];
    if (kind === END_NOZZLE) {
      const key = endTarget[code]!;
      return key < 0 ? undefined : { equipment: index.uniqueEquipment[key]!, key, via: index.design.lines[at]! };
    }
    if (kind !== END_BRANCH) return undefined;
    at = endTarget[code]!;
  }
  return undefined;
}

export const isAtmosphericTank = (e: Equipment, limit: number): boolean =>
  e.type === "tank" && (e.designPressure === undefined || e.designPressure <= limit);
