/**
 * Layout cost benchmark (issue 19): rank-1 candidates of the shipped model (datasets/models/default)
 * on requests made from the synthetic-v1 test split, before and after the polish step, against the
 * MILP optimiser baseline with a time limit on the same equipment, lines, spacing and 1.5 m margin.
 * Per class it prints the median ratio to the optimiser of piping cost (pipe + elbows, routed),
 * routed length and bounding-box area, before and after the polish; validity before and after; the
 * polish LP time per candidate; and how long the optimiser takes to reach the polished layout's
 * objective. An optimiser layout counts only once the pipeline's own legalise (grid snap), route and
 * validate accept it, as the comparison did.
 *
 *   pnpm bench:layout [--per-class 10] [--seeds 1] [--limit 10] [--classes a,b] [--json out.json]
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
  realisePlacement,
} from "@plantgan/core/polish";
import { DEFAULT_RULE_PACK, validateDesign } from "@plantgan/core/validate";

function arg(name: string, fallback: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1]! : fallback;
}
const perClass = Number(arg("per-class", "10"));
const seeds = Number(arg("seeds", "1"));
const limit = Number(arg("limit", "10"));
const classes = arg("classes", PROCESS_CLASSES.join(",")).split(",");
const jsonOut = process.argv.includes("--json") ? arg("json", "") : undefined;
const MARGIN = 1.5;
const pack = DEFAULT_RULE_PACK;
const model = pack.cost!;
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");

async function loadShippedModel() {
  const dir = join(root, "datasets/models/default");
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

interface Measure {
  readonly piping: number;
  readonly length: number;
  readonly area: number;
  readonly valid: boolean;
}
const measure = (c: CostBreakdown, valid: boolean): Measure => ({
  piping: c.pipe + c.bends,
  length: c.routedLength,
  area: c.area,
  valid,
});

interface Row {
  readonly cls: string;
  readonly design: string;
  readonly seed: number;
  readonly items: number;
  readonly before: Measure;
  readonly after: Measure;
  readonly optimiser?: Measure & { readonly status: string };
  readonly lpMs: number;
  readonly checkMs: number;
  /** ms the MILP took to reach the polished objective; undefined: not within the limit. */
  readonly milpToPolished?: number;
}

/** The optimiser's positions through the pipeline's own grid snap, router and validator. */
function realise(design: Design, x: readonly number[], y: readonly number[]): Measure {
  const r = realisePlacement(design, x, y, pack, MARGIN);
  return measure(r.cost!, r.valid);
}

const median = (v: readonly number[]): number => {
  if (v.length === 0) return Number.NaN;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  await selectBackend({ prefer: "wasm", log: () => {} });
  const solver = await loadSolver();
  const gan = await loadShippedModel();
  const rows: Row[] = [];
  const all = testDesigns();
  // Warm-up (untimed): the first HiGHS solve compiles the WebAssembly paths the later ones reuse.
  const first = [...all.values()].flat()[0];
  if (first) polishCandidate(first, validateDesign(first, pack), [], pack, solver, { margin: MARGIN });
  for (const [cls, designs] of all) {
    for (const design of designs) {
      for (let s = 0; s < seeds; s++) {
        const request = requestFromDesign(design, 7919 * (s + 1));
        const [c] = generateCandidates(request, { model: gan, count: 1, polish: false }) as Candidate[];
        if (!c) continue;
        const polished = polishCandidate(c.design, c.report, c.unrouted, pack, solver, { margin: MARGIN });
        const before = measure(priceDesign(c.design, model), c.valid);
        const afterValid =
          c.unresolved.length === 0 && polished.unrouted.length === 0 && polished.report.summary.errors === 0;
        const after = measure(priceDesign(polished.design, model), afterValid);
        const p = placementProblem(c.design, pack, MARGIN);
        const ref = boxOf(p, p.x, p.y);
        const opt = optimisePlacement(p, solver, { timeLimit: limit, reference: ref });
        const optimiser = opt.x && opt.y ? { ...realise(c.design, opt.x, opt.y), status: opt.status } : undefined;
        // The polished layout's value of the MILP's objective: how long does the MILP take to match it?
        const target = placementObjective(
          p,
          polished.design.equipment.map((e) => e.x!),
          polished.design.equipment.map((e) => e.y!),
          ref,
        );
        let milpToPolished: number | undefined;
        if (opt.objective !== undefined && opt.objective <= target) {
          const again = optimisePlacement(p, solver, { timeLimit: limit, reference: ref, target });
          if (again.objective !== undefined && again.objective <= target + 1e-6) milpToPolished = again.ms;
        }
        const row: Row = {
          cls,
          design: design.id,
          seed: request.seed ?? 0,
          items: design.equipment.length,
          before,
          after,
          ...(optimiser ? { optimiser } : {}),
          lpMs: polished.polish.lpMs,
          checkMs: polished.polish.checkMs,
          ...(milpToPolished !== undefined ? { milpToPolished } : {}),
        };
        rows.push(row);
        console.error(
          `${cls} ${design.id} seed ${row.seed}: ${row.items} items, cost ${(before.piping + 0).toFixed(0)} → ${after.piping.toFixed(0)}, lp ${row.lpMs.toFixed(0)} ms, milp ${opt.status} ${optimiser?.valid ? "valid" : "invalid"}`,
        );
      }
    }
  }
  printTable(rows);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(rows, null, 1));
}

function printTable(rows: readonly Row[]): void {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "  –  ");
  console.log(
    `optimiser: HiGHS MILP, ${limit} s limit; ratios = candidate / optimiser on pairs where the optimiser's layout is valid after snap, route, validate`,
  );
  console.log(
    "class            n  opt✓ | piping before after | length before after | area before after | valid before after | LP ms med max | MILP reaches polished (n, med s)",
  );
  for (const cls of [...new Set(rows.map((r) => r.cls)), "all"]) {
    const rs = rows.filter((r) => cls === "all" || r.cls === cls);
    const paired = rs.filter((r) => r.optimiser?.valid);
    const ratio = (pick: (m: Measure) => number, which: "before" | "after") =>
      median(paired.map((r) => pick(r[which]) / pick(r.optimiser!)));
    const reached = rs.filter((r) => r.milpToPolished !== undefined).map((r) => r.milpToPolished! / 1000);
    const pct = (n: number) => `${Math.round((100 * n) / Math.max(1, rs.length))}%`;
    console.log(
      [
        cls.padEnd(16),
        String(rs.length).padStart(2),
        String(paired.length).padStart(5),
        "|",
        f(ratio((m) => m.piping, "before")).padStart(13),
        f(ratio((m) => m.piping, "after")).padStart(5),
        "|",
        f(ratio((m) => m.length, "before")).padStart(13),
        f(ratio((m) => m.length, "after")).padStart(5),
        "|",
        f(ratio((m) => m.area, "before")).padStart(11),
        f(ratio((m) => m.area, "after")).padStart(5),
        "|",
        pct(rs.filter((r) => r.before.valid).length).padStart(12),
        pct(rs.filter((r) => r.after.valid).length).padStart(5),
        "|",
        median(rs.map((r) => r.lpMs))
          .toFixed(0)
          .padStart(10),
        Math.max(...rs.map((r) => r.lpMs))
          .toFixed(0)
          .padStart(4),
        "|",
        `${reached.length}/${rs.length}, ${reached.length ? median(reached).toFixed(1) : "–"}`.padStart(12),
      ].join(" "),
    );
  }
  const near20 = rows.filter((r) => r.items >= 18 && r.items <= 22);
  if (near20.length > 0) {
    console.log(
      `polish LP per 18–22-item candidate: median ${median(near20.map((r) => r.lpMs)).toFixed(0)} ms, max ${Math.max(...near20.map((r) => r.lpMs)).toFixed(0)} ms (n ${near20.length}); re-route + validate median ${median(near20.map((r) => r.checkMs)).toFixed(0)} ms`,
    );
  }
}

await main();
