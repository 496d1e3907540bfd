/**
 * Gradient functions for the kernels the GAN uses, registered once with tfjs-core.
 *
 * Why this file exists: `@tensorflow/tfjs-core` registers no gradients by itself; the umbrella
 * package `@tensorflow/tfjs` does (`tfjs-core/dist/register_all_gradients`, an ESM module with
 * extension-less specifiers that plain Node cannot load), and so does tfjs-layers' Node bundle,
 * which inlines that module. We do not rely on either: every kernel the GAN uses gets a gradient
 * here when it has none. The configs are ported from tfjs-core 4.22 `src/gradients/*_grad.ts`
 * (Apache-2.0), with three changes:
 *
 * - every gradient is written with ops that have gradients themselves, so second derivatives work
 *   (the WGAN-GP penalty differentiates the critic's input gradient again, Gulrajani et al. 2017);
 *   tfjs's own LeakyRelu gradient goes through `greater`, which has no gradient, so ours uses
 *   `step` instead;
 * - comparison and logical ops get zero gradients (as in TensorFlow, where they have none), so the
 *   tape can pass through the masks that `where`, `maximum` and `clipByValue` build (tfjs has
 *   none for Greater, so its own LeakyRelu gradient cannot be differentiated again without ours);
 * - BatchMatMul's gradient uses `matMulDense`, which keeps the wasm backend on its fast path.
 *
 * A kernel that already has a gradient keeps it, except BatchMatMul (see OVERRIDES).
 */
import * as tf from "@tensorflow/tfjs-core";

type Saved = tf.Tensor[];
type Attrs = tf.NamedAttrMap;

const bu = tf.backend_util;

function dyOf(dy: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(dy) ? dy[0]! : dy;
}

function at(saved: Saved, i: number): tf.Tensor {
  const t = saved[i];
  if (t === undefined) throw new Error(`gradient: saved tensor ${i} missing`);
  return t;
}

/** Sums a broadcast gradient back to the shape of one operand. */
function unbroadcast(g: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = bu.getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(g, axes) : g, shape);
}

/**
 * Like `unbroadcast`, but a gradient of the operand's own shape is returned as it is (no Reshape
 * call), as tfjs's Multiply and RealDiv gradients do.
 */
function reduceTo(g: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = bu.getReductionAxes(shape, outShape);
  return axes.length > 0 ? tf.reshape(tf.sum(g, axes), shape) : g;
}

/** `x` as float32: itself when it is one (a same-dtype Cast is a kernel call that changes nothing). */
function float32(x: tf.Tensor): tf.Tensor {
  return x.dtype === "float32" ? x : tf.cast(x, "float32");
}

/**
 * `tf.matMul` arranged for speed on the wasm backend, same result everywhere.
 *
 * The wasm BatchMatMul kernel (tfjs 4.22) reaches XNNPACK (~15 GFLOP/s here) only for a 2-D
 * product without transpose flags; with a flag or a batch dimension it falls to a plain loop about
 * ten times slower. So on wasm a 2-D product with flags transposes explicitly (a cheap copy)
 * first, and a batched product (the same leading dimensions on both sides) is one 2-D product per
 * batch entry, unstacked and stacked again: since wasm-kernels.ts copies only the slice, that is
 * ~3x faster (the relational convolution's [16,192,48]·[16,48,48]: 6.4 → 2.2 ms), with the same
 * numbers where the inner dimension is at most 48 (the loop sums in blocks of 48). Other backends
 * get `tf.matMul` unchanged.
 */
export function matMulDense(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (tf.getBackend() !== "wasm") return tf.matMul(a, b, transposeA, transposeB);
  if (a.rank === 2 && b.rank === 2) {
    if (!(transposeA || transposeB)) return tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
    return tf.matMul(
      (transposeA ? tf.transpose(a) : a) as tf.Tensor2D,
      (transposeB ? tf.transpose(b) : b) as tf.Tensor2D,
    );
  }
  const batch = a.shape.slice(0, -2);
  if (a.rank < 2 || a.rank !== b.rank || !tf.util.arraysEqual(batch, b.shape.slice(0, -2))) {
    return tf.matMul(a, b, transposeA, transposeB);
  }
  const count = tf.util.sizeFromShape(batch);
  // An empty batch has no matrices to stack: the plain product gives its empty result.
  if (count === 0) return tf.matMul(a, b, transposeA, transposeB);
  if (count === 1) {
    // A reshape, not an unstack: tfjs's Unpack gradient fails for a single output.
    const product = matMulDense(
      tf.reshape(a, a.shape.slice(-2)),
      tf.reshape(b, b.shape.slice(-2)),
      transposeA,
      transposeB,
    );
    return tf.reshape(product, [...batch, ...product.shape]);
  }
  // Each side as `count` matrices, a flagged side transposed once for all of them.
  const matrices = (t: tf.Tensor, transpose: boolean) => {
    const flat = t.rank === 3 ? t : tf.reshape(t, [count, ...t.shape.slice(-2)]);
    return tf.unstack(transpose ? tf.transpose(flat, [0, 2, 1]) : flat);
  };
  const right = matrices(b, transposeB);
  const stacked = tf.stack(matrices(a, transposeA).map((x, i) => tf.matMul(x as tf.Tensor2D, right[i] as tf.Tensor2D)));
  return a.rank === 3 ? stacked : tf.reshape(stacked, [...batch, ...stacked.shape.slice(1)]);
}

function zeroGrad(kernelName: string, inputs: readonly string[]): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: [...inputs],
    gradFunc: (_dy, saved) =>
      Object.fromEntries(inputs.map((name, i) => [name, () => tf.zeros(at(saved, i).shape, "float32")])),
  };
}

const CONFIGS: tf.GradConfig[] = [
  {
    kernelName: tf.Add,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved) => {
      const [a, b] = [at(saved, 0), at(saved, 1)];
      const out = bu.assertAndGetBroadcastShape(a.shape, b.shape);
      return { a: () => unbroadcast(dyOf(dy), a.shape, out), b: () => unbroadcast(dyOf(dy), b.shape, out) };
    },
  },
  {
    kernelName: tf.AddN,
    saveAllInputs: true,
    gradFunc: (dy, saved) => Object.fromEntries(saved.map((_, i) => [i, () => tf.clone(dyOf(dy))])),
  },
  {
    kernelName: tf.Sub,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved) => {
      const [a, b] = [at(saved, 0), at(saved, 1)];
      const out = bu.assertAndGetBroadcastShape(a.shape, b.shape);
      return {
        a: () => unbroadcast(dyOf(dy), a.shape, out),
        b: () => tf.neg(unbroadcast(dyOf(dy), b.shape, out)),
      };
    },
  },
  {
    // tfjs's own (Multiply_grad.ts, RealDiv_grad.ts), the same ops in the same order, less the
    // float32-to-float32 casts of the saved inputs: each was a kernel call (and, under the
    // penalty's second tape, a tape node) that changes no value.
    kernelName: tf.Multiply,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved) => {
      const [a, b] = [at(saved, 0), at(saved, 1)];
      const out = bu.assertAndGetBroadcastShape(a.shape, b.shape);
      return {
        a: () => reduceTo(tf.mul(dyOf(dy), float32(b)), a.shape, out),
        b: () => reduceTo(tf.mul(dyOf(dy), float32(a)), b.shape, out),
      };
    },
  },
  {
    kernelName: tf.RealDiv,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved) => {
      const [a, b] = [at(saved, 0), at(saved, 1)];
      const out = bu.assertAndGetBroadcastShape(a.shape, b.shape);
      return {
        a: () => reduceTo(tf.div(dyOf(dy), float32(b)), a.shape, out),
        b: () => tf.neg(tf.div(reduceTo(tf.mul(dyOf(dy), float32(a)), b.shape, out), float32(tf.square(b)))),
      };
    },
  },
  {
    kernelName: tf.Neg,
    gradFunc: (dy) => ({ x: () => tf.neg(dyOf(dy)) }),
  },
  {
    kernelName: tf.Sum,
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs: Attrs) => {
      const x = at(saved, 0);
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      // onesLike where it can: tf.ones fills a JavaScript array and uploads it on every call.
      const ones = () => (x.dtype === "float32" ? tf.onesLike(x) : tf.ones(x.shape, "float32"));
      return { x: () => tf.mul(tf.reshape(dyOf(dy), shape), ones()) };
    },
  },
  {
    kernelName: tf.Mean,
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs: Attrs) => {
      const x = at(saved, 0);
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const reduceSize = tf.util.sizeFromShape(bu.computeOutAndReduceShapes(x.shape, axes)[1]);
      const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      return { x: () => tf.div(tf.mul(tf.reshape(dyOf(dy), shape), tf.ones(x.shape, "float32")), reduceSize) };
    },
  },
  {
    kernelName: tf.BatchMatMul,
    inputsToSave: ["a", "b"],
    gradFunc: (dyIn, saved, attrs: Attrs) => {
      const [a, b, dy] = [at(saved, 0), at(saved, 1), dyOf(dyIn)];
      const tA = attrs.transposeA === true;
      const tB = attrs.transposeB === true;
      const mm = matMulDense;
      if (!tA && !tB) return { a: () => mm(dy, b, false, true), b: () => mm(a, dy, true, false) };
      if (!tA && tB) return { a: () => mm(dy, b, false, false), b: () => mm(dy, a, true, false) };
      if (tA && !tB) return { a: () => mm(b, dy, false, true), b: () => mm(a, dy, false, false) };
      return { a: () => mm(b, dy, true, true), b: () => mm(dy, a, true, true) };
    },
  },
  {
    kernelName: tf.Reshape,
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => ({ x: () => tf.reshape(dyOf(dy), at(saved, 0).shape) }),
  },
  {
    kernelName: tf.ExpandDims,
    inputsToSave: ["input"],
    gradFunc: (dy, saved) => ({ input: () => tf.reshape(dyOf(dy), at(saved, 0).shape) }),
  },
  {
    kernelName: tf.Transpose,
    gradFunc: (dy, _saved, attrs: Attrs) => {
      const undo = bu.getUndoAxesPermutation(attrs.perm as number[]);
      return { x: () => tf.transpose(dyOf(dy), undo) };
    },
  },
  {
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs: Attrs) => {
      const axis = tf.util.parseAxisParam(attrs.axis as number, at(saved, 0).shape)[0]!;
      const parts = tf.split(
        dyOf(dy),
        saved.map((t) => t.shape[axis]!),
        axis,
      );
      return Object.fromEntries(parts.map((t, i) => [i, () => t]));
    },
  },
  {
    kernelName: tf.SplitV,
    gradFunc: (dy, _saved, attrs: Attrs) => ({
      x: () => tf.concat(Array.isArray(dy) ? dy : [dy], attrs.axis as number),
    }),
  },
  {
    kernelName: tf.Slice,
    inputsToSave: ["x"],
    gradFunc: (dyIn, saved, attrs: Attrs) => {
      const x = at(saved, 0);
      const dy = dyOf(dyIn);
      const params = tf.slice_util.parseSliceParams(x, attrs.begin as number[], attrs.size as number[]);
      const begin = params[0]!;
      const size = params[1]!;
      const paddings = x.shape.map((d, i) => [begin[i]!, d - begin[i]! - size[i]!] as [number, number]);
      return { x: () => tf.pad(dy, paddings) };
    },
  },
  {
    kernelName: tf.PadV2,
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs: Attrs) => {
      const x = at(saved, 0);
      const begin = (attrs.paddings as unknown as [number, number][]).map((p) => p[0]);
      return { x: () => tf.slice(dyOf(dy), begin, x.shape) };
    },
  },
  {
    kernelName: tf.Pack,
    saveAllInputs: true,
    gradFunc: (dy, _saved, attrs: Attrs) =>
      Object.fromEntries(tf.unstack(dyOf(dy), attrs.axis as number).map((t, i) => [i, () => t])),
  },
  {
    kernelName: tf.Unpack,
    gradFunc: (dy, _saved, attrs: Attrs) => ({
      value: () => tf.stack(Array.isArray(dy) ? dy : [dy], attrs.axis as number),
    }),
  },
  {
    kernelName: tf.Tile,
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs: Attrs) => {
      // Fold the tiled axis k into (reps_k, size_k) and sum over reps: any rank, no loops.
      const x = at(saved, 0);
      const reps = attrs.reps as number[];
      const folded = x.shape.flatMap((d, i) => [reps[i]!, d]);
      const axes = x.shape.map((_, i) => 2 * i);
      return { x: () => tf.reshape(tf.sum(tf.reshape(dyOf(dy), folded), axes), x.shape) };
    },
  },
  {
    kernelName: tf.BroadcastTo,
    gradFunc: (dy, _saved, attrs: Attrs) => {
      const inputShape = attrs.inputShape as number[];
      const outShape = attrs.shape as number[];
      const lead = outShape.length - inputShape.length;
      const axes = outShape.map((_, i) => i).filter((i) => i < lead || inputShape[i - lead] !== outShape[i]);
      return { x: () => tf.reshape(tf.sum(dyOf(dy), axes), inputShape) };
    },
  },
  {
    kernelName: tf.Cast,
    gradFunc: (dy) => ({ x: () => tf.clone(dyOf(dy)) }),
  },
  {
    kernelName: tf.Identity,
    gradFunc: (dy) => ({ x: () => tf.cast(dyOf(dy), "float32") }),
  },
  {
    kernelName: tf.Square,
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(dyOf(dy), tf.mul(float32(at(saved, 0)), 2)) }),
  },
  {
    kernelName: tf.Sqrt,
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => ({ x: () => tf.div(dyOf(dy), tf.mul(tf.sqrt(float32(at(saved, 0))), 2)) }),
  },
  {
    kernelName: tf.Exp,
    outputsToSave: [true],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(dyOf(dy), at(saved, 0)) }),
  },
  {
    kernelName: tf.Log,
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => ({ x: () => tf.div(dyOf(dy), at(saved, 0)) }),
  },
  {
    kernelName: tf.Abs,
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(dyOf(dy), tf.step(float32(at(saved, 0)), -1)) }),
  },
  {
    kernelName: tf.Sigmoid,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const y = at(saved, 0);
      return { x: () => tf.mul(dyOf(dy), tf.mul(y, tf.sub(1, y))) };
    },
  },
  {
    kernelName: tf.Tanh,
    outputsToSave: [true],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(tf.sub(1, tf.square(at(saved, 0))), dyOf(dy)) }),
  },
  {
    kernelName: tf.Softplus,
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(dyOf(dy), tf.sigmoid(at(saved, 0))) }),
  },
  {
    kernelName: tf.Relu,
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(dyOf(dy), tf.step(at(saved, 0))) }),
  },
  {
    // dy * (step(x) * (1 - alpha) + alpha): differentiable again (step has a zero gradient).
    kernelName: tf.LeakyRelu,
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs: Attrs) => {
      const alpha = attrs.alpha as number;
      return { x: () => tf.mul(dyOf(dy), tf.add(tf.mul(tf.step(at(saved, 0)), 1 - alpha), alpha)) };
    },
  },
  {
    kernelName: tf.Softmax,
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs: Attrs) => {
      const y = at(saved, 0);
      const dyTimesY = tf.mul(dyOf(dy), y);
      return { logits: () => tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [attrs.dim as number], true), y)) };
    },
  },
  {
    kernelName: tf.Maximum,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved) => {
      const [a, b] = [at(saved, 0), at(saved, 1)];
      const out = bu.assertAndGetBroadcastShape(a.shape, b.shape);
      return {
        a: () => unbroadcast(tf.mul(dyOf(dy), tf.cast(tf.greaterEqual(a, b), "float32")), a.shape, out),
        b: () => unbroadcast(tf.mul(dyOf(dy), tf.cast(tf.less(a, b), "float32")), b.shape, out),
      };
    },
  },
  {
    kernelName: tf.Minimum,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved) => {
      const [a, b] = [at(saved, 0), at(saved, 1)];
      const out = bu.assertAndGetBroadcastShape(a.shape, b.shape);
      return {
        a: () => unbroadcast(tf.mul(dyOf(dy), tf.cast(tf.lessEqual(a, b), "float32")), a.shape, out),
        b: () => unbroadcast(tf.mul(dyOf(dy), tf.cast(tf.greater(a, b), "float32")), b.shape, out),
      };
    },
  },
  {
    kernelName: tf.ClipByValue,
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs: Attrs) => {
      const x = at(saved, 0);
      const inside = tf.logicalAnd(
        tf.greaterEqual(x, attrs.clipValueMin as number),
        tf.lessEqual(x, attrs.clipValueMax as number),
      );
      return { x: () => tf.mul(dyOf(dy), tf.cast(inside, "float32")) };
    },
  },
  {
    kernelName: tf.Select,
    inputsToSave: ["condition"],
    gradFunc: (dy, saved) => {
      const condition = at(saved, 0);
      const d = dyOf(dy);
      return {
        condition: () => tf.zeros(condition.shape, "float32"),
        t: () => tf.mul(d, tf.cast(condition, d.dtype)),
        e: () => tf.mul(d, tf.cast(tf.logicalNot(condition), d.dtype)),
      };
    },
  },
  {
    kernelName: tf.Step,
    gradFunc: (dy) => ({ x: () => tf.zerosLike(dyOf(dy)) }),
  },
  {
    kernelName: tf.ZerosLike,
    gradFunc: (dy) => ({ x: () => tf.zerosLike(dyOf(dy)) }),
  },
  {
    kernelName: tf.OnesLike,
    gradFunc: (dy) => ({ x: () => tf.zerosLike(dyOf(dy)) }),
  },
  zeroGrad(tf.Greater, ["a", "b"]),
  zeroGrad(tf.GreaterEqual, ["a", "b"]),
  zeroGrad(tf.Less, ["a", "b"]),
  zeroGrad(tf.LessEqual, ["a", "b"]),
  zeroGrad(tf.Equal, ["a", "b"]),
  zeroGrad(tf.NotEqual, ["a", "b"]),
  zeroGrad(tf.LogicalAnd, ["a", "b"]),
  zeroGrad(tf.LogicalOr, ["a", "b"]),
  zeroGrad(tf.LogicalNot, ["x"]),
  zeroGrad(tf.Floor, ["x"]),
  zeroGrad(tf.Round, ["x"]),
  zeroGrad(tf.Sign, ["x"]),
  zeroGrad(tf.ArgMax, ["x"]),
  zeroGrad(tf.OneHot, ["indices"]),
];

/**
 * Kernels whose gradient we replace even when one is registered (same maths, faster on wasm; for
 * Multiply, RealDiv, Abs, Square and Sqrt tfjs's own less its same-dtype casts, so the same values
 * with ~1,100 fewer kernel calls in a layout generator's gradient call and ~400 in a critic's).
 */
const OVERRIDES = new Set<string>([tf.BatchMatMul, tf.Sum, tf.Multiply, tf.RealDiv, tf.Abs, tf.Square, tf.Sqrt]);

// ---------------------------------------------------------------------------------------------
// The engine's gradients(), with a tape filter linear in the tape

/** A tape node of tfjs-core 4.22 (tape.ts). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: tf.NamedTensorMap;
  outputs: tf.Tensor[];
  gradient?: (dys: tf.Tensor[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

/** The parts of tfjs-core's Engine (4.22, engine.ts) that `gradients` uses. */
interface TapeEngine {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  tidy<T extends tf.TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T;
  gradients(
    f: () => tf.Tensor,
    xs: tf.Tensor[],
    dy?: tf.Tensor,
    allowNoGradients?: boolean,
  ): { value: tf.Tensor; grads: tf.Tensor[] };
}

/**
 * tfjs's getFilteredNodesXToY (tape.ts): the nodes on a path from `xs` to `y`, each with only the
 * inputs that come from `xs`. The same nodes in the same order, but tfjs's forward pass checks
 * every input not from `xs` once per element of `xs` (a loop whose body ignores its index): with a
 * generator's 71 variables that was ~16 ms a gradient call, the largest engine cost that does not
 * shrink with the shard.
 */
function filterTape(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    for (const name in node.inputs) {
      if (fromX.has(node.inputs[name]!.id)) {
        for (const output of node.outputs) fromX.add(output.id);
        nodesFromX.add(node.id);
        break;
      }
    }
  }
  const leadToY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((o) => leadToY.has(o.id))) {
      for (const name in node.inputs) {
        leadToY.add(node.inputs[name]!.id);
        nodesToY.add(node.id);
      }
    }
  }
  const filtered: TapeNode[] = [];
  for (const node of tape) {
    if (!(nodesFromX.has(node.id) && nodesToY.has(node.id))) continue;
    const inputs: tf.NamedTensorMap = {};
    for (const name in node.inputs) if (fromX.has(node.inputs[name]!.id)) inputs[name] = node.inputs[name]!;
    filtered.push({ ...node, inputs, outputs: node.outputs });
  }
  return filtered;
}

/** tfjs's backpropagateGradients (tape.ts), unchanged. */
function backpropagate(gradients: Record<number, tf.Tensor>, tape: readonly TapeNode[], engine: TapeEngine): void {
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    const dys = node.outputs.map((o) => gradients[o.id] ?? null) as tf.Tensor[];
    if (node.gradient == null) {
      throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
    }
    const inputGradients = node.gradient(dys);
    for (const name in node.inputs) {
      if (!(name in inputGradients)) {
        throw new Error(
          `Cannot backprop through input ${name}. Available gradients found: ${Object.keys(inputGradients)}.`,
        );
      }
      const dx = engine.tidy(() => inputGradients[name]!());
      if (dx.dtype !== "float32") {
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`,
        );
      }
      const x = node.inputs[name]!;
      if (!tf.util.arraysEqual(dx.shape, x.shape)) {
        throw new Error(
          `Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`,
        );
      }
      const current = gradients[x.id];
      if (current == null) gradients[x.id] = dx;
      else {
        gradients[x.id] = tf.add(current, dx);
        current.dispose();
      }
    }
  }
}

const linearFilters = new WeakSet<object>();

/**
 * Replaces the engine's `gradients` (behind tf.grads, tf.variableGrads and the layers' fit) by
 * tfjs 4.22's own (engine.ts) with `filterTape` for its tape filter: the same nodes, gradients and
 * disposals, in the same order.
 */
function linearTapeFilter(): void {
  const engine = tf.engine() as unknown as TapeEngine;
  if (linearFilters.has(engine.gradients)) return;
  const gradients: TapeEngine["gradients"] = function (this: TapeEngine, f, xs, dy, allowNoGradients = false) {
    tf.util.assert(xs.length > 0, () => "gradients() received an empty list of xs.");
    if (dy != null && dy.dtype !== "float32") throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
    const y = this.scopedRun(
      () => this.startTape(),
      () => this.endTape(),
      () => this.tidy("forward", f),
    );
    tf.util.assert(y instanceof tf.Tensor, () => "The result y returned by f() must be a tensor.");
    const tape = this.state.activeTape!;
    const filtered = filterTape(tape, xs, y);
    if (!allowNoGradients && filtered.length === 0 && xs.length > 0) {
      throw new Error(
        "Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.",
      );
    }
    return this.tidy("backward", () => {
      const accumulated: Record<number, tf.Tensor> = { [y.id]: dy ?? tf.ones(y.shape) };
      backpropagate(accumulated, filtered, this);
      const grads = xs.map((x) => accumulated[x.id]!);
      if (this.state.gradientDepth === 0) {
        for (const node of tape) for (const t of node.saved ?? []) t.dispose();
        this.state.activeTape = null;
      }
      return { value: y, grads };
    });
  };
  linearFilters.add(gradients);
  engine.gradients = gradients;
}

/**
 * Registers the gradients above: for every kernel that has none yet, and ours for OVERRIDES; and
 * the engine's `gradients` with a tape filter linear in the tape (`linearTapeFilter`). Cheap and
 * idempotent; call it after the tfjs packages are loaded (tfjs-layers' Node bundle registers
 * tfjs's own gradients when it loads, which would replace an override set earlier).
 */
export function registerGanGradients(): void {
  linearTapeFilter();
  for (const config of CONFIGS) {
    const current = tf.getGradient(config.kernelName);
    if (current == null || (OVERRIDES.has(config.kernelName) && current.gradFunc !== config.gradFunc)) {
      tf.registerGradient(config);
    }
  }
}

/** The kernels this module provides gradients for. */
export const GAN_GRADIENT_KERNELS: readonly string[] = CONFIGS.map((c) => c.kernelName);
