import { fixtureParsed } from "@plantgan/testing";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EQUIPMENT_TYPES, encodingLayout } from "../views/vocabulary.js";
import {
  buildCritic,
  buildGenerator,
  CONDITION_SIZE,
  conditionVector,
  fromModelFiles,
  generateEncodings,
  loadModel,
  modelLayout,
  modelMetadata,
  resolveModelConfig,
  sampleGraph,
  sampleLatent,
  saveModel,
  toModelFiles,
  useBackend,
} from "./index.js";

const CONFIG = resolveModelConfig({
  nMax: 16,
  latentSize: 8,
  generatorHidden: 32,
  nodeHidden: 16,
  edgeRank: 4,
  criticHidden: 16,
  graphLayers: 2,
  grid: 8,
  gridHidden: 16,
  seed: 3,
});
const layout = modelLayout(CONFIG);

beforeAll(async () => {
  await useBackend("wasm");
});

let baseline = 0;
beforeAll(() => {
  baseline = tf.memory().numTensors;
});
afterAll(() => {
  expect(tf.memory().numTensors).toBe(baseline);
});

function conditions(count: number): tf.Tensor2D {
  const designs = fixtureParsed(count);
  return tf.tensor2d(
    designs.flatMap((d) => Array.from(conditionVector(d))),
    [count, CONDITION_SIZE],
  );
}

describe("conditionVector", () => {
  it("gives a request the vector of a design holding what it asks for", () => {
    const design = fixtureParsed(1)[0]!;
    const counts = new Map<string, number>();
    for (const e of design.equipment) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    const request = {
      schemaVersion: "1.0" as const,
      processClass: design.processClass,
      site: { ...design.site, keepOut: [...design.site.keepOut], racks: [...design.site.racks] },
      equipment: [...counts].map(([type, count]) => ({ type: type as (typeof EQUIPMENT_TYPES)[number], count })),
    };
    expect(Array.from(conditionVector(request))).toEqual(Array.from(conditionVector(design)));
    expect(conditionVector(design)).toHaveLength(CONDITION_SIZE);
  });
});

describe("generator and sampling", () => {
  it("outputs graphs shaped and zeroed like the encoding", () => {
    const generator = buildGenerator(CONFIG);
    tf.tidy(() => {
      const c = conditions(4);
      const z = sampleLatent(4, CONFIG.latentSize, 1);
      const [nodeParams, edgeLogits] = generator.apply([z, c]) as tf.Tensor[];
      expect(nodeParams!.shape).toEqual([4, 16, layout.F + 1]);
      expect(edgeLogits!.shape).toEqual([4, layout.R, 16, 16]);
      const g = sampleGraph(nodeParams as tf.Tensor3D, edgeLogits as tf.Tensor4D, layout, { noiseSeed: 9 });
      const X = g.X.arraySync();
      const mask = g.mask.arraySync();
      const { offsets } = layout;
      for (let b = 0; b < 4; b++) {
        for (let i = 0; i < 16; i++) {
          const row = X[b]![i]!;
          const types = row.slice(offsets.type, offsets.size);
          if (mask[b]![i] === 0) {
            expect(row.every((v) => v === 0)).toBe(true);
            continue;
          }
          expect(types.filter((v) => v === 1)).toHaveLength(1);
          const equipment = types.slice(0, EQUIPMENT_TYPES.length).some((v) => v === 1);
          if (!equipment) expect(row.slice(offsets.size).every((v) => v === 0)).toBe(true);
          else expect(row.slice(offsets.rotation, offsets.rotation + 4).filter((v) => v === 1)).toHaveLength(1);
          if (row[offsets.placed] === 0) expect(row[offsets.position]).toBe(0);
        }
      }
      const A = g.A.arraySync();
      for (let b = 0; b < 4; b++) {
        for (let r = 0; r < layout.R; r++) {
          for (let i = 0; i < 16; i++) {
            expect(A[b]![r]![i]![i]).toBe(0);
            for (let j = 0; j < 16; j++) {
              expect([0, 1]).toContain(A[b]![r]![i]![j]);
              if (mask[b]![i] === 0 || mask[b]![j] === 0) expect(A[b]![r]![i]![j]).toBe(0);
            }
          }
        }
      }
    });
    generator.dispose();
  });

  it("truncates the latent and generates reproducibly by seed", () => {
    const z = sampleLatent(64, 8, 5, 0.5);
    expect(tf.tidy(() => tf.max(tf.abs(z)).dataSync()[0])).toBeLessThanOrEqual(0.5);
    z.dispose();
    const generator = buildGenerator(CONFIG);
    const cs = fixtureParsed(3).map((d) => conditionVector(d));
    const a = generateEncodings(generator, layout, cs, { seed: 1, truncation: 2 });
    const b = generateEncodings(generator, layout, cs, { seed: 1, truncation: 2 });
    const c = generateEncodings(generator, layout, cs, { seed: 2, truncation: 2, temperature: 1 });
    expect(a).toHaveLength(3);
    expect(a[0]!.X).toHaveLength(16 * layout.F);
    expect(a[0]!.A).toHaveLength(layout.R * 16 * 16);
    expect(a[0]!.featureNames).toEqual(encodingLayout({ nMax: 16 }).featureNames);
    expect(a.map((s) => Array.from(s.X))).toEqual(b.map((s) => Array.from(s.X)));
    expect(a.map((s) => Array.from(s.X))).not.toEqual(c.map((s) => Array.from(s.X)));
    generator.dispose();
  });
});

describe("save and load", () => {
  it("reloads generator and critic with the same outputs, also through model.json + weights.bin", async () => {
    const generator = buildGenerator(CONFIG);
    const critic = buildCritic(CONFIG);
    const c = conditions(2);
    const z = sampleLatent(2, CONFIG.latentSize, 3);
    const [nodeParams, edgeLogits] = generator.apply([z, c]) as tf.Tensor[];
    const graph = sampleGraph(nodeParams as tf.Tensor3D, edgeLogits as tf.Tensor4D, layout);
    const score = critic.apply([graph.X, graph.A, graph.mask, c]) as tf.Tensor;

    const generator2 = await loadModel(await saveModel(generator));
    const { modelJson, weights } = toModelFiles(await saveModel(critic));
    const json = JSON.parse(JSON.stringify(modelJson)) as tf.io.ModelJSON;
    expect(json.weightsManifest[0]!.paths).toEqual(["weights.bin"]);
    const critic2 = await loadModel(await fromModelFiles(json, weights.slice()));

    const [nodeParams2, edgeLogits2] = generator2.apply([z, c]) as tf.Tensor[];
    const score2 = critic2.apply([graph.X, graph.A, graph.mask, c]) as tf.Tensor;
    const diff = (p: tf.Tensor, q: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]!);
    expect(diff(nodeParams!, nodeParams2!)).toBe(0);
    expect(diff(edgeLogits!, edgeLogits2!)).toBe(0);
    expect(diff(score, score2)).toBe(0);
    expect(critic2.getLayer("d_rgcn0").getClassName()).toBe("PlantGanRelationalGraphConv");
    expect(modelMetadata(generator2)).toEqual({ role: "generator", config: CONFIG });
    expect(modelMetadata(critic2)?.role).toBe("critic");

    tf.dispose([
      c,
      z,
      nodeParams!,
      edgeLogits!,
      graph.X,
      graph.A,
      graph.mask,
      score,
      nodeParams2!,
      edgeLogits2!,
      score2,
    ]);
    for (const m of [generator, critic, generator2, critic2]) m.dispose();
  });
});
