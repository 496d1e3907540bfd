/**
 * Decoding without an index: a generated sample (X, A, mask) becomes a schema-valid design.
 *
 * Rows with mask ≥ 0.5 are nodes; a node's type is the argmax of the type one-hot. Entries of A
 * count when ≥ 0.5. Names are invented (ISA-5.1 style):
 * - equipment: type prefix + one running number from 101 (P-101, T-102, K-103; see
 *   EQUIPMENT_TAG_PREFIX); footprint = X·footprintScale rounded to mm (at least 0.1 m); placed
 *   when the flag is ≥ 0.5, at x, y snapped to site.gridSize; rotation and hazard by argmax;
 * - instruments: class letter + "T" + number from 101 (LT-101, FT-102; X for "other");
 * - controllers: measurement letter + "IC" + the measurement's number (LIC-101);
 * - components get a tag only when something names them or they are safety valves: a control
 *   valve driven by a loop takes the loop's letter and number (LV-101), relief valves PSV-n,
 *   others XV-n; lines are `${DN}-P-${1001+k}`; interlocks I-n; nozzles N1, N2… on each
 *   equipment, one per line end, with the line size and no offsets (topology nozzles).
 * Lines are read from the pipe slices as chains: every pipe edge leaving an equipment starts a
 * line, as does a tee's branch edge (A.branch[tee][next]); a line runs through components and
 * through tees of its own chain (taking the tee's non-branch continuation) and ends at an
 * equipment, or at a tee reached over that tee's branch edge (then its end is `{ line: the
 * line whose chain holds the tee }`). Line size = representative DN of the first segment's
 * class; a reducer gets a size when the class changes across it. Lines are ordered so that each
 * parent's tees come in the order the parent's chain shows them.
 * Instrument `on`: a line whose first segment joins two of its mount targets, else its
 * equipment (or other tagged) target. Loops: first signal source and first control target.
 * Interlocks: one per cause with interlock edges, trip by measured variable (level LL, flow L,
 * else HH), action by target (pumps/compressors stop, valves close, else trip).
 * What cannot be made valid (a chain ending in a component, a cycle, an instrument with no
 * mount, a loop with no measurement or final element) is dropped and listed in `notes`.
 * When `encodeDesign` reported ambiguousSegments 0, decoding its X/A this way and encoding the
 * result again gives the same X (up to rounding and snapping) and A, rows permuted (tested).
 */
import type { PlantDesignInput } from "../design/types.js";
import type { DecodableEncoding, DecodeContext, DecodeNote, DecodeResult } from "./decode.js";
import { componentKey, teeKey } from "./graph.js";
import { argmax, snapToGrid } from "./snap.js";
import {
  type EncodingLayout,
  EQUIPMENT_TAG_PREFIX,
  HAZARDS,
  type InstrumentClass,
  instrumentLetter,
  NODE_TYPES,
  type NodeType,
  ROTATIONS,
  sizeOfClass,
} from "./vocabulary.js";

type RawEquipment = PlantDesignInput["equipment"][number];
type RawLine = PlantDesignInput["lines"][number];
type RawComponent = NonNullable<RawLine["components"]>[number];
type RawInstrument = NonNullable<PlantDesignInput["instruments"]>[number];
type RawControl = NonNullable<PlantDesignInput["control"]>;
type RawLoop = NonNullable<RawControl["loops"]>[number];
type RawInterlock = NonNullable<RawControl["interlocks"]>[number];
type Trip = RawInterlock["cause"]["trip"];
type Action = RawInterlock["effects"][number]["action"];

interface Step {
  readonly j: number;
  /** Size class (pipe slice). */
  readonly k: number;
}

interface Walk {
  /** Rows from start to end; interior rows are components and pass-through tees. */
  readonly chain: number[];
  /** Size class of each segment (chain.length - 1). */
  readonly classes: number[];
  /** Position of this walk in discovery order. */
  readonly id: number;
  kept: boolean;
  lineId?: string;
}

/** Hands out unique tags: a taken base gets a suffix letter (LIC-101A). */
class TagBook {
  private readonly taken = new Set<string>();

  claim(base: string): string {
    const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let tag = base;
    for (let k = 0; this.taken.has(tag); k++) {
      tag = k < 26 ? `${base}${letters[k]}` : `${base}${letters[Math.floor(k / 26) - 1]}${letters[k % 26]}`;
    }
    this.taken.add(tag);
    return tag;
  }
}

const TRIP_BY_CLASS: Readonly<Record<InstrumentClass, Trip>> = {
  level: "LL",
  flow: "L",
  pressure: "HH",
  temperature: "HH",
  analysis: "HH",
  other: "HH",
};

const round3 = (v: number): number => Math.round(v * 1000) / 1000;
const side = (v: number, max: number): number => Math.min(max, Math.max(0.1, round3(v)));

export function decodeSample(enc: DecodableEncoding, layout: EncodingLayout, context: DecodeContext): DecodeResult {
  const n = layout.spec.nMax;
  const { X, A, mask } = enc;
  const { offsets, slices } = layout;
  const { footprintScale, sizeClassBounds } = layout.spec;
  const notes: DecodeNote[] = [];
  const keys: (string | undefined)[] = Array.from({ length: n }, () => undefined);
  const g = context.site.gridSize ?? 1;

  const types: (NodeType | undefined)[] = [];
  for (let r = 0; r < n; r++) {
    const t = mask[r]! >= 0.5 ? argmax(X, r * layout.F + offsets.type, NODE_TYPES.length) : -1;
    types.push(t >= 0 ? NODE_TYPES[t] : undefined);
  }
  const kindOf = (r: number) => types[r]?.kind;
  const rows = (kind: NodeType["kind"]): number[] => types.flatMap((t, r) => (t?.kind === kind ? [r] : []));
  const edge = (relation: number, i: number, j: number): boolean => A[relation * n * n + i * n + j]! >= 0.5;
  const sources = (relation: number, j: number): number[] =>
    types.flatMap((t, i) => (t !== undefined && edge(relation, i, j) ? [i] : []));
  const targets = (relation: number, i: number): number[] =>
    types.flatMap((t, j) => (t !== undefined && edge(relation, i, j) ? [j] : []));
  const x = (r: number, column: number): number => X[r * layout.F + column]!;

  const tags = new TagBook();
  const tagOf: (string | undefined)[] = [];

  // Equipment.
  let equipmentNumber = 101;
  const equipmentOf = new Map<number, RawEquipment>();
  for (const r of rows("equipment")) {
    const type = types[r]!.value as RawEquipment["type"];
    const tag = tags.claim(`${EQUIPMENT_TAG_PREFIX[type]}-${equipmentNumber++}`);
    const e: RawEquipment = {
      tag,
      type,
      footprint: {
        width: side(x(r, offsets.size) * footprintScale, 500),
        depth: side(x(r, offsets.size + 1) * footprintScale, 500),
        height: side(x(r, offsets.size + 2) * footprintScale, 300),
      },
      rotation: ROTATIONS[Math.max(0, argmax(X, r * layout.F + offsets.rotation, ROTATIONS.length))]!,
      hazard: HAZARDS[Math.max(0, argmax(X, r * layout.F + offsets.hazard, HAZARDS.length))]!,
      nozzles: [],
    };
    if (x(r, offsets.placed) >= 0.5) {
      e.x = snapToGrid(x(r, offsets.position) * context.site.width, g);
      e.y = snapToGrid(x(r, offsets.position + 1) * context.site.depth, g);
    }
    equipmentOf.set(r, e);
    tagOf[r] = tag;
    keys[r] = tag;
  }

  // Instruments and controllers are named now; whether they are kept is settled later.
  let instrumentNumber = 101;
  const numberOf = new Map<number, number>();
  const letterOf = new Map<number, string>();
  for (const r of rows("instrument")) {
    const letter = instrumentLetter(types[r]!.value as InstrumentClass);
    const number = instrumentNumber++;
    numberOf.set(r, number);
    letterOf.set(r, letter);
    tagOf[r] = tags.claim(`${letter}T-${number}`);
  }
  const measurementOf = new Map<number, number | undefined>();
  for (const c of rows("controller")) {
    const candidates = sources(slices.signal, c).filter((i) =>
      ["instrument", "equipment", "component"].includes(kindOf(i)!),
    );
    const m = candidates.find((i) => kindOf(i) === "instrument") ?? candidates[0];
    measurementOf.set(c, m);
    const letter = (m !== undefined ? letterOf.get(m) : undefined) ?? "X";
    const number = (m !== undefined ? numberOf.get(m) : undefined) ?? instrumentNumber++;
    numberOf.set(c, number);
    letterOf.set(c, letter);
    tagOf[c] = tags.claim(`${letter}IC-${number}`);
  }

  // Pipe edges by source row, class-major so each line's first class is deterministic.
  const pipeRow = (r: number): boolean => ["equipment", "component", "tee"].includes(kindOf(r) ?? "");
  const pipeOut: Step[][] = Array.from({ length: n }, () => []);
  let strayPipeEdges = 0;
  for (let k = 0; k < layout.sizeClasses; k++) {
    for (let i = 0; i < n; i++) {
      if (types[i] === undefined) continue;
      for (let j = 0; j < n; j++) {
        if (types[j] === undefined || !edge(k, i, j)) continue;
        if (pipeRow(i) && pipeRow(j)) pipeOut[i]!.push({ j, k });
        else strayPipeEdges++;
      }
    }
  }
  const isBranch = (tee: number, other: number): boolean => edge(slices.branch, tee, other);

  // Walk the chains.
  const walks: Walk[] = [];
  const componentWalk = new Map<number, Walk>();
  const teeOwner = new Map<number, { walk: Walk; end: "from" | "to" }>();
  const teeParent = new Map<number, Walk>();
  const usedEdges = new Set<string>();
  const walkFrom = (start: number, first: Step): void => {
    const chain = [start];
    const classes: number[] = [];
    const passed = new Set<number>();
    let previous = start;
    let step: Step | undefined = first;
    let endsAtTee = false;
    while (step !== undefined) {
      const v: number = step.j;
      chain.push(v);
      classes.push(step.k);
      const kind = kindOf(v);
      if (kind === "equipment") break;
      if (kind === "tee" && isBranch(v, previous)) {
        endsAtTee = true;
        break;
      }
      if (passed.has(v) || v === start || (kind === "component" && componentWalk.has(v))) return;
      passed.add(v);
      const options: Step[] = pipeOut[v]!.filter((o) => !passed.has(o.j));
      step = kind === "tee" ? (options.find((o) => !isBranch(v, o.j)) ?? options[0]) : options[0];
      previous = v;
    }
    if (step === undefined) return; // ran into a dead end
    const startsAtTee = kindOf(start) === "tee";
    const last = chain.at(-1)!;
    if ((startsAtTee && teeOwner.has(start)) || (endsAtTee && teeOwner.has(last))) return;
    const walk: Walk = { chain, classes, id: walks.length, kept: true };
    walks.push(walk);
    if (startsAtTee) teeOwner.set(start, { walk, end: "from" });
    if (endsAtTee) teeOwner.set(last, { walk, end: "to" });
    for (let p = 1; p < chain.length - 1; p++) {
      const r = chain[p]!;
      if (kindOf(r) === "component") componentWalk.set(r, walk);
      else if (!teeParent.has(r)) teeParent.set(r, walk);
    }
    for (let p = 0; p < classes.length; p++) usedEdges.add(`${chain[p]},${chain[p + 1]},${classes[p]}`);
  };
  for (const r of rows("equipment")) for (const s of pipeOut[r]!) walkFrom(r, s);
  for (const t of rows("tee")) for (const s of pipeOut[t]!) if (isBranch(t, s.j)) walkFrom(t, s);

  // A line ending at a tee needs the tee to sit on a kept line; drop until nothing changes.
  const endsOk = (w: Walk): boolean =>
    [w.chain[0]!, w.chain.at(-1)!].every((r) => {
      if (kindOf(r) !== "tee") return true;
      const parent = teeParent.get(r);
      return parent?.kept === true && parent !== w;
    });
  for (let changed = true; changed; ) {
    changed = false;
    for (const w of walks) {
      if (w.kept && !endsOk(w)) {
        w.kept = false;
        changed = true;
      }
    }
  }
  for (const w of walks) {
    if (!w.kept) notes.push({ code: "dropped_line", rows: w.chain, message: "a line ends at a tee on no kept line" });
  }
  let unused = strayPipeEdges;
  for (let i = 0; i < n; i++) {
    for (const s of pipeOut[i]!) if (!usedEdges.has(`${i},${s.j},${s.k}`)) unused++;
  }
  if (unused > 0) notes.push({ code: "unused_segment", rows: [], message: `${unused} pipe edges fit no line` });

  // Order lines so each parent's tees keep their chain order (branch line order sets it).
  const kept = walks.filter((w) => w.kept);
  const after = new Map<Walk, Set<Walk>>(kept.map((w) => [w, new Set<Walk>()]));
  const indegree = new Map<Walk, number>(kept.map((w) => [w, 0]));
  for (const parent of kept) {
    const owners = parent.chain
      .slice(1, -1)
      .filter((r) => kindOf(r) === "tee" && teeParent.get(r) === parent)
      .map((r) => teeOwner.get(r)?.walk)
      .filter((w): w is Walk => w?.kept === true);
    for (let p = 1; p < owners.length; p++) {
      const a = owners[p - 1]!;
      const b = owners[p]!;
      if (a !== b && !after.get(a)!.has(b)) {
        after.get(a)!.add(b);
        indegree.set(b, indegree.get(b)! + 1);
      }
    }
  }
  const ordered: Walk[] = [];
  const pending = new Set(kept);
  while (pending.size > 0) {
    const next = [...pending].find((w) => indegree.get(w) === 0) ?? [...pending][0]!; // a cycle: any order
    pending.delete(next);
    ordered.push(next);
    for (const b of after.get(next)!) indegree.set(b, indegree.get(b)! - 1);
  }
  ordered.forEach((w, k) => {
    w.lineId = `${sizeOfClass(w.classes[0]!, sizeClassBounds)}-P-${1001 + k}`;
  });

  // Component tags, on demand: only what loops, interlocks or mounts name, and safety valves.
  let componentNumber = 1001;
  const controllerOf = (r: number): number | undefined =>
    sources(slices.control, r).find((c) => kindOf(c) === "controller");
  const componentTag = (r: number): string | undefined => {
    const walk = componentWalk.get(r);
    if (walk === undefined || !walk.kept) return undefined;
    if (tagOf[r] === undefined) {
      const type = types[r]!.value;
      const c = controllerOf(r);
      tagOf[r] =
        type === "control_valve" && c !== undefined
          ? tags.claim(`${letterOf.get(c)}V-${numberOf.get(c)}`)
          : tags.claim(`${type === "relief_valve" ? "PSV" : "XV"}-${componentNumber++}`);
    }
    return tagOf[r];
  };
  for (const w of ordered) for (const r of w.chain) if (types[r]?.value === "relief_valve") componentTag(r);

  // Lines.
  const nozzleOn = (r: number, size: number): { tag: string; nozzle: string } => {
    const e = equipmentOf.get(r)!;
    const nozzles = e.nozzles!;
    const id = `N${nozzles.length + 1}`;
    nozzles.push({ id, size });
    return { tag: e.tag, nozzle: id };
  };
  const lineEnd = (r: number, k: number): RawLine["from"] =>
    kindOf(r) === "tee" ? { line: teeParent.get(r)!.lineId! } : nozzleOn(r, sizeOfClass(k, sizeClassBounds));
  const lines: RawLine[] = ordered.map((w) => {
    const lineId = w.lineId!;
    const components: RawComponent[] = [];
    for (let p = 1; p < w.chain.length - 1; p++) {
      const r = w.chain[p]!;
      if (kindOf(r) !== "component") continue;
      const type = types[r]!.value as RawComponent["type"];
      const component: RawComponent = { type };
      const before = w.classes[p - 1]!;
      const afterClass = w.classes[p]!;
      if (type === "reducer" && afterClass !== before) component.size = sizeOfClass(afterClass, sizeClassBounds);
      const tag = tagOf[r];
      if (tag !== undefined) component.tag = tag;
      keys[r] = tag ?? componentKey(lineId, components.length);
      components.push(component);
    }
    // Tags named later (by loops or interlocks) update keys then; tees are keyed by their owner.
    for (const end of [0, w.chain.length - 1]) {
      const r = w.chain[end]!;
      if (kindOf(r) === "tee" && teeOwner.get(r)?.walk === w) keys[r] = teeKey(lineId, end === 0 ? "from" : "to");
    }
    const line: RawLine = {
      id: lineId,
      from: lineEnd(w.chain[0]!, w.classes[0]!),
      to: lineEnd(w.chain.at(-1)!, w.classes.at(-1)!),
      size: sizeOfClass(w.classes[0]!, sizeClassBounds),
    };
    if (components.length > 0) line.components = components;
    return line;
  });

  // What a reference to a row can name: a tag, kept, of a kind that has one.
  const refTag = (r: number): string | undefined => {
    switch (kindOf(r)) {
      case "equipment":
        return tagOf[r];
      case "component":
        return componentTag(r);
      case "instrument":
      case "controller":
        return keys[r] !== undefined ? tagOf[r] : undefined;
      default:
        return undefined;
    }
  };

  // Instruments: on a line when two mount targets are a line's first segment, else on a tag.
  const lineBySegment = new Map<string, string>();
  for (const first of [true, false]) {
    for (const w of ordered) {
      for (let p = 0; p < (first ? 1 : w.chain.length - 1); p++) {
        const a = w.chain[p]!;
        const b = w.chain[p + 1]!;
        const pair = a < b ? `${a},${b}` : `${b},${a}`;
        if (!lineBySegment.has(pair)) lineBySegment.set(pair, w.lineId!);
      }
    }
  }
  const instruments: RawInstrument[] = [];
  for (const r of rows("instrument")) {
    const on = targets(slices.mount, r).filter((j) => j !== r);
    let mount: RawInstrument["on"] | undefined;
    for (let a = 0; a < on.length && mount === undefined; a++) {
      for (let b = a + 1; b < on.length && mount === undefined; b++) {
        const line = lineBySegment.get(`${on[a]},${on[b]}`);
        if (line !== undefined) mount = { line };
      }
    }
    if (mount === undefined) {
      const target = on.find((j) => kindOf(j) === "equipment") ?? on.find((j) => refTag(j) !== undefined);
      if (target !== undefined) mount = { tag: refTag(target)! };
    }
    if (mount === undefined) {
      notes.push({ code: "dropped_instrument", rows: [r], message: `instrument ${tagOf[r]} is mounted on nothing` });
      continue;
    }
    keys[r] = tagOf[r];
    instruments.push({ tag: tagOf[r]!, on: mount });
  }

  // Loops: measurement and final element must name kept, tagged nodes (not controllers).
  const loops: RawLoop[] = [];
  for (const c of rows("controller")) {
    const m = measurementOf.get(c);
    const measurement = m !== undefined && kindOf(m) !== "controller" ? refTag(m) : undefined;
    const finalRow = targets(slices.control, c).find((j) => kindOf(j) !== "controller" && refTag(j) !== undefined);
    if (measurement === undefined || finalRow === undefined) {
      notes.push({
        code: "dropped_loop",
        rows: [c],
        message: `controller ${tagOf[c]} lacks a measurement or a final element`,
      });
      continue;
    }
    keys[c] = tagOf[c];
    loops.push({ tag: tagOf[c]!, measurement, finalElement: refTag(finalRow)! });
  }

  // Interlocks: one per cause row.
  let interlockNumber = 101;
  const interlocks: RawInterlock[] = [];
  for (let r = 0; r < n; r++) {
    if (types[r] === undefined) continue;
    const hits = targets(slices.interlock, r);
    if (hits.length === 0) continue;
    const cause = refTag(r);
    const effects = hits.flatMap((j) => {
      const target = refTag(j);
      return target === undefined ? [] : [{ target, action: actionFor(types[j]!) }];
    });
    if (cause === undefined || effects.length < hits.length) {
      notes.push({ code: "dropped_effect", rows: [r, ...hits], message: "an interlock names a node without a tag" });
    }
    if (cause === undefined || effects.length === 0) continue;
    const trip = kindOf(r) === "instrument" ? TRIP_BY_CLASS[types[r]!.value as InstrumentClass] : "HH";
    interlocks.push({
      tag: tags.claim(`I-${interlockNumber++}`),
      cause: { instrument: cause, trip },
      effects: effects as RawInterlock["effects"],
    });
  }

  // Tags handed out after the lines were built (by loops, interlocks, mounts) become the keys.
  for (const w of ordered) for (const r of w.chain) if (kindOf(r) === "component" && tagOf[r]) keys[r] = tagOf[r];
  patchComponentTags(lines, ordered, kindOf, tagOf);

  const design: PlantDesignInput = {
    schemaVersion: "1.0",
    id: context.id ?? "generated",
    ...(context.name !== undefined ? { name: context.name } : {}),
    processClass: context.processClass,
    site: structuredClone(context.site) as PlantDesignInput["site"],
    equipment: [...equipmentOf.values()],
    lines,
    instruments,
    control: { loops, interlocks },
  };
  return { design, keys, notes };
}

/** Writes tags named after the lines were built into their components. */
function patchComponentTags(
  lines: RawLine[],
  walks: readonly Walk[],
  kindOf: (r: number) => string | undefined,
  tagOf: readonly (string | undefined)[],
): void {
  walks.forEach((w, k) => {
    const components = w.chain.slice(1, -1).filter((r) => kindOf(r) === "component");
    components.forEach((r, i) => {
      const tag = tagOf[r];
      const component = lines[k]!.components?.[i];
      if (tag !== undefined && component !== undefined) component.tag = tag;
    });
  });
}

function actionFor(type: NodeType): Action {
  if (type.value === "pump" || type.value === "compressor") return "stop";
  if (type.kind === "component") return "close";
  return "trip";
}
