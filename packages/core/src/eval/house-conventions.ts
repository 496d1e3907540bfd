/**
 * A company's house conventions written into a design, to build a variant of a dataset that the
 * designer's templates do not follow (issue 14 item 5). The rewrite is topology only: the layout
 * is dropped (positions and routes would no longer match the new items and lines).
 *
 * - `pumps2oo3`: every A/B pump pair becomes A/B/C (2-out-of-3). C is a copy of B: the same
 *   equipment data and the same lines (its suction tees into the same header, its discharge into
 *   the same header), and every trip that acts on B acts on C too.
 * - `controlValveStations`: every control valve gets a block valve upstream and downstream on its
 *   line (unless it has them) and a bypass line that tees off and back into that line, with its
 *   own globe valve (the contract has no position along a line, so the bypass is a line whose two
 *   ends tee into the control valve's line; motifs.ts judges it the same way).
 * - `pumpDischargeGauges`: a local pressure gauge (PI) on every line leaving a pump.
 */
import type { Design, PlantDesignInput } from "../design/types.js";
import { branchLine, isNozzleEnd } from "../design/types.js";
import { encodeSlotGraphWithLosses } from "../gan/topology/encode.js";
import type { MemberBranch } from "../gan/topology/spare-sets.js";
import type { SlotGraph, SlotGraphSpec } from "../gan/topology/spec.js";
import { stripLayout } from "../gan/topology.js";
import { CONVENTIONS, type Convention, conventionVerdicts } from "./conventions.js";
import { pumpGroups } from "./motifs.js";
import { parseTopology } from "./topology-graph.js";

type LineInput = PlantDesignInput["lines"][number];
type ComponentInput = NonNullable<LineInput["components"]>[number];

const BLOCK_VALVES: ReadonlySet<string> = new Set([
  "gate_valve",
  "globe_valve",
  "ball_valve",
  "butterfly_valve",
  "plug_valve",
]);

/** The conventions this module can write: every detector of conventions.ts but the low-low trip, which the templates already have. */
export const HOUSE_CONVENTIONS = [
  "pumps2oo3",
  "controlValveStations",
  "pumpDischargeGauges",
] as const satisfies readonly Convention[];
export type HouseConvention = (typeof HOUSE_CONVENTIONS)[number];

/** The design rewritten to follow each chosen convention, without layout. Throws on a design that does not parse. */
export function applyHouseConventions(
  design: Design | PlantDesignInput,
  conventions: readonly HouseConvention[] = HOUSE_CONVENTIONS,
): PlantDesignInput {
  for (const c of conventions) if (!CONVENTIONS.includes(c)) throw new RangeError(`unknown convention ${c}`);
  const parsed = parseTopology(design);
  if (!parsed) throw new Error(`applyHouseConventions: ${design.id} does not parse`);
  const out = stripLayout(parsed) as PlantDesignInput & { lines: LineInput[] };
  // Order matters: spare the pumps first, so the new C pumps get their gauges.
  if (conventions.includes("pumps2oo3")) spareTwoOutOfThree(out, parsed);
  if (conventions.includes("controlValveStations")) addControlValveStations(out);
  if (conventions.includes("pumpDischargeGauges")) addPumpDischargeGauges(out);
  return out;
}

/** A fresh name built from `base`: base itself, else base + suffix, base + suffix2, … */
function fresh(taken: Set<string>, base: string, suffix: string): string {
  let name = base;
  for (let k = 1; taken.has(name); k++) name = `${base}${suffix}${k === 1 ? "" : k}`;
  taken.add(name);
  return name;
}

/** The third member's tag: the pair's B with its letter moved on (P-101B → P-101C), else B + "C". */
function thirdTag(second: string, taken: Set<string>): string {
  const m = /^(.*\d)([A-Z])$/.exec(second);
  const next = m ? `${m[1]}${String.fromCharCode(m[2]!.charCodeAt(0) + 1)}` : `${second}C`;
  return fresh(taken, next, "X");
}

function spareTwoOutOfThree(out: PlantDesignInput & { lines: LineInput[] }, parsed: Design): void {
  const tags = new Set(out.equipment.map((e) => e.tag));
  const lineIds = new Set(out.lines.map((l) => l.id));
  for (const group of pumpGroups(parsed)) {
    if (group.length !== 2) continue;
    const second = [...group].sort()[1]!;
    const third = thirdTag(second, tags);
    const template = out.equipment.find((e) => e.tag === second)!;
    out.equipment.push({ ...structuredClone(template), tag: third });
    const rename = (end: LineInput["from"]) => (isNozzleEnd(end) && end.tag === second ? { ...end, tag: third } : end);
    for (const line of out.lines.filter(
      (l) => (isNozzleEnd(l.from) && l.from.tag === second) || (isNozzleEnd(l.to) && l.to.tag === second),
    )) {
      const copy = structuredClone(line);
      // Tagged components (a PSV, an XV) are instruments of their own loop or trip: the copy keeps the hardware only.
      const components = copy.components?.map(({ tag: _tag, ...c }) => c as ComponentInput);
      out.lines.push({
        ...copy,
        id: fresh(lineIds, `${line.id}-C`, ""),
        from: rename(copy.from),
        to: rename(copy.to),
        ...(components ? { components } : {}),
      });
    }
    for (const interlock of out.control?.interlocks ?? []) {
      const onSecond = interlock.effects.filter((e) => e.target === second);
      interlock.effects.push(...onSecond.map((e) => ({ ...e, target: third })));
    }
  }
}

function addControlValveStations(out: PlantDesignInput & { lines: LineInput[] }): void {
  const lineIds = new Set(out.lines.map((l) => l.id));
  for (const line of [...out.lines]) {
    const components = line.components ?? [];
    const at = components.findIndex((c) => c.type === "control_valve");
    if (at < 0) continue;
    const next: ComponentInput[] = [...components];
    // Upstream: the line's first hand valve stage (before strainers and meters), so the slot graph's canonical order holds it.
    if (!next.slice(0, at).some((c) => BLOCK_VALVES.has(c.type))) next.unshift({ type: "gate_valve" });
    const cv = next.findIndex((c) => c.type === "control_valve");
    if (!next.slice(cv + 1).some((c) => BLOCK_VALVES.has(c.type))) {
      // Downstream: after everything but a closing blind.
      const end = next.length > 0 && next[next.length - 1]!.type === "blind" ? next.length - 1 : next.length;
      next.splice(Math.max(end, cv + 1), 0, { type: "gate_valve" });
    }
    line.components = next;
    const hasBypass = out.lines.some(
      (l) =>
        branchLine(l.from) === line.id &&
        branchLine(l.to) === line.id &&
        (l.components ?? []).some((c) => BLOCK_VALVES.has(c.type)),
    );
    if (hasBypass) continue;
    const {
      route: _route,
      components: _c,
      from: _f,
      to: _t,
      id: _id,
      ...rest
    } = line as LineInput & { route?: unknown };
    out.lines.push({
      ...structuredClone(rest),
      id: fresh(lineIds, `${line.id}-BP`, ""),
      from: { line: line.id },
      to: { line: line.id },
      components: [{ type: "globe_valve" }],
    });
  }
}

function addPumpDischargeGauges(out: PlantDesignInput & { lines: LineInput[] }): void {
  const pumps = new Set(out.equipment.filter((e) => e.type === "pump").map((e) => e.tag));
  const instruments = out.instruments ?? [];
  out.instruments = instruments;
  const tags = new Set(instruments.map((i) => i.tag));
  const gauged = new Set(instruments.flatMap((i) => (i.on && "line" in i.on && /^PI-/.test(i.tag) ? [i.on.line] : [])));
  let number = 901;
  for (const line of out.lines) {
    if (!isNozzleEnd(line.from) || !pumps.has(line.from.tag) || gauged.has(line.id)) continue;
    while (tags.has(`PI-${number}`)) number++;
    tags.add(`PI-${number}`);
    instruments.push({ tag: `PI-${number}`, on: { line: line.id } });
  }
}

/** A design of the house's variant of a dataset, with its slot graph; or why the design is left out. */
export type HouseVariantItem =
  | {
      readonly design: Design;
      readonly graph: SlotGraph;
      /** With a spec's spareSets: what the sets' further members held (for observeRowMotifs). */
      readonly memberBranches: readonly MemberBranch[];
    }
  | { readonly skipped: "breaks_convention" | "not_held" | "too_large" };

/**
 * A design as the house would have drawn it, for training: the rewrite, kept only when it
 * follows every chosen convention (a bank of parallel pumps on one pair of headers, e.g. six
 * pumps, is not an A/B pair and stays as it is) and the slot graph holds it whole (a slot graph
 * holds two lines per pair of items, so a bypass around a control valve whose line already shares
 * its pair with another line, e.g. a pressure control valve to flare beside a relief line, is lost).
 */
export function houseVariant(
  design: Design | PlantDesignInput,
  conventions: readonly HouseConvention[],
  spec: SlotGraphSpec,
): HouseVariantItem {
  const parsed = parseTopology(applyHouseConventions(design, conventions));
  if (!parsed) throw new Error(`houseVariant: the rewrite of ${design.id} does not parse`);
  const verdicts = conventionVerdicts(parsed);
  if (conventions.some((c) => verdicts[c] === false)) return { skipped: "breaks_convention" };
  if (parsed.equipment.length > spec.nMax) return { skipped: "too_large" };
  const { graph, losses, memberBranches = [] } = encodeSlotGraphWithLosses(parsed, spec);
  if (Object.values(losses).some((n) => n > 0)) return { skipped: "not_held" };
  return { design: parsed, graph, memberBranches };
}
