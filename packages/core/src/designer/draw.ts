import type { EquipmentType, ProcessClass, RulePack } from "../design/types.js";
import { PlantBuilder, type Topology } from "./builder.js";
import { tankShellValves } from "./patterns.js";
import { topUp } from "./requests.js";
import { mixSeed, Rng } from "./rng.js";
import { TEMPLATES } from "./templates/index.js";

/** One attempt's P&ID, and the attempt's random source where the layout draws continue from it. */
export interface DrawnTopology {
  readonly topology: Topology;
  /** The template's name for what it drew (the design's default name). */
  readonly drawn: string;
  /** Forked once (for the P&ID) already: the placement forks "style" and "place" from here. */
  readonly rng: Rng;
}

/** Counts per type of a request's equipment list (a type listed twice adds up). */
export function wantedCounts(
  equipment: readonly { readonly type: EquipmentType; readonly count: number }[] = [],
): Map<EquipmentType, number> {
  const wanted = new Map<EquipmentType, number>();
  for (const e of equipment) wanted.set(e.type, (wanted.get(e.type) ?? 0) + e.count);
  return wanted;
}

/**
 * Attempt `attempt` of a seed's P&ID: the class template under the pack (relief paths follow it),
 * topped up to the wanted counts, with tank shell valves. Needs no layout: the full designer and the
 * topology-only one draw the same P&ID for the same (class, seed, attempt, pack, counts).
 */
export function drawTopology(
  processClass: ProcessClass,
  seed: number,
  attempt: number,
  pack: RulePack,
  wanted: ReadonlyMap<EquipmentType, number>,
): DrawnTopology {
  const rng = new Rng(mixSeed(seed, `${processClass}#${attempt}`));
  const builder = new PlantBuilder(rng.fork("pid"), pack);
  const drawn = TEMPLATES[processClass].draw({ b: builder, rng: builder.rng, want: (t) => wanted.get(t) });
  topUp(builder, wanted);
  tankShellValves(builder);
  return { topology: builder.topology(), drawn, rng };
}
