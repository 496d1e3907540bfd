/**
 * Legaliser benchmark: takes designs (the shipped dataset's test split, or designer output when the
 * dataset is not there), moves items at random by up to 10 m, then legalises, re-routes every line
 * and validates. Prints the share that comes back with zero validator errors and the displacement.
 *
 *   npx tsx --conditions=@plantgan/source packages/core/bench/legalise.bench.ts [--designs N] [--seed S] [--margin M]
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { type Design, metres, PROCESS_CLASSES, parseDesign } from "@plantgan/core/design";
import { designPlant, Rng } from "@plantgan/core/designer";
import { legaliseDesign } from "@plantgan/core/legalise";
import { routeDesign } from "@plantgan/core/route";
import { validateDesign } from "@plantgan/core/validate";

const CLASSES = PROCESS_CLASSES;

function arg(name: string, fallback: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : fallback;
}

const count = arg("designs", 210);
const seed = arg("seed", 7);
const marginArg = process.argv.includes("--margin") ? arg("margin", 0) : undefined;
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const shipped = join(root, "datasets/synthetic-v1/test.ndjson.gz");

function loadDesigns(): { designs: Design[]; source: string } {
  if (existsSync(shipped)) {
    const lines = gunzipSync(readFileSync(shipped)).toString("utf8").split("\n").filter(Boolean);
    const designs = lines.slice(0, count).map((text) => {
      const parsed = parseDesign(text);
      if (!parsed.success) throw new Error(`dataset design does not parse: ${parsed.issues[0]?.message}`);
      return parsed.data;
    });
    return { designs, source: "datasets/synthetic-v1/test.ndjson.gz" };
  }
  const designs = Array.from({ length: count }, (_, k) =>
    designPlant({ processClass: CLASSES[k % CLASSES.length]!, seed: 100_000 + k }),
  );
  return { designs, source: "designer output (dataset not built)" };
}

/** Moves about a third of the items by a random vector of up to 10 m (kept on the plot). */
function perturb(d: Design, rng: Rng): Design {
  const equipment = d.equipment.map((e) => {
    if (e.x === undefined || e.y === undefined || !rng.chance(0.35)) return e;
    const r = rng.float(0, 10);
    const a = rng.float(0, 2 * Math.PI);
    const x = Math.min(d.site.width, Math.max(0, e.x + r * Math.cos(a)));
    const y = Math.min(d.site.depth, Math.max(0, e.y + r * Math.sin(a)));
    return { ...e, x: Math.round(x * 100) / 100, y: Math.round(y * 100) / 100 };
  });
  return { ...d, equipment };
}

const { designs, source } = loadDesigns();
const rng = new Rng(seed);
let before = 0;
let valid = 0;
let geometryValid = 0;
let moved = 0;
let displacement = 0;
let unresolved = 0;
let validRouted = 0;
const started = performance.now();
let legaliseMs = 0;
const failures = new Map<string, number>();
for (const d of designs) {
  const perturbed = perturb(d, rng);
  if (validateDesign(perturbed).summary.errors === 0) before++;
  const t = performance.now();
  const legal = legaliseDesign(perturbed, undefined, marginArg !== undefined ? { margin: metres(marginArg) } : {});
  legaliseMs += performance.now() - t;
  if (legal.unresolved.length > 0) unresolved++;
  const real = legal.moves.filter((m) => m.reason !== "snap");
  moved += real.length;
  displacement += real.reduce((s, m) => s + m.distance, 0);
  const routed = routeDesign(legal.design, { reroute: true });
  const report = validateDesign(routed.design);
  if (report.summary.errors === 0) valid++;
  if (report.summary.errors === 0 && routed.unrouted.length === 0) validRouted++;
  else
    for (const v of report.violations)
      if (v.severity === "error") failures.set(v.rule, (failures.get(v.rule) ?? 0) + 1);
  if (!report.violations.some((v) => v.severity === "error" && v.category === "geometry")) geometryValid++;
}
const n = designs.length;
const pct = (k: number) => `${((100 * k) / n).toFixed(1)}%`;
console.log(`legaliser benchmark: ${n} designs from ${source}, perturbation seed ${seed}, moves up to 10 m`);
console.log(`valid before legalise:              ${pct(before)}`);
console.log(`valid after legalise + re-route:    ${pct(valid)} (${valid}/${n})`);
console.log(`... and every line routed:           ${pct(validRouted)} (${validRouted}/${n})`);
console.log(`geometry rules clean after legalise: ${pct(geometryValid)}`);
console.log(`designs with unresolved items:      ${unresolved}`);
console.log(`items moved per design:             ${(moved / n).toFixed(2)}`);
console.log(`mean displacement per moved item:   ${(moved ? displacement / moved : 0).toFixed(2)} m`);
console.log(
  `legalise time per design:           ${(legaliseMs / n).toFixed(1)} ms (total run ${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
if (failures.size > 0) console.log("remaining errors by rule:", Object.fromEntries(failures));
