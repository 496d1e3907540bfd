import type { Rule } from "../../types.js";

/** Instruments sit on something that exists: equipment ({ tag }) or a line ({ line }). */
export const rule: Rule = {
  id: "control.instrument-mount",
  category: "control",
  severity: "error",
  appliesTo: "all",
  description: "Every instrument sits on existing equipment or an existing line.",
  source: "PlantGAN design contract (DESIGN.md): an instrument is on { tag } (equipment) or on { line }.",
  fix: "Mount the instrument on an existing equipment item or line, or correct the tag it names.",
  check({ design, index }, emit) {
    const instruments = design.instruments;
    const { instrumentOn } = index.control;
    for (let n = 0; n < instruments.length; n++) {
      // Resolved by the index: −1 for no mount or a missing one, so most instruments pass here.
      if (instrumentOn[n] !== -1) continue;
      const i = instruments[n]!;
      const on = i.on;
      if (!on) continue; // unmounted (allowed by the contract): it names nothing that could be missing
      if ("tag" in on) {
        if (index.equipmentByTag.has(on.tag)) continue;
        emit({
          message: `Instrument ${i.tag} sits on ${on.tag}, which is not equipment in the design.`,
          tags: [i.tag, on.tag],
        });
      } else {
        if (index.lineById.has(on.line)) continue;
        emit({
          message: `Instrument ${i.tag} sits on line ${on.line}, which is not in the design.`,
          tags: [i.tag],
          lines: [on.line],
        });
      }
    }
  },
};
