import { boxRect, footprintRect } from "../design/geometry.js";
import type { Design, Line, Point3 } from "../design/types.js";
import { isPlaced } from "../design/types.js";
import { type Metres, metres } from "../design/units.js";
import { SearchSpace } from "./astar.js";
import { DIRECTIONS } from "./directions.js";
import { drainLevel, drains } from "./drain.js";
import { attachments, boundaryCells, describeEnd, drainAttachments, type ResolvedEnd, resolveEnd } from "./ends.js";
import {
  adjustBody,
  buildGrid,
  cellsOnRoute,
  closureRange,
  gridDimensions,
  occupyRoute,
  type RouteGrid,
} from "./grid.js";
import type { GoalHint } from "./heuristic.js";
import { buildLevels } from "./levels.js";
import { routingOrder } from "./order.js";
import { cellPoint, routeLength, simplify, stub } from "./polyline.js";
import type { RouteCosts, RouteOptions, RouteResult, UnroutedLine } from "./types.js";

export const DEFAULT_COSTS: RouteCosts = {
  rackDiscount: 0.7,
  acrossRack: 3,
  offDirection: 2,
  bendPenalty: 3,
  elevationChange: 2,
  vertical: 1,
  elevatedOffRack: 1.5,
  ownBody: 4,
};
export const DEFAULT_GROUND_LEVELS: readonly Metres[] = [metres(0.5), metres(1.2)];
const DEFAULT_CLEARANCE = metres(0.3);
const DEFAULT_MAX_EXPANSIONS = 400_000;
const DEFAULT_MAX_STATES = 16_000_000;
const DEFAULT_WEIGHT = 1.5;
/** Existing routes block the levels within this height of their own elevation, m. */
const OCCUPY_TOLERANCE = 0.3;

type Route = [Point3, Point3, ...Point3[]];

/** One side of a search: a nozzle (attachment cells with stub costs) or a parent line's cells. */
interface Terminal {
  readonly end: ResolvedEnd;
  readonly label: string;
  readonly cells: number[];
  readonly costs: number[];
  /** Per cell, for a relief or flare line's nozzle: its stub falls from the nozzle to the cell. */
  readonly below: boolean[];
}

/**
 * Routes a design's lines on its site grid. Lines go one at a time (parents before branches, short
 * before long), each by A* over (cell, direction) with elbow and riser penalties and rack discounts
 * (see astar.ts); a routed line's cells are then taken, so later lines keep off them or pass at
 * another level. Relief and flare lines search with a drainage phase (astar.ts, drain.ts), so they
 * rise to one high point and fall to their disposal. Deterministic: same design and options, same
 * routes. User data never throws: every line that cannot be routed is listed with a code and a
 * reason.
 */
export function routeDesign(design: Design, options: RouteOptions = {}): RouteResult {
  const started = performance.now();
  checkOptions(options);
  const costs: RouteCosts = { ...DEFAULT_COSTS, ...options.costs };
  const clearance = options.clearance ?? DEFAULT_CLEARANCE;
  const maxExpansions = options.maxExpansions ?? DEFAULT_MAX_EXPANSIONS;
  const reroute = options.reroute ?? false;
  const weight = options.heuristicWeight ?? DEFAULT_WEIGHT;
  const lines = design.lines;
  const lineByID = new Map(lines.map((l, k) => [l.id, k]));
  const equipmentByTag = new Map(design.equipment.map((e, k) => [e.tag, k]));
  const unrouted: UnroutedLine[] = [];
  const fail = (k: number, code: UnroutedLine["code"], reason: string) =>
    unrouted.push({ line: lines[k]!.id, code, reason });

  const selected = selectLines(design, options, lineByID, reroute, unrouted);
  const routes: (Route | undefined)[] = lines.map((l, k) => (selected.has(k) && reroute ? undefined : l.route));

  const groundLevels = options.groundLevels ?? DEFAULT_GROUND_LEVELS;
  const plainLevels = buildLevels(design.site, groundLevels);
  const drainAt = drainLevel(design, selected, plainLevels, equipmentByTag, lineByID);
  const levels = drainAt === undefined ? plainLevels : buildLevels(design.site, groundLevels, drainAt);
  const { nx, ny } = gridDimensions(metres(design.site.width), metres(design.site.depth), metres(design.site.gridSize));
  // Drainage searches keep a phase bit per state, which doubles the search space.
  const phases = [...selected].some((k) => drains(lines[k]!)) ? 2 : 1;
  const states = nx * ny * levels.z.length * DIRECTIONS * phases;
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
  if (states > maxStates) {
    for (const k of selected) {
      fail(
        k,
        "grid_too_large",
        `the site needs ${states} search states at grid ${design.site.gridSize} m; limit ${maxStates}`,
      );
    }
    return finish(design, routes, selected, [], unrouted, started, { length: 0, bends: 0, rack: 0, expansions: 0 });
  }

  const grid = buildGrid(design, levels, costs, clearance);
  lines.forEach((_, k) => {
    const r = routes[k];
    if (r && !selected.has(k)) occupyRoute(grid, r, k, OCCUPY_TOLERANCE);
  });

  const ends = new Map<number, { from: ResolvedEnd; to: ResolvedEnd }>();
  for (const k of [...selected].sort((a, b) => a - b)) {
    const line = lines[k]!;
    const from = resolveEnd(line.from, design.equipment, equipmentByTag, lineByID);
    const to = resolveEnd(line.to, design.equipment, equipmentByTag, lineByID);
    if (!from.ok) {
      fail(k, from.code, `from end: ${from.reason}`);
      continue;
    }
    if (!to.ok) {
      fail(k, to.code, `to end: ${to.reason}`);
      continue;
    }
    // A battery limit is reached at the plot edge; with both ends there nothing on the plot says
    // where between them the line runs, so it is left to the user rather than guessed.
    if (from.end.kind === "open" && to.end.kind === "open") {
      fail(k, "open_ends", "both its ends are open (battery limits): nothing on the plot fixes its route");
      continue;
    }
    ends.set(k, { from: from.end, to: to.end });
  }

  const { order, cycles } = routingOrder([...ends].map(([index, e]) => ({ index, ...e })));
  for (const k of cycles)
    fail(k, "branch_cycle", "its branch ends form a loop (or hang off one): no parent can go first");

  // Each nozzle to be connected keeps its nearest grid cell for its own lines: without this an
  // earlier line can run across a later line's nozzle and wall it in.
  const reservation = new Map<string, number>();
  // Per node: 1 + the owner of the nozzle whose kept cell is there, -1 where several nozzles keep
  // one. Another nozzle's stub may stand at that node only when it has no other (a stub claims its
  // node at every level, below), so the nozzle whose only way onto the grid it is keeps it.
  const keptNode = new Int32Array(grid.nx * grid.ny);
  const reserveBest = (at: { cells: readonly number[]; costs: readonly number[] }, owner: number) => {
    let best = 0;
    for (let n = 1; n < at.costs.length; n++) if (at.costs[n]! < at.costs[best]!) best = n;
    const cell = at.cells[best];
    if (cell !== undefined && grid.occ[cell] === 0) grid.occ[cell] = owner + 1;
    if (cell !== undefined) {
      const node = (cell - (cell % grid.nl)) / grid.nl;
      keptNode[node] = keptNode[node] === 0 || keptNode[node] === owner + 1 ? owner + 1 : -1;
    }
  };
  for (const { from, to } of ends.values()) {
    for (const end of [from, to]) {
      if (end.kind !== "nozzle" || reservation.has(end.key)) continue;
      const owner = lines.length + reservation.size;
      reservation.set(end.key, owner);
      reserveBest(attachments(grid, end.point, costs), owner);
    }
  }
  // A relief or flare line enters its disposal from a level at or above the inlet (astar.ts): keep
  // the nearest such cell too, or a neighbouring inlet's line runs across it and leaves only a rise
  // into the inlet, which a route that has gone down may not take.
  const drainReserved = new Set<string>();
  for (const [k, { from, to }] of ends) {
    if (!drains(lines[k]!)) continue;
    for (const end of [from, to]) {
      if (end.kind !== "nozzle" || drainReserved.has(end.key)) continue;
      drainReserved.add(end.key);
      // As when its lines are routed: the stub may run through the nozzle's own body.
      const owner = design.equipment[end.equipment]!;
      adjustBody(grid, owner, -1, clearance);
      const at = drainAttachments(grid, end.point, costs);
      adjustBody(grid, owner, 1, clearance);
      const keep = at.cells.flatMap((_, n) => (at.below[n] ? [] : [n]));
      reserveBest(
        { cells: keep.map((n) => at.cells[n]!), costs: keep.map((n) => at.costs[n]!) },
        reservation.get(end.key)!,
      );
    }
  }
  const ownerLabel = (owner: number): string => {
    if (owner < lines.length) return `line ${lines[owner]!.id}`;
    for (const [key, o] of reservation) if (o === owner) return `the connection of nozzle ${key}`;
    return "another line";
  };

  // Per node: 1 + the reservation owner of the nozzle whose stub (the riser from the nozzle's
  // height to its level) stands there. Occupancy covers levels only, so without this a second
  // nozzle could attach at the same node and run its stub along the first one's.
  const stubs = new Int32Array(grid.nx * grid.ny);
  const space = SearchSpace.reusing(grid, lines.length + reservation.size, phases);
  const routed: number[] = [];
  const totals = { length: 0, bends: 0, rack: 0, expansions: 0 };

  for (const k of order) {
    const { from, to } = ends.get(k)!;
    const line = lines[k]!;
    const parentMissing = [from, to].find((e) => e.kind === "branch" && routes[e.parent] === undefined);
    if (parentMissing?.kind === "branch") {
      fail(k, "parent_unrouted", `parent line ${lines[parentMissing.parent]!.id} has no route to branch off`);
      continue;
    }
    const own = ownEquipment(from, to);
    for (const e of own) adjustBody(grid, design.equipment[e]!, -1, clearance);
    const outcome = routeOne(k, line, from, to);
    for (const e of own) adjustBody(grid, design.equipment[e]!, 1, clearance);
    totals.expansions += outcome.expansions;
    if (!outcome.ok) {
      fail(k, outcome.code, outcome.reason);
      continue;
    }
    routes[k] = outcome.route;
    routed.push(k);
    for (const [end, cell] of outcome.attached) {
      const node = (cell - (cell % grid.nl)) / grid.nl;
      if (stubs[node] === 0) stubs[node] = reservation.get(end.key)! + 1;
    }
    for (const cell of outcome.cells) if (grid.occ[cell] === 0) grid.occ[cell] = k + 1;
    totals.length += routeLength(outcome.route);
    totals.bends += outcome.route.length - 2;
    totals.rack += rackRun(grid, outcome.cells);
  }
  return finish(design, routes, selected, routed, unrouted, started, totals);

  type Outcome =
    | {
        ok: true;
        route: Route;
        cells: number[];
        /** Nozzle ends and the cells their stubs attach at. */
        attached: [Extract<ResolvedEnd, { kind: "nozzle" }>, number][];
        expansions: number;
      }
    | { ok: false; code: UnroutedLine["code"]; reason: string; expansions: number };

  function routeOne(k: number, line: Line, from: ResolvedEnd, to: ResolvedEnd): Outcome {
    // Search from a nozzle when there is one: its stub costs seed the start states. An open end
    // is always the goal: its cells are the whole plot edge.
    const flip = to.kind === "nozzle" ? from.kind !== "nozzle" : from.kind === "open";
    const a = flip ? to : from;
    const b = flip ? from : to;
    const aLabel = describeEnd(flip ? line.to : line.from);
    const bLabel = describeEnd(flip ? line.from : line.to);
    if (a.kind === "branch" && b.kind === "branch" && a.parent === b.parent) {
      return { ok: false, code: "no_path", reason: `both ends branch off line ${lines[a.parent]!.id}`, expansions: 0 };
    }

    space.begin();
    markFriends(k, from, to);
    const drain = drains(line);
    const start = terminal(a, aLabel, drain);
    const goal = terminal(b, bLabel, drain);
    const freeStarts = passableOf(start);
    const freeGoals = passableOf(goal);
    if (b.kind === "open") {
      // A branch to the plot edge off a parent that reaches the edge itself must still leave the
      // parent: its goal is an edge point not on the parent's route.
      const starts = new Set(freeStarts.cells);
      const keep = freeGoals.cells.flatMap((c, n) => (starts.has(c) ? [] : [n]));
      freeGoals.cells = keep.map((n) => freeGoals.cells[n]!);
      freeGoals.costs = keep.map((n) => freeGoals.costs[n]!);
      freeGoals.below = keep.map((n) => freeGoals.below[n]!);
    }
    for (const [t, free] of [
      [start, freeStarts],
      [goal, freeGoals],
    ] as const) {
      if (free.cells.length === 0) return { ok: false, ...whyBlocked(t, k), expansions: 0 };
    }
    freeGoals.cells.forEach((cell, n) => {
      space.markGoal(cell, freeGoals.below[n]);
    });
    const hint = goalHint(grid, freeGoals.cells, b.kind === "nozzle");
    const phases = drain ? freeStarts.below.map((below) => (below ? 1 : 0)) : undefined;
    const result = space.search(freeStarts.cells, freeStarts.costs, hint, costs, maxExpansions, weight, phases);
    if (result.state < 0) return explainFailure(k, from, to, start, goal, result, drain);

    const cells = space.cellsTo(result.state);
    const points: Point3[] = [];
    const first = cellPoint(grid, cells[0]!);
    const last = cellPoint(grid, cells[cells.length - 1]!);
    if (a.kind === "nozzle") points.push(...stub(a.point, first));
    for (const cell of cells) points.push(cellPoint(grid, cell));
    if (b.kind === "nozzle") points.push(...stub(b.point, last).reverse());
    if (b.kind === "open") points.push(...toEdge(points[points.length - 1]!, b.edge));
    if (flip) points.reverse();
    const route = simplify(points);
    if (route.length < 2) {
      return {
        ok: false,
        code: "no_path",
        reason: "its two ends are at the same point",
        expansions: result.expansions,
      };
    }
    const attached: [Extract<ResolvedEnd, { kind: "nozzle" }>, number][] = [];
    if (a.kind === "nozzle") attached.push([a, cells[0]!]);
    if (b.kind === "nozzle") attached.push([b, cells[cells.length - 1]!]);
    return { ok: true, route: route as Route, cells, attached, expansions: result.expansions };
  }

  function markFriends(k: number, from: ResolvedEnd, to: ResolvedEnd): void {
    space.markFriend(k);
    for (const end of [from, to]) {
      if (end.kind === "open") continue;
      if (end.kind === "branch") {
        space.markFriend(end.parent);
        continue;
      }
      // Lines sharing this nozzle share only its grid cell: the validator forgives contact at a
      // shared end, not two pipes in one place further on.
      const reserved = reservation.get(end.key);
      if (reserved !== undefined) space.markFriend(reserved);
      const e = design.equipment[end.equipment]!;
      if (!isPlaced(e)) continue;
      const r = closureRange(grid, footprintRect(e));
      for (let j = r.j0; j <= r.j1; j++) for (let i = r.i0; i <= r.i1; i++) space.markOwn(j * grid.nx + i);
    }
  }

  function terminal(end: ResolvedEnd, label: string, drain: boolean): Terminal {
    if (end.kind === "nozzle") {
      if (drain) return { end, label, ...drainAttachments(grid, end.point, costs) };
      const at = attachments(grid, end.point, costs);
      return { end, label, cells: at.cells, costs: at.costs, below: at.cells.map(() => false) };
    }
    if (end.kind === "open") {
      const cells = boundaryCells(grid, end.edge);
      return { end, label, cells, costs: cells.map(() => 0), below: cells.map(() => false) };
    }
    // Only a drained line may tee in on the drain level.
    const cells = cellsOnRoute(grid, routes[end.parent]!).filter((c) => drain || !grid.levels.drainOnly[c % grid.nl]);
    return { end, label, cells, costs: cells.map(() => 0), below: cells.map(() => false) };
  }

  function passableOf(t: Terminal): { cells: number[]; costs: number[]; below: boolean[] } {
    const cells: number[] = [];
    const out: number[] = [];
    const below: boolean[] = [];
    const mine = t.end.kind === "nozzle" ? reservation.get(t.end.key)! + 1 : 0;
    const elsewhere: number[] = [];
    t.cells.forEach((cell, n) => {
      const node = (cell - (cell % grid.nl)) / grid.nl;
      if (mine !== 0 && stubs[node] !== 0 && stubs[node] !== mine) return;
      if (space.passable(cell)) {
        if (mine !== 0 && keptNode[node] !== 0 && keptNode[node] !== mine) elsewhere.push(cells.length);
        cells.push(cell);
        out.push(t.costs[n]!);
        below.push(t.below[n]!);
      }
    });
    // A stub at another nozzle's kept node would wall that nozzle in: only when nothing else is free.
    if (elsewhere.length === 0 || elsewhere.length === cells.length) return { cells, costs: out, below };
    const keep = cells.flatMap((_, n) => (elsewhere.includes(n) ? [] : [n]));
    return { cells: keep.map((n) => cells[n]!), costs: keep.map((n) => out[n]!), below: keep.map((n) => below[n]!) };
  }

  /** Names what blocks a terminal none of whose cells is free. */
  function whyBlocked(t: Terminal, k: number): { code: UnroutedLine["code"]; reason: string } {
    if (t.end.kind === "open") {
      return { code: "no_path", reason: `no grid point on ${t.label} is free (keep-outs, bodies or other lines)` };
    }
    if (t.end.kind === "branch") {
      const parent = lines[t.end.parent]!.id;
      return {
        code: "no_path",
        reason: `no grid point on the route of parent line ${parent} is free to tee into (it runs inside bodies, keep-outs or off the grid)`,
      };
    }
    if (t.cells.length === 0) return { code: "blocked_nozzle", reason: `nozzle ${t.label} is outside the site grid` };
    const [x, y] = t.end.point;
    const node = (t.cells[0]! - (t.cells[0]! % grid.nl)) / grid.nl;
    const i = node % grid.nx;
    const j = (node - i) / grid.nx;
    const inRange = (r: { i0: number; i1: number; j0: number; j1: number }) =>
      i >= r.i0 && i <= r.i1 && j >= r.j0 && j <= r.j1;
    const keepOut = design.site.keepOut.find((ko) => inRange(closureRange(grid, boxRect(ko))));
    if (keepOut)
      return { code: "blocked_nozzle", reason: `nozzle ${t.label} at (${x}, ${y}) is in keep-out ${keepOut.id}` };
    const own = t.end.equipment;
    const body = design.equipment.find(
      (e, n) => n !== own && isPlaced(e) && inRange(closureRange(grid, footprintRect(e))),
    );
    if (body) return { code: "blocked_nozzle", reason: `nozzle ${t.label} at (${x}, ${y}) is inside ${body.tag}` };
    // Its own kept cell is not what blocks it: then another nozzle's stub stands at that node.
    const mine = reservation.get(t.end.key);
    const occupant = grid.occ[t.cells[0]!]! - 1;
    const taker = occupant === mine ? stubs[node]! - 1 : occupant;
    const other = taker >= 0 && taker !== k && taker !== mine ? ` by ${ownerLabel(taker)}` : "";
    return { code: "blocked_nozzle", reason: `every grid point next to nozzle ${t.label} is taken${other}` };
  }

  /**
   * The last step of a route to an open end: from its edge node onto the plot edge itself, where
   * the site's size is not a whole number of grid steps (the last node then stands inside it).
   */
  function toEdge(p: Point3, edge: "north" | "east" | "south" | "west" | undefined): Point3[] {
    const [x, y, z] = p;
    const { width, depth } = design.site;
    const off = { west: x, east: width - x, south: y, north: depth - y };
    const side = edge ?? (Object.keys(off) as (keyof typeof off)[]).reduce((a, b) => (off[b] < off[a] ? b : a));
    if (off[side] < 1e-9) return [];
    if (side === "west") return [[0, y, z]];
    if (side === "east") return [[width, y, z]];
    if (side === "south") return [[x, 0, z]];
    return [[x, depth, z]];
  }

  /**
   * The search ran dry or hit its cap. When it ran dry, the start's reachable region does not hold
   * the goal: search back from the goal with a cap of what the forward search expanded. If that
   * runs dry too, the goal's region is the smaller enclosure; if it does not, the start's is.
   */
  function explainFailure(
    k: number,
    from: ResolvedEnd,
    to: ResolvedEnd,
    start: Terminal,
    goal: Terminal,
    forward: { expansions: number; exhausted: boolean },
    drain: boolean,
  ): { ok: false; code: UnroutedLine["code"]; reason: string; expansions: number } {
    if (!forward.exhausted) {
      return {
        ok: false,
        code: "no_path",
        reason: `no route found within ${maxExpansions} search steps between ${start.label} and ${goal.label}`,
        expansions: forward.expansions,
      };
    }
    space.begin();
    markFriends(k, from, to);
    const back = passableOf(goal);
    const ahead = passableOf(start);
    // The drainage constraint reads the same from either end (astar.ts), so the reverse search keeps it.
    ahead.cells.forEach((cell, n) => {
      space.markGoal(cell, ahead.below[n]);
    });
    const hint = goalHint(grid, ahead.cells, start.end.kind === "nozzle");
    const phases = drain ? back.below.map((below) => (below ? 1 : 0)) : undefined;
    const reverse = space.search(back.cells, back.costs, hint, costs, forward.expansions, 1, phases);
    const enclosed = reverse.exhausted ? goal : start;
    const what = enclosed.end.kind === "nozzle" ? `nozzle ${enclosed.label}` : `the route of ${enclosed.label}`;
    return {
      ok: false,
      code: enclosed.end.kind === "nozzle" ? "blocked_nozzle" : "no_path",
      reason: `${what} is walled in: keep-outs, equipment or other lines close off every way to ${
        enclosed === goal ? start.label : goal.label
      }`,
      expansions: forward.expansions + reverse.expansions,
    };
  }
}

/**
 * Options come from code, not from users' files: a nonsensical one is a bug in the caller and
 * throws. Negative costs would break A* (it needs non-negative step costs), and a weight below 1
 * buys nothing.
 */
function checkOptions(options: RouteOptions): void {
  const bad = (what: string) => {
    throw new RangeError(`routeDesign: ${what}`);
  };
  for (const [name, value] of Object.entries(options.costs ?? {})) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) bad(`cost ${name} must be a number >= 0`);
  }
  if (options.costs?.rackDiscount === 0) bad("cost rackDiscount must be > 0");
  const ground = options.groundLevels;
  if (ground && (ground.length === 0 || ground.some((z) => !Number.isFinite(z)))) {
    bad("groundLevels must hold at least one finite elevation");
  }
  const positive = { maxExpansions: options.maxExpansions, maxStates: options.maxStates, clearance: options.clearance };
  for (const [name, value] of Object.entries(positive)) {
    if (value !== undefined && !(value >= 0)) bad(`${name} must be >= 0`);
  }
  if (options.heuristicWeight !== undefined && !(options.heuristicWeight >= 1)) bad("heuristicWeight must be >= 1");
}

/** The lines this call routes; unknown ids in `options.lines` are reported. */
function selectLines(
  design: Design,
  options: RouteOptions,
  lineByID: ReadonlyMap<string, number>,
  reroute: boolean,
  unrouted: UnroutedLine[],
): Set<number> {
  const selected = new Set<number>();
  if (options.lines) {
    for (const id of options.lines) {
      const k = lineByID.get(id);
      if (k === undefined) unrouted.push({ line: id, code: "unknown_line", reason: `no line "${id}" in the design` });
      else if (reroute || design.lines[k]!.route === undefined) selected.add(k);
    }
  } else {
    design.lines.forEach((l, k) => {
      if (reroute || l.route === undefined) selected.add(k);
    });
  }
  if (reroute) {
    // A rerouted parent moves, so its branches must move with it to stay on it.
    let grew = true;
    while (grew) {
      grew = false;
      design.lines.forEach((l, k) => {
        if (selected.has(k)) return;
        for (const end of [l.from, l.to]) {
          if ("line" in end) {
            const parent = lineByID.get(end.line);
            if (parent !== undefined && selected.has(parent)) {
              selected.add(k);
              grew = true;
            }
          }
        }
      });
    }
  }
  return selected;
}

function ownEquipment(from: ResolvedEnd, to: ResolvedEnd): number[] {
  const own: number[] = [];
  for (const end of [from, to]) if (end.kind === "nozzle" && !own.includes(end.equipment)) own.push(end.equipment);
  return own;
}

/**
 * Node box and elevation of the goal cells, for the heuristic. The elevation only for a nozzle
 * (`nozzle`) whose cells share one level: a relief line's nozzle offers two (ends.ts).
 */
function goalHint(grid: RouteGrid, cells: readonly number[], nozzle: boolean): GoalHint {
  let i0 = Number.POSITIVE_INFINITY;
  let i1 = -1;
  let j0 = Number.POSITIVE_INFINITY;
  let j1 = -1;
  let z = Number.NaN;
  let oneLevel = nozzle;
  for (const cell of cells) {
    const level = cell % grid.nl;
    const node = (cell - level) / grid.nl;
    const i = node % grid.nx;
    const j = (node - i) / grid.nx;
    i0 = Math.min(i0, i);
    i1 = Math.max(i1, i);
    j0 = Math.min(j0, j);
    j1 = Math.max(j1, j);
    if (oneLevel && !Number.isNaN(z) && z !== grid.levels.z[level]) oneLevel = false;
    z = oneLevel ? grid.levels.z[level]! : Number.NaN;
  }
  return { i0, i1, j0, j1, z };
}

/** Length of the horizontal steps between two rack cells at the same level. */
function rackRun(grid: RouteGrid, cells: readonly number[]): number {
  let length = 0;
  for (let n = 0; n + 1 < cells.length; n++) {
    const a = cells[n]!;
    const b = cells[n + 1]!;
    if (a % grid.nl === b % grid.nl && grid.rack[a] && grid.rack[b]) length += grid.g;
  }
  return length;
}

function finish(
  design: Design,
  routes: readonly (Route | undefined)[],
  selected: ReadonlySet<number>,
  routed: readonly number[],
  unrouted: readonly UnroutedLine[],
  started: number,
  totals: { length: number; bends: number; rack: number; expansions: number },
): RouteResult {
  const lines = design.lines.map((line, k): Line => {
    if (!selected.has(k) || routes[k] === line.route) return line;
    const route = routes[k];
    if (route) return { ...line, route };
    return Object.fromEntries(Object.entries(line).filter(([key]) => key !== "route")) as Line;
  });
  return {
    design: { ...design, lines },
    routed: routed.map((k) => design.lines[k]!.id),
    unrouted,
    stats: {
      totalLength: round(totals.length),
      bends: totals.bends,
      rackLength: round(totals.rack),
      expansions: totals.expansions,
      ms: performance.now() - started,
    },
  };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
