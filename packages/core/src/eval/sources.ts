/**
 * Topology sources: a function from a request (as the user wrote it) and a seed to a topology.
 * The learned generator plugs in as one more source; the three baselines here bound it:
 * - designer: the hand-written designer's topology, layout stripped;
 * - retrieval: the nearest training design (same class, closest equipment counts): the honest
 *   floor for novelty, which it scores 0 by construction;
 * - random graph: the requested equipment with random lines, valves, instruments, loops and
 *   interlocks drawn at the training set's average sizes: a floor for realism MMD.
 */
import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import type { Design, EquipmentType, GenerationRequest, PlantDesignInput, RulePack } from "../design/types.js";
import { COMPONENT_TYPES, EQUIPMENT_TAG_PREFIX } from "../design/vocabulary.js";
import { designPlantDetailed } from "../designer/designer.js";
import { mixSeed, Rng } from "../designer/rng.js";
import { stripLayout } from "../gan/topology.js";

/** What a source returns: a raw topology, or a raw one and its repaired form. */
export type SourceOutput =
  | PlantDesignInput
  | { readonly topology: PlantDesignInput; readonly repaired?: PlantDesignInput };

export type TopologySourceFunction = (request: GenerationRequest, seed: number) => SourceOutput | Promise<SourceOutput>;

/**
 * A function, or an object shaped like the generation pipeline's topology sources
 * (generate/topology-source.ts: `propose(request, seed, pack)`), so those plug in unchanged.
 */
export type TopologySource =
  | TopologySourceFunction
  | {
      propose(request: GenerationRequest, seed: number, pack: RulePack): SourceOutput | Promise<SourceOutput>;
    };

/** Runs either kind of source. */
export function propose(
  source: TopologySource,
  request: GenerationRequest,
  seed: number,
  pack: RulePack = DEFAULT_RULE_PACK,
): SourceOutput | Promise<SourceOutput> {
  return typeof source === "function" ? source(request, seed) : source.propose(request, seed, pack);
}

/** The requested count per type, as written. */
export function requestedCounts(request: GenerationRequest): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of request.equipment ?? []) counts.set(e.type, (counts.get(e.type) ?? 0) + e.count);
  return counts;
}

/** The hand-written designer (templates, top-up, placement, routing) with its layout thrown away. */
export const designerSource: TopologySourceFunction = (request, seed) =>
  stripLayout(
    designPlantDetailed({
      processClass: request.processClass,
      seed,
      ...(request.equipment ? { equipment: request.equipment } : {}),
    }).design,
  );

/**
 * The training design of the request's class whose equipment counts are closest (L1 over types)
 * to the request's; ties are broken by the seed, so different seeds may retrieve different designs
 * of equal distance.
 */
export function retrievalSource(training: readonly Design[]): TopologySourceFunction {
  const counted = training.map((design) => {
    const counts = new Map<string, number>();
    for (const e of design.equipment) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    return { design, counts };
  });
  return (request, seed) => {
    const want = requestedCounts(request);
    let best: Design[] = [];
    let bestDistance = Infinity;
    for (const { design, counts } of counted) {
      if (design.processClass !== request.processClass) continue;
      let distance = 0;
      for (const type of new Set([...want.keys(), ...counts.keys()])) {
        distance += Math.abs((want.get(type) ?? 0) - (counts.get(type) ?? 0));
      }
      if (distance < bestDistance) {
        bestDistance = distance;
        best = [design];
      } else if (distance === bestDistance) best.push(design);
    }
    if (best.length === 0) throw new Error(`no training design of class ${request.processClass}`);
    return stripLayout(best[Math.abs(seed) % best.length]!);
  };
}

/** Average sizes and frequencies of the training set that the random graph draws from. */
export interface TrainingShape {
  readonly linesPerEquipment: number;
  readonly branchEndShare: number;
  readonly componentsPerLine: number;
  readonly componentTypes: readonly (readonly [string, number])[];
  readonly services: readonly (readonly [string, number])[];
  readonly instrumentsPerEquipment: number;
  readonly instrumentLetters: readonly (readonly [string, number])[];
  readonly loopsPerEquipment: number;
  readonly interlocksPerEquipment: number;
  readonly effectsPerInterlock: number;
  /** One real item per type, for footprints and ratings. */
  readonly items: ReadonlyMap<string, Design["equipment"][number]>;
}

function frequencies(values: readonly string[]): [string, number][] {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m].sort(([a], [b]) => (a < b ? -1 : 1));
}

export function trainingShape(training: readonly Design[]): TrainingShape {
  let equipment = 0;
  let lines = 0;
  let ends = 0;
  let branchEnds = 0;
  let components = 0;
  let instruments = 0;
  let loops = 0;
  let interlocks = 0;
  let effects = 0;
  const componentTypes: string[] = [];
  const services: string[] = [];
  const letters: string[] = [];
  const items = new Map<string, Design["equipment"][number]>();
  for (const d of training) {
    equipment += d.equipment.length;
    lines += d.lines.length;
    for (const e of d.equipment) if (!items.has(e.type)) items.set(e.type, e);
    for (const l of d.lines) {
      ends += 2;
      branchEnds += ("line" in l.from ? 1 : 0) + ("line" in l.to ? 1 : 0);
      components += l.components.length;
      services.push(l.service);
      for (const c of l.components) componentTypes.push(c.type);
    }
    instruments += d.instruments.length;
    for (const i of d.instruments) letters.push(/^[A-Z]+/.exec(i.tag)?.[0] ?? "X");
    loops += d.control.loops.length;
    interlocks += d.control.interlocks.length;
    for (const il of d.control.interlocks) effects += il.effects.length;
  }
  const per = (x: number, n: number) => (n > 0 ? x / n : 0);
  return {
    linesPerEquipment: per(lines, equipment),
    branchEndShare: per(branchEnds, ends),
    componentsPerLine: per(components, lines),
    componentTypes: frequencies(componentTypes.length > 0 ? componentTypes : [...COMPONENT_TYPES]),
    services: frequencies(services.length > 0 ? services : ["process"]),
    instrumentsPerEquipment: per(instruments, equipment),
    instrumentLetters: frequencies(letters.length > 0 ? letters : ["PT"]),
    loopsPerEquipment: per(loops, equipment),
    interlocksPerEquipment: per(interlocks, equipment),
    effectsPerInterlock: per(effects, interlocks),
    items,
  };
}

/** A count around a mean: floor or ceiling with the fractional part as the chance of the ceiling. */
function around(rng: Rng, mean: number): number {
  const low = Math.floor(mean);
  return low + (rng.chance(mean - low) ? 1 : 0);
}

/** Poisson draw (Knuth; the means here are small). */
function poisson(rng: Rng, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.float();
  while (p > limit) {
    k++;
    p *= rng.float();
  }
  return k;
}

const TRIPS = ["LL", "L", "H", "HH"] as const;
const ACTIONS = ["stop", "start", "open", "close", "trip"] as const;

/** The random-graph baseline: see the module comment. */
export function randomGraphSource(training: readonly Design[]): TopologySourceFunction {
  const shape = trainingShape(training);
  return (request, seed) => {
    const rng = new Rng(mixSeed(seed, `random-graph:${request.processClass}`));
    const equipment: PlantDesignInput["equipment"] = [];
    for (const [type, count] of requestedCounts(request)) {
      const like = shape.items.get(type);
      for (let k = 0; k < count; k++) {
        equipment.push({
          tag: `${EQUIPMENT_TAG_PREFIX[type as EquipmentType]}-${equipment.length + 101}`,
          type: type as EquipmentType,
          footprint: like?.footprint ?? { width: 2, depth: 2, height: 2 },
          hazard: like?.hazard ?? "none",
          ...(like?.designPressure !== undefined ? { designPressure: like.designPressure } : {}),
        });
      }
    }
    const lines: PlantDesignInput["lines"] = [];
    const nozzles = new Map<string, number>();
    const nozzle = (tag: string) => {
      const n = (nozzles.get(tag) ?? 0) + 1;
      nozzles.set(tag, n);
      return { tag, nozzle: `N${n}` };
    };
    const end = () =>
      lines.length > 0 && rng.chance(shape.branchEndShare)
        ? { line: rng.pick(lines).id }
        : nozzle(rng.pick(equipment).tag);
    const valves: string[] = [];
    const lineCount = equipment.length === 0 ? 0 : around(rng, shape.linesPerEquipment * equipment.length);
    for (let k = 0; k < lineCount; k++) {
      const components = Array.from({ length: poisson(rng, shape.componentsPerLine) }, () => {
        const type = rng.weighted(shape.componentTypes);
        if (type !== "control_valve") return { type };
        const tag = `XV-${valves.length + 1}`;
        valves.push(tag);
        return { type, tag };
      });
      lines.push({
        id: `L-${k + 1}`,
        service: rng.weighted(shape.services),
        from: end(),
        to: end(),
        size: 100,
        components,
      } as PlantDesignInput["lines"][number]);
    }
    const instruments: NonNullable<PlantDesignInput["instruments"]> = [];
    const instrumentCount = around(rng, shape.instrumentsPerEquipment * equipment.length);
    for (let k = 0; k < instrumentCount && equipment.length > 0; k++) {
      const on = lines.length > 0 && rng.chance(0.5) ? { line: rng.pick(lines).id } : { tag: rng.pick(equipment).tag };
      instruments.push({ tag: `${rng.weighted(shape.instrumentLetters)}-${k + 1}`, on });
    }
    const finals = [...valves, ...equipment.map((e) => e.tag)];
    const loops = Array.from(
      { length: instruments.length > 0 ? around(rng, shape.loopsPerEquipment * equipment.length) : 0 },
      (_, k) => {
        const measurement = rng.pick(instruments).tag;
        return { tag: `${measurement.charAt(0)}IC-${k + 1}`, measurement, finalElement: rng.pick(finals) };
      },
    );
    const interlocks = Array.from(
      { length: instruments.length > 0 ? around(rng, shape.interlocksPerEquipment * equipment.length) : 0 },
      (_, k) => ({
        tag: `I-${k + 1}`,
        cause: { instrument: rng.pick(instruments).tag, trip: rng.pick(TRIPS) },
        effects: Array.from({ length: Math.max(1, around(rng, shape.effectsPerInterlock)) }, () => ({
          target: rng.pick(finals),
          action: rng.pick(ACTIONS),
        })),
      }),
    );
    return {
      schemaVersion: "1.0",
      id: `random-${request.processClass}-${seed}`,
      processClass: request.processClass,
      site: request.site,
      equipment,
      lines,
      instruments,
      control: { loops, interlocks },
    } as PlantDesignInput;
  };
}
