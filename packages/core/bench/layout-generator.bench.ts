/**
 * The layout generator's forward pass (issue 16): kernel calls per forward and milliseconds per
 * candidate of the shipped model (datasets/models/default, or --model DIR) on the test split's
 * designs, and a before/after check of its output.
 *
 *   npx tsx --conditions=@plantgan/source packages/core/bench/layout-generator.bench.ts \
 *     [--designs 70] [--batch 2] [--reps 3] [--dump out.json] [--compare before.json]
 *
 * Each design's topology is encoded as the pipeline encodes it (`topologyItem`, its site's
 * obstacles, a latent drawn from a fixed seed) and the generator runs as `ganPlace` runs it
 * (`training: false`), `--batch` designs per call (the pipeline's candidates per request).
 * Printed, from one run:
 * - kernel calls of one forward at batch 1 (generation), of one in training mode, and of one
 *   training-mode forward and backward (gradients of the output's sum with respect to the
 *   weights), with the most frequent kernels: the engine's count (`tf.profile`), so every call
 *   the engine dispatches counts, a Reshape as much as a MatMul;
 * - CPU and wall ms per candidate over all designs, the median of `--reps` passes;
 * - with --dump, each design's positions (m) and rotations written to a file, and the gradients of
 *   a fixed weighting of a training-mode forward's output (the first 4 designs) with respect to
 *   every weight; with --compare, against such a file: the largest position difference (m), the
 *   rotations that differ, and the largest gradient difference relative to that weight's largest
 *   gradient.
 *
 * 2026-12-08, the shipped model, wasm, autogroup nice -20 while other sessions trained (load
 * 12.3-13.4), e10f22f (the refiner round by round) and 215b820 alternating, two runs each:
 * kernel calls per forward 2,424 -> 1,047, per training forward and backward 7,210 -> 2,664;
 * ms CPU per candidate at batch 2 19.6, 19.5 -> 11.4, 11.0; at batch 4 16.8, 16.4 -> 9.5, 9.4.
 * Positions and rotations on the 70 designs bit-identical (--compare against a dump of e10f22f),
 * gradients within 1.5e-6 of each weight's largest. The whole pipeline
 * (pipeline.bench.ts --requests 70 --count 2 --sources designer --split test, 215b820 with and
 * without e10f22f's refiner, alternating, load 11.7-13.1): 14.81, 14.58, 14.16 -> 16.57, 16.79,
 * 16.54 candidates/s, 139/140 valid both.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import * as tf from "@tensorflow/tfjs-core";
import { parseDesign } from "../src/design/parse.js";
import type { Design } from "../src/design/types.js";
import { selectBackend } from "../src/gan/backend.js";
import { CONDITION_LAYOUT, CONDITION_SIZE, conditionVector, SITE_SCALE } from "../src/gan/condition.js";
import {
  concatArrays,
  fromModelFiles,
  type GanModelConfig,
  loadModel,
  modelLayout,
  sampleLatent,
} from "../src/gan/models.js";
import { MAX_OBSTACLES, OBSTACLE_WIDTH, obstacleArray } from "../src/gan/obstacles.js";
import { topologyItem } from "../src/gan/topology.js";
import { DEFAULT_RULE_PACK } from "../src/validate/index.js";

const { values } = parseArgs({
  options: {
    designs: { type: "string", default: "70" },
    batch: { type: "string", default: "2" },
    reps: { type: "string", default: "3" },
    model: { type: "string" },
    dump: { type: "string" },
    compare: { type: "string" },
  },
});
const designCount = Number(values.designs);
const batch = Number(values.batch);
const reps = Number(values.reps);
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const modelDir = values.model ?? join(root, "datasets/models/default");
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

/** The first `count` test-split designs, the classes in turn. */
function testDesigns(count: number): Design[] {
  const text = gunzipSync(readFileSync(join(root, "datasets/synthetic-v1/test.ndjson.gz"))).toString("utf8");
  const byClass = new Map<string, Design[]>();
  for (const line of text.trim().split("\n")) {
    const parsed = parseDesign(line);
    if (!parsed.success) throw new Error("test split: a design does not parse");
    byClass.set(parsed.data.processClass, [...(byClass.get(parsed.data.processClass) ?? []), parsed.data]);
  }
  const lists = [...byClass.values()];
  const out: Design[] = [];
  for (let i = 0; out.length < count && lists.some((l) => i < l.length); i++) {
    for (const l of lists) if (i < l.length && out.length < count) out.push(l[i]!);
  }
  return out;
}

const backend = await selectBackend({ log: () => {} });
const info = JSON.parse(readFileSync(join(modelDir, "plantgan-model.json"), "utf8"));
const config = info.config.model as GanModelConfig;
const layout = modelLayout(config);
const generator = await loadModel(
  await fromModelFiles(
    JSON.parse(readFileSync(join(modelDir, "generator/model.json"), "utf8")),
    new Uint8Array(readFileSync(join(modelDir, "generator/weights.bin"))),
  ),
);
if (config.generator !== "layout") throw new Error(`${modelDir}: not a layout generator`);
const n = config.nMax;
const designs = testDesigns(designCount);
const latentSize = generator.inputs[0]!.shape[1] as number;
const latents = sampleLatent(designs.length, latentSize, 7, 1);
const latentValues = latents.dataSync() as Float32Array;
latents.dispose();

/** The generator's inputs for designs [from, to): as ganPlace builds them. */
function inputs(from: number, to: number): tf.Tensor[] {
  const part = designs.slice(from, to);
  const b = part.length;
  const items = part.map((d) => topologyItem(d, layout.spec));
  return [
    tf.tensor2d(latentValues.slice(from * latentSize, to * latentSize), [b, latentSize]),
    tf.tensor2d(concatArrays(part.map((d) => conditionVector(d))), [b, CONDITION_SIZE]),
    tf.tensor3d(concatArrays(items.map((i) => i.X)), [b, n, layout.F]),
    tf.tensor4d(concatArrays(items.map((i) => i.A)), [b, layout.R, n, n]),
    tf.tensor2d(concatArrays(items.map((i) => i.mask)), [b, n]),
    tf.tensor3d(concatArrays(part.map((d) => obstacleArray(d.site, DEFAULT_RULE_PACK, []))), [
      b,
      MAX_OBSTACLES,
      OBSTACLE_WIDTH,
    ]),
  ];
}

function forward(x: tf.Tensor[], training: boolean): tf.Tensor3D {
  return generator.apply(x, { training }) as tf.Tensor3D;
}

async function kernels(label: string, f: () => tf.Tensor | tf.Tensor[] | tf.NamedTensorMap): Promise<void> {
  const profile = await tf.profile(() => {
    const out = f();
    const list = out instanceof tf.Tensor ? [out] : Array.isArray(out) ? out : Object.values(out);
    for (const t of list) t.dispose();
  });
  const byName = new Map<string, number>();
  for (const k of profile.kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + 1);
  const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(
    `  ${label}: ${profile.kernels.length} kernel calls (${top.map(([name, count]) => `${name} ${count}`).join(", ")})`,
  );
}

console.log(
  `layout generator ${modelDir}, backend ${backend.name}, ${designs.length} test designs, batch ${batch}; load ${load()}`,
);
const one = inputs(0, 1);
forward(one, false).dispose(); // warm-up: first kernels
console.log("kernel calls per forward (batch 1):");
await kernels("generation (training: false)", () => forward(one, false));
await kernels("training-mode forward", () => forward(one, true));
const weights = generator.trainableWeights.map((w) => w.read() as tf.Variable);
await kernels(
  "training-mode forward + backward",
  () => tf.variableGrads(() => tf.sum(forward(one, true)) as tf.Scalar, weights).grads,
);
for (const t of one) t.dispose();

/** Every design through the generator, `batch` at a time: positions (m) and rotations per design. */
function generateAll(): { x: number[][]; y: number[][]; rotation: number[][] } {
  const out = { x: [] as number[][], y: [] as number[][], rotation: [] as number[][] };
  const { position, rotation } = layout.offsets;
  const width = layout.F + 1;
  for (let from = 0; from < designs.length; from += batch) {
    const to = Math.min(designs.length, from + batch);
    const x = inputs(from, to);
    const params = forward(x, false);
    const v = params.dataSync() as Float32Array;
    params.dispose();
    for (const t of x) t.dispose();
    for (let k = 0; k < to - from; k++) {
      const d = designs[from + k]!;
      const rows = Math.min(d.equipment.length, n);
      const sigmoid = (s: number) => 1 / (1 + Math.exp(-s));
      const at = (r: number, j: number) => v[(k * n + r) * width + j]!;
      const siteW = conditionVector(d)[CONDITION_LAYOUT.siteWidth]! * SITE_SCALE;
      const siteD = conditionVector(d)[CONDITION_LAYOUT.siteDepth]! * SITE_SCALE;
      out.x.push(Array.from({ length: rows }, (_, r) => sigmoid(at(r, position)) * siteW));
      out.y.push(Array.from({ length: rows }, (_, r) => sigmoid(at(r, position + 1)) * siteD));
      out.rotation.push(
        Array.from({ length: rows }, (_, r) => {
          let best = 0;
          for (let q = 1; q < 4; q++) if (at(r, rotation + q) > at(r, rotation + best)) best = q;
          return best;
        }),
      );
    }
  }
  return out;
}

generateAll(); // warm-up: every batch shape
const runs: { cpu: number; wall: number }[] = [];
let result = generateAll();
for (let r = 0; r < reps; r++) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  result = generateAll();
  const cpu = process.cpuUsage(cpu0);
  runs.push({ cpu: (cpu.user + cpu.system) / 1000, wall: performance.now() - t0 });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const perCandidate = (ms: number) => (ms / designs.length).toFixed(1);
console.log(
  `ms per candidate (median of ${reps} passes over ${designs.length} designs, batch ${batch}): CPU ${perCandidate(
    median(runs.map((r) => r.cpu)),
  )}, wall ${perCandidate(median(runs.map((r) => r.wall)))}; load ${load()}`,
);

/** Gradients of Σ output·r (r fixed, from a sine) for the first 4 designs in training mode, by weight name. */
function gradients(): Record<string, number[]> {
  const x = inputs(0, Math.min(4, designs.length));
  const { value, grads } = tf.variableGrads(() => {
    const out = forward(x, true);
    const r = tf.tensor(
      Float32Array.from({ length: out.size }, (_, i) => Math.sin(i * 0.7) + 0.1),
      out.shape,
    );
    return tf.sum(tf.mul(out, r)) as tf.Scalar;
  }, weights);
  value.dispose();
  for (const t of x) t.dispose();
  return Object.fromEntries(
    Object.entries(grads).map(([name, g]) => {
      const v = Array.from(g.dataSync());
      g.dispose();
      return [name, v];
    }),
  );
}
const grads = gradients();

if (values.dump) {
  writeFileSync(values.dump, JSON.stringify({ ...result, grads }));
  console.log(`positions written to ${values.dump}`);
}
if (values.compare) {
  const before = JSON.parse(readFileSync(values.compare, "utf8")) as typeof result & { grads: typeof grads };
  let largest = 0;
  let rotations = 0;
  let items = 0;
  result.x.forEach((xs, d) => {
    xs.forEach((x, r) => {
      items++;
      largest = Math.max(largest, Math.abs(x - before.x[d]![r]!), Math.abs(result.y[d]![r]! - before.y[d]![r]!));
      if (result.rotation[d]![r] !== before.rotation[d]![r]) rotations++;
    });
  });
  console.log(
    `against ${values.compare}: ${items} items, largest position difference ${largest.toExponential(2)} m, ${rotations} rotations differ`,
  );
  let worst = { name: "", relative: 0 };
  for (const [name, g] of Object.entries(grads)) {
    const old = before.grads[name];
    if (!old || old.length !== g.length) throw new Error(`gradient ${name}: not in ${values.compare} or another shape`);
    let scale = 1e-30;
    let diff = 0;
    g.forEach((v, i) => {
      scale = Math.max(scale, Math.abs(old[i]!));
      diff = Math.max(diff, Math.abs(v - old[i]!));
    });
    if (diff / scale >= worst.relative) worst = { name, relative: diff / scale };
  }
  console.log(
    `gradients (${Object.keys(grads).length} weights): largest difference ${worst.relative.toExponential(2)} of that weight's largest gradient (${worst.name})`,
  );
}
