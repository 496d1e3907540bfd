import type { Design, RulePack } from "../design/types.js";
import { equipmentBox, lineEnds, measureRoute } from "./measure.js";
import { bendRate, type CostModel, pipeRate } from "./rates.js";

/** One line's share of a layout's cost. */
export interface LineCost {
  readonly line: string;
  readonly size: number;
  readonly rating?: string;
  /** Base pipe rate × class factor, currency/m (off racks). */
  readonly ratePerMetre: number;
  /** Routed metres off racks (vertical runs included) and along racks. */
  readonly length: number;
  readonly rackLength: number;
  readonly bends: number;
  /** Pipe off racks at the full rate plus pipe on racks at the rack rate, currency. */
  readonly pipe: number;
  /** The part of `pipe` paid for runs on racks, currency. */
  readonly rack: number;
  readonly bendCost: number;
  /**
   * true: the line has no route, so its pipe is priced on the plan Manhattan distance between its
   * nozzles with no elbows (a lower bound of what routing it would cost); 0 when an end is a branch.
   */
  readonly estimated: boolean;
}

/** A layout's cost, broken down. Amounts in `currency`. */
export interface CostBreakdown {
  readonly currency: string;
  readonly total: number;
  /** Sum of the lines' pipe (rack runs included at the rack rate). */
  readonly pipe: number;
  /** The part of `pipe` on racks. */
  readonly rack: number;
  readonly bends: number;
  readonly land: number;
  /** Plot area priced, m² (the pack's land measure). */
  readonly area: number;
  /** Routed centreline length of all lines, m. */
  readonly routedLength: number;
  readonly lines: readonly LineCost[];
}

/** Prices a design under the pack's cost model; undefined when the pack has no cost section. */
export function designCost(design: Design, pack: RulePack): CostBreakdown | undefined {
  return pack.cost ? priceDesign(design, pack.cost) : undefined;
}

export function priceDesign(design: Design, model: CostModel): CostBreakdown {
  const rackFactor = model.rack.factor;
  const lines: LineCost[] = design.lines.map((line) => {
    const rate = pipeRate(model, line);
    const perBend = bendRate(model, line);
    let length = 0;
    let rackLength = 0;
    let bends = 0;
    let estimated = false;
    if (line.route && line.route.length > 1) {
      const m = measureRoute(line.route, design.site.racks);
      length = m.otherLength;
      rackLength = m.rackLength;
      bends = m.bends;
    } else {
      estimated = true;
      const ends = lineEnds(design, line);
      if (ends) length = Math.abs(ends[0][0] - ends[1][0]) + Math.abs(ends[0][1] - ends[1][1]);
    }
    const rack = rackLength * rate * rackFactor;
    return {
      line: line.id,
      size: line.size,
      ...(line.rating !== undefined ? { rating: line.rating } : {}),
      ratePerMetre: rate,
      length,
      rackLength,
      bends,
      pipe: length * rate + rack,
      rack,
      bendCost: bends * perBend,
      estimated,
    };
  });
  const area = equipmentBox(design).area;
  const land = area * model.land.perSquareMetre;
  const sum = (f: (l: LineCost) => number) => lines.reduce((s, l) => s + f(l), 0);
  const pipe = sum((l) => l.pipe);
  const bends = sum((l) => l.bendCost);
  return {
    currency: model.currency,
    total: pipe + bends + land,
    pipe,
    rack: sum((l) => l.rack),
    bends,
    land,
    area,
    routedLength: sum((l) => (l.estimated ? 0 : l.length + l.rackLength)),
    lines,
  };
}
