/** One markdown table with every topology metric for every source side by side, class by class. */
import type { TopologyRow } from "./evaluate.js";

const fixed = (digits: number) => (x: number) => (Number.isFinite(x) ? x.toFixed(digits) : "–");
const share = fixed(2);

const COLUMNS: readonly (readonly [string, (r: TopologyRow) => string])[] = [
  ["class", (r) => r.group],
  ["source", (r) => r.source],
  ["candidates", (r) => String(r.candidates)],
  ["valid raw", (r) => share(r.validityRaw)],
  ["valid repaired", (r) => share(r.validityRepaired)],
  ["novelty", (r) => share(r.novelty)],
  ["NN WL distance", (r) => fixed(3)(r.nearestDistance)],
  ["uniqueness", (r) => share(r.uniqueness)],
  ["graph MMD² (energy)", (r) => fixed(3)(r.mmd)],
  ["condition match", (r) => share(r.conditionMatch)],
  ["pumps 2oo3", (r) => share(r.conventions.pumps2oo3)],
  ["CV block+bypass", (r) => share(r.conventions.controlValveStations)],
  ["LL trip on pump tanks", (r) => share(r.conventions.lowLowOnPumpTanks)],
  ["s/candidate", (r) => fixed(3)(r.secondsPerCandidate)],
];

export function topologyTable(rows: readonly TopologyRow[]): string {
  const head = `| ${COLUMNS.map(([name]) => name).join(" | ")} |`;
  const rule = `|${COLUMNS.map(() => "---").join("|")}|`;
  const body = rows.map((r) => `| ${COLUMNS.map(([, cell]) => cell(r)).join(" | ")} |`);
  return [head, rule, ...body].join("\n");
}
