import { readFile } from "node:fs/promises";
import { type GenerationRequest, parseDocument } from "@plantgan/core/design";
import { selectBackend } from "@plantgan/core/gan";
import {
  type Candidate,
  fixedItemIssues,
  generateCandidates,
  PipelineError,
  type TopologySource,
  TopologySourceError,
  topologySourceByName,
} from "@plantgan/core/generate";
import { loadSolver } from "@plantgan/core/polish";
import { candidateDesignIds } from "@plantgan/server";
import type { Command } from "commander";
import { CliError, EXIT } from "../exit.js";
import { defaultModelDir, loadGanModel } from "../model-files.js";
import { addOutOption } from "../out-option.js";
import { issueLines, printError, printJson, printLine, writeFileAtomic } from "../output.js";
import { ProgressReporter } from "../progress.js";

interface GenerateOptions {
  model?: string;
  request: string;
  count?: string;
  seed?: string;
  truncation?: string;
  placement: string;
  topology?: string;
  json?: boolean;
  out?: string;
  verbose?: boolean;
}

function num(name: string, value: string | undefined, check: (n: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new CliError(`--${name}: bad value ${value}`);
  return n;
}

/**
 * A candidate as the commands print and write it: `validate`, `info` and `export` read a file of
 * these (the design, and the outcome that gives `validate` the candidate's own verdict).
 */
function candidateRecord(c: Candidate, id: string) {
  return {
    id,
    rank: c.rank,
    seed: c.seed,
    topologySource: c.topologySource,
    valid: c.valid,
    rawErrors: c.rawErrors,
    attempts: c.attempts,
    stats: c.stats,
    unrouted: c.unrouted,
    unresolved: c.unresolved,
    outcome: c.outcome,
    completed: c.completed,
    ...(c.cost ? { cost: c.cost } : {}),
    ...(c.polish ? { polish: c.polish } : {}),
    report: { ...c.report, designId: id },
    design: { ...c.design, id },
  };
}

export function registerGenerate(program: Command): void {
  const command = program
    .command("generate")
    .description("Generate ranked design candidates for a request: GAN layout → legalise → route → validate")
    .requiredOption("--request <file>", "generation request JSON (schemas/generation-request.schema.json)")
    .option("--model <dir>", "model folder (default: the shipped datasets/models/default)")
    .option("--count <n>", "candidates (overrides the request's count)")
    .option("--seed <n>", "seed (overrides the request's); same seed, same candidates")
    .option("--truncation <t>", "latent truncation in (0, 3]: lower is more typical")
    .option("--placement <who>", "gan, or random (the baseline)", "gan")
    .option(
      "--topology <source>",
      "who makes a spec-mode request's topology: designer (the default), or learned (a model with a topology generator)",
    )
    .option("--json", "print the candidates as one JSON document on stdout");
  addOutOption(
    command,
    "write the candidates as NDJSON, best first (validate, info and export read it; --id picks one)",
  );
  command
    .option("--verbose", "say which TensorFlow.js backend runs and why")
    .addHelpText("after", "\nExit codes: 0 the best candidate is valid, 1 no candidate is valid, 2 bad input or usage.")
    .action(async (options: GenerateOptions) => {
      const count = num("count", options.count, (n) => Number.isInteger(n) && n >= 1 && n <= 1000);
      const seed = num("seed", options.seed, (n) => Number.isInteger(n) && n >= 0 && n <= 4294967295);
      const truncation = num("truncation", options.truncation, (n) => n > 0 && n <= 3);
      if (options.placement !== "gan" && options.placement !== "random") {
        throw new CliError(`--placement must be gan or random; got ${options.placement}`);
      }
      let text: string;
      try {
        text = await readFile(options.request, "utf8");
      } catch (error) {
        throw new CliError(`cannot read ${options.request}: ${(error as NodeJS.ErrnoException).code ?? error}`);
      }
      const parsed = parseDocument("generationRequest", text);
      if (!parsed.success) throw new CliError(issueLines(options.request, parsed.issues).join("\n"));
      const request: GenerationRequest = parsed.data;
      const fixed = fixedItemIssues(request);
      if (fixed.length > 0) {
        throw new CliError(fixed.map((i) => `${options.request}: ${i.pointer}: ${i.message}`).join("\n"));
      }

      if (options.topology !== undefined && request.mode === "topology") {
        throw new CliError(
          `--topology ${options.topology}: ${options.request} is a topology-mode request, which places its own topology; --topology applies to spec mode`,
        );
      }

      let model: Awaited<ReturnType<typeof loadGanModel>>["model"] | undefined;
      if (options.placement === "gan") {
        await selectBackend({ prefer: "wasm", log: options.verbose ? (m) => printError(m) : () => {} });
        model = (await loadGanModel(options.model ?? defaultModelDir())).model;
      }
      let topology: TopologySource | undefined;
      try {
        if (options.topology !== undefined) topology = topologySourceByName(options.topology, model);
      } catch (error) {
        // Never the designer in place of the source asked for: the user chooses again.
        if (error instanceof TopologySourceError)
          throw new CliError(`--topology ${options.topology}: ${error.message}`);
        throw error;
      }
      // The pipeline's polish step solves with HiGHS, which loads asynchronously (once per process).
      await loadSolver();
      const started = performance.now();
      let candidates: Candidate[];
      const total = count ?? request.count ?? 1;
      const progress = options.json ? undefined : new ProgressReporter("generate", total);
      try {
        candidates = generateCandidates(request, {
          ...(progress ? { onCandidate: () => progress.tick("candidate") } : {}),
          placement: options.placement,
          ...(model ? { model } : {}),
          ...(topology ? { topology } : {}),
          ...(count === undefined ? {} : { count }),
          ...(seed === undefined ? {} : { seed }),
          ...(truncation === undefined ? {} : { truncation }),
        });
      } catch (error) {
        if (error instanceof PipelineError) throw new CliError(`${options.request}: ${error.message}`);
        throw error;
      } finally {
        progress?.stop();
      }
      const seconds = (performance.now() - started) / 1000;
      const ids = candidateDesignIds(candidates);
      const records = candidates.map((c, i) => candidateRecord(c, ids[i]!));
      if (options.out) {
        await writeFileAtomic(
          options.out,
          records.map((r) => JSON.stringify(r)).join("\n") + (records.length ? "\n" : ""),
        );
      }
      if (options.json) {
        printJson({ request: options.request, seconds, candidates: records });
      } else {
        const sources = [...new Set(candidates.map((c) => c.topologySource))].join(", ");
        printLine(`${candidates.length} candidate(s) in ${seconds.toFixed(1)} s, topology by ${sources}`);
        printLine("rank  valid  errors  warnings  unrouted  critic   pipe m  footprint m²  design");
        for (const [i, c] of candidates.entries()) {
          printLine(
            `${String(c.rank).padStart(4)}  ${(c.valid ? "yes" : "no").padEnd(5)}  ${String(c.report.summary.errors).padStart(6)}  ${String(c.report.summary.warnings).padStart(8)}  ${String(c.unrouted.length).padStart(8)}  ${c.stats.criticScore.toFixed(2).padStart(6)}  ${c.stats.pipeLength.toFixed(0).padStart(7)}  ${c.stats.footprint.toFixed(0).padStart(12)}  ${ids[i]} (${c.design.equipment.length} items, ${c.design.lines.length} lines)`,
          );
        }
        if (options.out) printError(`wrote ${records.length} candidate(s) to ${options.out}`);
        else printError("nothing saved: give -o <file>.ndjson to keep the candidates, or --json to print them");
      }
      process.exitCode = candidates[0]?.valid ? EXIT.ok : EXIT.findings;
    });
}
