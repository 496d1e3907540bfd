/**
 * The within-row sequence of the attachment head (README "Attachments in sequence").
 *
 * Without it every block of a slot's row (its instrument counts, loops, trips, …) and of a line's
 * row is drawn on its own from one set of logits: a row can hold a flow transmitter with no loop
 * or trip on it, because nothing ties the two draws. With it a row is drawn in ROW_STEPS steps:
 *
 *   0. what the item or line is: ratings, nozzles, sparing, services, DN, inline valves;
 *   1. its control: loops, final elements, trips and what they act on;
 *   2. its instruments;
 *
 * and each step's logits are the attachment head's plus a correction computed from the blocks
 * already drawn in that row (autoregressive within the row). The correction is a MADE network
 * (Germain et al. 2015): one hidden layer whose masks let a column of step k read only columns
 * of steps < k, so the same layer also gives every step's logits in one pass for a whole row.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import type { FeatureGroup } from "./spec.js";

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type Shape = (number | null)[];

export const ROW_STEPS = 3;

const CONTROL = /^(loop\.|finalElement$|trip$|tripEffect\.|tripFanOut\.)/;

/** The step at which a node or line group is drawn (line1./line2. blocks share their steps). */
export function rowStep(groupName: string): number {
  const name = groupName.replace(/^line\d+\./, "");
  if (name.startsWith("instrument.")) return 2;
  if (CONTROL.test(name)) return 1;
  return 0;
}

/** The step of each column of groups laid side by side in the order given. */
export function columnSteps(groups: readonly Pick<FeatureGroup, "name" | "size">[]): number[] {
  return groups.flatMap((g) => Array<number>(g.size).fill(rowStep(g.name)));
}

/** The groups drawn at `step`, as a column layout over the whole row (the others left out). */
export function stepBlocks<G extends Pick<FeatureGroup, "name" | "size" | "kind">>(
  groups: readonly G[],
  step: number,
): { blocks: { start: number; size: number; kind: FeatureGroup["kind"] }[]; width: number } {
  let start = 0;
  const blocks: { start: number; size: number; kind: FeatureGroup["kind"] }[] = [];
  for (const g of groups) {
    if (rowStep(g.name) === step) blocks.push({ start, size: g.size, kind: g.kind });
    start += g.size;
  }
  return { blocks, width: start };
}

export interface RowSequenceLogitsArgs extends LayerArgs {
  /** Step of every column (columnSteps). */
  readonly steps: readonly number[];
  /** Hidden units of the MADE layer. */
  readonly hidden: number;
  readonly seed?: number | null;
}

/**
 * logits + relu(s·(A ⊙ M_A) + a)·(B ⊙ M_B), where s holds the row's samples so far. Hidden unit u
 * carries label ℓ(u) = u mod (S − 1); M_A lets it read columns of step ≤ ℓ(u), M_B lets a column of
 * step k read units with ℓ(u) < k. Step-0 columns get no correction, and no column reads its own
 * step or a later one. Inputs [logits [B,R,W], samples [B,R,W]] → [B,R,W].
 */
export class RowSequenceLogits extends tfl.layers.Layer {
  static className = "PlantGanRowSequenceLogits";
  readonly steps: readonly number[];
  readonly hidden: number;
  readonly seed: number | null;
  private a: tfl.LayerVariable | null = null;
  private aBias: tfl.LayerVariable | null = null;
  private b: tfl.LayerVariable | null = null;
  private maskA: tf.Tensor2D | null = null;
  private maskB: tf.Tensor2D | null = null;

  constructor(args: RowSequenceLogitsArgs) {
    super(args);
    this.steps = [...args.steps];
    this.hidden = args.hidden;
    this.seed = args.seed ?? null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const w = this.steps.length;
    const last = (inputShape as Shape[])[0]?.at(-1);
    if (last !== w) throw new Error(`${this.name}: ${last} columns for ${w} steps`);
    const init = (i: number) => tfl.initializers.glorotUniform(this.seed === null ? {} : { seed: this.seed * 41 + i });
    this.a = this.addWeight("reads_kernel", [w, this.hidden], "float32", init(0));
    this.aBias = this.addWeight("reads_bias", [this.hidden], "float32", tfl.initializers.zeros());
    this.b = this.addWeight("writes_kernel", [this.hidden, w], "float32", init(1));
    const labels = Math.max(1, Math.max(...this.steps));
    const label = (u: number) => u % labels;
    const ma = new Float32Array(w * this.hidden);
    const mb = new Float32Array(this.hidden * w);
    for (let c = 0; c < w; c++) {
      for (let u = 0; u < this.hidden; u++) {
        if (this.steps[c]! <= label(u)) ma[c * this.hidden + u] = 1;
        if (label(u) < this.steps[c]!) mb[u * w + c] = 1;
      }
    }
    this.maskA = tf.keep(tf.tensor2d(ma, [w, this.hidden]));
    this.maskB = tf.keep(tf.tensor2d(mb, [this.hidden, w]));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [logits, samples] = inputs as [tf.Tensor3D, tf.Tensor3D];
      const w = this.steps.length;
      const flat = tf.reshape(samples, [-1, w]) as tf.Tensor2D;
      const read = (v: tfl.LayerVariable | null) => {
        if (v === null) throw new Error(`${this.name} used before build()`);
        return v.read();
      };
      const hidden = tf.relu(
        tf.add(tf.matMul(flat, tf.mul(read(this.a), this.maskA!) as tf.Tensor2D), read(this.aBias)),
      ) as tf.Tensor2D;
      const correction = tf.matMul(hidden, tf.mul(read(this.b), this.maskB!) as tf.Tensor2D);
      return tf.add(logits, tf.reshape(correction, logits.shape));
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (inputShape as Shape[])[0]!;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), steps: [...this.steps], hidden: this.hidden, seed: this.seed };
  }

  override dispose(): ReturnType<tfl.layers.Layer["dispose"]> {
    this.maskA?.dispose();
    this.maskB?.dispose();
    return super.dispose();
  }
}
tf.serialization.registerClass(RowSequenceLogits);
