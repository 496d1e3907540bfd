import { type DesignSummary, summariseDesign } from "@plantgan/core/design";
import { readDesignFile } from "@plantgan/server";
import type { Command } from "commander";
import { CliError } from "../exit.js";
import { printJson, printLine } from "../output.js";
import { pickDesigns } from "../pick-designs.js";

function counts(record: Readonly<Record<string, number>>): string {
  const entries = Object.entries(record);
  return entries.length === 0 ? "none" : entries.map(([k, v]) => `${v} ${k}`).join(", ");
}

function render(s: DesignSummary): string[] {
  return [
    `${s.id}${s.name ? ` — ${s.name}` : ""}`,
    `  process class  ${s.processClass}`,
    `  site           ${s.site.width} × ${s.site.depth} m, grid ${s.site.gridSize} m, ${s.site.racks} rack(s), ${s.site.keepOut} keep-out zone(s)`,
    `  placement      ${s.placement}${s.footprintUse !== undefined ? ` (equipment covers ${(s.footprintUse * 100).toFixed(1)}% of the plot)` : ""}`,
    `  equipment      ${s.equipment.total}: ${counts(s.equipment.byType)}`,
    `  nozzles        ${s.nozzles}`,
    `  lines          ${s.lines.total}: ${counts(s.lines.byService)}; ${s.lines.branches} branch(es); ${s.lines.routed} routed (${s.lines.routedLength} m)`,
    `  components     ${s.components.total}: ${counts(s.components.byType)}`,
    `  instruments    ${s.instruments}`,
    `  control        ${s.loops} loop(s), ${s.interlocks} interlock(s)`,
  ];
}

export function registerInfo(program: Command): void {
  program
    .command("info")
    .description("Summarise a design file (JSON, NDJSON or DEXPI XML) for a person")
    .argument("<file>", "design file (or the candidates `plantgan generate -o` wrote)")
    .option("--id <id>", "summarise only the design (or candidate) of this id")
    .option("--json", "print the summary as JSON")
    .action(async (file: string, options: { json?: boolean; id?: string }) => {
      const result = await readDesignFile(file).catch((error: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read ${file}: ${error.code ?? error.message}`);
      });
      const summaries = pickDesigns(result, file, options.id).map((d) => summariseDesign(d.design));
      if (options.json) printJson(summaries.length === 1 ? summaries[0] : summaries);
      else for (const s of summaries) for (const line of render(s)) printLine(line);
    });
}
