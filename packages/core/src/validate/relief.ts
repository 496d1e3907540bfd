/** What the relief-system rules share: where a line's relief valve sits and where a line's flow lands. */
import type { Component, Equipment, Line } from "../design/types.js";
import { isBranchEnd, isNozzleEnd } from "../design/types.js";
import type { DesignIndex } from "./context.js";

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
export const isReliefLine = (line: Line): boolean =>
  line.service === "relief" || line.service === "flare" || reliefValveAt(line) >= 0;

/**
 * The equipment a line's flow reaches: its to-nozzle, or, for a line that tees into a header, the
 * header's to-end, and so on (headers of headers), at most `maxSteps` lines; undefined when the
 * chain ends nowhere (a missing line or a loop: other rules' findings).
 */
export function landsOn(
  index: DesignIndex,
  line: Line,
  maxSteps = 32,
): { equipment: Equipment; via: Line } | undefined {
  let at: Line | undefined = line;
  for (let step = 0; at && step < maxSteps; step++) {
    const end: Line["to"] = at.to;
    if (isNozzleEnd(end)) {
      const equipment = index.equipmentByTag.get(end.tag);
      return equipment ? { equipment, via: at } : undefined;
    }
    if (!isBranchEnd(end)) return undefined;
    at = index.lineById.get(end.line);
  }
  return undefined;
}

/** True when a tank is atmospheric storage: designed for at most `limit` barg, or none stated. */
export const isAtmosphericTank = (e: Equipment, limit: number): boolean =>
  e.type === "tank" && (e.designPressure === undefined || e.designPressure <= limit);
