/**
 * Relief drainage on designer plants: how many relief and flare lines the router pockets
 * (piping.relief-free-draining errors), how many lines it leaves unrouted, and the total pipe length.
 *
 * Run: npx tsx --conditions=@plantgan/source packages/core/bench/relief-drain.bench.ts [seeds] [--save F] [--from F]
 *
 * Designs come from the hand-written designer (designPlantDetailed, every process class, seeds
 * 1..seeds, default 20). The designer picks its attempt by validating the routes, so a router change
 * can change which placement it returns: to compare two routers on the same placements, `--save F`
 * writes the placed designs (routes dropped) to F, and `--from F` routes those instead of designing
 * anew. Every design is rerouted from scratch with the current router and validated with
 * piping.relief-free-draining enabled, whatever the default pack says. `--dump F` writes every
 * line's route ({design: {line: route}}) for a before/after diff; `--without-relief` drops the
 * relief and flare lines (and branches off them) first, to check that the other lines' routes do
 * not depend on the drainage constraint.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Design, ProcessClass } from "../src/design/index.js";
import { DEFAULT_RULE_PACK } from "../src/design/rule-pack.js";
import { designPlantDetailed, TEMPLATES } from "../src/designer/index.js";
import { routeDesign } from "../src/route/index.js";
import { validateDesign } from "../src/validate/index.js";

const RULE = "piping.relief-free-draining";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const seeds = Number(args.find((a) => /^\d+$/.test(a)) ?? 20);
const saveTo = flag("--save");
const from = flag("--from");
const dumpTo = flag("--dump");
const withoutRelief = args.includes("--without-relief");

function unrouted(design: Design): Design {
  return {
    ...design,
    lines: design.lines.map((l) => Object.fromEntries(Object.entries(l).filter(([k]) => k !== "route")) as typeof l),
  };
}

function designs(): Design[] {
  if (from) return JSON.parse(readFileSync(from, "utf8")) as Design[];
  const out: Design[] = [];
  for (const processClass of Object.keys(TEMPLATES) as ProcessClass[]) {
    for (let seed = 1; seed <= seeds; seed++) out.push(unrouted(designPlantDetailed({ processClass, seed }).design));
  }
  return out;
}

/** The design less its relief and flare lines and every line that branches off one of them. */
function lessRelief(design: Design): Design {
  const gone = new Set(design.lines.filter((l) => l.service === "relief" || l.service === "flare").map((l) => l.id));
  let grew = true;
  while (grew) {
    grew = false;
    for (const l of design.lines) {
      if (gone.has(l.id)) continue;
      if ([l.from, l.to].some((end) => "line" in end && gone.has(end.line))) {
        gone.add(l.id);
        grew = true;
      }
    }
  }
  return { ...design, lines: design.lines.filter((l) => !gone.has(l.id)) };
}

const pack = { ...DEFAULT_RULE_PACK, disabledRules: DEFAULT_RULE_PACK.disabledRules?.filter((r) => r !== RULE) };
const inputs = withoutRelief ? designs().map(lessRelief) : designs();
if (saveTo) writeFileSync(saveTo, JSON.stringify(inputs));

let pocketed = 0;
let reliefLines = 0;
let unroutedLines = 0;
let length = 0;
let ms = 0;
let expansions = 0;
const dump: Record<string, Record<string, unknown>> = {};
const byClass = new Map<string, { designs: number; pocketed: number; unrouted: number }>();
for (const design of inputs) {
  const result = routeDesign(design, { reroute: true });
  const report = validateDesign(result.design, pack);
  const errors = report.violations.filter((v) => v.rule === RULE && v.severity === "error").length;
  const row = byClass.get(design.processClass ?? "?") ?? { designs: 0, pocketed: 0, unrouted: 0 };
  row.designs++;
  row.pocketed += errors;
  row.unrouted += result.unrouted.length;
  byClass.set(design.processClass ?? "?", row);
  dump[design.id] = Object.fromEntries(result.design.lines.map((l) => [l.id, l.route ?? null]));
  pocketed += errors;
  reliefLines += design.lines.filter((l) => l.service === "relief" || l.service === "flare").length;
  unroutedLines += result.unrouted.length;
  length += result.stats.totalLength;
  ms += result.stats.ms;
  expansions += result.stats.expansions;
}
if (dumpTo) writeFileSync(dumpTo, JSON.stringify(dump));
console.table(Object.fromEntries(byClass));
console.log(
  JSON.stringify({
    designs: inputs.length,
    reliefAndFlareLines: reliefLines,
    pocketed,
    unroutedLines,
    totalLength: Math.round(length * 100) / 100,
    expansions,
    routeSeconds: Math.round(ms) / 1000,
  }),
);
