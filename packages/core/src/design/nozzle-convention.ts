/**
 * Conventional nozzle places on an equipment's shell (the contract's dx/dy/dz: metres from the
 * footprint centre along the equipment's own x and y, height above its base), for P&IDs that say
 * which nozzles exist but not where: DEXPI imports whose drawing does not show the side, and the
 * learned topology generator's designs. Without a place every nozzle sits at the footprint centre,
 * and the router cannot leave one nozzle without crossing another's connection.
 *
 * The convention (docs/DESIGN.md, "DEXPI import"): pump and compressor suction on one end and
 * discharge on top; vessels, tanks, columns, reactors, furnaces and filters take inlets high on one
 * side and outlets low on the other; anything else inlets on one end and outlets on the other, half
 * way up; relief, flare and vent lines leave from the top (API 520 Part II: the relief valve takes
 * vapour). Several nozzles on one face are spread across it (along y).
 */
import type { EquipmentType, Footprint, PlantDesignInput } from "./types.js";

/**
 * What a nozzle does for the lines at it: a line arrives at it (in), leaves from it (out), a relief,
 * flare or vent line leaves from it (vapour: it belongs in the vapour space, on top), or neither.
 */
export type NozzleRole = "in" | "out" | "vapour" | "other";

export interface NozzleOffset {
  readonly dx: number;
  readonly dy: number;
  readonly dz: number;
}

const TALL: ReadonlySet<EquipmentType> = new Set(["vessel", "tank", "column", "reactor", "furnace", "filter"]);

/** Conventional places for an item's nozzles, in the order of `roles`. */
export function conventionalNozzleOffsets(
  type: EquipmentType,
  roles: readonly NozzleRole[],
  fp: Footprint,
  grid?: number,
): NozzleOffset[] {
  const w = fp.width / 2;
  const h = fp.height;
  const face = (role: NozzleRole, first: boolean): { dx: number; dz: number; key: string } => {
    if (role === "vapour") return { dx: 0, dz: h, key: "top" };
    if (type === "pump" || type === "compressor") {
      if (role === "in" || (role === "other" && first)) return { dx: -w, dz: h / 2, key: "end" };
      if (role === "out") return { dx: 0, dz: h, key: "top" };
      return { dx: w, dz: h / 2, key: "far end" };
    }
    if (TALL.has(type)) {
      if (role === "in") return { dx: -w, dz: 0.8 * h, key: "inlet side" };
      if (role === "out") return { dx: w, dz: 0.1 * h, key: "outlet side" };
      return { dx: 0, dz: h, key: "top" };
    }
    if (role === "in") return { dx: -w, dz: h / 2, key: "inlet end" };
    if (role === "out") return { dx: w, dz: h / 2, key: "outlet end" };
    return { dx: 0, dz: h, key: "top" };
  };
  const faces = roles.map((r, i) => face(r, i === 0 && !roles.includes("in")));
  const total = new Map<string, number>();
  for (const f of faces) total.set(f.key, (total.get(f.key) ?? 0) + 1);
  const seen = new Map<string, number>();
  return faces.map((f) => {
    const k = seen.get(f.key) ?? 0;
    seen.set(f.key, k + 1);
    const n = total.get(f.key) ?? 1;
    const dy =
      n === 1 ? 0 : ((grid && onGridSteps(fp.depth, n, k, grid)) ?? ((k + 1) / (n + 1) - 0.5) * fp.depth * 0.8);
    return roundOffset({ dx: f.dx, dy, dz: f.dz });
  });
}

/**
 * Nozzle k of n across a face of `length`, on whole grid steps about the centre (which the legaliser
 * puts on a grid node), so that each nozzle's pipe leaves along its own grid line, as the designer
 * places its nozzles; undefined where the face is too short for n grid lines.
 */
function onGridSteps(length: number, n: number, k: number, grid: number): number | undefined {
  const slots = 2 * Math.floor((length / 2 - 0.2) / grid) + 1;
  if (slots < n) return undefined;
  const step = Math.max(1, Math.floor((slots - 1) / Math.max(1, n - 1)));
  return (-Math.floor(((n - 1) * step) / 2) + k * step) * grid;
}

/**
 * The design with a conventional place for every nozzle that has none (nozzles with a place keep
 * it), spread across each face on the site's grid where it fits; roles come from the lines' nozzle ends. Returns a new design; the input is not changed.
 */
export function withConventionalNozzles(design: PlantDesignInput): PlantDesignInput {
  const roles = new Map<string, NozzleRole>();
  for (const l of design.lines ?? []) {
    const vapour = l.service === "relief" || l.service === "flare" || l.service === "vent";
    if ("nozzle" in l.from) roles.set(`${l.from.tag}/${l.from.nozzle}`, vapour ? "vapour" : "out");
    if ("nozzle" in l.to) roles.set(`${l.to.tag}/${l.to.nozzle}`, "in");
  }
  return {
    ...design,
    equipment: design.equipment.map((e) => {
      const nozzles = e.nozzles ?? [];
      if (nozzles.every((n) => n.dx !== undefined)) return e;
      const places = conventionalNozzleOffsets(
        e.type as EquipmentType,
        nozzles.map((n) => roles.get(`${e.tag}/${n.id}`) ?? "other"),
        e.footprint,
        design.site.gridSize ?? 1,
      );
      return { ...e, nozzles: nozzles.map((n, i) => (n.dx !== undefined ? n : { ...n, ...places[i]! })) };
    }),
  };
}

export function roundOffset(o: NozzleOffset): NozzleOffset {
  const r = (v: number) => Math.round(v * 1000) / 1000 + 0;
  return { dx: r(o.dx), dy: r(o.dy), dz: r(o.dz) };
}
