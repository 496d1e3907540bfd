/**
 * The "learned" topology source: the topology GAN (gan/topology/) proposes the P&ID for a request.
 * request → condition vector → generator (z from the seed, or a candidate's kept latent) → slot
 * graph holding exactly the requested equipment (constrained decoding, sample.ts) → the documented
 * expansion into equipment, lines, valves, instruments, loops and interlocks (decode.ts).
 *
 * What is learned: which equipment beyond the request, sizes, ratings, sparing, which items are
 * connected by which lines, their inline valves and every instrument, loop and trip. What is
 * hand-written: the expansion of those choices into tags, nozzles and objects of the contract, and
 * the contract masks that override a sampled choice the contract forbids (contract-masks.ts).
 */

import { withConventionalNozzles } from "../design/nozzle-convention.js";
import type { GenerationRequest, PlantDesignInput } from "../design/types.js";
import { EQUIPMENT_TYPES } from "../design/vocabulary.js";
import { conditionVector } from "../gan/condition.js";
import { applyContractMasks } from "../gan/topology/contract-masks.js";
import { decodeSlotGraph } from "../gan/topology/decode.js";
import { generateSlotGraphs, type TopologyModel } from "../gan/topology/model-io.js";
import { PipelineError } from "./errors.js";
import { encodeLatent } from "./latent.js";
import type { TopologySource } from "./topology-source.js";

/** Metadata key under which a learned topology keeps the latent it was made from (`encodeLatent`). */
export const TOPOLOGY_LATENT_KEY = "topologyLatent";

/** Per EQUIPMENT_TYPES index, how many items the request asks for (its fixed items included). */
export function requiredCounts(request: GenerationRequest): number[] {
  const counts = EQUIPMENT_TYPES.map(() => 0);
  for (const item of request.equipment ?? []) counts[EQUIPMENT_TYPES.indexOf(item.type)]! += item.count;
  const fixed = EQUIPMENT_TYPES.map(() => 0);
  for (const e of request.fixed ?? []) fixed[EQUIPMENT_TYPES.indexOf(e.type)]! += 1;
  return counts.map((n, t) => Math.max(n, fixed[t]!));
}

/** Options of the learned source. */
export interface LearnedTopologyOptions {
  /** Sample the discrete choices (Gumbel, temperature 1) rather than take each argmax. Default true: candidates differ. */
  readonly sampleNoise?: boolean;
  /**
   * Force the requested equipment at decoding (sample.ts). Default true. False shows what the
   * model itself does with the condition: eval reports both.
   */
  readonly constrained?: boolean;
  /**
   * Apply the hand-written contract masks (gan/topology/contract-masks.ts) to the sampled graph
   * and the expansion's contract constraints (decode.ts `contract`). Default true. False shows
   * the model's raw sample: eval reports both.
   */
  readonly contractMasks?: boolean;
  /** Noise scale τ of the line and attachment samples (model-io.ts); default 1 (the model's own distribution). */
  readonly noiseScale?: number;
  /**
   * Decode only into the values the training data held (the model's recorded vocabulary,
   * model-io.ts). Default true; false shows what the model draws without it: eval reports both.
   */
  readonly observedOnly?: boolean;
}

/** A TopologySource over a trained topology generator. */
export function learnedTopology(model: TopologyModel, options: LearnedTopologyOptions = {}): TopologySource {
  const spec = model.config.spec;
  return {
    name: "learned",
    propose(request, seed, pack, given) {
      const required = requiredCounts(request);
      const total = required.reduce((a, b) => a + b, 0);
      if (total > spec.nMax) {
        throw new PipelineError(
          "bad_request",
          `the request asks for ${total} items; the learned topology generator holds at most ${spec.nMax} (train a model with a larger nMax, or use --topology designer)`,
        );
      }
      const latent = given?.latent;
      const { graphs, latents } = generateSlotGraphs(model, [conditionVector(request)], {
        seed,
        truncation: request.truncation ?? 1,
        ...(options.constrained === false ? {} : { required }),
        sampleNoise: options.sampleNoise ?? true,
        ...(options.noiseScale === undefined ? {} : { noiseScale: options.noiseScale }),
        ...(options.observedOnly === undefined ? {} : { observedOnly: options.observedOnly }),
        ...(latent ? { latents: [Float32Array.from(latent)] } : {}),
      });
      const masked = options.contractMasks ?? true;
      const graph = masked ? applyContractMasks(graphs[0]!, spec, pack).graph : graphs[0]!;
      const design = decodeSlotGraph(graph, spec, {
        processClass: request.processClass,
        site: request.site,
        id: `generated-${request.processClass}-${seed}`,
        seed,
        contract: masked,
        ...(pack.control ? { maxPathHops: pack.control.maxPathHops } : {}),
      });
      // The expansion says which nozzles exist, not where: place them on the shell by convention,
      // as the DEXPI importer does, so that no two lines start at one point. On the request's own
      // site, whose grid the router will use: each nozzle gets a grid node of its own on that grid.
      const site = structuredClone(request.site) as PlantDesignInput["site"];
      return {
        ...withConventionalNozzles({ ...design, site }),
        site,
        metadata: {
          ...design.metadata,
          generator: "plantgan-topology-gan",
          seed,
          [TOPOLOGY_LATENT_KEY]: encodeLatent(Array.from(latents[0]!)),
        },
      } as PlantDesignInput;
    },
  };
}
