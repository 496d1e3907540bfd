import { readFile } from "node:fs/promises";
import { type GenerationRequest, parseDocument } from "@plantgan/core/design";
import { selectBackend } from "@plantgan/core/gan";
import {
  blendPlan,
  type Candidate,
  CHANGE_FIELDS,
  ConditionChangeError,
  fixedItemIssues,
  generateCandidates,
  OriginError,
  PipelineError,
  type RegenerationPlan,
  type TopologySource,
  TopologySourceError,
  topologySourceByName,
  variantPlan,
} from "@plantgan/core/generate";
import { loadSolver } from "@plantgan/core/polish";
import { candidateDesignIds } from "@plantgan/server";
import type { Command } from "commander";
import { readCandidateRef, splitBlend } from "../candidate-refs.js";
import { CliError, EXIT } from "../exit.js";
import { defaultModelDir, loadGanModel } from "../model-files.js";
import { addOutOption } from "../out-option.js";
import { issueLines, printError, printJson, printLine, writeFileAtomic } from "../output.js";
import { ProgressReporter } from "../progress.js";

interface GenerateOptions {
  model?: string;
  request?: string;
  variantOf?: string;
  set: string[];
  blend?: string;
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
    // Topology mode: no error besides those the request's own drawing has (marked inherited in the report).
    layoutValid: c.layoutValid,
    rawErrors: c.rawErrors,
    attempts: c.attempts,
    stats: c.stats,
    unrouted: c.unrouted,
    unresolved: c.unresolved,
    outcome: c.outcome,
    completed: c.completed,
    // The request it answered, its latent and parents (also in design.metadata): --variant-of and --blend read them.
    origin: c.origin,
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
    .option("--request <file>", "generation request JSON (schemas/generation-request.schema.json)")
    .option(
      "--variant-of <candidate>",
      "regenerate a candidate (FILE or FILE#ID of `generate -o` output) with its latent and a changed request (--set)",
    )
    .option(
      "--set <change>",
      `a variant's condition change, repeatable: ${CHANGE_FIELDS.join(", ")} = n, +n or -n (e.g. equipment.pump=+1, site.width=200)`,
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option("--blend <a,b[,t]>", "blend two candidates' latents (spherical, t in [0, 1], default 0.5); a's request")
    .option("--model <dir>", "model folder (default: the shipped datasets/models/default)")
    .option("--count <n>", "candidates (overrides the request's count)")
    .option("--seed <n>", "seed (overrides the request's); same seed, same candidates")
    .option("--truncation <t>", "latent truncation in (0, 3]: lower is more typical")
    .option("--placement <who>", "gan, or random (the baseline)", "gan")
    .option(
      "--topology <source>",
      "who makes a spec-mode request's topology: learned (the default for a model with a topology generator) or designer (the default for a model without one)",
    )
    .option("--json", "print the candidates as one JSON document on stdout");
  addOutOption(
    command,
    "write the candidates as NDJSON, best first (validate, info and export read it; --id picks one)",
  );
  command
    .option("--verbose", "say which TensorFlow.js backend runs and why")
    .addHelpText(
      "after",
      "\nOne of --request, --variant-of or --blend. A variant or blend is one candidate from recorded latents;" +
        " it records its parents (design.metadata variantOf / blendOf).\n" +
        "Exit codes: 0 the best candidate is valid, 1 no candidate is valid, 2 bad input or usage.",
    )
    .action(async (options: GenerateOptions) => {
      const count = num("count", options.count, (n) => Number.isInteger(n) && n >= 1 && n <= 1000);
      const seed = num("seed", options.seed, (n) => Number.isInteger(n) && n >= 0 && n <= 4294967295);
      const truncation = num("truncation", options.truncation, (n) => n > 0 && n <= 3);
      if (options.placement !== "gan" && options.placement !== "random") {
        throw new CliError(`--placement must be gan or random; got ${options.placement}`);
      }
      const plan = await regenerationPlan(options);
      const label = options.request ?? options.variantOf ?? options.blend!;
      const request: GenerationRequest = plan?.request ?? (await readRequest(options.request!));
      const fixed = fixedItemIssues(request);
      if (fixed.length > 0) {
        throw new CliError(fixed.map((i) => `${label}: ${i.pointer}: ${i.message}`).join("\n"));
      }

      if (options.topology !== undefined && request.mode === "topology") {
        throw new CliError(
          `--topology ${options.topology}: ${label} is a topology-mode request, which places its own topology; --topology applies to spec mode`,
        );
      }
      // A variant or blend keeps its parent's topology source unless told otherwise.
      const sourceName =
        options.topology ??
        (plan && plan.source !== "request" && request.mode !== "topology" ? plan.source : undefined);

      let model: Awaited<ReturnType<typeof loadGanModel>>["model"] | undefined;
      if (options.placement === "gan") {
        await selectBackend({ prefer: "wasm", log: options.verbose ? (m) => printError(m) : () => {} });
        model = (await loadGanModel(options.model ?? defaultModelDir())).model;
      }
      let topology: TopologySource | undefined;
      try {
        if (sourceName !== undefined) topology = topologySourceByName(sourceName, model);
      } catch (error) {
        // Never the designer in place of the source asked for: the user chooses again.
        if (error instanceof TopologySourceError) throw new CliError(`--topology ${sourceName}: ${error.message}`);
        throw error;
      }
      // The pipeline's polish step solves with HiGHS, which loads asynchronously (once per process).
      await loadSolver();
      const started = performance.now();
      let candidates: Candidate[];
      const total = plan ? plan.latents.length : (count ?? request.count ?? 1);
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
          ...(plan ? { latents: plan.latents, parents: plan.parents, truncation: plan.truncation } : {}),
        });
      } catch (error) {
        if (error instanceof PipelineError) throw new CliError(`${label}: ${error.message}`);
        throw error;
      } finally {
        progress?.stop();
      }
      const seconds = (performance.now() - started) / 1000;
      // A variant's or blend's design id says so (its topology's id is its parent's).
      const ids = candidateDesignIds(candidates, options.variantOf ? "variant" : options.blend ? "blend" : undefined);
      const records = candidates.map((c, i) => candidateRecord(c, ids[i]!));
      if (options.out) {
        await writeFileAtomic(
          options.out,
          records.map((r) => JSON.stringify(r)).join("\n") + (records.length ? "\n" : ""),
        );
      }
      if (options.json) {
        printJson({ request: label, seconds, candidates: records });
      } else {
        const sources = [...new Set(candidates.map((c) => c.topologySource))].join(", ");
        printLine(`${candidates.length} candidate(s) in ${seconds.toFixed(1)} s, topology by ${sources}`);
        printLine("rank  valid  layout  errors  inherited  warnings  unrouted  critic   pipe m  footprint m²  design");
        for (const [i, c] of candidates.entries()) {
          const inherited = c.report.violations.filter((v) => v.severity === "error" && v.inherited).length;
          printLine(
            `${String(c.rank).padStart(4)}  ${(c.valid ? "yes" : "no").padEnd(5)}  ${(c.layoutValid ? "yes" : "no").padEnd(6)}  ${String(c.report.summary.errors).padStart(6)}  ${String(inherited).padStart(9)}  ${String(c.report.summary.warnings).padStart(8)}  ${String(c.unrouted.length).padStart(8)}  ${c.stats.criticScore.toFixed(2).padStart(6)}  ${c.stats.pipeLength.toFixed(0).padStart(7)}  ${c.stats.footprint.toFixed(0).padStart(12)}  ${ids[i]} (${c.design.equipment.length} items, ${c.design.lines.length} lines)`,
          );
        }
        if (candidates.some((c) => c.layoutValid && !c.valid))
          printLine(
            "layout yes: every error is the request's own topology's (marked inherited in the report); the layout added none",
          );
        if (options.out) printError(`wrote ${records.length} candidate(s) to ${options.out}`);
        else printError("nothing saved: give -o <file>.ndjson to keep the candidates, or --json to print them");
      }
      process.exitCode = candidates[0]?.valid ? EXIT.ok : EXIT.findings;
    });
}

async function readRequest(file: string): Promise<GenerationRequest> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  const parsed = parseDocument("generationRequest", text);
  if (!parsed.success) throw new CliError(issueLines(file, parsed.issues).join("\n"));
  return parsed.data;
}

/**
 * A variant's or blend's plan (its request, the latents to place with, its parents) and the
 * parent's topology source and truncation; undefined for a plain --request. Usage errors are exit 2.
 */
async function regenerationPlan(
  options: GenerateOptions,
): Promise<(RegenerationPlan & { source: string; truncation: number }) | undefined> {
  const given = [options.request, options.variantOf, options.blend].filter((v) => v !== undefined).length;
  if (given !== 1) throw new CliError("give one of --request <file>, --variant-of <candidate> or --blend <a,b[,t]>");
  if (options.set.length > 0 && options.variantOf === undefined) throw new CliError("--set applies to --variant-of");
  if (options.request !== undefined) return undefined;
  const flag = options.variantOf !== undefined ? "--variant-of" : "--blend";
  for (const [name, value] of [
    ["count", options.count],
    ["seed", options.seed],
    ["truncation", options.truncation],
  ] as const) {
    if (value !== undefined) throw new CliError(`--${name}: ${flag} makes one candidate from recorded latents`);
  }
  if (options.placement !== "gan") throw new CliError(`--placement ${options.placement}: ${flag} places with the GAN`);
  try {
    if (options.variantOf !== undefined) {
      const parent = await readCandidateRef(options.variantOf, "--variant-of");
      const plan = variantPlan(parent, options.set);
      return { ...plan, source: parent.origin.topologySource, truncation: parent.origin.truncation };
    }
    const { a, b, t } = splitBlend(options.blend!);
    const first = await readCandidateRef(a, "--blend");
    const second = await readCandidateRef(b, "--blend");
    const plan = blendPlan(first, second, t);
    return { ...plan, source: first.origin.topologySource, truncation: first.origin.truncation };
  } catch (error) {
    if (error instanceof ConditionChangeError) throw new CliError(`--set ${error.message}`);
    if (error instanceof OriginError) throw new CliError(`${flag}: ${error.message}`);
    throw error;
  }
}
