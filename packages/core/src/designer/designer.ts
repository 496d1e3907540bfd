import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import type { Design, EquipmentType, ProcessClass, RulePack, ValidationReport } from "../design/types.js";
import { metres } from "../design/units.js";
import { legalise } from "../legalise/legalise.js";
import { routeDesign } from "../route/router.js";
import type { RouteOptions } from "../route/types.js";
import { validateDesign } from "../validate/validate.js";
import { assemble } from "./assemble.js";
import { drawTopology, wantedCounts } from "./draw.js";
import { drawStyle, type LayoutStyle, placeTopology } from "./placement.js";

/** Version of the designer's output: bump when the same seed would give a different design. */
export const DESIGNER_VERSION = "1.2.0";

/** Metres added to every pack distance when the designer legalises its own layouts. */
const LAYOUT_MARGIN = metres(1.5);

export interface DesignerRequest {
  readonly processClass: ProcessClass;
  /** Seed: the same request and seed give the same design on every machine. */
  readonly seed: number;
  /** Design id; default `<processClass>-<seed>`. */
  readonly id?: string;
  readonly name?: string;
  /** Rule pack the design must pass; default the shipped pack. */
  readonly pack?: RulePack;
  /** Equipment the design must hold, as types and counts (a generation request's `equipment`). */
  readonly equipment?: readonly { readonly type: EquipmentType; readonly count: number }[];
  /** Layout choices to force instead of drawing them (arrangement, orientation, rack...). */
  readonly style?: Partial<LayoutStyle>;
  /** Attempts (the seed, then sub-seeds) before giving up. Default 25. */
  readonly maxAttempts?: number;
  readonly route?: RouteOptions;
  /** Called with each failed attempt's reasons (diagnostics; not part of the design). */
  readonly onFailure?: (attempt: number, failure: AttemptFailure, details: readonly string[]) => void;
}

/** Why an attempt was thrown away, for the retry statistics. */
export type AttemptFailure = "unresolved_layout" | "unrouted_lines" | "validation_errors";

export interface DesignerOutcome {
  /** Placed, routed, and free of validator errors under the pack. */
  readonly design: Design;
  readonly report: ValidationReport;
  /** Attempts made (1 = the first sub-seed passed). */
  readonly attempts: number;
  /** Why each failed attempt failed, in order. */
  readonly failures: readonly AttemptFailure[];
  /** Items the legaliser moved, and how far in all, m. */
  readonly moves: number;
  readonly displacement: number;
}

/** Thrown when no attempt gives a valid design: the designer never returns a failing one. */
export class DesignerError extends Error {
  readonly code = "no_valid_design";
  constructor(
    message: string,
    readonly failures: readonly AttemptFailure[],
  ) {
    super(message);
    this.name = "DesignerError";
  }
}

/**
 * Designs one plant procedurally: template P&ID → placement → legalise → route → validate. An
 * attempt with errors is thrown away and the next sub-seed tried, so what comes back always passes
 * the validator with zero errors under the pack. Deterministic in the request.
 */
export function designPlantDetailed(request: DesignerRequest): DesignerOutcome {
  const pack = request.pack ?? DEFAULT_RULE_PACK;
  const maxAttempts = request.maxAttempts ?? 25;
  const failures: AttemptFailure[] = [];
  const wanted = wantedCounts(request.equipment);

  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const { topology, drawn, rng } = drawTopology(request.processClass, request.seed, attempt, pack, wanted);
    const style = drawStyle(rng.fork("style"), topology, request.style);
    const placement = placeTopology(topology, rng.fork("place"), pack, style);
    const design = assemble(topology, placement, {
      id: request.id ?? `${request.processClass}-${request.seed}`,
      name: request.name ?? drawn,
      processClass: request.processClass,
      metadata: {
        generator: "plantgan-designer",
        generatorVersion: DESIGNER_VERSION,
        seed: request.seed,
        attempt,
        arrangement: style.arrangement,
      },
    });
    // The margin keeps a pipe corridor wherever the legaliser has to move something; v1 keeps the
    // seeds of datasets/synthetic-v1 reproducing it (a failed attempt just moves to the next).
    const legal = legalise(design, pack, { margin: LAYOUT_MARGIN, v1: true });
    if (legal.unresolved.length > 0) {
      failures.push("unresolved_layout");
      request.onFailure?.(
        attempt,
        "unresolved_layout",
        legal.unresolved.map((u) => u.message),
      );
      continue;
    }
    const routed = routeDesign(legal.design, request.route ?? {});
    if (routed.unrouted.length > 0) {
      failures.push("unrouted_lines");
      request.onFailure?.(
        attempt,
        "unrouted_lines",
        routed.unrouted.map((u) => `${u.line}: ${u.code}: ${u.reason}`),
      );
      continue;
    }
    const report = validateDesign(routed.design, pack);
    if (report.summary.errors > 0) {
      failures.push("validation_errors");
      request.onFailure?.(
        attempt,
        "validation_errors",
        report.violations.filter((v) => v.severity === "error").map((v) => `${v.rule}: ${v.message}`),
      );
      continue;
    }
    return {
      design: routed.design,
      report,
      attempts: attempt + 1,
      failures,
      moves: legal.moves.filter((m) => m.reason !== "snap").length,
      displacement: legal.stats.totalDisplacement,
    };
  }
  throw new DesignerError(
    `no valid ${request.processClass} design for seed ${request.seed} in ${maxAttempts} attempts`,
    failures,
  );
}

/** `designPlantDetailed` without the statistics: the placed, routed, validated design. */
export function designPlant(request: DesignerRequest): Design {
  return designPlantDetailed(request).design;
}
