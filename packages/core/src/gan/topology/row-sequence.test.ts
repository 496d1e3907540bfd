import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../backend.js";
import { conditionVector } from "../condition.js";
import { buildTopologyGenerator, disposeGenerator, generatorStages, stageColumns } from "./generator.js";
import {
  disposeTopologyModel,
  generateSlotGraphs,
  loadTopologyModel,
  saveTopologyModel,
  topologyModelOf,
} from "./model-io.js";
import { columnSteps, ROW_STEPS, rowStep } from "./row-sequence.js";
import { defaultSlotGraphSpec } from "./spec.js";
import { createTopologyTrainer, makeTopologyBatch, resolveTopologyTrainerConfig } from "./training.js";

const spec = defaultSlotGraphSpec(10);
const SMALL = { latentSize: 8, hidden: 32, slotHidden: 16, attentionKey: 8, edgeHidden: 16, criticHidden: 16 };
const config = resolveTopologyTrainerConfig(spec, { ...SMALL, attachmentSequence: true }, 3).model;
const cols = stageColumns(spec, config.skeletonGroups);
const edgeGroups = [...spec.edgeGroups].sort((a, b) => a.offset - b.offset);
const folder = mkdtempSync(join(tmpdir(), "topology-sequence-"));

beforeAll(async () => {
  await useBackend("wasm");
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Columns (stage order) of a group. */
function columnsOf(groups: readonly { name: string; size: number }[], name: string): number[] {
  let start = 0;
  for (const g of groups) {
    if (g.name === name) return Array.from({ length: g.size }, (_, k) => start + k);
    start += g.size;
  }
  throw new Error(`no group ${name}`);
}

describe("attachments drawn in sequence within a row", () => {
  it("orders a row: what it is, then its control, then its instruments", () => {
    expect(rowStep("rating")).toBe(0);
    expect(rowStep("line1.dn")).toBe(0);
    expect(rowStep("line2.controlValve")).toBe(0);
    expect(rowStep("loop.F")).toBe(1);
    expect(rowStep("line1.tripEffect.L.low")).toBe(1);
    expect(rowStep("instrument.FT")).toBe(2);
    expect(rowStep("line2.instrument.PT")).toBe(2);
    expect(new Set(columnSteps(cols.attachments))).toEqual(new Set([0, 1, 2]));
    expect(ROW_STEPS).toBe(3);
  });

  it("a later block's distribution changes with an earlier block's draw, and never with its own step's or a later one's", () => {
    const g = buildTopologyGenerator(spec, config);
    const sequence = g.sequence!;
    const w = cols.attachmentWidth;
    const e = spec.edgeWidth;
    const m = config.linesPerSlot * spec.nMax;
    const run = (nodeDrawn: Float32Array, lineDrawn: Float32Array) =>
      tf.tidy(() => {
        const [nodes, lines] = sequence.predict([
          tf.zeros([1, spec.nMax, w]),
          tf.tensor3d(nodeDrawn, [1, spec.nMax, w]),
          tf.zeros([1, m, e]),
          tf.tensor3d(lineDrawn, [1, m, e]),
        ]) as tf.Tensor[];
        return [nodes!.dataSync().slice(0, w), lines!.dataSync().slice(0, e)] as [Float32Array, Float32Array];
      });
    const softmax = (logits: Float32Array, at: readonly number[]) => {
      const ex = at.map((k) => Math.exp(logits[k]!));
      const s = ex.reduce((a, b) => a + b, 0);
      return ex.map((v) => v / s);
    };
    const [nodes0, lines0] = run(new Float32Array(spec.nMax * w), new Float32Array(m * e));

    // Slot 0 draws a flow loop (step 1): its flow-transmitter count (step 2) is drawn from another distribution.
    const loopF = columnsOf(cols.attachments, "loop.F");
    const ft = columnsOf(cols.attachments, "instrument.FT");
    const withLoop = new Float32Array(spec.nMax * w);
    withLoop[loopF[1]!] = 1;
    const [nodes1] = run(withLoop, new Float32Array(m * e));
    const shift = softmax(nodes1, ft).map((p, k) => Math.abs(p - softmax(nodes0, ft)[k]!));
    expect(Math.max(...shift)).toBeGreaterThan(1e-3);
    // ... while no column of its own step or an earlier one moves.
    const steps = columnSteps(cols.attachments);
    for (let c = 0; c < w; c++) if (steps[c]! <= 1) expect(nodes1[c]).toBe(nodes0[c]);

    // A line's DN (step 0) moves its instruments' logits; an instrument draw (the last step) moves nothing.
    const dn = columnsOf(edgeGroups, "line1.dn");
    const pt = columnsOf(edgeGroups, "line1.instrument.PT");
    const withDn = new Float32Array(m * e);
    withDn[dn[8]!] = 1;
    const [, lines1] = run(new Float32Array(spec.nMax * w), withDn);
    expect(pt.some((k) => lines1[k] !== lines0[k])).toBe(true);
    const withInstrument = new Float32Array(m * e);
    withInstrument[pt[1]!] = 1;
    const [, lines2] = run(new Float32Array(spec.nMax * w), withInstrument);
    expect(lines2).toEqual(lines0);
    disposeGenerator(g);
  });

  it("trains its weights end to end, saves as a fourth stage and reloads to the same graphs", async () => {
    const trainer = createTopologyTrainer(spec, { ...SMALL, attachmentSequence: true, criticSteps: 1 }, 3);
    expect(generatorStages(trainer.generator)).toHaveLength(4);
    const c = conditionVector({ processClass: "pump_station", site: { width: 90, depth: 60 }, counts: { pump: 3 } });
    const real = generateSlotGraphs(topologyModelOf(trainer), [c, c, c, c], { seed: 1 }).graphs;
    const before = trainer.generator.sequence!.getWeights().map((x) => x.dataSync().slice());
    const batch = makeTopologyBatch(real, spec, config.linesPerSlot * spec.nMax);
    trainer.step(batch);
    tf.dispose(Object.values(batch));
    const after = trainer.generator.sequence!.getWeights().map((x) => x.dataSync());
    expect(after.some((x, i) => x.some((v, k) => v !== before[i]![k]))).toBe(true);

    const model = topologyModelOf(trainer);
    await saveTopologyModel(model, (path, bytes) => {
      mkdirSync(dirname(join(folder, path)), { recursive: true });
      writeFileSync(join(folder, path), bytes);
    });
    const loaded = await loadTopologyModel((path) => readFileSync(join(folder, path)));
    expect(loaded.generator.sequence).toBeDefined();
    const a = generateSlotGraphs(model, [c], { seed: 5 }).graphs[0]!;
    const b = generateSlotGraphs(loaded, [c], { seed: 5 }).graphs[0]!;
    expect(b.nodes).toEqual(a.nodes);
    expect(b.edges).toEqual(a.edges);
    disposeTopologyModel(loaded);
    trainer.dispose();
  });
});
