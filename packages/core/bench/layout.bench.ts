/**
 * Layout cost benchmark (issue 19): rank-1 candidates of the shipped model (datasets/models/default)
 * on requests made from the synthetic-v1 test split, before and after the polish step, against the
 * MILP optimiser baseline with a time limit on the same equipment, lines, spacing and 1.5 m margin.
 * An optimiser layout counts only once the pipeline's own legalise (grid snap), route and validate
 * accept it, as the issue's comparison did. The table (layout-table.ts) gives per class and pooled
 * the median cost ratios, validity before and after, polish time, and the polish's speed against the
 * optimiser reaching the polished cost (read from the optimiser's incumbent trace in the same run).
 *
 *   pnpm bench:layout [--per-class 10] [--seeds 1] [--limit 10] [--classes a,b] [--model dir] [--json out.json]
 *
 * --limit is the optimiser's time limit, s; 0 runs no optimiser (polish and validity only). --model
 * is a model folder to bench instead of the shipped one (e.g. one layout-cost-finetune.ts wrote).
 *
 * Figures at commit 68bac7a (2 shared cores; polished / optimiser, pooled medians; speed = the
 * optimiser's time to the polished objective ÷ polish time, a lower bound where it never got there):
 * - `--per-class 10 --seeds 2 --limit 5` (load 7–8): 106 of 140 pairs valid; piping 0.89, length
 *   0.85, area 0.82; valid 138 → 138, none lost; LP 42 ms, whole polish 243 ms; speed ≥100× on the
 *   LP (107 of 140 at ≥50×), ≥18× on the whole polish.
 * - `--per-class 3 --seeds 1 --limit 30` (load 7–13): 16 of 21; piping 0.94, length 0.84, area 0.79;
 *   21 → 21; speed ≥235× LP (18 of 21 at ≥50×), ≥34× whole polish.
 * - `--per-class 5 --seeds 1 --limit 30` (load 1.5–4, at 65c6b4c): 29 of 35; piping 1.03, length 1.02,
 *   area 1.02 (per class up to 1.15, 1.09, 1.55: pump_station's area, gas_compression's 1.26);
 *   35 → 35; LP 21 ms, whole polish 131 ms; speed ≥779× LP (29 of 35 at ≥50×; tank_farm ≥14×),
 *   ≥100× whole polish; 18–22 items whole polish median 129 ms, max 410 ms.
 * - `--per-class 2 --seeds 1 --limit 60` (load 7–11): 11 of 14; piping 1.01, length 0.87, area 1.02;
 *   14 → 14; speed ≥623× LP (11 of 14), ≥170× whole polish; reactor_section's length 1.17.
 * - `--per-class 10 --seeds 2 --limit 0` (polish only, load 4–4.5): 18–22 items, whole polish median
 *   67 ms, max 449 ms; LP median 15 ms.
 *
 * After the polish's rows were put on the grid (arrange.ts; the snap no longer undoes the LP), at 0856773:
 * - `--classes pump_station --per-class 10 --seeds 2 --limit 10` (load 1.1–1.7): area 2.36 → 0.99,
 *   piping 0.90, length 0.92; 20 → 20 valid; whole polish 12 ms; speed ≥174× LP, ≥88× whole. Paired
 *   with a run just before the change (same candidates, that run's optimiser layouts), area after
 *   the polish 1.14 → 0.97.
 * - `--classes tank_farm --per-class 10 --seeds 2 --limit 10` (load 1.0–1.2): area 1.30 → 0.72,
 *   piping 1.03, length 1.07; 18 → 18; whole polish 38 ms, but speed ≥68× LP, ≥18× whole: the
 *   polish's LP objective now includes the room the snap needs, so the optimiser (compared before
 *   its own snap) reaches it sooner.
 * - `--per-class 10 --seeds 1 --limit 0` (load 1.1–1.3): 68 → 68 valid, none lost; whole polish
 *   31 ms; 18–22 items median 33 ms, max 95 ms.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { type CostBreakdown, priceDesign } from "@plantgan/core/cost";
import { type Design, PROCESS_CLASSES, parseDesign } from "@plantgan/core/design";
import {
  fromModelFiles,
  type GanModelConfig,
  loadModel,
  modelLayout,
  requestFromDesign,
  selectBackend,
} from "@plantgan/core/gan";
import { type Candidate, generateCandidates } from "@plantgan/core/generate";
import {
  boxOf,
  loadSolver,
  optimisePlacement,
  placementObjective,
  placementProblem,
  polishCandidate,
  polishPlacement,
  realisePlacement,
} from "@plantgan/core/polish";
import { DEFAULT_RULE_PACK, validateDesign } from "@plantgan/core/validate";
import { type LayoutRow, layoutTable, type Measure } from "./layout-table.js";

function arg(name: string, fallback: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1]! : fallback;
}
const perClass = Number(arg("per-class", "10"));
const seeds = Number(arg("seeds", "1"));
const limit = Number(arg("limit", "10"));
const classes = arg("classes", PROCESS_CLASSES.join(",")).split(",");
const jsonOut = process.argv.includes("--json") ? arg("json", "") : undefined;
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const modelDir = arg("model", join(root, "datasets/models/default"));
const MARGIN = 1.5;
const pack = DEFAULT_RULE_PACK;
const model = pack.cost!;

async function loadLayoutModel(dir: string) {
  const folder = async (sub: string) =>
    loadModel(
      await fromModelFiles(
        JSON.parse(readFileSync(join(dir, sub, "model.json"), "utf8")),
        new Uint8Array(readFileSync(join(dir, sub, "weights.bin"))),
      ),
    );
  const config = JSON.parse(readFileSync(join(dir, "plantgan-model.json"), "utf8")).config.model as GanModelConfig;
  return { generator: await folder("generator"), critic: await folder("critic"), config, layout: modelLayout(config) };
}

function testDesigns(): Map<string, Design[]> {
  const text = gunzipSync(readFileSync(join(root, "datasets/synthetic-v1/test.ndjson.gz"))).toString("utf8");
  const out = new Map<string, Design[]>(classes.map((c) => [c, []]));
  for (const line of text.trim().split("\n")) {
    const parsed = parseDesign(line);
    if (!parsed.success) continue;
    const list = out.get(parsed.data.processClass);
    if (list && list.length < perClass) list.push(parsed.data);
  }
  return out;
}

const measure = (c: CostBreakdown, valid: boolean): Measure => ({
  piping: c.pipe + c.bends,
  length: c.routedLength,
  area: c.area,
  valid,
});

/** The optimiser's positions through the pipeline's own grid snap, router and validator. */
function realise(design: Design, x: readonly number[], y: readonly number[]): Measure {
  const r = realisePlacement(design, x, y, pack, MARGIN);
  return measure(r.cost!, r.valid);
}

const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

async function main(): Promise<void> {
  const loadStart = loadAverage();
  await selectBackend({ prefer: "wasm", log: () => {} });
  const solver = await loadSolver();
  const gan = await loadLayoutModel(modelDir);
  console.error(`model: ${modelDir}`);
  const rows: LayoutRow[] = [];
  const all = testDesigns();
  // Warm-up (untimed): the first HiGHS solves compile the WebAssembly paths the later ones reuse.
  const first = [...all.values()].flat()[0];
  if (first) {
    polishCandidate(first, validateDesign(first, pack), [], pack, solver, { margin: MARGIN });
    optimisePlacement(placementProblem(first, pack, MARGIN), solver, { timeLimit: 1 });
  }
  for (const [cls, designs] of all) {
    for (const design of designs) {
      for (let s = 0; s < seeds; s++) {
        const request = requestFromDesign(design, 7919 * (s + 1));
        const [c] = generateCandidates(request, { model: gan, count: 1, polish: false }) as Candidate[];
        if (!c) continue;
        const started = performance.now();
        const polished = polishCandidate(c.design, c.report, c.unrouted, pack, solver, { margin: MARGIN });
        const polishMs = performance.now() - started;
        const before = measure(priceDesign(c.design, model), c.valid);
        const afterValid =
          c.unresolved.length === 0 && polished.unrouted.length === 0 && polished.report.summary.errors === 0;
        const after = measure(priceDesign(polished.design, model), afterValid);
        const p = placementProblem(c.design, pack, MARGIN);
        const ref = boxOf(p, p.x, p.y);
        const opt = limit > 0 ? optimisePlacement(p, solver, { timeLimit: limit, reference: ref }) : undefined;
        const optimiser = opt?.x && opt.y ? { ...realise(c.design, opt.x, opt.y), status: opt.status } : undefined;
        // The target: the MILP's objective at the polish LP's positions when the polish was kept (both
        // compared before the grid snap, as the MILP's incumbents are), at the candidate's when not.
        const at = opt && polished.polish.applied ? polishPlacement(p, solver) : p;
        const target = placementObjective(p, at.x, at.y, ref);
        const reach = opt?.incumbents.find((i) => i.objective <= target + 1e-6 * Math.max(1, target));
        const row: LayoutRow = {
          cls,
          design: design.id,
          seed: request.seed ?? 0,
          items: design.equipment.length,
          before,
          after,
          ...(optimiser ? { optimiser } : {}),
          lpMs: polished.polish.lpMs,
          polishMs,
          ...(reach ? { optimiserReachMs: reach.ms } : {}),
          optimiserMs: opt?.ms ?? 0,
        };
        rows.push(row);
        console.error(
          `${cls} ${design.id} seed ${row.seed}: ${row.items} items, piping ${before.piping.toFixed(0)} → ${after.piping.toFixed(0)}, polish ${polishMs.toFixed(0)} ms (LP ${row.lpMs.toFixed(0)}), optimiser ${opt ? `${opt.status} ${optimiser?.valid ? "valid" : "invalid"}` : "not run"}${reach ? `, reached the polished cost at ${reach.ms.toFixed(0)} ms` : ""}`,
        );
      }
    }
  }
  console.log(layoutTable(rows, { limit, load: [loadStart, loadAverage()] }));
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(rows, null, 1));
}

await main();
