import { isOpenEnd } from "../../../design/types.js";
import type { Rule } from "../../types.js";

/**
 * An open end (battery limit) says where the line goes: a label ("to unit 200", the off-page
 * connector or tie-in it continues at) or the plot edge it crosses. A pipe that stops with neither
 * is an unfinished drawing: nobody can tell where its flow comes from or goes. A warning, not an
 * error: the layout can still be built (the router takes the nearest edge), the document is what is
 * incomplete.
 */
export const rule: Rule = {
  id: "piping.open-end",
  category: "piping",
  severity: "warning",
  appliesTo: "all",
  description: "Every open line end (battery limit) names where the line goes (a label) or the plot edge it crosses.",
  source:
    "PlantGAN design contract (DESIGN.md): an open end is a battery limit, declared with the label of what lies beyond it or the plot edge it crosses.",
  fix: 'Give the open end a label (e.g. "to unit 200", the connector or tie-in tag) or the plot edge it crosses.',
  check({ design }, emit) {
    const lines = design.lines;
    for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
      const line = lines[lineIndex]!;
      for (let s = 0; s < 2; s++) {
        const side = s === 0 ? "from" : "to";
        const end = line[side];
        if (!isOpenEnd(end) || end.label !== undefined || end.edge !== undefined) continue;
        emit({
          message: `Line ${line.id} ${side === "from" ? "starts" : "ends"} in the open with no label and no plot edge: nothing says where its flow ${side === "from" ? "comes from" : "goes"}.`,
          lines: [line.id],
        });
      }
    }
  },
};
