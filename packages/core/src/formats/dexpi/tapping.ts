/**
 * Instrument tappings: a short line from a vessel's nozzle that ends in the open at a root valve is
 * how a P&ID draws the impulse piping of a level measurement (a differential-pressure LT reads the
 * vessel through two such lines). What the instrument measures is the vessel's level, not the
 * tapping line's, so a level function measured through one is mounted on the vessel.
 */
import type { EquipmentType } from "../../design/index.js";
import type { EquipmentResult } from "./equipment.js";
import type { ImportedLine } from "./piping.js";

/** Equipment with no liquid inventory to read a level in (the validator's isa-letters rule agrees). */
const NO_LEVEL = new Set<EquipmentType>(["pump", "compressor", "air_cooler", "furnace", "flare"]);

/**
 * The vessel a level tapping line leads from: the line has one end on a nozzle of equipment that
 * holds a level and its other end open; undefined for any other line.
 */
export function levelTappingVessel(line: ImportedLine, equipment: EquipmentResult): string | undefined {
  const ends = [line.from, line.to];
  const open = ends.filter((e) => "open" in e).length;
  const onEquipment = ends.flatMap((e) => ("tag" in e ? [e.tag] : []));
  if (open !== 1 || onEquipment.length !== 1) return undefined;
  const vessel = equipment.items.find((e) => e.tag === onEquipment[0]);
  return vessel && !NO_LEVEL.has(vessel.type) ? vessel.tag : undefined;
}
