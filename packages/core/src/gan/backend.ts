/**
 * Picks the fastest TensorFlow.js backend that works here (DESIGN.md "Backends"):
 * `@tensorflow/tfjs-node-gpu` when it loads and sees a GPU, then `@tensorflow/tfjs-node`, then
 * `@tensorflow/tfjs-backend-wasm`, then the pure-JS cpu backend.
 *
 * The native packages are optional dependencies whose install script downloads libtensorflow;
 * without internet that script fails (or never runs) and the package is there without its addon.
 * Importing it then fails half-way, after it has registered ~170 kernels and loaded the
 * `@tensorflow/tfjs` umbrella as side effects. So we first ask Node's resolver whether the addon
 * file (`lib/napi-v{N}/tfjs_binding.node`, the path node-pre-gyp builds) exists, and import only
 * when it does.
 *
 * Node-only code (documented exception to "core is pure"): `node:module`'s `createRequire`, to
 * resolve package files (the addon above and the directory holding the wasm binaries). It is
 * imported dynamically and only when running under Node, so browser bundles never see it. No
 * `node:fs` or `node:path`.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { registerGanGradients } from "./gradients.js";
import { registerWasmAliasKernels } from "./wasm-kernels.js";

export type BackendName = "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";

/** Default order, fastest first. */
export const BACKEND_ORDER: readonly BackendName[] = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];

export interface BackendReason {
  readonly backend: BackendName;
  /** True for the one that runs. */
  readonly used: boolean;
  /** Why it was used or skipped. */
  readonly reason: string;
}

export interface BackendChoice {
  /** The backend now active in tfjs (`tf.getBackend()` reads "tensorflow" for both native ones). */
  readonly name: BackendName;
  /** One entry per backend, in the order they were considered. */
  readonly reasons: readonly BackendReason[];
}

export interface SelectBackendOptions {
  /** Try this one first; the rest follow in the default order. */
  readonly prefer?: BackendName;
  /** Never try these (e.g. ["tensorflow-gpu", "tensorflow"] for reproducible CI runs). */
  readonly exclude?: readonly BackendName[];
  /**
   * Directory (or URL prefix) holding `tfjs-backend-wasm*.wasm`, ending in "/". Default in Node:
   * the `dist/` folder of the installed package; in a browser the app must say where it serves them.
   */
  readonly wasmPaths?: string;
  /** Where the choice is reported; default `console.info`. Pass `() => {}` to silence. */
  readonly log?: (message: string) => void;
}

const TFJS_BACKEND: Record<BackendName, string> = {
  "tensorflow-gpu": "tensorflow",
  tensorflow: "tensorflow",
  wasm: "wasm",
  cpu: "cpu",
};

/** True under Node.js (not a browser or a worker without `process`). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string";
}

type Resolver = (specifier: string) => string;

let resolverPromise: Promise<Resolver | undefined> | undefined;

/** Node's module resolver for this file (undefined outside Node). */
function nodeResolver(): Promise<Resolver | undefined> {
  resolverPromise ??= (async () => {
    if (!isNode()) return undefined;
    const specifier = "node:module";
    const mod = (await import(/* @vite-ignore */ specifier)) as typeof import("node:module");
    const require = mod.createRequire(import.meta.url);
    return (s: string) => require.resolve(s);
  })();
  return resolverPromise;
}

function message(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split("\n")[0]!.slice(0, 300);
}

/**
 * Finds a native package's addon; returns why it is unusable, or undefined when present.
 * node-pre-gyp places it at `lib/napi-v{N}/tfjs_binding.node` for one N of `binary.napi_versions`.
 */
async function nativeAddonProblem(pkg: string): Promise<string | undefined> {
  const resolve = await nodeResolver();
  if (resolve === undefined) return "not running under Node.js";
  let pkgJson: string;
  try {
    pkgJson = resolve(`${pkg}/package.json`);
  } catch {
    return `${pkg} is not installed (optional dependency)`;
  }
  const dir = pkgJson.slice(0, -"package.json".length);
  for (let napi = 10; napi >= 3; napi--) {
    try {
      resolve(`${dir}lib/napi-v${napi}/tfjs_binding.node`);
      return undefined;
    } catch {
      // try the next N-API version
    }
  }
  return `${pkg} is installed but its native addon was not built (its install script did not run or could not download libtensorflow)`;
}

async function activate(name: string): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    if (ok) await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

async function tryNative(which: "tensorflow-gpu" | "tensorflow"): Promise<string | undefined> {
  const pkg = which === "tensorflow-gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
  const problem = await nativeAddonProblem(pkg);
  if (problem !== undefined) return problem;
  if (which === "tensorflow-gpu") {
    // tfjs-node-gpu grabs all GPU memory unless told otherwise (tfjs#8362).
    const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
    if (env && env.TF_FORCE_GPU_ALLOW_GROWTH === undefined) env.TF_FORCE_GPU_ALLOW_GROWTH = "true";
  }
  try {
    await import(/* @vite-ignore */ pkg);
  } catch (e) {
    return `${pkg} failed to load: ${message(e)}`;
  }
  if (!(await activate("tensorflow"))) return `${pkg} loaded but its backend did not initialise`;
  if (which === "tensorflow-gpu") {
    const usingGpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
    if (!usingGpu) return `${pkg} loaded but sees no GPU`;
  }
  return undefined;
}

async function tryWasm(wasmPaths: string | undefined): Promise<string | undefined> {
  let paths = wasmPaths;
  if (paths === undefined) {
    const resolve = await nodeResolver();
    if (resolve !== undefined) {
      const pkgJson = resolve("@tensorflow/tfjs-backend-wasm/package.json");
      paths = `${pkgJson.slice(0, -"package.json".length)}dist/`;
    }
  }
  // Paths can only be set before the backend first initialises; later calls keep the first ones.
  if (paths !== undefined && tf.findBackend("wasm") == null) {
    try {
      setWasmPaths(paths);
    } catch (e) {
      return `setWasmPaths failed: ${message(e)}`;
    }
  }
  if (!(await activate("wasm")))
    return `the wasm backend did not initialise (binaries looked up at ${paths ?? "default"})`;
  registerWasmAliasKernels();
  return undefined;
}

/**
 * Activates the best available backend and says why. Also registers the gradients the GAN
 * needs (see gradients.ts). Never throws: the cpu backend is always there.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendChoice> {
  registerGanGradients();
  const log = options.log ?? ((m: string) => console.info(m));
  const exclude = new Set(options.exclude ?? []);
  const order = options.prefer
    ? [options.prefer, ...BACKEND_ORDER.filter((b) => b !== options.prefer)]
    : [...BACKEND_ORDER];
  const reasons: BackendReason[] = [];
  let chosen: BackendName | undefined;
  for (const backend of order) {
    if (chosen !== undefined) {
      reasons.push({ backend, used: false, reason: `not tried: ${chosen} runs` });
      continue;
    }
    if (exclude.has(backend) && backend !== "cpu") {
      reasons.push({ backend, used: false, reason: "excluded by the caller" });
      continue;
    }
    let problem: string | undefined;
    if (backend === "tensorflow-gpu" || backend === "tensorflow") problem = await tryNative(backend);
    else if (backend === "wasm") problem = await tryWasm(options.wasmPaths);
    else problem = (await activate("cpu")) ? undefined : "the cpu backend did not initialise";
    if (problem === undefined) {
      chosen = backend;
      reasons.push({ backend, used: true, reason: usedReason(backend) });
    } else {
      reasons.push({ backend, used: false, reason: problem });
    }
  }
  const name = chosen ?? "cpu";
  for (const r of reasons) log(`[plantgan/gan] backend ${r.backend}: ${r.used ? "USED" : "skipped"} — ${r.reason}`);
  return { name, reasons };
}

function usedReason(backend: BackendName): string {
  switch (backend) {
    case "tensorflow-gpu":
      return "libtensorflow with a visible GPU";
    case "tensorflow":
      return "libtensorflow (native, multi-threaded CPU)";
    case "wasm":
      return "WebAssembly with SIMD (single-threaded in Node)";
    case "cpu":
      return "pure JavaScript fallback";
  }
}

/** The tfjs backend name a choice runs on ("tensorflow" for both native packages). */
export function tfjsBackendName(name: BackendName): string {
  return TFJS_BACKEND[name];
}

/**
 * Switches to an already-initialised backend by our name (tests and benches compare wasm and cpu).
 * Returns false when it is not available.
 */
export async function useBackend(name: BackendName, options: Pick<SelectBackendOptions, "wasmPaths"> = {}) {
  registerGanGradients();
  if (name === "wasm") return (await tryWasm(options.wasmPaths)) === undefined;
  if (name === "cpu") return activate("cpu");
  return (await tryNative(name)) === undefined;
}
