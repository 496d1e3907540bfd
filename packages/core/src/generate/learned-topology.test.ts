import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withConventionalNozzles } from "../design/nozzle-convention.js";
import { parseDesign } from "../design/parse.js";
import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import type { GenerationRequest, PlantDesignInput } from "../design/types.js";
import { EQUIPMENT_TYPES } from "../design/vocabulary.js";
import { selectBackend } from "../gan/backend.js";
import { fromModelFiles, type GanModel, loadModel, modelLayout } from "../gan/models.js";
import { type TopologyModel, topologyModelOf } from "../gan/topology/model-io.js";
import { defaultSlotGraphSpec } from "../gan/topology/spec.js";
import { createTopologyTrainer, type TopologyTrainer } from "../gan/topology/training.js";
import { layoutFreeErrorCount } from "../gan/topology/validity-reward.js";
import { decodeLatent } from "./latent.js";
import { learnedTopology, requiredCounts, TOPOLOGY_LATENT_KEY } from "./learned-topology.js";
import { generateCandidates } from "./pipeline.js";
import { TopologySourceError, topologySourceByName } from "./topology-source.js";

const MODEL_DIR = new URL("../../../../datasets/models/default/", import.meta.url);

/** The shipped layout generator, with `topology` as its topology generator. */
async function layoutModelWith(topology: TopologyModel): Promise<GanModel> {
  const info = JSON.parse(readFileSync(new URL("plantgan-model.json", MODEL_DIR), "utf8"));
  const json = JSON.parse(readFileSync(new URL("generator/model.json", MODEL_DIR), "utf8"));
  const weights = new Uint8Array(readFileSync(new URL("generator/weights.bin", MODEL_DIR)));
  const generator = await loadModel(await fromModelFiles(json, weights));
  return { generator, config: info.config.model, layout: modelLayout(info.config.model), topology };
}

// Untrained weights (small nets): what the source does with any model, not what training teaches.
let trainer: TopologyTrainer;
let model: TopologyModel;
beforeAll(async () => {
  await selectBackend({ log: () => {} });
  trainer = createTopologyTrainer(defaultSlotGraphSpec(16), { latentSize: 8, hidden: 32, slotHidden: 16 }, 5);
  model = topologyModelOf(trainer);
}, 60_000);
afterAll(() => trainer?.dispose());

const request: GenerationRequest = {
  schemaVersion: "1.0",
  mode: "spec",
  processClass: "pump_station",
  site: { width: 120, depth: 90, gridSize: 1 },
  equipment: [
    { type: "pump", count: 3 },
    { type: "tank", count: 2 },
  ],
} as unknown as GenerationRequest;

const countOf = (d: { equipment: readonly { type: string }[] }, type: string) =>
  d.equipment.filter((e) => e.type === type).length;

describe("learned topology source", () => {
  it("proposes a topology holding the requested equipment as written (exact counts), recording its latent", () => {
    const source = learnedTopology(model);
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const other = source.propose(request, seed, DEFAULT_RULE_PACK);
      expect(countOf(other, "pump")).toBe(3);
      expect(countOf(other, "tank")).toBe(2);
    }
    const design = source.propose(request, 7, DEFAULT_RULE_PACK);
    expect(source.name).toBe("learned");
    expect(countOf(design, "pump")).toBe(3);
    expect(countOf(design, "tank")).toBe(2);
    expect(design.processClass).toBe("pump_station");
    expect(design.site.width).toBe(120);
    const latent = decodeLatent(String((design.metadata as Record<string, unknown>)[TOPOLOGY_LATENT_KEY]));
    expect(latent).toHaveLength(8);
  });

  it("is deterministic in the seed, and a recorded latent replays the same topology", () => {
    const source = learnedTopology(model);
    const a = source.propose(request, 11, DEFAULT_RULE_PACK);
    expect(source.propose(request, 11, DEFAULT_RULE_PACK)).toEqual(a);
    const latent = decodeLatent(String((a.metadata as Record<string, unknown>)[TOPOLOGY_LATENT_KEY]))!;
    // Same latent, same seed for the discrete noise: the same P&ID.
    const replay = source.propose(request, 11, DEFAULT_RULE_PACK, { latent });
    expect(replay.equipment).toEqual(a.equipment);
    expect(replay.lines).toEqual(a.lines);
  });

  it("screens its draws by the layout-free rules, keeping a draw that its latent and seed replay", () => {
    const errorsOf = (d: PlantDesignInput) => {
      const parsed = parseDesign(d);
      if (!parsed.success) throw new Error("a proposal does not parse");
      return layoutFreeErrorCount(parsed.data, DEFAULT_RULE_PACK);
    };
    const once = learnedTopology(model, { screenDraws: 1 });
    const screened = learnedTopology(model, { screenDraws: 6 });
    let [first, kept] = [0, 0];
    for (const seed of [1, 2, 3, 4, 5]) {
      const a = errorsOf(once.propose(request, seed, DEFAULT_RULE_PACK));
      const design = screened.propose(request, seed, DEFAULT_RULE_PACK);
      const b = errorsOf(design);
      expect(b).toBeLessThanOrEqual(a);
      [first, kept] = [first + a, kept + b];
      const latent = decodeLatent(String((design.metadata as Record<string, unknown>)[TOPOLOGY_LATENT_KEY]))!;
      const replay = screened.propose(request, seed, DEFAULT_RULE_PACK, { latent });
      expect(replay.lines).toEqual(design.lines);
    }
    expect(kept).toBeLessThan(first);
  });

  it("places the nozzles on the request's own grid, the one the router uses", () => {
    const source = learnedTopology(model);
    const coarse = { ...request, site: { ...request.site, gridSize: 2 } } as GenerationRequest;
    const onCoarse = source.propose(coarse, 3, DEFAULT_RULE_PACK);
    const onFine = source.propose(request, 3, DEFAULT_RULE_PACK);
    expect(onCoarse.site.gridSize).toBe(2);
    // The same P&ID (the grid is not part of the condition); its nozzles re-placed on a 2 m grid
    // by the convention are the coarse proposal's, and differ from the 1 m ones.
    expect(onCoarse.lines.map((l) => l.id)).toEqual(onFine.lines.map((l) => l.id));
    const unplaced = {
      ...onFine,
      site: coarse.site,
      equipment: onFine.equipment.map((e) => ({
        ...e,
        nozzles: (e.nozzles ?? []).map(({ dx: _x, dy: _y, dz: _z, ...n }) => n),
      })),
    } as PlantDesignInput;
    expect(withConventionalNozzles(unplaced).equipment).toEqual(onCoarse.equipment);
    expect(onCoarse.equipment).not.toEqual(onFine.equipment);
  });

  it("refuses a latent of another size, naming both", () => {
    expect(() => learnedTopology(model).propose(request, 1, DEFAULT_RULE_PACK, { latent: [0, 1, 2] })).toThrow(
      /a topology latent of 3 numbers for a topology generator that takes 8/,
    );
  });

  it("refuses a request larger than the generator's slots, naming the limit", () => {
    const big = { ...request, equipment: [{ type: "pump", count: 17 }] } as GenerationRequest;
    expect(() => learnedTopology(model).propose(big, 1, DEFAULT_RULE_PACK)).toThrow(/at most 16/);
  });

  it("counts fixed items toward what a request requires", () => {
    const fixed = {
      ...request,
      fixed: [1, 2, 3, 4].map((i) => ({ tag: `P-10${i}`, type: "pump" })),
    } as unknown as GenerationRequest;
    expect(requiredCounts(fixed)[EQUIPMENT_TYPES.indexOf("pump")]).toBe(4);
  });

  it("is what --topology learned names for a model with a topology generator, and refused without one", () => {
    const withTopology = { topology: model } as unknown as Parameters<typeof topologySourceByName>[1];
    expect(topologySourceByName("learned", withTopology).name).toBe("learned");
    expect(() => topologySourceByName("learned", undefined)).toThrow(TopologySourceError);
  });

  it("runs the pipeline on it: each candidate names the source and keeps both latents, which replay its P&ID", async () => {
    const withTopology = await layoutModelWith(model);
    const options = { model: withTopology, topology: learnedTopology(model), attempts: 1, polish: false } as const;
    const [first] = generateCandidates({ ...request, count: 1, seed: 3 }, options);
    expect(first!.topologySource).toBe("learned");
    // Every nozzle has its place on the shell (without one, all sat at the footprint centre and the
    // router found every nozzle blocked by its neighbours' connections).
    for (const e of first!.design.equipment) for (const n of e.nozzles) expect(n.dz).toBeTypeOf("number");
    const latent = first!.origin?.latent;
    expect(latent?.topology).toHaveLength(8);
    expect(latent?.layout.length).toBeGreaterThan(0);
    const [replay] = generateCandidates(request, {
      ...options,
      latents: [{ latent: latent!, topologySeed: first!.origin!.topologySeed }],
    });
    expect(replay!.design.equipment.map((e) => [e.tag, e.type])).toEqual(
      first!.design.equipment.map((e) => [e.tag, e.type]),
    );
    expect(replay!.design.lines.map((l) => l.id)).toEqual(first!.design.lines.map((l) => l.id));
  }, 120_000);

  it("is spec mode's source when none is named and the model carries it; a layout-only model gets the designer", async () => {
    const withTopology = await layoutModelWith(model);
    const unnamed = { attempts: 1, polish: false, count: 1, seed: 3 } as const;
    const [learned] = generateCandidates(request, { ...unnamed, model: withTopology });
    expect(learned!.topologySource).toBe("learned");
    expect(learned!.design.metadata?.topologySource).toBe("learned");
    const { topology: _, ...layoutOnly } = withTopology;
    const [designed] = generateCandidates(request, { ...unnamed, model: layoutOnly });
    expect(designed!.topologySource).toBe("designer");
    // More items than the generator's 16 slots: the designer, named; learned named is refused.
    const large = {
      ...request,
      equipment: [
        { type: "pump", count: 10 },
        { type: "tank", count: 8 },
      ],
    } as GenerationRequest;
    const [big] = generateCandidates(large, { ...unnamed, model: withTopology, placement: "random" });
    expect(big!.topologySource).toBe("designer");
    expect(() => learnedTopology(model).propose(large, 1, DEFAULT_RULE_PACK)).toThrow(/holds at most 16/);
  }, 120_000);
});
