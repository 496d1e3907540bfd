import { type CostRow, type CostSample, costRows, designCost, type LayoutMeasure } from "@plantgan/core/cost";
import { type Design, type GenerationRequest, parseDocument } from "@plantgan/core/design";
import { designPlantDetailed } from "@plantgan/core/designer";
import {
  deriveSeed,
  designSignature,
  type EvalRow,
  type EvalSample,
  evaluateSamples,
  requestFromDesign,
  selectBackend,
} from "@plantgan/core/gan";
import { designerTopology, errorRules, generateCandidates } from "@plantgan/core/generate";
import { loadSolver, optimiserLayout, type Solver } from "@plantgan/core/polish";
import { DEFAULT_RULE_PACK } from "@plantgan/core/validate";
import { type Command, Option } from "commander";
import { CliError } from "../exit.js";
import { defaultModelDir, loadGanModel, readSplit } from "../model-files.js";
import { printError, printJson, printLine } from "../output.js";
import { ProgressReporter } from "../progress.js";

interface EvalOptions {
  model?: string;
  dataset: string;
  split: string;
  perClass: string;
  seed: string;
  json?: boolean;
  baselines: boolean;
  optimiserSeconds: string;
}

/** The cost columns' methods: the model's candidate before and after the polish, the held-out design, random. */
type CostMethod = "model-unpolished" | "model" | "designer" | "random";

/** The legaliser's margin, which the polish and the optimiser keep too. */
const MARGIN = 1.5;

function layoutMeasure(design: Design): LayoutMeasure | undefined {
  const c = designCost(design, DEFAULT_RULE_PACK);
  return c ? { cost: c.total, length: c.routedLength, area: c.area } : undefined;
}

/**
 * The optimiser's measures on a design's equipment and lines, counted only when its layout is valid;
 * memoised by equipment and lines, so a candidate before and after the polish share one solve.
 */
function optimiserMeasures(solver: Solver, seconds: number) {
  const memo = new Map<string, LayoutMeasure | undefined>();
  return (design: Design): LayoutMeasure | undefined => {
    if (seconds <= 0) return undefined;
    const key = JSON.stringify([
      design.site,
      design.equipment.map((e) => [e.tag, e.type, e.footprint, e.rotation]),
      design.lines.map((l) => [l.id, l.from, l.to, l.size]),
    ]);
    if (!memo.has(key)) {
      const r = optimiserLayout(design, DEFAULT_RULE_PACK, solver, { timeLimit: seconds, margin: MARGIN });
      memo.set(key, r?.valid ? layoutMeasure(r.design) : undefined);
    }
    return memo.get(key);
  };
}

type Method = "model" | "random" | "designer";

/** Per class: how many candidates fail on each rule (a candidate counts once per rule). */
type FailureCounts = Record<string, Record<string, number>>;

function countFailures(into: FailureCounts, group: string, rules: readonly string[]): void {
  for (const g of [group, "all"]) {
    const counts = into[g] ?? {};
    into[g] = counts;
    for (const r of rules) counts[r] = (counts[r] ?? 0) + 1;
  }
}

/** What keeps a final candidate from being valid: validator rule ids, `unrouted:<code>`, `unresolved:<code>`. */
function finalFailures(rules: readonly string[], unrouted: readonly { code: string }[], unresolved: readonly string[]) {
  const codes = (prefix: string, list: readonly string[]) => [...new Set(list)].map((c) => `${prefix}:${c}`);
  // The report names unrouted lines and unresolved items (piping.routed, geometry.legal-position):
  // they are counted once, by the router's and legaliser's codes below.
  const byCode = new Set(["piping.routed", "geometry.legal-position"]);
  return [
    ...rules.filter((r) => !byCode.has(r)),
    ...codes(
      "unrouted",
      unrouted.map((u) => u.code),
    ),
    ...codes(
      "unresolved",
      unresolved.map((u) => u.split(":")[0]!),
    ),
  ];
}

function formatCounts(counts: Record<string, number> | undefined): string {
  const entries = Object.entries(counts ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.length === 0 ? "-" : entries.map(([r, k]) => `${r} ${k}`).join(", ");
}

function fmt(v: number, digits = 2): string {
  return Number.isFinite(v) ? v.toFixed(digits) : "-";
}

export function registerEval(program: Command): void {
  const command = program
    .command("eval")
    .description("Evaluate a model on held-out designs against random placement and the procedural designer")
    .option("--model <dir>", "model folder (default: the shipped datasets/models/default)")
    .option("--dataset <dir>", "dataset folder", "datasets/synthetic-v1")
    .option("--split <name>", "held-out split", "test")
    // --per-class, as `dataset build` names designs per process class; the old name still works.
    .option("--per-class <n>", "held-out designs per process class turned into requests", "10")
    .addOption(new Option("--count-per-class <n>", "old name of --per-class").hideHelp())
    .on("option:count-per-class", (value: string) => command.setOptionValue("perClass", value))
    .option("--seed <n>", "seed of the requests", "1")
    .option("--no-baselines", "skip the random and designer baselines")
    .option("--optimiser-seconds <s>", "time limit of the MILP optimiser per layout for the cost ratios (0: none)", "1")
    .option("--json", "print the tables as JSON")
    .addHelpText(
      "after",
      "\nEach held-out design gives one spec request (its class, site and equipment counts) and one candidate per method.\n" +
        "It measures the layout generator: every method places the designer's topology (the learned topology generator:\n" +
        "packages/core/bench/topology-eval.ts and pipeline.bench.ts).\n" +
        "valid: no validator error (unrouted lines and unresolved items are errors too); raw: no validator error before\n" +
        "legalise and route (first proposal); valid@1: valid with the first proposal; tries: proposals per candidate\n" +
        "(up to 4: a failing layout gets a new latent / new random positions, the last two also a fresh topology); unique/novel: distinct design signatures / signatures absent from the training split;\n" +
        "cond: requested equipment present; mmd: MMD² of design statistics to the whole held-out split of the class.\n" +
        "Below the table: per class, how many candidates fail each validator rule (unrouted:/unresolved: for lines the\n" +
        "router or items the legaliser left), after the pipeline and for the raw first proposal.\n" +
        "Cost table: median cost (pipe + elbows + land, the rule pack's cost model), routed length and plot area, and\n" +
        "their median ratios to the MILP optimiser on the same equipment and lines (--optimiser-seconds), counted only\n" +
        "where the optimiser's layout passes the pipeline's snap, route and validate (opt: how many). model = after the\n" +
        "polish, model-unpolished = before it; designer = the held-out design itself; random = random placement, unpolished.",
    )
    .action(async (options: EvalOptions) => {
      const perClass = Number(options.perClass);
      if (!Number.isInteger(perClass) || perClass < 1) throw new CliError("--per-class must be a positive integer");
      const seed = Number(options.seed);
      if (!Number.isInteger(seed) || seed < 0) throw new CliError("--seed must be a non-negative integer");
      const optimiserSeconds = Number(options.optimiserSeconds);
      if (!Number.isFinite(optimiserSeconds) || optimiserSeconds < 0)
        throw new CliError("--optimiser-seconds must be a number ≥ 0");
      const solver = await loadSolver();
      const optimiser = optimiserMeasures(solver, optimiserSeconds);
      const costSamples: Record<CostMethod, CostSample[]> = {
        "model-unpolished": [],
        model: [],
        designer: [],
        random: [],
      };
      const addCost = (method: CostMethod, processClass: string, design: Design) => {
        const measure = layoutMeasure(design);
        if (!measure) return;
        const opt = optimiser(design);
        costSamples[method].push({ processClass, measure, ...(opt ? { optimiser: opt } : {}) });
      };
      await selectBackend({ prefer: "wasm", log: () => {} });
      const { model } = await loadGanModel(options.model ?? defaultModelDir());
      const heldOut = (await readSplit(options.dataset, options.split)).designs;
      const training = (await readSplit(options.dataset, "train")).designs;
      const trainingSignatures = new Set(training.map(designSignature));

      const byClass = new Map<string, Design[]>();
      for (const d of heldOut) {
        const list = byClass.get(d.processClass) ?? [];
        if (list.length < perClass) list.push(d);
        byClass.set(d.processClass, list);
      }
      const sources = [...byClass.values()].flat();
      const requests: GenerationRequest[] = sources.map((d, k) => requestFromDesign(d, deriveSeed(seed, k)));
      const methods: Method[] = options.baselines ? ["model", "random", "designer"] : ["model"];
      const samples: Record<Method, EvalSample[]> = { model: [], random: [], designer: [] };
      const failures: Record<Method, { final: FailureCounts; raw: FailureCounts }> = {
        model: { final: {}, raw: {} },
        random: { final: {}, raw: {} },
        designer: { final: {}, raw: {} },
      };
      const progress = new ProgressReporter("eval", requests.length * methods.length);
      for (const method of methods) {
        for (const [k, request] of requests.entries()) {
          const started = performance.now();
          if (method === "designer") {
            addCost("designer", request.processClass, sources[k]!);
            const outcome = designPlantDetailed({
              processClass: request.processClass,
              seed: request.seed ?? 0,
              equipment: request.equipment ?? [],
            });
            const valid = outcome.report.summary.errors === 0;
            const rules = errorRules(outcome.report);
            countFailures(failures.designer.final, request.processClass, rules);
            countFailures(failures.designer.raw, request.processClass, rules);
            samples.designer.push({
              processClass: request.processClass,
              request,
              design: outcome.design,
              rawValid: valid,
              valid,
              attempts: 1,
              seconds: (performance.now() - started) / 1000,
            });
          } else {
            const [c] = generateCandidates(request, {
              placement: method === "model" ? "gan" : "random",
              model,
              // The layout generator's measures: every method places the designer's topology.
              topology: designerTopology,
              count: 1,
              // The random baseline stays a baseline: no polish.
              ...(method === "random" ? { polish: false } : {}),
            });
            if (!c) throw new Error("no candidate");
            addCost(method, request.processClass, c.design);
            if (method === "model") {
              const [raw] = generateCandidates(request, {
                placement: "gan",
                model,
                topology: designerTopology,
                count: 1,
                polish: false,
              });
              if (raw) addCost("model-unpolished", request.processClass, raw.design);
            }
            countFailures(
              failures[method].final,
              request.processClass,
              finalFailures(errorRules(c.report), c.unrouted, c.unresolved),
            );
            countFailures(failures[method].raw, request.processClass, c.rawRules);
            samples[method].push({
              processClass: request.processClass,
              request,
              design: c.design,
              rawValid: c.rawErrors === 0,
              valid: c.valid,
              attempts: c.attempts,
              seconds: (performance.now() - started) / 1000,
            });
          }
          progress.tick(`${method} ${request.processClass}`);
        }
      }
      progress.stop();
      const tables = Object.fromEntries(
        methods.map((m) => [m, evaluateSamples(samples[m], heldOut, trainingSignatures)]),
      ) as Record<Method, EvalRow[]>;
      // Sanity: requests are schema-valid generation requests.
      const bad = requests.find((r) => !parseDocument("generationRequest", r).success);
      if (bad) printError(`warning: an eval request does not fit the schema (${bad.processClass})`);
      const costMethods = (["model-unpolished", "model", "designer", "random"] as const).filter(
        (m) => costSamples[m].length > 0,
      );
      const costTables = Object.fromEntries(costMethods.map((m) => [m, costRows(costSamples[m])])) as Partial<
        Record<CostMethod, CostRow[]>
      >;
      if (options.json) {
        const failing = Object.fromEntries(methods.map((m) => [m, failures[m]]));
        printJson({
          split: options.split,
          countPerClass: perClass,
          tables,
          failures: failing,
          cost: { optimiserSeconds, tables: costTables },
        });
        return;
      }
      printLine(
        `split ${options.split}, ${requests.length} requests (${perClass} per class), one candidate per request and method`,
      );
      printLine("method    class             n   raw   valid@1  valid  tries  unique  novel  cond   mmd     s/cand");
      for (const m of methods) {
        for (const r of tables[m]) {
          printLine(
            `${m.padEnd(9)} ${r.group.padEnd(16)} ${String(r.n).padStart(3)}  ${fmt(r.rawValidity)}  ${fmt(r.validityFirst)}     ${fmt(r.validity)}  ${fmt(r.attempts, 1).padStart(5)}  ${fmt(r.uniqueness)}    ${fmt(r.novelty)}   ${fmt(r.conditionMatch)}   ${fmt(r.mmd, 3).padStart(6)}  ${fmt(r.secondsPerCandidate)}`,
          );
        }
      }
      printLine("");
      printLine("failing candidates by rule (after the pipeline; raw = first proposal before legalise and route)");
      for (const m of methods) {
        for (const r of tables[m]) {
          const final = failures[m].final[r.group];
          const raw = failures[m].raw[r.group];
          if (Object.keys(final ?? {}).length + Object.keys(raw ?? {}).length === 0) continue;
          printLine(`${m.padEnd(9)} ${r.group.padEnd(16)} final: ${formatCounts(final)}`);
          printLine(`${"".padEnd(9)} ${"".padEnd(16)} raw:   ${formatCounts(raw)}`);
        }
      }
      printLine("");
      printLine(
        `cost (${DEFAULT_RULE_PACK.cost?.currency ?? "-"}), routed length, plot area: medians, and ratios to the MILP optimiser (${optimiserSeconds} s limit, valid layouts only)`,
      );
      printLine("method            class             n  opt       cost  ×opt   length m  ×opt   area m²  ×opt");
      for (const m of costMethods) {
        for (const r of costTables[m] ?? []) {
          printLine(
            `${m.padEnd(17)} ${r.group.padEnd(16)} ${String(r.n).padStart(3)} ${String(r.paired).padStart(4)}  ${fmt(r.cost, 0).padStart(9)}  ${fmt(r.costRatio)}  ${fmt(r.length, 0).padStart(8)}  ${fmt(r.lengthRatio)}  ${fmt(r.area, 0).padStart(7)}  ${fmt(r.areaRatio)}`,
          );
        }
      }
    });
}
