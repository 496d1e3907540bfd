import { readFile } from "node:fs/promises";
import { parseGenerationRequest, type RulePack, type ValidationReport, type Violation } from "@plantgan/core/design";
import { givenTopologyFindings, markInherited } from "@plantgan/core/generate";
import { DEFAULT_RULE_PACK, loadRulePack, validateDesign } from "@plantgan/core/validate";
import { readDesignFile } from "@plantgan/server";
import type { Command } from "commander";
import { CliError, EXIT } from "../exit.js";
import { issueLines, printError, printJson, printLine } from "../output.js";
import { pickDesigns } from "../pick-designs.js";

async function readRulePack(file: string): Promise<RulePack> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read rule pack ${file}: ${error.code ?? error.message}`);
  });
  const pack = loadRulePack(text);
  if (!pack.success)
    throw new CliError(`${file} is not a valid rule pack:\n${issueLines(file, pack.issues).join("\n")}`);
  return pack.data;
}

function violationLine(v: Violation): string {
  const where = v.location
    ? ` at (${v.location.x.toFixed(1)}, ${v.location.y.toFixed(1)}, ${v.location.z.toFixed(1)})`
    : "";
  const items = [...v.tags, ...v.lines];
  const inherited = v.inherited ? " (inherited: the request's own topology has it)" : "";
  return `  ${v.severity.padEnd(7)} ${v.rule}${items.length ? ` [${items.join(", ")}]` : ""}${where}${inherited}: ${v.message}`;
}

/** The findings of a candidate's topology-mode request's own topology (none for any other record). */
function drawnFindings(request: unknown, pack: RulePack): ReadonlySet<string> | undefined {
  if (request === undefined) return undefined;
  const parsed = parseGenerationRequest(request);
  return parsed.success ? givenTopologyFindings(parsed.data, pack) : undefined;
}

function render(report: ValidationReport, where: string): string[] {
  const s = report.summary;
  const inherited = report.violations.filter((v) => v.severity === "error" && v.inherited).length;
  return [
    `${where}: ${s.errors} error(s)${inherited ? ` (${inherited} inherited)` : ""}, ${s.warnings} warning(s), ${s.infos} info — ${s.rulesRun} rules of pack ${report.rulePack.id} ${report.rulePack.version}`,
    ...(report.geometryChecked ? [] : ["  geometry not checked: the design is a topology only (nothing placed)"]),
    ...report.violations.map(violationLine),
    ...report.skipped.map((k) => `  skipped ${k.rule}: ${k.reason}`),
  ];
}

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("Check a design against the engineering rules (spacing, piping, control, consistency)")
    .argument(
      "<design>",
      "design file: JSON, NDJSON (every design is checked), DEXPI XML, or the candidates `plantgan generate -o` wrote",
    )
    .option("--id <id>", "check only the design (or candidate) of this id")
    .option("--rules <pack.json>", "rule pack to use instead of the default one (schema-checked)")
    .option("--json", "print the validation report(s) as JSON")
    .addHelpText("after", "\nExit codes: 0 no error, 1 errors found, 2 unreadable input or not a valid design.")
    .action(async (file: string, options: { rules?: string; json?: boolean; id?: string }) => {
      const pack = options.rules ? await readRulePack(options.rules) : DEFAULT_RULE_PACK;
      const result = await readDesignFile(file).catch((error: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read ${file}: ${error.code ?? error.message}`);
      });
      // A generated candidate is checked with what its pipeline could not do (unrouted lines and
      // their reasons), and in topology mode with its request's own findings marked inherited:
      // the same verdict as its report and its card.
      const reports = pickDesigns(result, file, options.id).map(({ where, design }) => {
        const outcome = result.outcomes?.get(design.id);
        const report = validateDesign(design, pack, outcome ? { outcome } : {});
        return { where, report: markInherited(report, drawnFindings(result.requests?.get(design.id), pack)) };
      });
      if (options.json) printJson(reports.length === 1 ? reports[0]?.report : reports.map((r) => r.report));
      else for (const { where, report } of reports) for (const line of render(report, where)) printLine(line);
      const errors = reports.reduce((n, r) => n + r.report.summary.errors, 0);
      if (errors > 0) {
        if (!options.json) printError(`${errors} error(s) found`);
        process.exitCode = EXIT.findings;
      }
    });
}
