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

/** A nozzle's conventional face: its place across the face comes later. */
interface Face {
  readonly dx: number;
  readonly dz: number;
  readonly key: string;
}

/** Conventional places for an item's nozzles, in the order of `roles`. */
export function conventionalNozzleOffsets(
  type: EquipmentType,
  roles: readonly NozzleRole[],
  fp: Footprint,
  grid?: number,
): NozzleOffset[] {
  const w = fp.width / 2;
  const h = fp.height;
  const face = (role: NozzleRole, first: boolean): Face => {
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
  const spread = faces.map((f) => {
    const k = seen.get(f.key) ?? 0;
    seen.set(f.key, k + 1);
    const n = total.get(f.key) ?? 1;
    const dy =
      n === 1 ? 0 : ((grid && onGridSteps(fp.depth, n, k, grid)) ?? ((k + 1) / (n + 1) - 0.5) * fp.depth * 0.8);
    return roundOffset({ dx: f.dx, dy, dz: f.dz });
  });
  return grid ? ownGridNodes(spread, roles, fp, grid) : spread;
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

/** Kept between a nozzle on a face and the face's corners, m (as `onGridSteps`). */
const EDGE = 0.2;

/**
 * The router joins a nozzle's pipe to the grid at the node nearest the nozzle in plan (route/ends.ts,
 * the centre on a node) and keeps that node for it: two nozzles of one item with the same nearest
 * node leave one of them walled in, and their stubs closer than the pipes' diameters. A face too
 * short for its nozzles' own grid lines (a small drum with five lines off its top) would do that,
 * so each nozzle whose node is already another's moves to the first free grid place: across its own
 * face, then the other sides at the same height, then the top when its convention puts it half way
 * up or higher (a vessel's liquid outlet stays low). Grid places one step apart keep pipes up to DN 900 clear
 * of each other at 1 m. Nozzles that lines reach choose first: one no line reaches ("other") takes
 * what is left. Only where the item has no free node left does a nozzle share one.
 */
function ownGridNodes(
  spread: readonly NozzleOffset[],
  roles: readonly NozzleRole[],
  fp: Footprint,
  grid: number,
): NozzleOffset[] {
  const w = fp.width / 2;
  const d = fp.depth / 2;
  const h = fp.height;
  const taken = new Set<string>();
  const free = (o: NozzleOffset) => nearestNodes(o, grid).every((n) => !taken.has(n));
  const take = (o: NozzleOffset) => {
    for (const n of nearestNodes(o, grid)) taken.add(n);
    return o;
  };
  const across = (half: number) => gridSteps(half - EDGE, grid);
  const order = [...spread.keys()].sort((a, b) => Number(roles[a] === "other") - Number(roles[b] === "other"));
  const out: (NozzleOffset | undefined)[] = spread.map(() => undefined);
  for (const i of order) if (onGridLine(spread[i]!, fp, grid) && free(spread[i]!)) out[i] = take(spread[i]!);
  for (const i of order) {
    const o = spread[i]!;
    if (out[i]) continue;
    const onX = (dx: number, dz: number) => across(d).map((dy) => roundOffset({ dx, dy, dz }));
    const onY = (dy: number, dz: number) => across(w).map((dx) => roundOffset({ dx, dy, dz }));
    const top = across(w).flatMap((dx) => across(d).map((dy) => roundOffset({ dx, dy, dz: h })));
    const onTop = Math.abs(o.dz - h) < 1e-9 && Math.abs(o.dx) < w - 1e-9;
    const own = onTop ? top : onX(o.dx, o.dz);
    const sides = [...onY(-d, o.dz), ...onY(d, o.dz), ...onX(-w, o.dz), ...onX(w, o.dz)];
    const place = [...own, ...sides, ...(o.dz >= h / 2 - 1e-9 ? top : [])].find(free);
    out[i] = place ? take(place) : o;
  }
  return out.map((o) => o!);
}

/**
 * Whether a nozzle's place across its face is a whole grid step from the centre (on a side, its y;
 * on the top, both): nozzles spread evenly on a face too short for their grid lines stand closer
 * than a pipe's diameter, so they too take grid places.
 */
function onGridLine(o: NozzleOffset, fp: Footprint, grid: number): boolean {
  const whole = (v: number) => Math.abs(v / grid - Math.round(v / grid)) < 1e-6;
  const onSide = Math.abs(Math.abs(o.dx) - fp.width / 2) < 1e-6;
  return whole(o.dy) && (onSide || whole(o.dx));
}

/** Whole grid steps within `half` of the centre, nearest first (0, -g, g, -2g, …). */
function gridSteps(half: number, grid: number): number[] {
  const out = [0];
  for (let k = 1; k * grid <= half + 1e-9; k++) out.push(-k * grid, k * grid);
  return half < 0 ? [0] : out;
}

/** The grid nodes nearest a nozzle in plan (all of them on a tie), relative to the centre's node. */
function nearestNodes(o: NozzleOffset, grid: number): string[] {
  const near = (v: number) => {
    const f = Math.floor(v / grid + 1e-9);
    const gap = v / grid - f;
    if (Math.abs(gap) < 1e-9) return [f];
    if (Math.abs(gap - 0.5) < 1e-9) return [f, f + 1];
    return [gap < 0.5 ? f : f + 1];
  };
  return near(o.dx).flatMap((i) => near(o.dy).map((j) => `${i},${j}`));
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
