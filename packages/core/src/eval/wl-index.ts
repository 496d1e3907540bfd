/**
 * Nearest training design by the normalised WL subtree kernel, through an inverted index: a query
 * touches only the training designs that share a label with it, one posting list per query label,
 * and accumulates dot products in one typed array (no pairwise map lookups). The training hashes
 * are kept too, for structural novelty.
 */
import type { TopologyInput } from "./topology-graph.js";
import { DEFAULT_WL_ITERATIONS, featureDot, featuresHash, type WlFeatures, wlFeatures } from "./wl.js";

export interface WlNeighbour {
  /** Position of the nearest design in the indexed list. */
  readonly index: number;
  /** Its normalised kernel with the query, in [0, 1]. */
  readonly similarity: number;
  /** 1 − similarity. */
  readonly distance: number;
}

export class WlIndex {
  readonly iterations: number;
  readonly size: number;
  /** The WL hash of every indexed design. */
  readonly hashes: ReadonlySet<string>;
  private readonly vocabulary = new Map<string, number>();
  private readonly postings: { docs: number[]; counts: number[] }[] = [];
  private readonly norms: Float64Array;

  constructor(features: readonly WlFeatures[], iterations = DEFAULT_WL_ITERATIONS) {
    this.iterations = iterations;
    this.size = features.length;
    this.norms = new Float64Array(features.length);
    const hashes = new Set<string>();
    features.forEach((f, doc) => {
      hashes.add(featuresHash(f));
      this.norms[doc] = Math.sqrt(featureDot(f, f));
      for (const [label, count] of f) {
        let id = this.vocabulary.get(label);
        if (id === undefined) {
          id = this.postings.length;
          this.vocabulary.set(label, id);
          this.postings.push({ docs: [], counts: [] });
        }
        this.postings[id]!.docs.push(doc);
        this.postings[id]!.counts.push(count);
      }
    });
    this.hashes = hashes;
  }

  static fromDesigns(designs: readonly TopologyInput[], iterations = DEFAULT_WL_ITERATIONS): WlIndex {
    return new WlIndex(
      designs.map((d) => wlFeatures(d, iterations)),
      iterations,
    );
  }

  /** The indexed design most similar to the query; undefined for an empty index. */
  nearest(query: WlFeatures): WlNeighbour | undefined {
    if (this.size === 0) return undefined;
    const dots = new Float64Array(this.size);
    for (const [label, count] of query) {
      const id = this.vocabulary.get(label);
      if (id === undefined) continue;
      const { docs, counts } = this.postings[id]!;
      for (let k = 0; k < docs.length; k++) dots[docs[k]!]! += count * counts[k]!;
    }
    const queryNorm = Math.sqrt(featureDot(query, query));
    let best = 0;
    let bestSimilarity = -1;
    for (let doc = 0; doc < this.size; doc++) {
      const norm = queryNorm * this.norms[doc]!;
      const similarity = norm > 0 ? dots[doc]! / norm : 0;
      if (similarity > bestSimilarity) {
        bestSimilarity = similarity;
        best = doc;
      }
    }
    // Rounding can put identical vectors a hair above 1.
    const similarity = Math.min(1, bestSimilarity);
    return { index: best, similarity, distance: 1 - similarity };
  }
}

/** 1 − normalised WL kernel to the nearest indexed (training) design. */
export function nearestTrainingDistance(design: TopologyInput, index: WlIndex): number {
  return index.nearest(wlFeatures(design, index.iterations))?.distance ?? Number.NaN;
}
