/**
 * Full-pipeline candidates/s, now against then (issue #16: "at least 3× today's"), in one run on
 * the same requests: the same val designs' specs through the pipeline of an older checkout and
 * through this one's, back to back, with the shipped layout generator (unchanged since) loaded by
 * each checkout's own code. Spec mode, designer topology, polish off: `generate`'s defaults then
 * and now. The first request of each is a warm-up and is not timed.
 *
 *   git worktree add --detach /tmp/plantgan-old16 d108634   # the commit issue 16 was measured on
 *   (link its packages/core/node_modules to this checkout's, plus rbush, which it still used)
 *   npx tsx --conditions=@plantgan/source packages/core/bench/pipeline-then-now.bench.ts --old /tmp/plantgan-old16 [--requests 14] [--count 2]
 *
 * Both checkouts share one TensorFlow.js (the same installed module), so the backend is the same.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { GenerationRequest } from "../src/design/types.js";
import { selectBackend } from "../src/gan/backend.js";
import { fromModelFiles, loadModel, modelLayout } from "../src/gan/models.js";
import { generateCandidates } from "../src/generate/pipeline.js";
import { designerTopology } from "../src/generate/topology-source.js";
import { valRequests } from "./val-requests.js";

const { values } = parseArgs({
  options: {
    old: { type: "string" },
    requests: { type: "string", default: "14" },
    count: { type: "string", default: "2" },
    rounds: { type: "string", default: "1" },
  },
});
if (!values.old) throw new Error("--old <folder of an older checkout> is required");
const requestCount = Number(values.requests);
const count = Number(values.count);
const rounds = Number(values.rounds);
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const modelDir = join(root, "datasets/models/default");

/** A generation function of one checkout: request and seed in, candidates (with `valid`) out. */
type Generate = (request: GenerationRequest, seed: number) => readonly { readonly valid: boolean }[];

/** The shipped generator's files, loaded by a checkout's own model code. */
async function shipped(code: {
  fromModelFiles: typeof fromModelFiles;
  loadModel: typeof loadModel;
  modelLayout: typeof modelLayout;
}) {
  const info = JSON.parse(readFileSync(join(modelDir, "plantgan-model.json"), "utf8"));
  const json = JSON.parse(readFileSync(join(modelDir, "generator/model.json"), "utf8"));
  const weights = new Uint8Array(readFileSync(join(modelDir, "generator/weights.bin")));
  const generator = await code.loadModel(await code.fromModelFiles(json, weights));
  return { generator, config: info.config.model, layout: code.modelLayout(info.config.model) };
}

async function nowPipeline(): Promise<Generate> {
  const model = await shipped({ fromModelFiles, loadModel, modelLayout });
  return (request, seed) =>
    generateCandidates({ ...request, count, seed }, { model, topology: designerTopology, polish: false });
}

async function thenPipeline(folder: string): Promise<Generate> {
  const src = (path: string) => import(pathToFileURL(join(folder, "packages/core/src", path)).href);
  const models = await src("gan/models.ts");
  const pipeline = await src("gan/pipeline.ts");
  const model = await shipped(models);
  return (request, seed) => pipeline.generateCandidates({ ...request, count, seed }, { model, count, seed });
}

function time(requests: readonly GenerationRequest[], generate: Generate) {
  generate(requests[0]!, 1);
  let candidates = 0;
  let valid = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const [i, request] of requests.entries()) {
    const out = generate(request, 100 + i);
    candidates += out.length;
    valid += out.filter((c) => c.valid).length;
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { candidates, valid, seconds, cpuSeconds: (used.user + used.system) / 1e6, perSecond: candidates / seconds };
}

const backend = await selectBackend({ log: () => {} });
const requests = valRequests(root, requestCount);
const pipelines = [
  ["then", await thenPipeline(values.old)],
  ["now", await nowPipeline()],
] as const;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
console.log(
  `full pipeline then (${values.old}) and now, ${requests.length} val requests × ${count} candidates, backend ${backend.name}, load ${load()}`,
);
console.log("| round | pipeline | candidates | valid | seconds | CPU s | candidates/s | s per candidate |");
console.log("|---|---|---|---|---|---|---|---|");
for (let round = 1; round <= rounds; round++) {
  const rows = pipelines.map(([name, generate]) => [name, time(requests, generate)] as const);
  for (const [name, r] of rows) {
    console.log(
      `| ${round} | ${name} | ${r.candidates} | ${r.valid} | ${r.seconds.toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${r.perSecond.toFixed(2)} | ${(r.seconds / r.candidates).toFixed(3)} |`,
    );
  }
  const [then, now] = [rows[0]![1], rows[1]![1]];
  console.log(
    `round ${round}: now/then candidates/s ${(now.perSecond / then.perSecond).toFixed(2)}, CPU per candidate then/now ${(then.cpuSeconds / then.candidates / (now.cpuSeconds / now.candidates)).toFixed(2)}; load ${load()}`,
  );
}
