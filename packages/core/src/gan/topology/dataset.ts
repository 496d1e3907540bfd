/**
 * Slot graphs from dataset files: .ndjson or .ndjson.gz, one design per line (datasets/synthetic-v1,
 * uploads exported as NDJSON), read line by line so a large split never sits in memory as text.
 * Core does no file I/O: the caller passes `readLines`, which opens a path (gunzipping .gz) and
 * yields its lines (Node: fs.createReadStream → zlib.createGunzip → readline, as in dataset.test.ts).
 */
import type { PlantDesignInput } from "../../design/index.js";
import { encodeSlotGraphWithLosses, SlotGraphError } from "./encode.js";
import type { SlotGraph, SlotGraphSpec } from "./spec.js";

/** The text lines of one dataset file, .gz already inflated. */
export type ReadLines = (path: string) => AsyncIterable<string> | Iterable<string>;

/** Designs of one or more .ndjson(.gz) files, in file then line order. Blank lines are skipped. */
export async function* readDesigns(paths: readonly string[], readLines: ReadLines): AsyncGenerator<PlantDesignInput> {
  for (const path of paths) {
    let lineNo = 0;
    for await (const line of readLines(path)) {
      lineNo++;
      if (line.trim() === "") continue;
      try {
        yield JSON.parse(line) as PlantDesignInput;
      } catch (e) {
        throw new Error(`${path}:${lineNo}: not JSON (${e instanceof Error ? e.message : String(e)})`);
      }
    }
  }
}

/** Slot graphs of the designs that fit, and why the others were skipped. */
export interface SlotGraphSet {
  readonly graphs: SlotGraph[];
  /** Design ids, one per graph. */
  readonly ids: string[];
  /** Designs read. */
  readonly read: number;
  /** Skipped designs by reason (a SlotGraphError code, or "invalid" for a design the encoder cannot read). */
  readonly skipped: Readonly<Record<string, number>>;
  /** Largest equipment count seen, kept or not. */
  readonly maxEquipment: number;
}

/** Counts a stream fills in as it goes. */
export interface SlotGraphTally {
  read: number;
  skipped: Record<string, number>;
  maxEquipment: number;
}

/**
 * Slot graphs one at a time, for a caller that keeps only a compact form: a dense graph holds
 * nMax² × (1 + edgeWidth) floats (about 7 MB at nMax 48), so a whole split of dense graphs does not
 * fit in memory. Designs over nMax (or unreadable) are skipped and counted in `tally`.
 */
export async function* streamSlotGraphs(
  paths: readonly string[],
  spec: SlotGraphSpec,
  readLines: ReadLines,
  tally: SlotGraphTally = { read: 0, skipped: {}, maxEquipment: 0 },
): AsyncGenerator<{ id: string; graph: SlotGraph }> {
  for await (const design of readDesigns(paths, readLines)) {
    tally.read++;
    tally.maxEquipment = Math.max(tally.maxEquipment, design.equipment?.length ?? 0);
    let graph: SlotGraph;
    try {
      graph = encodeSlotGraphWithLosses(design, spec).graph;
    } catch (e) {
      const reason = e instanceof SlotGraphError ? e.code : "invalid";
      tally.skipped[reason] = (tally.skipped[reason] ?? 0) + 1;
      continue;
    }
    yield { id: design.id, graph };
  }
}

/** Encodes every design of the files into dense graphs (small sets; see streamSlotGraphs). */
export async function loadSlotGraphs(
  paths: readonly string[],
  spec: SlotGraphSpec,
  readLines: ReadLines,
): Promise<SlotGraphSet> {
  const graphs: SlotGraph[] = [];
  const ids: string[] = [];
  const tally: SlotGraphTally = { read: 0, skipped: {}, maxEquipment: 0 };
  for await (const { id, graph } of streamSlotGraphs(paths, spec, readLines, tally)) {
    graphs.push(graph);
    ids.push(id);
  }
  return { graphs, ids, ...tally };
}

/** Figures of a set for the README: designs, equipment, lines and how full the slots are. */
export interface SlotGraphStats {
  readonly designs: number;
  readonly maxEquipment: number;
  readonly meanEquipment: number;
  /** Edges (ordered pairs with a line) per design, mean. */
  readonly meanEdges: number;
  /** Edges holding two lines, over all designs. */
  readonly doubleEdges: number;
}

export function slotGraphStats(graphs: readonly SlotGraph[], spec: SlotGraphSpec): SlotGraphStats {
  const stride = 1 + spec.edgeWidth;
  const second = spec.edgeGroups.find((g) => g.name === "line2.service");
  let equipment = 0;
  let maxEquipment = 0;
  let edges = 0;
  let doubleEdges = 0;
  for (const g of graphs) {
    let n = 0;
    for (const m of g.mask) if (m > 0.5) n++;
    equipment += n;
    maxEquipment = Math.max(maxEquipment, n);
    for (let cell = 0; cell < spec.nMax * spec.nMax; cell++) {
      if ((g.edges[cell * stride] as number) <= 0.5) continue;
      edges++;
      // A second line is there when its service is not class 0 (absent).
      if (second !== undefined && (g.edges[cell * stride + 1 + second.offset] as number) < 0.5) doubleEdges++;
    }
  }
  const count = graphs.length;
  return {
    designs: count,
    maxEquipment,
    meanEquipment: count === 0 ? 0 : equipment / count,
    meanEdges: count === 0 ? 0 : edges / count,
    doubleEdges,
  };
}
