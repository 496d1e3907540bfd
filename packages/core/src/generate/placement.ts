/**
 * Placement: who proposes equipment positions and rotations for a topology. "gan": the model's
 * generator, decoded with the topology as index; "random": uniform random positions (the eval
 * baseline). Deterministic in (topology, latent, model weights): the pipeline samples each
 * proposal's latent from its seed (`sampleLayoutLatents`) and records it, so it can be replayed.
 */
import * as tf from "@tensorflow/tfjs-core";
import { parseDesign } from "../design/parse.js";
import type { Design, GenerationRequest, PlantDesignInput, RulePack } from "../design/types.js";
import { CONDITION_SIZE, conditionVector } from "../gan/condition.js";
import { concatArrays, type GanModel, sampleLatent } from "../gan/models.js";
import { MAX_OBSTACLES, OBSTACLE_WIDTH, obstacleArray } from "../gan/obstacles.js";
import { equipmentRows, topologyItem } from "../gan/topology.js";
import { decodeDesign } from "../views/decode.js";
import { PipelineError } from "./errors.js";

/** The layout generator's latent size (its first input). */
export function layoutLatentSize(model: GanModel): number {
  return (model.generator.inputs[0]!.shape[1] as number | null) ?? 0;
}

/** `count` latents for the layout generator, drawn from `seed` as one batch (row k: proposal k). */
export function sampleLayoutLatents(model: GanModel, count: number, seed: number, truncation: number): number[][] {
  const size = layoutLatentSize(model);
  const z = sampleLatent(count, size, seed, truncation);
  const values = z.dataSync() as Float32Array;
  z.dispose();
  return Array.from({ length: count }, (_, k) => Array.from(values.subarray(k * size, (k + 1) * size)));
}

/** Places each topology with the layout generator given its latent (one per topology). */
export function ganPlace(
  model: GanModel,
  request: GenerationRequest,
  topologies: readonly { seed: number; design: PlantDesignInput }[],
  latents: readonly (readonly number[])[],
  /** The rule pack: the racks' keep-free strip in the obstacles the layout generator avoids is its. */
  pack: RulePack,
): PlantDesignInput[] {
  const latentSize = layoutLatentSize(model);
  if (latents.length !== topologies.length) throw new RangeError("one latent per topology");
  for (const z of latents) {
    if (z.length !== latentSize) {
      throw new PipelineError(
        "bad_request",
        `a layout latent of ${z.length} numbers for a model that takes ${latentSize}`,
      );
    }
  }
  const n = model.layout.spec.nMax;
  const { offsets, F } = model.layout;
  const conditions = topologies.map((t) =>
    conditionVector({ ...t.design, processClass: request.processClass, site: request.site }),
  );
  // The generator's own position and rotation for each row (not the straight-through sample,
  // which zeroes rows whose sampled type is not equipment): the topology fixes what each row is.
  const params = tf.tidy(() => {
    const c = tf.tensor2d(concatArrays(conditions), [conditions.length, CONDITION_SIZE]);
    const z = tf.tensor2d(concatArrays(latents.map((l) => Float32Array.from(l))), [latents.length, latentSize]);
    if (model.config.generator === "layout") {
      // The layout generator reads the topology itself (types, sizes, lines) and the site's obstacles.
      const items = topologies.map((t) => topologyItem(topologyDesign(t.design, request), model.layout.spec));
      const b = items.length;
      const inputs = [
        z,
        c,
        tf.tensor3d(concatArrays(items.map((i) => i.X)), [b, n, F]),
        tf.tensor4d(concatArrays(items.map((i) => i.A)), [b, model.layout.R, n, n]),
        tf.tensor2d(concatArrays(items.map((i) => i.mask)), [b, n]),
        // Fixed items are obstacles too: the generator completes the layout around them.
        tf.tensor3d(concatArrays(items.map(() => obstacleArray(request.site, pack, request.fixed ?? []))), [
          b,
          MAX_OBSTACLES,
          OBSTACLE_WIDTH,
        ]),
      ];
      return model.generator.apply(inputs, { training: false }) as tf.Tensor3D;
    }
    const [nodeParams] = model.generator.apply([z, c], { training: false }) as tf.Tensor[];
    return nodeParams as tf.Tensor3D;
  });
  const values = params.dataSync() as Float32Array;
  const width = params.shape[2];
  params.dispose();
  const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
  return topologies.map((t, k) => {
    const X = new Float32Array(n * F);
    const A = new Float32Array(model.layout.R * n * n);
    const mask = new Float32Array(n);
    const rows = equipmentRows(t.design, n);
    rows.forEach((_, r) => {
      const p = (k * n + r) * width;
      mask[r] = 1;
      X[r * F + offsets.position] = sigmoid(values[p + offsets.position]!);
      X[r * F + offsets.position + 1] = sigmoid(values[p + offsets.position + 1]!);
      let rot = 0;
      for (let q = 1; q < 4; q++) if (values[p + offsets.rotation + q]! > values[p + offsets.rotation + rot]!) rot = q;
      X[r * F + offsets.rotation + rot] = 1;
      X[r * F + offsets.placed] = 1;
    });
    const decoded = decodeDesign({
      X,
      A,
      mask,
      featureNames: model.layout.featureNames,
      relationNames: model.layout.relationNames,
      spec: model.layout.spec,
      index: { design: t.design, nodes: rows },
    });
    // Equipment beyond nMax (rare): random positions, then the legaliser finds room.
    if (t.design.equipment.length > n) {
      const rest = randomPlace(t.design, t.seed);
      decoded.equipment.forEach((e, i) => {
        if (i >= n) Object.assign(e, { x: rest.equipment[i]!.x, y: rest.equipment[i]!.y });
      });
    }
    return decoded;
  });
}

/** A topology as a parsed design on the request's site (what the layout generator encodes). */
function topologyDesign(design: PlantDesignInput, request: GenerationRequest): Design {
  const parsed = parseDesign({ ...design, site: request.site });
  if (!parsed.success) {
    throw new PipelineError(
      "bad_request",
      `the topology does not fit the contract: ${parsed.issues.map((i) => `${i.pointer}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}

/** Uniform random positions (footprint inside the site) and rotations, snapped to the grid. */
export function randomPlace(design: PlantDesignInput, seed: number): PlantDesignInput {
  const out = structuredClone(design) as PlantDesignInput;
  let s = seed >>> 0 || 1;
  const rnd = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const g = out.site.gridSize ?? 1;
  const snap = (v: number): number => Math.round(v / g) * g;
  for (const e of out.equipment as {
    x?: number;
    y?: number;
    rotation?: number;
    footprint: { width: number; depth: number };
  }[]) {
    const hw = e.footprint.width / 2;
    const hd = e.footprint.depth / 2;
    e.x = snap(hw + rnd() * Math.max(0, out.site.width - 2 * hw));
    e.y = snap(hd + rnd() * Math.max(0, out.site.depth - 2 * hd));
    e.rotation = [0, 90, 180, 270][Math.floor(rnd() * 4)]!;
  }
  return out;
}
