/**
 * P&ID motifs found on the topology alone (tags and ids are only used as references, never read
 * for meaning, so a generator that names things its own way is judged the same):
 * - a pump whose discharge line carries a check valve;
 * - a control valve with block valves upstream and downstream on its line and a bypass (a line
 *   that leaves and rejoins that line; the contract gives no position along a line, so "around
 *   the valve" is "on the valve's line");
 * - a tank or vessel with a high (H/HH) and a low (L/LL) level trip: interlocks caused by level
 *   instruments mounted on it;
 * - parallel pump groups: pumps whose suction comes off one header and whose discharge joins one
 *   header (2 = A/B sparing, 3 = 2-out-of-3);
 * - a tank feeding a pump (its outlet is on the pump's suction line or a header that line
 *   branches off), with or without a low-low level trip.
 */
import type { Design, Line } from "../design/types.js";
import { branchLine, isNozzleEnd } from "../design/types.js";
import { instrumentClassOf } from "../views/vocabulary.js";

const BLOCK_VALVES: ReadonlySet<string> = new Set([
  "gate_valve",
  "globe_valve",
  "ball_valve",
  "butterfly_valve",
  "plug_valve",
]);

/** Follows branch ends up to the header line a line hangs off (or joins), through any depth. */
function rootLine(design: Design, line: Line, end: "from" | "to"): Line {
  const byId = new Map(design.lines.map((l) => [l.id, l]));
  let at = line;
  const seen = new Set<string>();
  while (!isNozzleEnd(at[end]) && !seen.has(at.id)) {
    seen.add(at.id);
    const parent = byId.get((at[end] as { line: string }).line);
    if (!parent) break;
    at = parent;
  }
  return at;
}

/** The pump's suction header and discharge header, as line ids (undefined: not connected). */
function pumpHeaders(design: Design, pump: string): { suction?: string; discharge?: string } {
  const into = design.lines.find((l) => isNozzleEnd(l.to) && l.to.tag === pump);
  const out = design.lines.find((l) => isNozzleEnd(l.from) && l.from.tag === pump);
  return {
    ...(into ? { suction: rootLine(design, into, "from").id } : {}),
    ...(out ? { discharge: rootLine(design, out, "to").id } : {}),
  };
}

/** Pumps grouped by (suction header, discharge header): each group is one pumping service. */
export function pumpGroups(design: Design): string[][] {
  const groups = new Map<string, string[]>();
  for (const e of design.equipment) {
    if (e.type !== "pump") continue;
    const { suction, discharge } = pumpHeaders(design, e.tag);
    const key = suction !== undefined && discharge !== undefined ? `${suction}|${discharge}` : `alone:${e.tag}`;
    groups.set(key, [...(groups.get(key) ?? []), e.tag]);
  }
  return [...groups.values()];
}

/** Pumps with a check valve on a line leaving them. */
export function pumpsWithCheckValve(design: Design): number {
  let n = 0;
  for (const e of design.equipment) {
    if (e.type !== "pump") continue;
    const discharge = design.lines.filter((l) => isNozzleEnd(l.from) && l.from.tag === e.tag);
    if (discharge.some((l) => l.components.some((c) => c.type === "check_valve"))) n++;
  }
  return n;
}

export interface ControlValveStation {
  readonly line: string;
  readonly blocksBothSides: boolean;
  readonly bypass: boolean;
}

/** Every control valve on a line, with whether it has block valves on both sides and a bypass. */
export function controlValveStations(design: Design): ControlValveStation[] {
  const out: ControlValveStation[] = [];
  for (const line of design.lines) {
    line.components.forEach((c, at) => {
      if (c.type !== "control_valve") return;
      const before = line.components.slice(0, at).some((x) => BLOCK_VALVES.has(x.type));
      const after = line.components.slice(at + 1).some((x) => BLOCK_VALVES.has(x.type));
      const bypass = design.lines.some(
        (l) =>
          l !== line &&
          branchLine(l.from) === line.id &&
          branchLine(l.to) === line.id &&
          l.components.some((x) => BLOCK_VALVES.has(x.type)),
      );
      out.push({ line: line.id, blocksBothSides: before && after, bypass });
    });
  }
  return out;
}

/** Level trips (interlock trip conditions) by the equipment their cause instrument is mounted on. */
export function levelTripsByEquipment(design: Design): Map<string, Set<string>> {
  const mountedOn = new Map<string, string>();
  for (const ins of design.instruments) if (ins.on && "tag" in ins.on) mountedOn.set(ins.tag, ins.on.tag);
  const trips = new Map<string, Set<string>>();
  for (const il of design.control.interlocks) {
    const cause = il.cause.instrument;
    const on = mountedOn.get(cause);
    if (on === undefined || instrumentClassOf(cause) !== "level") continue;
    const set = trips.get(on) ?? new Set<string>();
    set.add(il.cause.trip);
    trips.set(on, set);
  }
  return trips;
}

/** Tanks and vessels with a high (H/HH) and a low (L/LL) level trip. */
export function tanksWithHighAndLowTrips(design: Design): number {
  const trips = levelTripsByEquipment(design);
  return design.equipment.filter((e) => {
    if (e.type !== "tank" && e.type !== "vessel") return false;
    const t = trips.get(e.tag);
    return t !== undefined && (t.has("H") || t.has("HH")) && (t.has("L") || t.has("LL"));
  }).length;
}

/**
 * The lines a pump draws from: its suction line, the headers it branches off, and every line that
 * joins one of those (another tank's outlet into a common suction header), to any depth.
 */
function suctionNetwork(design: Design, pump: string): Line[] {
  const byId = new Map(design.lines.map((l) => [l.id, l]));
  const network = new Set<Line>();
  const todo = design.lines.filter((l) => isNozzleEnd(l.to) && l.to.tag === pump);
  while (todo.length > 0) {
    const line = todo.pop()!;
    if (network.has(line)) continue;
    network.add(line);
    const parentId = branchLine(line.from);
    const parent = parentId === undefined ? undefined : byId.get(parentId);
    if (parent) todo.push(parent);
    for (const l of design.lines) if (branchLine(l.to) === line.id) todo.push(l);
  }
  return [...network];
}

/** Tanks that feed a pump (a line of its suction network leaves the tank), each with whether it has a low-low level trip. */
export function tanksFeedingPumps(design: Design): { tag: string; lowLow: boolean }[] {
  const types = new Map(design.equipment.map((e) => [e.tag, e.type]));
  const trips = levelTripsByEquipment(design);
  const feeding = new Set<string>();
  for (const e of design.equipment) {
    if (e.type !== "pump") continue;
    for (const line of suctionNetwork(design, e.tag)) {
      if (isNozzleEnd(line.from) && types.get(line.from.tag) === "tank") feeding.add(line.from.tag);
    }
  }
  return [...feeding].sort().map((tag) => ({ tag, lowLow: trips.get(tag)?.has("LL") ?? false }));
}
