import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EquipmentType } from "../../design/types.js";
import { EQUIPMENT_TYPES } from "../../design/vocabulary.js";
import { useBackend } from "../backend.js";
import { conditionVector } from "../condition.js";
import { loadSlotGraphs } from "./dataset.js";
import { linesForLoneItems, stageColumns } from "./generator.js";
import {
  disposeTopologyModel,
  generateSlotGraphs,
  loadTopologyModel,
  saveTopologyModel,
  topologyModelOf,
} from "./model-io.js";
import {
  lineMotifGroups,
  lineMotifMask,
  linePairMask,
  motifExpansion,
  nodeMotifGroups,
  nodeMotifMask,
  observeRowMotifs,
  type RowMotifs,
} from "./row-motifs.js";
import { defaultSlotGraphSpec, type FeatureGroup, requireGroup, type SlotGraph } from "./spec.js";
import { createTopologyTrainer, type TopologyTrainer } from "./training.js";

const TRAIN = fileURLToPath(new URL("../../../../../datasets/synthetic-v1/train.ndjson.gz", import.meta.url));
const spec = defaultSlotGraphSpec(40);
// Every 50th training design: all seven classes, a few thousand rows.
const every50th = (path: string) =>
  gunzipSync(readFileSync(path))
    .toString("utf8")
    .split("\n")
    .filter((_, i) => i % 50 === 0);
const { graphs } = await loadSlotGraphs([TRAIN], spec, every50th);
const motifs = observeRowMotifs(graphs, spec);
const type = requireGroup(spec.nodeGroups, "type");
const nodeGroups = nodeMotifGroups(spec, ["type"]);
const lineGroups = lineMotifGroups(spec);
const stride = 1 + spec.edgeWidth;

const typeOf = (g: SlotGraph, i: number) => {
  for (let k = 0; k < type.size; k++) if (g.nodes[i * spec.nodeWidth + type.offset + k]! > 0.5) return k;
  return -1;
};
/** The spec columns of `groups` set to 1 in `row` from `at`, as the motif key. */
const ones = (row: Float32Array, at: number, groups: readonly FeatureGroup[]) =>
  groups.flatMap((g) => Array.from({ length: g.size }, (_, k) => g.offset + k)).filter((c) => row[at + c]! > 0.5);
const key = (set: readonly number[]) => [...set].sort((a, b) => a - b).join(",");

/** Every present row and listed line of `gs`: its type(s) and the key of its discrete columns. */
function rowsOf(gs: readonly SlotGraph[]) {
  const nodes: { type: number; key: string }[] = [];
  const lines: { ends: [number, number]; key: string }[] = [];
  for (const g of gs) {
    for (let i = 0; i < spec.nMax; i++) {
      if (g.mask[i]! > 0.5) nodes.push({ type: typeOf(g, i), key: key(ones(g.nodes, i * spec.nodeWidth, nodeGroups)) });
      for (let j = 0; j < spec.nMax; j++) {
        const at = (i * spec.nMax + j) * stride;
        if (g.edges[at]! > 0.5)
          lines.push({ ends: [typeOf(g, i), typeOf(g, j)], key: key(ones(g.edges, at + 1, lineGroups)) });
      }
    }
  }
  return { nodes, lines };
}

const dataRows = rowsOf(graphs);
const nodeByKey = new Map(motifs.nodes.map((m, k) => [key(m.set), k]));
const lineByKey = new Map(motifs.lines.map((m, k) => [key(m.set), k]));

describe("observeRowMotifs on synthetic-v1 train", () => {
  it("holds every row once, most frequent first, with the types it was seen on", () => {
    expect(motifs.nodes.length).toBeGreaterThan(20);
    expect(motifs.lines.length).toBeGreaterThan(50);
    expect(motifs.nodes.reduce((s, m) => s + m.count, 0)).toBe(dataRows.nodes.length);
    expect(motifs.lines.reduce((s, m) => s + m.count, 0)).toBe(dataRows.lines.length);
    expect(nodeByKey.size).toBe(motifs.nodes.length);
    expect(lineByKey.size).toBe(motifs.lines.length);
    for (const list of [motifs.nodes, motifs.lines])
      for (let k = 1; k < list.length; k++) expect(list[k]!.count).toBeLessThanOrEqual(list[k - 1]!.count);
    for (const row of dataRows.nodes) expect(motifs.nodes[nodeByKey.get(row.key)!]!.types).toContain(row.type);
    for (const row of dataRows.lines) expect(motifs.lines[lineByKey.get(row.key)!]!.ends).toContainEqual(row.ends);
  });

  it("expands every motif back to exactly the row it came from (continuous columns kept apart)", () => {
    const attachments = stageColumns(spec, ["type"]).attachments;
    const { matrix, continuous, width } = motifExpansion(attachments, motifs.nodes);
    expect(continuous).toBeGreaterThan(0);
    expect(width).toBe(attachments.reduce((s, g) => s + g.size, 0));
    // The stage's column order → spec column, and whether that column is continuous.
    const columns = attachments.flatMap((g) =>
      Array.from({ length: g.size }, (_, k) => ({ at: g.offset + k, continuous: g.kind === "continuous" })),
    );
    for (const g of graphs) {
      for (let i = 0; i < spec.nMax; i++) {
        if (g.mask[i]! <= 0.5) continue;
        const k = nodeByKey.get(key(ones(g.nodes, i * spec.nodeWidth, nodeGroups)))!;
        const expanded = matrix.subarray((continuous + k) * width, (continuous + k + 1) * width);
        // A motif row sets exactly the row's discrete columns and no continuous one.
        columns.forEach((c, p) => {
          expect(expanded[p]).toBe(c.continuous ? 0 : g.nodes[i * spec.nodeWidth + c.at]);
        });
      }
    }
    // The first rows pass each continuous column through.
    for (let r = 0; r < continuous; r++)
      expect(matrix.subarray(r * width, (r + 1) * width).reduce((s, v) => s + v, 0)).toBe(1);

    const lineOrder = [...spec.edgeGroups].sort((a, b) => a.offset - b.offset);
    const lines = motifExpansion(lineOrder, motifs.lines);
    for (const g of graphs.slice(0, 10)) {
      for (let cell = 0; cell < spec.nMax * spec.nMax; cell++) {
        if (g.edges[cell * stride]! <= 0.5) continue;
        const k = lineByKey.get(key(ones(g.edges, cell * stride + 1, lineGroups)))!;
        const expanded = lines.matrix.subarray(
          (lines.continuous + k) * lines.width,
          (lines.continuous + k + 1) * lines.width,
        );
        const row = g.edges.subarray(cell * stride + 1, (cell + 1) * stride);
        const discrete = lineOrder.filter((grp) => grp.kind !== "continuous");
        for (const grp of discrete)
          for (let c = grp.offset; c < grp.offset + grp.size; c++) expect(expanded[c]).toBe(row[c]);
      }
    }
  });

  it("masks allow a motif on a type it was seen on and forbid it on one it never was", () => {
    const seenTypes = [...new Set(dataRows.nodes.map((r) => r.type))];
    const k = motifs.nodes.findIndex((m) => m.types.length < seenTypes.length);
    expect(k).toBeGreaterThanOrEqual(0);
    const seen = motifs.nodes[k]!.types[0]!;
    const never = seenTypes.find((t) => !motifs.nodes[k]!.types.includes(t))!;
    const mask = nodeMotifMask(motifs.nodes, Int32Array.of(seen, never, -1));
    const K = motifs.nodes.length;
    expect(mask[k]).toBe(1);
    expect(mask[K + k]).toBe(0);
    expect(mask.subarray(2 * K).every((v) => v === 1)).toBe(true);
    // A type's row opens exactly the motifs seen on it.
    expect(mask.subarray(0, K).reduce((s, v) => s + v, 0)).toBe(
      motifs.nodes.filter((m) => m.types.includes(seen)).length,
    );

    const pairs = [...new Set(dataRows.lines.map((r) => r.ends.join(",")))].map((p) => p.split(",").map(Number));
    const j = motifs.lines.findIndex((m) => m.ends.length < pairs.length);
    const [f, t] = motifs.lines[j]!.ends[0]!;
    const other = pairs.find(([a, b]) => !motifs.lines[j]!.ends.some(([x, y]) => x === a && y === b))!;
    const lineMask = lineMotifMask(motifs.lines, Int32Array.of(f, other[0]!), Int32Array.of(t, other[1]!));
    const L = motifs.lines.length;
    expect(lineMask[j]).toBe(1);
    expect(lineMask[L + j]).toBe(0);
  });

  it("with endLines, shuts a teed line off a slot drawn with fewer lines than the data had beside it, and no data row", () => {
    const counted = observeRowMotifs(graphs, spec, ["type"], { endLines: true });
    expect(counted.lines.map((m) => m.set)).toEqual(motifs.lines.map((m) => m.set));
    // Every line row of the data is open at its own end slots' counts.
    const fromTypes: number[] = [];
    const toTypes: number[] = [];
    const outs: number[] = [];
    const ins: number[] = [];
    const own: number[] = [];
    for (const g of graphs) {
      const out = new Int32Array(spec.nMax);
      const into = new Int32Array(spec.nMax);
      for (let i = 0; i < spec.nMax; i++)
        for (let j = 0; j < spec.nMax; j++)
          if (g.edges[(i * spec.nMax + j) * stride]! > 0.5) {
            out[i]!++;
            into[j]!++;
          }
      for (let i = 0; i < spec.nMax; i++)
        for (let j = 0; j < spec.nMax; j++) {
          const at = (i * spec.nMax + j) * stride;
          if (g.edges[at]! <= 0.5) continue;
          fromTypes.push(typeOf(g, i));
          toTypes.push(typeOf(g, j));
          outs.push(out[i]!);
          ins.push(into[j]!);
          own.push(lineByKey.get(key(ones(g.edges, at + 1, lineGroups)))!);
        }
    }
    const L = counted.lines.length;
    const mask = lineMotifMask(counted.lines, Int32Array.from(fromTypes), Int32Array.from(toTypes), {
      from: Int32Array.from(outs),
      to: Int32Array.from(ins),
    });
    own.forEach((k, r) => {
      expect(mask[r * L + k]).toBe(1);
    });
    // A line teed at its from end into a header there is only seen with that header beside it.
    const fromTee = requireGroup(spec.edgeGroups, "line1.fromTee").offset;
    const teed = counted.lines.findIndex((m) => m.set.includes(fromTee));
    expect(teed).toBeGreaterThanOrEqual(0);
    const seen = counted.lines[teed]!;
    expect(seen.endLines!.from).toBeGreaterThanOrEqual(2);
    const [f, t] = seen.ends[0]!;
    // (A slot drawn with fewer lines than any motif of the pair had keeps the pair's motifs.)
    const lone = lineMotifMask(counted.lines, Int32Array.of(f, f), Int32Array.of(t, t), {
      from: Int32Array.of(1, seen.endLines!.from),
      to: Int32Array.of(99, 99),
    });
    expect(lone[teed]).toBe(0);
    expect(lone[L + teed]).toBe(1);
    // A table counted without it masks as before.
    expect(
      lineMotifMask(motifs.lines, Int32Array.of(f), Int32Array.of(t), { from: Int32Array.of(1), to: Int32Array.of(1) }),
    ).toEqual(lineMotifMask(motifs.lines, Int32Array.of(f), Int32Array.of(t)));
  });

  it("lets a line run only between end types some line of the data ran between", () => {
    const pump = EQUIPMENT_TYPES.indexOf("pump");
    const tank = EQUIPMENT_TYPES.indexOf("tank");
    const seen = new Set(dataRows.lines.map((r) => r.ends.join(",")));
    // Spare pumps tee into a common header: the data has tank → pump lines, never pump → pump.
    expect(seen.has(`${tank},${pump}`)).toBe(true);
    expect(seen.has(`${pump},${pump}`)).toBe(false);
    // One graph of three slots (pump, tank, none) and one of (tank, pump, pump).
    const mask = linePairMask(motifs.lines, Int32Array.of(pump, tank, -1, tank, pump, pump), 3);
    const at = (b: number, i: number, j: number) => mask[(b * 3 + i) * 3 + j];
    expect(at(0, 1, 0)).toBe(1);
    expect(at(0, 0, 2)).toBe(0);
    expect(at(0, 2, 0)).toBe(0);
    expect(at(1, 0, 1)).toBe(1);
    expect(at(1, 1, 2)).toBe(0);
  });
});

describe("linesForLoneItems", () => {
  it("gives an item drawn without a line its likeliest allowed line, and no more", () => {
    // 4 slots: 0→1 drawn; 2 and 3 have none. 2 may reach 0 (logit 1) or 3 (logit 2); 3 may reach 2.
    const n = 4;
    const sampled = new Float32Array(16);
    sampled[0 * n + 1] = 1;
    const allowed = new Float32Array(16);
    const logits = new Float32Array(16).fill(-5);
    for (const [i, j, l] of [
      [0, 1, 0],
      [2, 0, 1],
      [2, 3, 2],
      [3, 2, 0.5],
    ] as const) {
      allowed[i * n + j] = 1;
      logits[i * n + j] = l;
    }
    const added = linesForLoneItems(sampled, allowed, logits, 1, n);
    // Slot 2 takes 2→3 (logit 2); slot 3 then has a line, so nothing else is added.
    expect([...added.keys()].filter((k) => added[k] === 1)).toEqual([2 * n + 3]);
    // An item with no allowed cell stays alone.
    expect(linesForLoneItems(new Float32Array(16), new Float32Array(16), logits, 1, n).every((v) => v === 0)).toBe(
      true,
    );
  });
});

describe("a generator with row motifs", () => {
  const SMALL = { latentSize: 8, hidden: 32, slotHidden: 16, attentionKey: 8, edgeHidden: 16, criticHidden: 16 };
  const folder = mkdtempSync(join(tmpdir(), "row-motifs-"));
  let trainer: TopologyTrainer;
  const conditions = [
    conditionVector({ processClass: "pump_station", site: { width: 90, depth: 60 }, counts: { pump: 3, vessel: 1 } }),
    conditionVector({ processClass: "tank_farm", site: { width: 300, depth: 200 }, counts: { tank: 5, pump: 2 } }),
    conditionVector({ processClass: "distillation", site: { width: 150, depth: 100 }, counts: { column: 1 } }),
  ];

  beforeAll(async () => {
    await useBackend("wasm");
    trainer = createTopologyTrainer(spec, { ...SMALL, rowMotifs: motifs }, 5);
    trainer.setOutputPriors(graphs);
  });
  afterAll(() => {
    trainer.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Every generated row is a motif the data held, seen on that type or between those end types. */
  function expectMotifRows(gs: readonly SlotGraph[], table: RowMotifs) {
    const byKey = new Map(table.nodes.map((m) => [key(m.set), m]));
    const lineKey = new Map(table.lines.map((m) => [key(m.set), m]));
    const pairsSeen = new Set(table.lines.flatMap((m) => m.ends.map((e) => e.join(","))));
    const rows = rowsOf(gs);
    expect(rows.nodes.length).toBeGreaterThan(0);
    // No item is left without a line where a line to another item of the graph may run.
    for (const g of gs) {
      const types = Int32Array.from({ length: spec.nMax }, (_, i) => (g.mask[i]! > 0.5 ? typeOf(g, i) : -1));
      const open = linePairMask(table.lines, types, spec.nMax);
      for (let i = 0; i < spec.nMax; i++) {
        let may = false;
        let has = false;
        for (let j = 0; j < spec.nMax; j++) {
          if (i === j) continue;
          may ||= open[i * spec.nMax + j] === 1 || open[j * spec.nMax + i] === 1;
          has ||= g.edges[(i * spec.nMax + j) * stride] === 1 || g.edges[(j * spec.nMax + i) * stride] === 1;
        }
        if (may) expect(has).toBe(true);
      }
    }
    expect(rows.lines.length).toBeGreaterThan(0);
    for (const row of rows.nodes) expect(byKey.get(row.key)?.types).toContain(row.type);
    // Lines run only between end types the data held a line between, each with a motif seen there.
    for (const row of rows.lines) {
      expect(pairsSeen.has(row.ends.join(","))).toBe(true);
      expect(lineKey.get(row.key)?.ends).toContainEqual(row.ends);
    }
  }

  it("generates only rows the data holds, sampled and with the requested equipment forced", () => {
    const model = topologyModelOf(trainer);
    expectMotifRows(generateSlotGraphs(model, conditions, { seed: 3 }).graphs, motifs);
    const asked: Partial<Record<EquipmentType, number>>[] = [
      { pump: 3, vessel: 1 },
      { tank: 5, pump: 2 },
      { column: 1 },
    ];
    const required = asked.map((a) => EQUIPMENT_TYPES.map((t) => a[t] ?? 0));
    expectMotifRows(generateSlotGraphs(model, conditions, { seed: 4, required }).graphs, motifs);
  });

  it("trains a step with finite losses and still generates motif rows", () => {
    const summary = trainer.epoch(graphs.slice(0, 16), 8);
    expect(summary.steps).toBe(2);
    expect(Number.isFinite(summary.mean.d_loss)).toBe(true);
    expect(Number.isFinite(summary.mean.g_adversarial)).toBe(true);
    expectMotifRows(generateSlotGraphs(topologyModelOf(trainer), conditions, { seed: 6 }).graphs, motifs);
  });

  it("saves and loads the motifs with the model, and the loaded model generates the same graphs", async () => {
    const model = topologyModelOf(trainer);
    await saveTopologyModel(model, (path, bytes) => {
      mkdirSync(dirname(join(folder, path)), { recursive: true });
      writeFileSync(join(folder, path), bytes);
    });
    const loaded = await loadTopologyModel((path) => readFileSync(join(folder, path)));
    expect(loaded.config.model.rowMotifs).toEqual(JSON.parse(JSON.stringify(motifs)));
    const before = generateSlotGraphs(model, conditions, { seed: 9 });
    const after = generateSlotGraphs(loaded, conditions, { seed: 9 });
    // The first differing column (-1: none); toEqual walks 1.3 M edge floats per graph for minutes under load.
    const firstDiff = (a: Float32Array, b: Float32Array) =>
      a.length !== b.length ? 0 : a.findIndex((v, k) => !Object.is(v, b[k]));
    for (const [i, g] of after.graphs.entries()) {
      expect(firstDiff(g.nodes, before.graphs[i]!.nodes)).toBe(-1);
      expect(firstDiff(g.edges, before.graphs[i]!.edges)).toBe(-1);
    }
    expectMotifRows(after.graphs, loaded.config.model.rowMotifs!);
    disposeTopologyModel(loaded);
  });
});
