/**
 * Per-rule validator timings: where the time of `pnpm bench:validate` goes, and how each part grows
 * from 10,000 to 100,000 equipment (issue 16: no worse than n log n, a ratio of about 12.5).
 *
 * Run: npx tsx --conditions=@plantgan/source packages/core/bench/validate-rules.bench.ts [sizes...]
 *
 * The lazily built indexes (footprints, segments, segment grid, neighbour pairs, line ends, control
 * references) are built and timed on their own first, so no rule is charged for them. Each part's time is the best of
 * three runs on a fresh context (indexes rebuilt each time), in process CPU time (garbage-collector
 * threads included; steadier than wall time on a shared machine). A collection lands on whichever
 * part allocates when it falls due, so compare the total and the large parts, not the small ones.
 */
import { syntheticCleanPlant as syntheticPlant } from "@plantgan/testing";
import { DEFAULT_RULE_PACK } from "../src/design/rule-pack.js";
import { createContext } from "../src/validate/context.js";
import { validateDesign } from "../src/validate/index.js";
import { resolveRulePack } from "../src/validate/pack.js";
import { RULES } from "../src/validate/registry.js";
import type { RuleContext } from "../src/validate/types.js";

const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [10_000, 100_000];
const pack = resolveRulePack(DEFAULT_RULE_PACK);
const REPS = 3;

/** Process CPU time, ms. */
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** The indexes rules build on first use, in the order they depend on one another. */
const INDEXES: readonly [string, (ctx: RuleContext) => unknown][] = [
  ["<index.footprints>", (ctx) => ctx.index.footprints],
  ["<index.segments>", (ctx) => ctx.index.segments],
  ["<index.segmentGrid>", (ctx) => ctx.index.segmentGrid],
  ["<index.neighbours>", (ctx) => ctx.index.neighbours],
  ["<index.line ends>", (ctx) => ctx.design.lines.length > 0 && ctx.index.endNozzle(0, "from")],
  ["<index.control>", (ctx) => ctx.index.control],
];

/** Part name → best time per size, ms. */
const best = new Map<string, number[]>();
const record = (name: string, column: number, ms: number): void => {
  const row = best.get(name) ?? [];
  row[column] = Math.min(row[column] ?? Number.POSITIVE_INFINITY, ms);
  best.set(name, row);
};

for (let column = 0; column < sizes.length; column++) {
  const design = syntheticPlant(sizes[column]!);
  validateDesign(design); // warm-up
  for (let rep = 0; rep < REPS; rep++) {
    let t = cpuNow();
    const ctx = createContext(design, pack);
    record("<context>", column, cpuNow() - t);
    for (const [name, build] of INDEXES) {
      t = cpuNow();
      build(ctx);
      record(name, column, cpuNow() - t);
    }
    for (const rule of RULES) {
      t = cpuNow();
      rule.check(ctx, () => {});
      record(rule.id, column, cpuNow() - t);
    }
    // As validateDesign does: the next run reuses the indexes' typed arrays.
    ctx.index.arrays.end();
  }
}

const last = sizes.length - 1;
const rows = [...best.entries()].sort((a, b) => b[1][last]! - a[1][last]!);
let totals = sizes.map(() => 0);
console.log(["part".padEnd(40), ...sizes.map((n) => String(n).padStart(9)), "  ratio"].join(""));
for (const [name, times] of rows) {
  totals = totals.map((sum, i) => sum + times[i]!);
  const ratio = sizes.length > 1 ? (times[last]! / times[0]!).toFixed(1).padStart(7) : "";
  console.log([name.padEnd(40), ...times.map((ms) => ms.toFixed(1).padStart(9)), ratio].join(""));
}
console.log(["total".padEnd(40), ...totals.map((ms) => ms.toFixed(1).padStart(9))].join(""));
