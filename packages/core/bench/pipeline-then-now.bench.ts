/**
 * Full-pipeline candidates/s, now against then (issue #16: "at least 3× today's"), in one run on
 * the same requests: the same val designs' specs through the pipeline of an older checkout and
 * through this one's, with the shipped layout generator (unchanged since) loaded by each
 * checkout's own code. Spec mode, designer topology, polish off: `generate`'s defaults then and
 * now. The first request of each is a warm-up and is not timed.
 *
 * The machine is shared, so the two pipelines take turns request by request (the order swapped
 * every round) and each is charged the CPU time of its own calls (process.cpuUsage): load from
 * other processes then shifts both alike. Wall seconds are printed beside it.
 *
 *   git worktree add --detach /tmp/s16/h2/old d108634   # the commit issue 16 was measured on
 *   ln -s "$PWD/packages/core/node_modules" /tmp/s16/h2/old/packages/core/node_modules
 *   ln -s "$PWD/node_modules" /tmp/s16/h2/old/node_modules
 *   npx tsx --conditions=@plantgan/source packages/core/bench/pipeline-then-now.bench.ts --old /tmp/s16/h2/old [--requests 14] [--count 2] [--rounds 1]
 *
 * Both checkouts share one TensorFlow.js (the same installed module), so the backend is the same.
 *
 * Measured 2026-12-07 (wasm, 2 shared cores, load 9.5-10.2), --requests 14 --count 2 --rounds 3:
 * now/then candidates per CPU second 1.03, 1.26, 1.30 (round 1 is JIT warm-up); CPU s per
 * candidate then 0.094-0.122, now 0.075-0.119; all 28 of each valid. Issue 16 asks for 3×: not
 * reached. Where now's time goes (CPU profile of this bench at 9ea215c, 3 rounds): routing 50%,
 * legalise 15%, the layout generator 28% (ganPlace), parse 7%, validate 3%; the spec-mode
 * topology (the designer's, drawn without a layout) 2%. At 106e056 (before the topology-only
 * designer, the router's kept arrays and rectDistance's fast path) this bench's earlier version
 * (pipelines one after the other, wall time, both models on the old layer code) gave 0.95 (load 4.4).
 *
 * After b9683f7 (the legaliser's candidate search on numbers), same command, load 13.1-15.4: now/then
 * 1.18, 1.41, 1.32; CPU s per candidate then 0.112-0.146, now 0.085-0.123; all 28 valid. Profile of
 * now's pipeline alone on these requests (inspector, 3 rounds; stage = inclusive time): at 43f5bf8
 * routing 43.0%, layout generator 31.8%, legalise 11.2%, validate 2.9%, parse 2.2%, topology 1.6%;
 * after, routing 49.5%, generator 28.5%, legalise 4.7%, validate 3.6%, parse 1.9%, topology 1.2%.
 * After 5178e1b (the router's open set on typed arrays; 6% fewer instructions routing, not clear in
 * CPU time under load) and with the layout generator c3a8af3 ships (both checkouts load it), same
 * command, load 8.2-10.7: now/then 1.00, 1.14, 1.17; CPU s per candidate then 0.151-0.160, now
 * 0.132-0.160; all 28 valid. Now's profile with that model: routing 40.6%, generator 32.4%,
 * legalise 9.5%, validate 5.3%, parse 2.6%, topology 1.9%.
 * Routing is the largest part: the A* search's pushes and pops (about 4.1 million pushes and 2.2 million
 * pops per pass over the 30 routings here). Its order among equal keys is the binary heap's, so any
 * change to the heap or to what is pushed changes routes and the dataset (tests/dataset).
 *
 * 2026-12-08, same command. At e10f22f (--rounds 2, load 0.9): now/then 1.07, 1.06; CPU s per
 * candidate then 0.144-0.173, now 0.135-0.161. Its CPU profile: now's routeDesign 3,766 ms of its
 * generateCandidates' 5,897 ms, 1,680 ms of it in flatqueue's push. Both checkouts load the one
 * flatqueue module, the old one with a plain-array queue, so its push was polymorphic and called
 * out of line in now's search; now's own open set (route/astar.ts OpenSet, aadd747: the same heap,
 * the same routes) ends that. After it (--rounds 3, load 2.1-2.3): 1.37, 1.58, 1.64; routeDesign
 * 2,347 ms of 5,282 ms. After 8d468ec (the bound as a method with tables, one wall array per step,
 * closed states skipped before their cost; 0.935-0.94x routing CPU in one-process A/Bs, same
 * routes), on the start commit with only route/ changed (load 8.1-9.0): 1.50, 1.67, 1.55; CPU s per
 * candidate then 0.134-0.180, now 0.086-0.120. At 8d468ec itself, with the day's other commits
 * (load 10.3-11.9): 1.78, 2.01, 2.06; now 0.068-0.106. All 28 of each valid in every run. Still
 * short of 3x: now's routing is about a third of its CPU and the layout generator another third.
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
import { splitRequests } from "./split-requests.js";

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

interface Tally {
  candidates: number;
  valid: number;
  seconds: number;
  cpuSeconds: number;
}

/** One round: every request through each pipeline in turn (`order` first), each charged its own time. */
function round(requests: readonly GenerationRequest[], order: readonly (readonly [string, Generate])[]) {
  const tallies = new Map<string, Tally>(
    order.map(([name]) => [name, { candidates: 0, valid: 0, seconds: 0, cpuSeconds: 0 }]),
  );
  for (const [i, request] of requests.entries()) {
    for (const [name, generate] of order) {
      const t = tallies.get(name)!;
      const started = performance.now();
      const cpu = process.cpuUsage();
      const out = generate(request, 100 + i);
      const used = process.cpuUsage(cpu);
      t.seconds += (performance.now() - started) / 1000;
      t.cpuSeconds += (used.user + used.system) / 1e6;
      t.candidates += out.length;
      t.valid += out.filter((c) => c.valid).length;
    }
  }
  return tallies;
}

const backend = await selectBackend({ log: () => {} });
const requests = splitRequests(root, requestCount);
// TensorFlow.js keeps one registry of layer classes by name, and each checkout registers its own
// on import: a model is built from the classes registered when it is loaded. So this checkout's
// model is loaded first, then the old checkout is imported (its classes replace these) and its
// model loaded; each keeps its own layers' code. (Loaded the other way round, both ran the old code.)
const now = await nowPipeline();
const then = await thenPipeline(values.old);
const pipelines = [
  ["then", then],
  ["now", now],
] as const;
for (const [, generate] of pipelines) generate(requests[0]!, 1);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
console.log(
  `full pipeline then (${values.old}) and now, ${requests.length} val requests × ${count} candidates, backend ${backend.name}, load ${load()}`,
);
console.log("| round | pipeline | candidates | valid | wall s | CPU s | candidates/s (wall) | CPU s per candidate |");
console.log("|---|---|---|---|---|---|---|---|");
for (let r = 1; r <= rounds; r++) {
  const tallies = round(requests, r % 2 === 1 ? pipelines : [...pipelines].reverse());
  for (const [name] of pipelines) {
    const t = tallies.get(name)!;
    console.log(
      `| ${r} | ${name} | ${t.candidates} | ${t.valid} | ${t.seconds.toFixed(1)} | ${t.cpuSeconds.toFixed(1)} | ${(t.candidates / t.seconds).toFixed(2)} | ${(t.cpuSeconds / t.candidates).toFixed(3)} |`,
    );
  }
  const [then, now] = [tallies.get("then")!, tallies.get("now")!];
  console.log(
    `round ${r}: now/then candidates per CPU second ${(then.cpuSeconds / then.candidates / (now.cpuSeconds / now.candidates)).toFixed(2)}, per wall second ${(now.candidates / now.seconds / (then.candidates / then.seconds)).toFixed(2)}; load ${load()}`,
  );
}
