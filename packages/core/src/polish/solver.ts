import type { Highs } from "highs";
import * as highsModule from "highs";

type Loader = () => Promise<Highs>;

/**
 * highs' loader: the default export of its ES module build, which Node loads; its types are
 * declared as CommonJS, where TypeScript sees the default one level down.
 */
function highsLoader(): Loader {
  const m = highsModule as unknown as { default: Loader | { default: Loader } };
  return typeof m.default === "function" ? m.default : m.default.default;
}

/**
 * HiGHS (WebAssembly, the `highs` npm package) is loaded asynchronously once per process; solves
 * then run synchronously. The pipeline is synchronous, so it uses the solver only once a caller
 * (the CLI, the server, a test) has awaited `loadSolver()`.
 */
let loaded: Highs | undefined;
let loading: Promise<Highs> | undefined;

export type Solver = Pick<Highs, "solve">;

export function loadSolver(): Promise<Solver> {
  loading ??= highsLoader()().then(
    (h) => {
      loaded = h;
      return h;
    },
    (e: unknown) => {
      // A failed load is not kept: the next call tries again (a long-running server recovers).
      loading = undefined;
      throw e;
    },
  );
  return loading;
}

/** The loaded solver, or undefined when `loadSolver()` has not finished. */
export function loadedSolver(): Solver | undefined {
  return loaded;
}

/** A column's value in a solution, undefined when the solve gave none (infeasible, error). */
export function primal(column: object | undefined): number | undefined {
  return column && "Primal" in column && typeof column.Primal === "number" ? column.Primal : undefined;
}
