import { componentCode, END_NOZZLE, PART_CONTROL } from "../../context.js";
import { isReliefLine, landsOn } from "../../relief.js";
import type { Rule } from "../../types.js";

/** Equipment that holds a gas–liquid interface under pressure: what a lost level lets gas out of. */
const VAPOUR_SPACE = new Set(["vessel", "column", "reactor"]);

/**
 * Gas blow-by: a level valve letting liquid down from high-pressure equipment to a low-pressure
 * receiver passes vapour at full upstream pressure once the level is lost and the valve sticks
 * open. The case needs the receiver's relief sized for it, so it is flagged (a warning) where the
 * upstream design pressure exceeds the receiver's by the pack's ratio and the receiver has no
 * relief or flare line leaving it.
 */
export const rule: Rule = {
  id: "piping.gas-blow-by",
  category: "piping",
  severity: "warning",
  appliesTo: "all",
  description:
    "A level control valve from a vessel, column or reactor designed above reliefSystems.blowByPressureRatio × the receiver's design pressure is flagged unless the receiver has a relief or flare line.",
  source:
    "API Std 521 (7th ed., 2020) 4.4.8 (loss of liquid level: gas blow-by through a failed-open control valve is an overpressure case for the downstream system); rule pack reliefSystems.",
  fix: "Size a relief valve on the receiver for the blow-by flow, raise the receiver's design pressure, or add a low-level trip that closes the valve.",
  skipReason: ({ pack }) => (pack.reliefSystems ? undefined : "the rule pack has no reliefSystems section"),
  check({ design, index, pack }, emit) {
    const ratio = pack.reliefSystems!.blowByPressureRatio;
    // Tag numbers of the final elements of loops measuring a level.
    const loops = design.control.loops;
    const { loopFinal, tags } = index.control;
    const levelValve = new Uint8Array(tags);
    for (let l = 0; l < loops.length; l++) if (loops[l]!.measurement?.startsWith("L")) levelValve[loopFinal[l]!] = 1;
    const lines = design.lines;
    const { endKind, lineParts, componentStart, componentType, componentTag } = index;
    const controlValve = componentCode("control_valve");
    for (let i = 0; i < lines.length; i++) {
      if (endKind[2 * i] !== END_NOZZLE || !(lineParts[i]! & PART_CONTROL)) continue;
      // The first tagged control valve that is a level valve, from the index's component columns.
      let at = componentStart[i]!;
      for (; at < componentStart[i + 1]!; at++) {
        const id = componentTag[at]!;
        if (componentType[at] === controlValve && id >= 0 && (levelValve[id] === 1 || index.tagOf(id).startsWith("LV")))
          break;
      }
      if (at === componentStart[i + 1]) continue;
      const line = lines[i]!;
      const valve = line.components[at - componentStart[i]!]!;
      const upstream = index.endEquipment(2 * i);
      const landing = landsOn(index, i);
      if (!upstream || !VAPOUR_SPACE.has(upstream.type) || !landing) continue;
      const receiver = landing.equipment;
      const pUp = upstream.designPressure;
      const pDown = receiver.designPressure;
      if (pUp === undefined || pDown === undefined || pUp <= ratio * pDown) continue;
      const relieved = index
        .endsAt(landing.key)
        .some((r) => r.end === "from" && isReliefLine(r.line, lineParts[r.lineIndex]!));
      if (relieved) continue;
      emit({
        message: `Level valve ${valve.tag} lets liquid down from ${upstream.tag} (design ${pUp} barg) to ${receiver.tag} (design ${pDown} barg) on line ${line.id}; on loss of level, gas blows by at up to ${pUp} barg and ${receiver.tag} has no relief line (API 521 4.4.8).`,
        tags: [valve.tag!, upstream.tag, receiver.tag],
        lines: [line.id],
      });
    }
  },
};
