import type { DesignIndex } from "../../context.js";
import type { Rule } from "../../types.js";

/** What a tag names in the design, for a message ("equipment (pump)", "a gate valve on line X"). */
export function whatIs(index: DesignIndex, tag: string): string | undefined {
  const named = index.tagged(tag);
  if (!named) return undefined;
  if (named.equipment >= 0) return `equipment (${index.uniqueEquipment[named.equipment]!.type.replace(/_/g, " ")})`;
  const c = named.component;
  if (c) return `a ${c.component.type.replace(/_/g, " ")} on line ${c.line.id}`;
  return "an instrument";
}

/** Types a speed controller can act on as a loop's final element. */
const SPEED_DRIVEN = new Set(["pump", "compressor"]);

/**
 * A control loop names an existing measuring instrument and an existing final element: a control
 * valve on a line, or a speed-driven pump or compressor.
 */
export const rule: Rule = {
  id: "control.loop-references",
  category: "control",
  severity: "error",
  appliesTo: "all",
  description:
    "Each loop's measurement is an instrument in the design and its final element a control valve (or a speed-driven pump/compressor).",
  source:
    "PlantGAN design contract (DESIGN.md): a loop's final element is a control_valve tag or a speed-controlled pump/compressor; ISA-5.1 loop identification.",
  fix: "Point the loop at an existing transmitter and an existing control valve (or speed-controlled machine).",
  check({ design, index }, emit) {
    const loops = design.control.loops;
    const { loopMeasurement, loopFinal } = index.control;
    for (let l = 0; l < loops.length; l++) {
      const loop = loops[l]!;
      if (loop.measurement === undefined) {
        // Only a hand controller may go without: the operator, not a measurement, sets its output.
        if (!isHandController(loop.tag)) {
          emit({
            message: `Loop ${loop.tag} has no measurement; only a hand controller (HC, HIC) measures nothing.`,
            tags: [loop.tag],
          });
        }
      } else if (index.tagInstrument[loopMeasurement[l]!]! < 0) {
        const is = whatIs(index, loop.measurement);
        emit({
          message: `Loop ${loop.tag} measures with ${loop.measurement}, which ${is ? `is ${is}, not an instrument` : "is not in the design"}.`,
          tags: [loop.tag, loop.measurement],
        });
      }
      const fe = loop.finalElement;
      const component = index.tagComponent[loopFinal[l]!];
      const k = index.tagEquipment[loopFinal[l]!]!;
      const equipment = k >= 0 ? index.uniqueEquipment[k] : undefined;
      if (component) {
        if (component.component.type === "control_valve") continue;
        emit({
          message: `Loop ${loop.tag} acts on ${fe}, which is a ${component.component.type.replace(/_/g, " ")} on line ${component.line.id}, not a control valve.`,
          tags: [loop.tag, fe],
          lines: [component.line.id],
        });
      } else if (equipment) {
        if (SPEED_DRIVEN.has(equipment.type)) continue;
        emit({
          message: `Loop ${loop.tag} acts on ${fe}, which is equipment (${equipment.type.replace(/_/g, " ")}); only a control valve or a speed-driven pump or compressor can be a final element.`,
          tags: [loop.tag, fe],
        });
      } else {
        const is = whatIs(index, fe);
        emit({
          message: `Loop ${loop.tag} acts on ${fe}, which ${is ? `is ${is}` : "is not in the design"}; a final element is a control valve on a line or a speed-driven pump or compressor.`,
          tags: [loop.tag, fe],
        });
      }
    }
  },
};

/** ISA-5.1 hand controller: first letter H (hand, manually initiated), then C or IC. */
export function isHandController(tag: string): boolean {
  return /^HI?C/.test(tag);
}
