/**
 * Where a candidate's topology comes from: a `TopologySource`, named on every candidate
 * (`topologySource`, and `metadata.topologySource` of its design).
 * - "request" (topology mode): the request's design (e.g. an imported DEXPI P&ID), placed exactly
 *   as given;
 * - "designer" (spec mode, the default for a model without a topology generator): the procedural designer's template for the process
 *   class, holding the requested equipment (its own seed per candidate, so candidates differ in
 *   P&ID as well as layout), drawn without a layout; the placement puts it on the request's site;
 * - "learned": the learned topology generator (gan/topology/, learned-topology.ts), the spec-mode
 *   default when the model carries one. A source that cannot be had is an error, never the
 *   designer in its place.
 */
import type { EquipmentType, GenerationRequest, PlantDesignInput, RulePack } from "../design/types.js";
import { designTopology } from "../designer/topology-only.js";
import type { GanModel } from "../gan/models.js";
import { stripLayout } from "../gan/topology.js";
import { deriveSeed } from "../gan/training.js";
import { PipelineError } from "./errors.js";
import { learnedTopology, requiredCounts } from "./learned-topology.js";

export interface TopologySource {
  /** Recorded on each candidate it made: "request", "designer", "learned", or a caller's own name. */
  readonly name: string;
  /**
   * A topology (equipment, lines, instruments, control; no layout) for the request on the request's
   * site, under the rule pack. Deterministic in (request, seed, pack); throws a PipelineError when
   * it has none for this seed.
   */
  propose(request: GenerationRequest, seed: number, pack: RulePack, given?: GivenTopologyLatent): PlantDesignInput;
}

/** A learned source's latent to start from (a candidate's kept one, or a blend); others ignore it. */
export interface GivenTopologyLatent {
  readonly latent?: readonly number[];
}

/** The request's own topology (topology mode), its layout stripped. */
export const requestTopology: TopologySource = {
  name: "request",
  propose(request) {
    if (!request.topology) throw new PipelineError("bad_request", "topology mode needs request.topology");
    const t = stripLayout(request.topology);
    return { ...t, site: structuredClone(request.site) as PlantDesignInput["site"] };
  },
};

/**
 * The procedural designer's template P&ID for the class, built under the pack (its relief paths
 * follow it) by the topology-only designer (designer/topology-only.ts): the full designer's layout,
 * routing and validation would be thrown away here, so they are never run. What differs from
 * running the full designer and stripping its layout: the full designer retries the next sub-seed
 * when its own layout of a P&ID fails (unresolved, unrouted or with validator errors), so where its
 * first sub-seed failed its topology is another sub-seed's; this source always draws the first
 * (2 of 105 val specs × seeds in designer/topology-only.test.ts), and places it itself.
 */
export const designerTopology: TopologySource = {
  name: "designer",
  propose(request, seed, pack) {
    const equipment = (request.equipment ?? []).map((e) => ({ type: e.type as EquipmentType, count: e.count }));
    let topology: PlantDesignInput;
    try {
      topology = designTopology({
        processClass: request.processClass,
        seed: deriveSeed(seed, 1000),
        id: `generated-${request.processClass}-${seed}`,
        equipment,
        pack,
        site: request.site,
      });
    } catch (error) {
      throw new PipelineError("no_topology", `no ${request.processClass} topology for seed ${seed}: ${error}`);
    }
    return { ...topology, metadata: { generator: "plantgan-pipeline", seed } };
  },
};

/** The names `plantgan generate --topology` and the API's `?topology=` accept (spec mode). */
export const TOPOLOGY_SOURCE_NAMES = ["designer", "learned"] as const;

/** Why a named topology source cannot be used: unknown, or the model has no such generator. */
export class TopologySourceError extends Error {
  constructor(
    readonly sourceName: string,
    message: string,
  ) {
    super(message);
    this.name = "TopologySourceError";
  }
}

/**
 * The spec-mode topology source of that name for this model. "learned" needs a model with a
 * topology generator: without one it is refused, naming why, and never replaced by the designer.
 */
export function topologySourceByName(name: string, model: GanModel | undefined): TopologySource {
  switch (name) {
    case "designer":
      return designerTopology;
    case "learned":
      if (model?.topology) return learnedTopology(model.topology);
      throw new TopologySourceError(
        name,
        `${model ? "the model has" : "no model given, so"} no topology generator: "designer" is the other source`,
      );
    default:
      throw new TopologySourceError(
        name,
        `unknown topology source "${name}": one of ${TOPOLOGY_SOURCE_NAMES.join(", ")}`,
      );
  }
}

/**
 * The source a request's candidates take their topology from: its own (topology mode) or, in spec
 * mode, `chosen`; unchosen, the model's learned topology generator where it carries one and the
 * request fits its slots, else the designer (a layout-only model, or a request of more items than
 * the generator holds: every candidate names its source; `learned` named is refused instead).
 */
export function sourceFor(
  request: GenerationRequest,
  chosen: TopologySource | undefined,
  model?: GanModel,
): TopologySource {
  if (request.mode !== "topology") return chosen ?? defaultSpecSource(request, model);
  if (chosen !== undefined && chosen !== requestTopology) {
    throw new PipelineError(
      "bad_request",
      `a topology-mode request places its own topology: topology source "${chosen.name}" applies to spec mode only`,
    );
  }
  return requestTopology;
}

/** Spec mode's source when none is named: the model's learned generator where the request fits it, else the designer. */
function defaultSpecSource(request: GenerationRequest, model: GanModel | undefined): TopologySource {
  const learned = model?.topology;
  if (!learned) return designerTopology;
  const items = requiredCounts(request).reduce((a, b) => a + b, 0);
  return items <= learned.config.spec.nMax ? learnedTopology(learned) : designerTopology;
}
