import type { Basis, Highs, HighsCallbackMap, ModelData, OptionValue } from "highs";
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

export type Solver = Pick<Highs, "withModel" | "infinity" | "constants">;

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

export interface Solved {
  /** HiGHS' model status by its constant's name ("optimal", "timeLimit", "objectiveTarget", ...). */
  readonly status: string;
  readonly optimal: boolean;
  /** Column values, when the solve left a primal solution. */
  readonly values?: Float64Array;
  readonly objective?: number;
  /** The final simplex basis (an LP solved to optimality), to warm-start a neighbouring LP. */
  readonly basis?: Basis;
}

/**
 * One solve of a model built in memory (no LP text): options set, optionally warm-started from a
 * basis of an LP of the same shape, callbacks active during the run. The native model is freed after.
 */
export function solveModel(
  solver: Solver,
  model: ModelData,
  options: Readonly<Record<string, OptionValue>>,
  extra: { readonly basis?: Basis; readonly callbacks?: HighsCallbackMap } = {},
): Solved {
  const codes = solver.constants.modelStatus;
  return solver.withModel(model, (m) => {
    m.options.set({ output_flag: false, ...options });
    if (extra.basis) m.setBasis(extra.basis);
    const run = m.run(extra.callbacks);
    const status =
      (Object.keys(codes) as (keyof typeof codes)[]).find((k) => codes[k] === run.modelStatus) ?? "unknown";
    const optimal = run.modelStatus === codes.optimal;
    const feasible = m.info.get("primal_solution_status") === solver.constants.solutionStatus.feasible;
    if (!feasible) return { status, optimal };
    const values = m.getSolution().colValue;
    const basis = optimal && model.integrality === undefined ? m.getBasis() : undefined;
    return { status, optimal, values, objective: m.getObjectiveValue(), ...(basis ? { basis } : {}) };
  });
}
