import type { BranchEnd } from "../../../design/types.js";
import { isBranchEnd, isNozzleEnd } from "../../../design/types.js";
import { END_BRANCH, END_NOZZLE, typeCode } from "../../context.js";
import { reliefValveAt } from "../../relief.js";
import type { Rule } from "../../types.js";

/**
 * Relief gas reaches a flare through a knock-out drum, which catches the liquid a flare would rain
 * out burning: every line into a flare starts at a knock-out drum (a vessel whose outlet, a line with no relief valve, runs to the flare; the drum's own relief valve may discharge there too), and nothing tees into such a
 * line (a tee after the drum bypasses it).
 */
const FLARE = typeCode("flare");

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
    const lines = design.lines;
    const { endKind, endTarget, uniqueTypes, lineFirst } = index;
    // Lines into a flare, from the index's resolved to-ends: no line or item is read for the rest.
    // With them, the first line of each of their ids: a tee names one of those by its id.
    const flareLines = [];
    let intoFlare: Uint8Array | undefined;
    for (let i = 0; i < lines.length; i++) {
      const k = endTarget[2 * i + 1]!;
      if (endKind[2 * i + 1] !== END_NOZZLE || k < 0 || uniqueTypes[k] !== FLARE) continue;
      flareLines.push(lines[i]!);
      intoFlare ??= new Uint8Array(lines.length);
      intoFlare[lineFirst[i]!] = 1;
    }
    if (!intoFlare) return;
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
    for (let i = 0; i < lines.length; i++) {
      const j = endTarget[2 * i + 1]!;
      if (endKind[2 * i + 1] !== END_BRANCH || j < 0 || !intoFlare[j]) continue;
      const line = lines[i]!;
      const to = line.to as BranchEnd;
      emit({
        message: `Line ${line.id} tees into ${to.line} after its knock-out drum: its flow reaches the flare without passing a drum (API 521 5.7.9).`,
        lines: [line.id, to.line],
      });
    }
  },
};
