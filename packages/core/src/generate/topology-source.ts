/**
 * Where a candidate's topology comes from:
 * - topology mode: the request's design (e.g. an imported DEXPI P&ID), placed exactly as given;
 * - spec mode: the procedural designer's template for the process class, holding the requested
 *   equipment (its own seed per candidate, so candidates differ in P&ID as well as layout); its
 *   layout is thrown away and the placement puts it on the request's site.
 */
import type { EquipmentType, GenerationRequest, PlantDesignInput, RulePack } from "../design/types.js";
import { designPlantDetailed } from "../designer/designer.js";
import { stripLayout } from "../gan/topology.js";
import { deriveSeed } from "../gan/training.js";
import { PipelineError } from "./errors.js";

/**
 * The topology a candidate places: the request's (topology mode) or the designer template's (spec
 * mode, built under `pack`: its relief paths follow the pack's threshold and exempt types).
 */
export function topologyFor(request: GenerationRequest, seed: number, pack: RulePack): PlantDesignInput {
  if (request.mode === "topology") {
    if (!request.topology) throw new PipelineError("bad_request", "topology mode needs request.topology");
    const t = stripLayout(request.topology);
    return { ...t, site: structuredClone(request.site) as PlantDesignInput["site"] };
  }
  const equipment = (request.equipment ?? []).map((e) => ({ type: e.type as EquipmentType, count: e.count }));
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const outcome = designPlantDetailed({
        processClass: request.processClass,
        seed: deriveSeed(seed, 1000 + attempt),
        equipment,
        maxAttempts: 6,
        pack,
      });
      const t = stripLayout(outcome.design);
      const { metadata: _m, ...rest } = t as PlantDesignInput & { metadata?: unknown };
      return {
        ...rest,
        id: `generated-${request.processClass}-${seed}`,
        site: structuredClone(request.site) as PlantDesignInput["site"],
        metadata: { generator: "plantgan-pipeline", seed },
      } as PlantDesignInput;
    } catch {
      // the designer found no valid layout for this sub-seed: its topology is as good, try the next
    }
  }
  throw new PipelineError("no_topology", `no ${request.processClass} topology for seed ${seed}`);
}
