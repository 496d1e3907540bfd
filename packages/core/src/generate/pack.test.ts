/**
 * A caller's rule pack reaches every stage of the pipeline, not only legalise and validate: the
 * designer's topology (its relief paths follow the pack's threshold), control completion, and the
 * obstacles the layout generator places around (racks grown by the pack's keep-free strip).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type GenerationRequest, parseDocument, type RulePack } from "../design/index.js";
import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import { useBackend } from "../gan/backend.js";
import { buildGenerator, type GanModel, modelLayout, resolveModelConfig } from "../gan/models.js";
import { generateCandidates } from "./pipeline.js";
import { ganPlace, sampleLayoutLatents } from "./placement.js";
import { designerTopology } from "./topology-source.js";

function request(input: Record<string, unknown>): GenerationRequest {
  const parsed = parseDocument("generationRequest", { schemaVersion: "1.0", ...input });
  if (!parsed.success) throw new Error(parsed.issues.map((i) => `${i.pointer} ${i.message}`).join("; "));
  return parsed.data as GenerationRequest;
}

const PUMP_STATION = request({
  mode: "spec",
  processClass: "pump_station",
  site: { width: 90, depth: 80, gridSize: 1 },
  equipment: [
    { type: "pump", count: 3 },
    { type: "tank", count: 1 },
  ],
  count: 1,
  seed: 9,
});

const reliefValves = (design: { readonly lines: readonly { readonly components?: readonly { type: string }[] }[] }) =>
  design.lines.flatMap((l) => (l.components ?? []).filter((c) => c.type === "relief_valve")).length;

describe("a custom rule pack in the pipeline", () => {
  // No item of the template is designed above 10⁶ barg: under this pack nothing needs relief.
  const noRelief: RulePack = { ...DEFAULT_RULE_PACK, relief: { ...DEFAULT_RULE_PACK.relief, pressureThreshold: 1e6 } };

  it("builds the spec-mode topology under the caller's pack: no relief path the pack does not ask for", () => {
    const options = { placement: "random", count: 1, attempts: 1, polish: false } as const;
    const [standard] = generateCandidates(PUMP_STATION, options);
    const [custom] = generateCandidates(PUMP_STATION, { ...options, pack: noRelief });
    // The shipped pack protects the pump station's 30–65 barg items; the custom pack asks for none.
    expect(reliefValves(standard!.design)).toBeGreaterThan(0);
    expect(reliefValves(custom!.design)).toBe(0);
    expect(custom!.completed.filter((c) => c.startsWith("relief_valve"))).toEqual([]);
  });

  describe("layout generator obstacles", () => {
    let model: GanModel;
    beforeAll(async () => {
      await useBackend("wasm");
      const config = resolveModelConfig({
        nMax: 48,
        latentSize: 8,
        generatorHidden: 32,
        nodeHidden: 16,
        edgeRank: 2,
        criticHidden: 16,
        graphLayers: 1,
        grid: 8,
        gridHidden: 16,
        seed: 5,
        generator: "layout",
        refineSteps: 2,
      });
      model = { generator: buildGenerator(config), config, layout: modelLayout(config) };
    });

    it("grows the racks by the caller's keep-free strip, so the proposals move", () => {
      const withRack = request({
        ...PUMP_STATION,
        site: {
          width: 90,
          depth: 80,
          gridSize: 1,
          racks: [{ id: "R1", x: 10, y: 36, length: 70, width: 6, axis: "x", levels: [6, 8] }],
        },
      });
      const wide: RulePack = {
        ...DEFAULT_RULE_PACK,
        rackKeepFree: { ...DEFAULT_RULE_PACK.rackKeepFree, clearance: 12 },
      };
      const topology = { seed: 3, design: designerTopology.propose(withRack, 3, DEFAULT_RULE_PACK) };
      const positions = (pack: RulePack) =>
        ganPlace(model, withRack, [topology], sampleLayoutLatents(model, 1, 11, 1), pack)[0]!.equipment.map((e) => [
          e.x,
          e.y,
        ]);
      expect(positions(DEFAULT_RULE_PACK)).toEqual(positions(DEFAULT_RULE_PACK));
      expect(positions(wide)).not.toEqual(positions(DEFAULT_RULE_PACK));
    });
  });
});
