import { isBranchEnd, isNozzleEnd } from "../../../design/types.js";
import { reliefValveAt } from "../../relief.js";
import type { Rule } from "../../types.js";

/**
 * Relief gas reaches a flare through a knock-out drum, which catches the liquid a flare would rain
 * out burning: every line into a flare starts at a knock-out drum (a vessel whose outlet, a line with no relief valve, runs to the flare; the drum's own relief valve may discharge there too), and nothing tees into such a
 * line (a tee after the drum bypasses it).
 */
export const rule: Rule = {
  id: "piping.flare-knock-out",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description:
    "Every line into a flare starts at a knock-out drum (a vessel with a plain outlet line to the flare), and no line tees into it after the drum.",
  source:
    "API Std 521 (7th ed., 2020) 5.7.9 and 5.7.10 (knock-out drum upstream of the flare stack to separate liquid).",
  fix: "Route the relief header into a knock-out drum and run the drum's vapour outlet to the flare.",
  check({ design, index }, emit) {
    const flareLines = design.lines.filter(
      (l) => isNozzleEnd(l.to) && index.equipmentByTag.get(l.to.tag)?.type === "flare",
    );
    const intoFlare = new Set(flareLines.map((l) => l.id));
    // A knock-out drum: a vessel whose outlet (a line with no relief valve) runs to the flare. Its
    // own relief valve may discharge to the flare directly.
    const drums = new Set<string>();
    for (const line of flareLines) {
      const from = line.from;
      if (isNozzleEnd(from) && index.equipmentByTag.get(from.tag)?.type === "vessel" && reliefValveAt(line) < 0)
        drums.add(from.tag);
    }
    for (const line of flareLines) {
      const to = line.to as { tag: string };
      const from = isNozzleEnd(line.from) ? index.equipmentByTag.get(line.from.tag) : undefined;
      if (from && drums.has(from.tag)) continue;
      const origin = isNozzleEnd(line.from)
        ? from
          ? `${from.tag} (${from.type.replace(/_/g, " ")})`
          : line.from.tag
        : isBranchEnd(line.from)
          ? `a tee on line ${line.from.line}`
          : "beyond the plot (an open end)";
      emit({
        message: `Line ${line.id} runs into flare ${to.tag} from ${origin} with no knock-out drum before the flare (API 521 5.7.9).`,
        tags: [to.tag, ...(from ? [from.tag] : [])],
        lines: [line.id],
      });
    }
    for (const line of design.lines) {
      const to = line.to;
      if (!isBranchEnd(to) || !intoFlare.has(to.line)) continue;
      emit({
        message: `Line ${line.id} tees into ${to.line} after its knock-out drum: its flow reaches the flare without passing a drum (API 521 5.7.9).`,
        lines: [line.id, to.line],
      });
    }
  },
};
