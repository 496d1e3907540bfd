import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDesign } from "../../design/parse.js";
import { useBackend } from "../backend.js";
import { conditionVector } from "../condition.js";
import { encodeSlotGraph } from "./encode.js";
import {
  disposeTopologyModel,
  generateSlotGraphs,
  loadTopologyModel,
  saveTopologyModel,
  TOPOLOGY_CONFIG_FILE,
  topologyModelOf,
} from "./model-io.js";
import { allowedColumns, observeVocabulary } from "./observed-vocabulary.js";
import { defaultSlotGraphSpec, requireGroup, type SlotGraph } from "./spec.js";
import { compactSlotGraph, createTopologyTrainer, type TopologyTrainer } from "./training.js";

const VAL = fileURLToPath(new URL("../../../../../datasets/synthetic-v1/val.ndjson.gz", import.meta.url));
const spec = defaultSlotGraphSpec(40);
const designs = gunzipSync(readFileSync(VAL))
  .toString("utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .slice(0, 40)
  .map((l) => {
    const parsed = parseDesign(JSON.parse(l));
    if (!parsed.success) throw new Error("a val design does not parse");
    return parsed.data;
  });
const graphs = designs.map((d) => encodeSlotGraph(d, spec));
const dn = requireGroup(spec.edgeGroups, "line1.dn");
const stride = 1 + spec.edgeWidth;

/** The line1.dn classes of every line in the graphs. */
function dnClasses(gs: readonly SlotGraph[]): Set<number> {
  const out = new Set<number>();
  for (const g of gs) {
    for (let cell = 0; cell < spec.nMax * spec.nMax; cell++) {
      if (g.edges[cell * stride]! <= 0.5) continue;
      for (let k = 0; k < dn.size; k++) if (g.edges[cell * stride + 1 + dn.offset + k]! > 0.5) out.add(k);
    }
  }
  return out;
}

const folder = mkdtempSync(join(tmpdir(), "topology-vocabulary-"));
let trainer: TopologyTrainer;

beforeAll(async () => {
  await useBackend("wasm");
  trainer = createTopologyTrainer(spec, { latentSize: 8, hidden: 32, slotHidden: 16, edgeHidden: 16 }, 5);
});

afterAll(() => {
  trainer.dispose();
  rmSync(folder, { recursive: true, force: true });
});

const conditions = designs.slice(0, 6).map((d) => conditionVector(d));

describe("observed vocabulary", () => {
  it("holds exactly the DN steps the designs' lines use, dense and compact alike", () => {
    const dense = observeVocabulary(graphs, spec);
    const compact = observeVocabulary(
      graphs.map((g) => compactSlotGraph(g, spec)),
      spec,
    );
    expect(compact).toEqual(dense);
    const used = [...dnClasses(graphs)].sort((a, b) => a - b);
    expect(dense.lines["line1.dn"]).toEqual(used);
    // synthetic-v1 tops out at DN 400: far fewer than the 26 steps (+ none) of the group.
    expect(used.length).toBeLessThan(dn.size - 5);
    const allowed = allowedColumns(dense.lines, [dn]);
    expect([...allowed.keys()].filter((k) => allowed[k] === 1)).toEqual(used);
  });

  it("is recorded by training and saved with the model; generation decodes only into it, and an older model file without it into every value", async () => {
    expect(trainer.vocabulary).toBeUndefined();
    trainer.observe(graphs);
    const seen = new Set(trainer.vocabulary!.lines["line1.dn"]);
    const model = topologyModelOf(trainer);
    const restricted = generateSlotGraphs(model, conditions, { seed: 3 });
    const open = generateSlotGraphs(model, conditions, { seed: 3, observedOnly: false });
    const drawn = dnClasses(restricted.graphs);
    expect(drawn.size).toBeGreaterThan(0);
    for (const k of drawn) expect(seen.has(k)).toBe(true);
    // The untrained model spreads over every step: without the vocabulary it draws unseen ones.
    expect([...dnClasses(open.graphs)].some((k) => !seen.has(k))).toBe(true);

    await saveTopologyModel(model, (path, bytes) => {
      mkdirSync(dirname(join(folder, path)), { recursive: true });
      writeFileSync(join(folder, path), bytes);
    });
    const loaded = await loadTopologyModel((path) => readFileSync(join(folder, path)));
    expect(loaded.vocabulary).toEqual(trainer.vocabulary);
    expect(loaded.config).toEqual(trainer.config);
    expect(generateSlotGraphs(loaded, conditions, { seed: 3 }).graphs[0]!.edges).toEqual(restricted.graphs[0]!.edges);
    disposeTopologyModel(loaded);

    const { vocabulary: _dropped, ...older } = JSON.parse(readFileSync(join(folder, TOPOLOGY_CONFIG_FILE), "utf8"));
    writeFileSync(join(folder, TOPOLOGY_CONFIG_FILE), JSON.stringify(older));
    const old = await loadTopologyModel((path) => readFileSync(join(folder, path)));
    expect(old.vocabulary).toBeUndefined();
    expect(generateSlotGraphs(old, conditions, { seed: 3 }).graphs[0]!.edges).toEqual(open.graphs[0]!.edges);
    disposeTopologyModel(old);
  });

  it("travels in the trainer's checkpoint state", async () => {
    trainer.observe(graphs);
    const state = await trainer.state();
    expect(state.vocabulary).toEqual(trainer.vocabulary);
    const other = createTopologyTrainer(spec, trainer.config);
    await other.restore(state);
    expect(other.vocabulary).toEqual(trainer.vocabulary);
    other.dispose();
  });
});
