/**
 * The A/B of issue 19's cost term: fine-tunes the shipped layout generator (datasets/models/default)
 * for a number of steps at a given cost weight (training.ts `penalties.cost`; losses.ts
 * `layoutCost`), from the shipped weights, with fresh Adam states, on the same batches in the same
 * order for every weight, and writes the model folder that `pnpm bench:layout --model <dir>` reads.
 * Run it at weight 0 and at a weight > 0 and bench both: fine-tuning alone moves the model (the live
 * generator restarts from the EMA weights), so the weight-0 arm, not the shipped model, is the control.
 *
 *   npx tsx --conditions=@plantgan/source packages/core/bench/layout-cost-finetune.ts \
 *     --cost 1 --steps 60 [--batch 32] [--seed 1] --out /tmp/cost-1
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { parseDesign } from "@plantgan/core/design";
import {
  createTrainer,
  disposeBatch,
  fromModelFiles,
  layoutTrainingData,
  makeBatch,
  modelFiles,
  selectBackend,
  setModelWeights,
  type TrainerConfig,
} from "@plantgan/core/gan";

function arg(name: string, fallback?: string): string {
  const k = process.argv.indexOf(`--${name}`);
  const value = k >= 0 ? process.argv[k + 1] : fallback;
  if (value === undefined) throw new Error(`--${name} is required`);
  return value;
}
const cost = Number(arg("cost"));
const steps = Number(arg("steps", "60"));
const batchSize = Number(arg("batch", "32"));
const seed = Number(arg("seed", "1"));
const out = arg("out");
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const shipped = join(root, "datasets/models/default");

async function artifacts(sub: string) {
  return fromModelFiles(
    JSON.parse(readFileSync(join(shipped, sub, "model.json"), "utf8")),
    new Uint8Array(readFileSync(join(shipped, sub, "weights.bin"))),
  );
}

/** A seeded shuffle (mulberry32), so both arms see the same batches in the same order. */
function shuffled<T>(items: readonly T[], s: number): T[] {
  let a = s >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

async function main(): Promise<void> {
  await selectBackend({ prefer: "wasm", log: () => {} });
  const info = JSON.parse(readFileSync(join(shipped, "plantgan-model.json"), "utf8"));
  const shippedConfig = info.config as TrainerConfig;
  const config: TrainerConfig = {
    model: { ...shippedConfig.model, seed },
    training: { ...shippedConfig.training, penalties: { ...shippedConfig.training.penalties, cost } },
  };
  const trainer = createTrainer(config);
  // The folder holds the EMA generator: both the live and the EMA generator start from it.
  const generator = await artifacts("generator");
  setModelWeights(trainer.generator, generator);
  setModelWeights(trainer.generatorEma, generator);
  setModelWeights(trainer.critic, await artifacts("critic"));

  const text = gunzipSync(readFileSync(join(root, "datasets/synthetic-v1/train.ndjson.gz"))).toString("utf8");
  const designs = text
    .trim()
    .split("\n")
    .map((l) => parseDesign(l))
    .flatMap((p) => (p.success ? [p.data] : []));
  const items = shuffled(layoutTrainingData(designs, trainer).items, seed);
  const started = performance.now();
  let generatorLoss = 0;
  let generatorSteps = 0;
  for (let s = 0; s < steps; s++) {
    const from = (s * batchSize) % Math.max(1, items.length - batchSize);
    const batch = makeBatch(items.slice(from, from + batchSize), trainer.layout);
    const losses = trainer.step(batch);
    disposeBatch(batch);
    if (losses.generatorUpdated) {
      generatorLoss += losses.g_loss;
      generatorSteps++;
    }
    if ((s + 1) % 10 === 0) {
      console.error(
        `cost ${cost}: step ${s + 1}/${steps}, ${((performance.now() - started) / 1000).toFixed(0)} s, d_loss ${losses.d_loss.toFixed(3)}, mean g_loss ${(generatorLoss / Math.max(1, generatorSteps)).toFixed(3)}`,
      );
    }
  }
  const files = await modelFiles(trainer, { ...info, config: trainer.config });
  for (const [name, bytes] of files) {
    mkdirSync(dirname(join(out, name)), { recursive: true });
    writeFileSync(join(out, name), bytes);
  }
  trainer.dispose();
  console.log(out);
}

await main();
