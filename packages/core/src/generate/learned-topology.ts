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
import { parseDesign } from "../design/parse.js";
import type { GenerationRequest, PlantDesignInput, RulePack } from "../design/types.js";
import { EQUIPMENT_TYPES } from "../design/vocabulary.js";
import { conditionVector } from "../gan/condition.js";
import { sampleLatent } from "../gan/models.js";
import { applyContractMasks } from "../gan/topology/contract-masks.js";
import { decodeSlotGraph } from "../gan/topology/decode.js";
import { generateSlotGraphs, type TopologyModel } from "../gan/topology/model-io.js";
import type { SlotGraph } from "../gan/topology/spec.js";
import { layoutFreeErrorCount } from "../gan/topology/validity-reward.js";
import { deriveSeed } from "../gan/training.js";
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
  /**
   * Draws per proposal (default SCREEN_DRAWS): where a draw breaks one of the validator's layout-free
   * rules (piping, control, consistency), the next draw takes a fresh latent, with the same seed for
   * the discrete noise; the first draw with no such error is kept, else the one with the fewest.
   * 1 shows the generator's first draw alone (eval's raw validity). A given latent is drawn once.
   */
  readonly screenDraws?: number;
}

/**
 * A hand-written screen over the learned draws, as a serious user would run it: a P&ID that breaks
 * a topology rule gets no layout. Measured in generate/README.md "Screened draws".
 */
export const SCREEN_DRAWS = 4;

/** A TopologySource over a trained topology generator. */
export function learnedTopology(model: TopologyModel, options: LearnedTopologyOptions = {}): TopologySource {
  const spec = model.config.spec;
  const memberBranches = model.config.model.rowMotifs?.branches;
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
      const truncation = request.truncation ?? 1;
      const masked = options.contractMasks ?? true;
      const draw = (latent: Float32Array): PlantDesignInput => {
        const { graphs } = generateSlotGraphs(model, [conditionVector(request)], {
          seed,
          truncation,
          ...(options.constrained === false ? {} : { required }),
          sampleNoise: options.sampleNoise ?? true,
          ...(options.noiseScale === undefined ? {} : { noiseScale: options.noiseScale }),
          ...(options.observedOnly === undefined ? {} : { observedOnly: options.observedOnly }),
          latents: [latent],
        });
        return expand(graphs[0]!, latent, request, seed, pack, masked);
      };
      if (given?.latent) {
        const size = model.config.model.latentSize;
        if (given.latent.length !== size) {
          throw new PipelineError(
            "bad_request",
            `a topology latent of ${given.latent.length} numbers for a topology generator that takes ${size} (another model's candidate?)`,
          );
        }
        return draw(Float32Array.from(given.latent));
      }
      // Draw k's latent comes from its own seed (draw 0: the seed itself, as without a screen); the
      // discrete noise keeps the candidate's seed, so the kept latent and seed replay the kept draw.
      const draws = Math.max(1, Math.floor(options.screenDraws ?? SCREEN_DRAWS) || 1);
      let best: { design: PlantDesignInput; errors: number } | undefined;
      for (let k = 0; k < draws; k++) {
        const design = draw(
          latentOf(model.config.model.latentSize, k === 0 ? seed : deriveSeed(seed, 70_000 + k), truncation),
        );
        if (draws === 1) return design;
        const errors = topologyErrors(design, pack);
        if (!best || errors < best.errors) best = { design, errors };
        if (errors === 0) break;
      }
      return best!.design;
    },
  };

  /** The sampled graph as a design: contract masks, the documented expansion, nozzles placed. */
  function expand(
    sampled: SlotGraph,
    latent: Float32Array,
    request: GenerationRequest,
    seed: number,
    pack: RulePack,
    masked: boolean,
  ): PlantDesignInput {
    const graph = masked ? applyContractMasks(sampled, spec, pack).graph : sampled;
    const design = decodeSlotGraph(graph, spec, {
      processClass: request.processClass,
      site: request.site,
      id: `generated-${request.processClass}-${seed}`,
      seed,
      contract: masked,
      ...(pack.control ? { maxPathHops: pack.control.maxPathHops } : {}),
      // A table counted with the sets' member branches gives members the data's branch (spare-sets.ts).
      ...(memberBranches ? { memberBranches } : {}),
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
        [TOPOLOGY_LATENT_KEY]: encodeLatent(Array.from(latent)),
      },
    } as PlantDesignInput;
  }
}

/** The latent `generateSlotGraphs` draws for a seed (models.ts sampleLatent), as an array. */
function latentOf(size: number, seed: number, truncation: number): Float32Array {
  const z = sampleLatent(1, size, seed, truncation);
  const values = z.dataSync() as Float32Array;
  z.dispose();
  return values;
}

/** Error findings of the validator's layout-free rules on a proposal; one that does not parse counts as the most. */
function topologyErrors(design: PlantDesignInput, pack: RulePack): number {
  const parsed = parseDesign(design);
  return parsed.success ? layoutFreeErrorCount(parsed.data, pack) : Number.POSITIVE_INFINITY;
}
