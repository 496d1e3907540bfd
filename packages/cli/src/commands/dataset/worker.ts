import { isDeepStrictEqual } from "node:util";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { type Design, footprintRect, type PlantDesignInput, parseDesign, rectDistance } from "@plantgan/core/design";
import { designPlantDetailed, mixSeed } from "@plantgan/core/designer";
import { validateDesign } from "@plantgan/core/validate";

/** One design to build: its class, its index within the class, the dataset seed. */
export interface DatasetJob {
  readonly index: number;
  readonly processClass: Design["processClass"];
  readonly k: number;
  readonly seed: number;
}

/** Per-design figures the dataset card aggregates (small: they cross the worker boundary). */
export interface DesignStats {
  readonly equipment: number;
  readonly byType: Readonly<Record<string, number>>;
  readonly lines: number;
  readonly branches: number;
  readonly instruments: number;
  readonly loops: number;
  readonly interlocks: number;
  readonly components: number;
  readonly siteArea: number;
  readonly aspect: number;
  readonly arrangement: string;
  /** Route length of every line, m (3-D, risers included). */
  readonly lineLengths: readonly number[];
  /** Per item: edge-to-edge distance to its nearest neighbour, m. */
  readonly nearestGaps: readonly number[];
  readonly attempts: number;
  readonly failures: readonly string[];
  readonly moves: number;
  readonly warnings: number;
}

export type JobResult =
  | {
      readonly index: number;
      readonly ok: true;
      readonly id: string;
      readonly text: string;
      readonly stats: DesignStats;
    }
  | { readonly index: number; readonly ok: false; readonly id: string; readonly error: string };

/** The seed of design k of a class: independent streams per class and index (FNV/murmur mix). */
export function designSeed(seed: number, processClass: string, k: number): number {
  return mixSeed(seed, `${processClass}:${k}`) >>> 0;
}

export function designId(processClass: string, k: number): string {
  return `${processClass}-${String(k + 1).padStart(4, "0")}`;
}

/**
 * The design as a file holds it, without the values the contract gives as defaults (z 0, rotation
 * 0, hazard none, service process, empty lists, grid 1 m, loop action reverse): parseDesign puts them
 * back. Keeps the dataset small; the build checks that the round trip gives the same design.
 */
export function compactDesign(d: Design): PlantDesignInput {
  const site = d.site;
  const compact = {
    schemaVersion: d.schemaVersion,
    id: d.id,
    ...(d.name !== undefined ? { name: d.name } : {}),
    processClass: d.processClass,
    site: {
      width: site.width,
      depth: site.depth,
      ...(site.gridSize !== 1 ? { gridSize: site.gridSize } : {}),
      ...(site.windFrom !== undefined ? { windFrom: site.windFrom } : {}),
      ...(site.keepOut.length > 0
        ? { keepOut: site.keepOut.map(({ kind, ...k }) => ({ ...k, ...(kind !== "other" ? { kind } : {}) })) }
        : {}),
      ...(site.racks.length > 0 ? { racks: site.racks.map((r) => ({ ...r })) } : {}),
    },
    equipment: d.equipment.map(({ z, rotation, hazard, nozzles, ...e }) => ({
      ...e,
      ...(z !== 0 ? { z } : {}),
      ...(rotation !== 0 ? { rotation } : {}),
      ...(hazard !== "none" ? { hazard } : {}),
      ...(nozzles.length > 0 ? { nozzles } : {}),
    })),
    lines: d.lines.map(({ service, components, ...l }) => ({
      ...l,
      ...(service !== "process" ? { service } : {}),
      ...(components.length > 0 ? { components } : {}),
    })),
    ...(d.instruments.length > 0 ? { instruments: d.instruments } : {}),
    ...(d.control.loops.length > 0 || d.control.interlocks.length > 0
      ? {
          control: {
            ...(d.control.loops.length > 0
              ? {
                  loops: d.control.loops.map(({ action, ...l }) => ({
                    ...l,
                    ...(action !== "reverse" ? { action } : {}),
                  })),
                }
              : {}),
            ...(d.control.interlocks.length > 0 ? { interlocks: d.control.interlocks } : {}),
          },
        }
      : {}),
    ...(d.metadata !== undefined ? { metadata: d.metadata } : {}),
  };
  return compact as PlantDesignInput;
}

function routeLength(route: readonly (readonly number[])[]): number {
  let length = 0;
  for (let k = 0; k + 1 < route.length; k++) {
    const a = route[k]!;
    const b = route[k + 1]!;
    length += Math.abs(b[0]! - a[0]!) + Math.abs(b[1]! - a[1]!) + Math.abs(b[2]! - a[2]!);
  }
  return Math.round(length * 100) / 100;
}

function statsOf(
  d: Design,
  outcome: { attempts: number; failures: readonly string[]; moves: number; warnings: number; arrangement: string },
): DesignStats {
  const byType: Record<string, number> = {};
  for (const e of d.equipment) byType[e.type] = (byType[e.type] ?? 0) + 1;
  const rects = d.equipment.map((e) => footprintRect(e as Design["equipment"][number] & { x: number; y: number }));
  // Designs hold tens of items: the pairwise scan is cheaper than building an index here.
  const nearestGaps = rects.map((r, i) => {
    let best = Number.POSITIVE_INFINITY;
    rects.forEach((o, j) => {
      if (i !== j) best = Math.min(best, rectDistance(r, o));
    });
    return Math.round(best * 100) / 100;
  });
  return {
    equipment: d.equipment.length,
    byType,
    lines: d.lines.length,
    branches: d.lines.filter((l) => "line" in l.from || "line" in l.to).length,
    instruments: d.instruments.length,
    loops: d.control.loops.length,
    interlocks: d.control.interlocks.length,
    components: d.lines.reduce((n, l) => n + l.components.length, 0),
    siteArea: d.site.width * d.site.depth,
    aspect: Math.round((Math.max(d.site.width, d.site.depth) / Math.min(d.site.width, d.site.depth)) * 100) / 100,
    arrangement: outcome.arrangement,
    lineLengths: d.lines.map((l) => (l.route ? routeLength(l.route) : 0)),
    nearestGaps: nearestGaps.filter((g) => Number.isFinite(g)),
    attempts: outcome.attempts,
    failures: outcome.failures,
    moves: outcome.moves,
    warnings: outcome.warnings,
  };
}

/**
 * Builds one design and checks it the way a reader of the dataset will see it: the compact text,
 * parsed back with the contract's defaults, must be the same design and pass the validator with
 * zero errors, every line routed. Anything else is an error result: the build writes nothing then.
 */
export function buildOne(job: DatasetJob): JobResult {
  const id = designId(job.processClass, job.k);
  try {
    const outcome = designPlantDetailed({
      processClass: job.processClass,
      seed: designSeed(job.seed, job.processClass, job.k),
      id,
    });
    const design = outcome.design;
    const text = JSON.stringify(compactDesign(design));
    const parsed = parseDesign(text);
    if (!parsed.success)
      return { index: job.index, ok: false, id, error: `does not parse: ${parsed.issues[0]?.message}` };
    if (!isDeepStrictEqual(parsed.data, design))
      return { index: job.index, ok: false, id, error: "compact form does not round-trip" };
    const report = validateDesign(parsed.data);
    if (report.summary.errors > 0) {
      return {
        index: job.index,
        ok: false,
        id,
        error: `${report.summary.errors} validator error(s): ${report.violations[0]?.message}`,
      };
    }
    const unrouted = design.lines.filter((l) => !l.route).map((l) => l.id);
    if (unrouted.length > 0)
      return { index: job.index, ok: false, id, error: `unrouted lines: ${unrouted.join(", ")}` };
    const stats = statsOf(design, {
      attempts: outcome.attempts,
      failures: outcome.failures,
      moves: outcome.moves,
      warnings: report.summary.warnings,
      arrangement: String(design.metadata?.arrangement ?? ""),
    });
    return { index: job.index, ok: true, id, text, stats };
  } catch (error) {
    return { index: job.index, ok: false, id, error: error instanceof Error ? error.message : String(error) };
  }
}

// As a worker thread: build the jobs the parent sends, one at a time, and answer each.
if (!isMainThread && parentPort && (workerData as { role?: string } | undefined)?.role === "dataset") {
  const port = parentPort;
  port.on("message", (job: DatasetJob | null) => {
    if (job === null) {
      port.close();
      return;
    }
    port.postMessage(buildOne(job));
  });
}
