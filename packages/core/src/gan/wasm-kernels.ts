/**
 * Wasm kernels (tfjs 4.22) that copied more than they had to, replaced.
 *
 * Identity and same-dtype Cast: tfjs's engine clones (the Identity kernel) every tensor a kernel
 * saves for its gradient, and its gradients cast float32 tensors to float32; the wasm kernels
 * allocate and copy for both. A layout-GAN training call ran ~5,900 (critic) and ~13,700
 * (generator) kernels, a third of them such copies, whatever the batch. Here both return the
 * input's buffer with its reference count raised, as the wasm Reshape kernel and the cpu
 * backend's Identity already do: no wasm kernel writes into its input, so the values are the same.
 *
 * Slice, Unpack and SplitV: the wasm Slice reads its whole input out of the wasm heap into a new
 * JavaScript buffer (`readSync`) for every slice, then copies the slice back in; Unpack and SplitV
 * call it once per output. A training step slices its [batch, nodes, features] tensors hundreds of
 * times, so that was work and garbage (external-memory GCs) growing with the batch. Here the
 * slice is copied straight from the heap into its output: the same elements, one copy.
 *
 * The engine's clone of a saved tensor: with Identity an alias, each clone still went through
 * `runKernel` (kernel lookup, scopes, output bookkeeping), about a third of a training call's
 * kernel calls (~4,600 of a layout generator's ~13,700, ~1,400 of a critic's ~6,000) and the same
 * number whatever the shard, so data-parallel workers paid it once each. `fastSavedClones` makes
 * the same alias directly, with the tape node the engine's clone adds.
 */
import * as tf from "@tensorflow/tfjs-core";

interface WasmBackend {
  incRef(dataId: tf.DataId): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A view of a tensor's bytes in the heap: invalid once the heap grows (any allocation). */
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

/** The input's buffer again, one reference more (a tensor that shares it). */
function alias(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  (backend as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * `size` elements of `x` from `begin` (both one entry per axis, already resolved), copied from the
 * heap in runs: the axes after the last one cut short are whole, so each run is contiguous.
 */
function sliceFromHeap(backend: WasmBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const total = tf.util.sizeFromShape(size);
  if (total === 0) return out;
  // The views come after makeOutput: its allocation may grow the heap, which detaches older views.
  const from = backend.typedArrayFromHeap(x);
  const to = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  let cut = rank - 1;
  while (cut >= 0 && size[cut] === x.shape[cut]) cut--;
  if (cut < 0) {
    to.set(from.subarray(0, total));
    return out;
  }
  const strides = tf.util.computeStrides(x.shape);
  const stride = (axis: number) => (axis === rank - 1 ? 1 : strides[axis]!);
  const run = size[cut]! * stride(cut);
  const index = new Array<number>(cut).fill(0); // position within size[0..cut)
  for (let written = 0; written < total; written += run) {
    let offset = begin[cut]! * stride(cut);
    for (let axis = 0; axis < cut; axis++) offset += (begin[axis]! + index[axis]!) * stride(axis);
    to.set(from.subarray(offset, offset + run), written);
    for (let axis = cut - 1; axis >= 0 && ++index[axis]! === size[axis]; axis--) index[axis] = 0;
  }
  return out;
}

/** Replaces a wasm kernel by `kernelFunc`, which may fall back to the one it replaces. */
function replace(kernelName: string, make: (original: tf.KernelFunc) => tf.KernelFunc, marked: Set<tf.KernelFunc>) {
  const current = tf.getKernel(kernelName, "wasm");
  if (current === undefined || marked.has(current.kernelFunc)) return;
  const kernelFunc = make(current.kernelFunc);
  marked.add(kernelFunc);
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({ ...current, kernelFunc });
}

const ours = new Set<tf.KernelFunc>();

/** The parts of tfjs-core's Engine (4.22, engine.ts) that `clone` uses. */
interface EngineInternals {
  backendName: string;
  backend: unknown;
  state: { activeScope: { name: string } };
  clone(x: tf.Tensor): tf.Tensor;
  runKernel(kernelName: string, inputs: tf.NamedTensorMap, attrs?: tf.NamedAttrMap): tf.Tensor;
  makeTensorFromTensorInfo(info: tf.TensorInfo): tf.Tensor;
  addTapeNode(
    kernelName: string,
    inputs: tf.NamedTensorMap,
    outputs: tf.Tensor[],
    gradient: (dy: tf.Tensor) => Record<string, () => tf.Tensor>,
    saved: tf.Tensor[],
    attrs: tf.NamedAttrMap,
  ): void;
}

const fastClones = new WeakSet<object>();

/**
 * `x`'s values as a tensor the gradient tape does not reach (TensorFlow's `stop_gradient`): the same
 * buffer with one reference more, made without a kernel call, so no tape node leads to it and
 * nothing computed from it is differentiated. For comparisons, signs and argmins, whose gradients
 * are zero: the backward pass then skips them instead of computing and adding their zeros, so the
 * gradients are the same. Any backend (each has `incRef`); disposed like any tensor.
 */
export function untaped<T extends tf.Tensor>(x: T): T {
  const engine = tf.engine() as unknown as EngineInternals;
  (engine.backend as Pick<WasmBackend, "incRef">).incRef(x.dataId);
  return engine.makeTensorFromTensorInfo({ dataId: x.dataId, shape: x.shape, dtype: x.dtype }) as T;
}

/**
 * Replaces the engine's `clone` (what it calls for every tensor a kernel saves for its gradient)
 * by one that, where this file's Identity runs, does what that kernel call did without the call:
 * the input's buffer with one reference more, a tensor tracked in the current scope, and the tape
 * node of Engine.clone (gradient: a float32 Cast of dy). Elsewhere the engine's own runs.
 */
function fastSavedClones(): void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (fastClones.has(engine.clone)) return;
  const original = engine.clone;
  const clone = function (this: EngineInternals, x: tf.Tensor): tf.Tensor {
    const identity = tf.getKernel(tf.Identity, this.backendName);
    if (x.dtype === "string" || identity === undefined || !ours.has(identity.kernelFunc)) return original.call(this, x);
    (this.backend as WasmBackend).incRef(x.dataId);
    const y = this.makeTensorFromTensorInfo({ dataId: x.dataId, shape: x.shape, dtype: x.dtype });
    const gradient = (dy: tf.Tensor) => ({ x: () => this.runKernel(tf.Cast, { x: dy }, { dtype: "float32" }) });
    this.addTapeNode(this.state.activeScope.name, { x }, [y], gradient, [], {});
    return y;
  };
  fastClones.add(clone);
  engine.clone = clone;
}

/**
 * Registers this file's Identity, Cast, Slice, Unpack and SplitV for the wasm backend, and the
 * engine's alias clone of saved tensors (`fastSavedClones`). Idempotent.
 */
export function registerWasmAliasKernels(): void {
  fastSavedClones();
  replace(
    tf.Identity,
    (original) => (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      return x.dtype === "string" ? original(args) : alias(x, args.backend);
    },
    ours,
  );
  replace(
    tf.Cast,
    (original) => (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      return x.dtype === args.attrs?.dtype && x.dtype !== "string" ? alias(x, args.backend) : original(args);
    },
    ours,
  );
  replace(
    tf.Slice,
    (original) => (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === "string") return original(args);
      const attrs = args.attrs as unknown as tf.SliceAttrs;
      const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin, attrs.size) as [number[], number[]];
      return sliceFromHeap(args.backend as WasmBackend, x, begin, size);
    },
    ours,
  );
  replace(
    tf.Unpack,
    (original) => (args) => {
      const x = args.inputs.value as tf.TensorInfo;
      if (x.dtype === "string") return original(args);
      const rank = x.shape.length;
      const attrs = args.attrs as unknown as tf.UnpackAttrs;
      const axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
      const outShape = x.shape.filter((_, i) => i !== axis);
      const size = x.shape.map((n, i) => (i === axis ? 1 : n));
      return Array.from({ length: x.shape[axis]! }, (_, k) => {
        const begin = x.shape.map((_, i) => (i === axis ? k : 0));
        const { dataId, dtype } = sliceFromHeap(args.backend as WasmBackend, x, begin, size);
        return { dataId, dtype, shape: outShape };
      });
    },
    ours,
  );
  replace(
    tf.SplitV,
    (original) => (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === "string") return original(args);
      const attrs = args.attrs as unknown as tf.SplitVAttrs;
      const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0]!;
      const sizes = tf.backend_util.prepareSplitSize(x, attrs.numOrSizeSplits, axis);
      const begin = x.shape.map(() => 0);
      return sizes.map((s) => {
        const size = x.shape.map((n, i) => (i === axis ? s : n));
        const part = sliceFromHeap(args.backend as WasmBackend, x, [...begin], size);
        begin[axis]! += s;
        return part;
      });
    },
    ours,
  );
}
