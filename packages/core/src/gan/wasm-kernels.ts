/**
 * Identity and same-dtype Cast on the wasm backend without a copy.
 *
 * Why: tfjs's engine clones (the Identity kernel) every tensor a kernel saves for its gradient,
 * and its gradients cast float32 tensors to float32; the wasm kernels (tfjs 4.22) allocate and
 * copy for both. A layout-GAN training call ran ~5,900 (critic) and ~13,700 (generator) kernels,
 * a third of them such copies, whatever the batch. Here both return the input's buffer with its
 * reference count raised, as the wasm Reshape kernel and the cpu backend's Identity already do:
 * no wasm kernel writes into its input, so the values are the same.
 */
import * as tf from "@tensorflow/tfjs-core";

interface WasmBackend {
  incRef(dataId: tf.DataId): void;
}

/** The input's buffer again, one reference more (a tensor that shares it). */
function alias(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  (backend as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
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

/** Registers the copy-free Identity and Cast for the wasm backend. Idempotent. */
export function registerWasmAliasKernels(): void {
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
}
