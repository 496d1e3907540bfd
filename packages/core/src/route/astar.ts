import { DIRECTIONS, DOWN, NONE, UP } from "./directions.js";
import type { RouteGrid } from "./grid.js";
import { type GoalHint, LowerBound } from "./heuristic.js";
import type { RouteCosts } from "./types.js";

/**
 * A* search (Hart, Nilsson, Raphael 1968, "A Formal Basis for the Heuristic Determination of
 * Minimum Cost Paths") over states (cell, incoming direction). Keeping the direction in the state
 * is what lets an elbow cost something: the cost of a step depends on the step before it, so
 * (cell) alone is not a state with the optimal-substructure A* needs.
 *
 * State index: cell * 7 + direction (directions.ts). A route may not reverse on itself (180° turn).
 *
 * The open set is a binary heap with lazy deletion: a state is pushed again when its cost improves
 * and stale entries are skipped when popped. The heap (OpenSet) is flatqueue's algorithm (the same
 * sift-up and sift-down, so the same order among equal keys, and so the same routes) on typed
 * arrays kept between designs and grown when full. It is this module's own code so that V8 sees
 * only these arrays in it and inlines it into the search: flatqueue's push, shared with any other
 * user of the package (an older checkout in pipeline-then-now.bench, on plain arrays), was
 * polymorphic and called out of line, 45% of routing time in that bench. Per-search arrays are
 * reset by a stamp instead of a fill, so one search costs only the states it touches.
 *
 * Drainage (relief and flare lines): API Std 520 Part II (discharge piping free-draining, no liquid
 * pockets) and API Std 521 5.5 (headers sloped to the knock-out drum, no pockets) ask that the
 * line's height profile rise to one high point and then fall or stay level to the end. A profile is
 * that shape read from either end, so the search direction does not matter: the state gets a phase
 * bit, 0 while the route has not yet gone down and 1 once it has, and a phase-1 state may not rise.
 * A nozzle's stub counts too: a start whose stub drops from the nozzle to its level starts in phase
 * 1, and a goal whose stub rises from its level to the nozzle takes only phase 0 (`markGoal`).
 * The profile is kept strictly (no dip at all), so it passes the validator's check
 * (piping.relief-free-draining) at any tolerance. State index: phase * (cells * 7) + cell * 7 +
 * direction; searches without drainage use phase 0 only, so they are the same search as without it.
 */
/** Plan steps of the horizontal directions. */
const DI = [1, 0, -1, 0] as const;
const DJ = [0, 1, 0, -1] as const;

export interface SearchOutcome {
  /** The goal state reached, or -1. */
  readonly state: number;
  readonly expansions: number;
  /** True when the open set ran dry: no path exists (given the blocks). False when the cap stopped it. */
  readonly exhausted: boolean;
}

/**
 * A binary min-heap of state ids by key: flatqueue 3.1's push and pop (Agafonkin, ISC licence) on
 * typed arrays that grow, so entries with equal keys come out in flatqueue's order.
 */
export class OpenSet {
  ids = new Int32Array(1 << 14);
  keys = new Float64Array(1 << 14);
  length = 0;

  push(id: number, key: number): void {
    if (this.length === this.ids.length) this.grow();
    const ids = this.ids;
    const keys = this.keys;
    let pos = this.length++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const parentKey = keys[parent]!;
      if (key >= parentKey) break;
      ids[pos] = ids[parent]!;
      keys[pos] = parentKey;
      pos = parent;
    }
    ids[pos] = id;
    keys[pos] = key;
  }

  /** Removes and returns an id of least key; the heap must not be empty. */
  pop(): number {
    const ids = this.ids;
    const keys = this.keys;
    const top = ids[0]!;
    const last = --this.length;
    if (last > 0) {
      const id = ids[last]!;
      const key = keys[last]!;
      let pos = 0;
      const half = last >> 1;
      while (pos < half) {
        const left = (pos << 1) + 1;
        const right = left + 1;
        const child = left + (+(right < last) & +(keys[right]! < keys[left]!));
        if (keys[child]! >= key) break;
        ids[pos] = ids[child]!;
        keys[pos] = keys[child]!;
        pos = child;
      }
      ids[pos] = id;
      keys[pos] = key;
    }
    return top;
  }

  /** Twice the room, the same entries in the same places. */
  private grow(): void {
    const ids = new Int32Array(2 * this.ids.length);
    const keys = new Float64Array(2 * this.keys.length);
    ids.set(this.ids);
    keys.set(this.keys);
    this.ids = ids;
    this.keys = keys;
  }
}

/**
 * The typed arrays of a search space and the stamp that says which entries are the current
 * search's. Entries of an earlier search (or an earlier design) carry an older stamp and read as
 * unset, so one set of arrays serves every search with no fill.
 */
class SearchArrays {
  readonly g: Float64Array;
  readonly parent: Int32Array;
  /** Per state: 2·stamp once reached by the current search, 2·stamp + 1 once expanded (closed). */
  readonly mark: Uint32Array;
  /** Per cell: === stamp when the cell is a goal of the current search. */
  readonly goal: Uint32Array;
  /** Per cell: === stamp when that goal takes only a route that never went down (phase 0). */
  readonly goalRising: Uint32Array;
  /** Per owner (1 + index): === stamp when that owner's cells may be entered by the current search. */
  readonly friend: Uint32Array;
  /** Per node: === stamp inside the body of one of the current line's own end equipment. */
  readonly own: Uint32Array;
  readonly bounds: LowerBound;
  /** The open set, kept with the arrays (grown, never shrunk). */
  readonly queue = new OpenSet();
  stamp = 0;

  constructor(
    readonly states: number,
    readonly cells: number,
    readonly nodes: number,
    readonly owners: number,
  ) {
    this.g = new Float64Array(states);
    this.parent = new Int32Array(states);
    this.mark = new Uint32Array(states);
    this.goal = new Uint32Array(cells);
    this.goalRising = new Uint32Array(cells);
    this.bounds = new LowerBound(cells);
    this.friend = new Uint32Array(owners + 1);
    this.own = new Uint32Array(nodes);
  }

  fits(states: number, cells: number, nodes: number, owners: number): boolean {
    return this.states >= states && this.cells >= cells && this.nodes >= nodes && this.owners >= owners;
  }

  /** The next search's stamp; before `mark` (2·stamp + 1) would overflow, every stamp is cleared. */
  nextStamp(): number {
    if (this.stamp >= STAMP_LIMIT) {
      for (const a of [this.mark, this.goal, this.goalRising, this.friend, this.own, this.bounds.stamp]) a.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}

const STAMP_LIMIT = 2 ** 30;

/**
 * The arrays `SearchSpace.reusing` lends out, kept between designs: a pipeline routes one candidate
 * after another on sites of much the same size, and allocating (and zeroing) some 16 MB per design
 * cost about a tenth of its routing time and much of the garbage collector's. Spaces above
 * KEPT_STATES are allocated per design and not kept.
 */
let kept: SearchArrays | undefined;
const KEPT_STATES = 4_000_000;

/** Work arrays for searches on one grid, allocated once and reused by every line. */
export class SearchSpace {
  /** States of one phase: cells × directions. */
  readonly phaseStates: number;
  /**
   * Lowest level of a goal the current search may reach in phase 1. A phase-1 state below it can
   * never rise to one, so the search drops it instead of flooding the low levels.
   */
  fallFloor = 0;
  stamp = 0;
  readonly #arrays: SearchArrays;

  /** `phases` 2 makes room for drainage searches (relief and flare lines); 1 allows none. */
  constructor(
    readonly grid: RouteGrid,
    ownerCount: number,
    readonly phases: 1 | 2 = 1,
    arrays?: SearchArrays,
  ) {
    const cells = grid.nx * grid.ny * grid.nl;
    this.phaseStates = cells * DIRECTIONS;
    this.#arrays = arrays ?? new SearchArrays(this.phaseStates * phases, cells, grid.nx * grid.ny, ownerCount);
  }

  /**
   * A space on the arrays kept from the last design when they are large enough, else on new ones
   * (kept in their place). Only one such space may be searching at a time: routeDesign's, which
   * runs to the end before it returns.
   */
  static reusing(grid: RouteGrid, ownerCount: number, phases: 1 | 2): SearchSpace {
    const cells = grid.nx * grid.ny * grid.nl;
    const states = cells * DIRECTIONS * phases;
    if (states > KEPT_STATES) return new SearchSpace(grid, ownerCount, phases);
    if (!kept?.fits(states, cells, grid.nx * grid.ny, ownerCount)) {
      const grown = (a: number, b: number | undefined) => Math.max(a, b ?? 0);
      kept = new SearchArrays(
        grown(states, kept?.states),
        grown(cells, kept?.cells),
        grown(grid.nx * grid.ny, kept?.nodes),
        grown(ownerCount, kept?.owners),
      );
    }
    return new SearchSpace(grid, ownerCount, phases, kept);
  }

  /** Starts a new search: forgets the previous one's goals, friends and costs. */
  begin(): void {
    this.stamp = this.#arrays.nextStamp();
    this.#arrays.queue.length = 0;
    this.fallFloor = this.grid.nl;
  }

  /** Marks a goal cell; `risingOnly`: a drainage search may end there only in phase 0. */
  markGoal(cell: number, risingOnly = false): void {
    this.#arrays.goal[cell] = this.stamp;
    if (risingOnly) this.#arrays.goalRising[cell] = this.stamp;
    else this.fallFloor = Math.min(this.fallFloor, cell % this.grid.nl);
  }

  /** Lets the current search enter cells taken by owner `index` (lines sharing an end, a branch's parent). */
  markFriend(index: number): void {
    this.#arrays.friend[index + 1] = this.stamp;
  }

  /** Marks a node inside the line's own end equipment: passable, at `ownBody` extra per metre. */
  markOwn(node: number): void {
    this.#arrays.own[node] = this.stamp;
  }

  /** Whether the current search may stand on `cell`. */
  passable(cell: number): boolean {
    const grid = this.grid;
    if (grid.wall[cell] !== 0) return false;
    const o = grid.occ[cell]!;
    return o === 0 || this.#arrays.friend[o] === this.stamp;
  }

  /** Cells of the path ending in `state`, from its start to it. */
  cellsTo(state: number): number[] {
    const cells: number[] = [];
    const parent = this.#arrays.parent;
    for (let s = state; s >= 0; s = parent[s]!) cells.push(((s % this.phaseStates) / DIRECTIONS) | 0);
    return cells.reverse();
  }

  /**
   * Runs A* from `starts` (cells, each with the cost already paid to reach it) to any goal cell.
   * `begin`, `markGoal` and `markFriend` must have been called for this search. `startPhases`
   * (one per start, 0 or 1) makes it a drainage search; it needs a space built with 2 phases.
   */
  search(
    starts: readonly number[],
    startCosts: readonly number[],
    hint: GoalHint,
    costs: RouteCosts,
    maxExpansions: number,
    weight = 1,
    startPhases?: readonly number[],
  ): SearchOutcome {
    const { grid, stamp, phaseStates, fallFloor } = this;
    const arrays = this.#arrays;
    const { g, parent, mark, goal, goalRising, friend, own, bounds, queue } = arrays;
    const drain = startPhases !== undefined;
    if (drain && this.phases < 2) throw new Error("SearchSpace: a drainage search needs a space with 2 phases");
    const open = stamp * 2;
    const closed = open + 1;
    const { nx, ny, nl, keepOut, wall, gapBlock, occ, factorX, factorY } = grid;
    const zs = grid.levels.z;
    const drainOnly = grid.levels.drainOnly;
    const step = grid.g;
    const halfStep = step / 2;
    const bend = costs.bendPenalty;
    const riser = costs.elevationChange;
    const inside = costs.ownBody * step;
    const vertical = costs.vertical;
    // Weighted A* (Pohl 1970): f = g + w·h; w > 1 trades at most a factor w of route cost for far
    // fewer expansions. The 1e-9 breaks ties on f towards the state nearer the goal.
    const hWeight = weight * (1 + 1e-9);
    bounds.begin(grid, hint, costs, stamp);

    const push = (
      state: number,
      cost: number,
      from: number,
      cell: number,
      i: number,
      j: number,
      level: number,
      dir: number,
    ) => {
      if (state >= phaseStates) {
        // A phase-1 state below every goal it may take is dead, and one whose phase-0 twin is no
        // dearer is dominated: phase 0 can go wherever phase 1 can, and rise as well.
        if (level < fallFloor) return;
        const twin = state - phaseStates;
        if (mark[twin]! >= open && g[twin]! <= cost) return;
      }
      const m = mark[state];
      if (m === closed || (m === open && g[state]! <= cost)) return;
      mark[state] = open;
      g[state] = cost;
      parent[state] = from;
      const h = bounds.at(cell, i, j, level, dir);
      queue.push(state, cost + h * hWeight);
    };

    for (let k = 0; k < starts.length; k++) {
      const cell = starts[k]!;
      const level = cell % nl;
      const node = (cell - level) / nl;
      const i = node % nx;
      const phase = drain ? startPhases[k]! : 0;
      push(phase * phaseStates + cell * DIRECTIONS + NONE, startCosts[k]!, -1, cell, i, (node - i) / nx, level, NONE);
    }

    let expansions = 0;
    while (queue.length > 0) {
      const s = queue.pop();
      if (mark[s] === closed) continue;
      mark[s] = closed;
      const descended = s >= phaseStates;
      const base = descended ? phaseStates : 0;
      const dir = (s - base) % DIRECTIONS;
      const cell = (s - base - dir) / DIRECTIONS;
      if (goal[cell] === stamp && !(descended && goalRising[cell] === stamp)) {
        return { state: s, expansions, exhausted: false };
      }
      if (++expansions > maxExpansions) return { state: -1, expansions, exhausted: false };
      const level = cell % nl;
      const node = (cell - level) / nl;
      const i = node % nx;
      const j = (node - i) / nx;
      const gs = g[s]!;
      const fx = factorX[cell]!;
      const fy = factorY[cell]!;

      for (let d = 0; d < 4; d++) {
        if (dir < 4 && (dir + 2) % 4 === d) continue;
        const ni = i + DI[d]!;
        const nj = j + DJ[d]!;
        if (ni < 0 || nj < 0 || ni >= nx || nj >= ny) continue;
        const nnode = nj * nx + ni;
        const ncell = nnode * nl + level;
        if (wall[ncell] !== 0) continue;
        const o = occ[ncell]!;
        if (o !== 0 && friend[o] !== stamp) continue;
        const next = base + ncell * DIRECTIONS + d;
        // Expanded already: push would turn it away whatever the cost (28% of push calls).
        if (mark[next] === closed) continue;
        let cost = gs + halfStep * ((d & 1) === 0 ? fx + factorX[ncell]! : fy + factorY[ncell]!);
        if (dir !== NONE && dir !== d) cost += bend;
        if (own[nnode] === stamp) cost += inside;
        push(next, cost, s, ncell, ni, nj, level, d);
      }
      const riserHere = keepOut[node] === 0;
      if (
        riserHere &&
        dir !== DOWN &&
        !descended &&
        level + 1 < nl &&
        gapBlock[cell] === 0 &&
        (drain || drainOnly[level + 1] === 0)
      ) {
        const ncell = cell + 1;
        const o = occ[ncell]!;
        if (wall[ncell] === 0 && (o === 0 || friend[o] === stamp)) {
          let cost = gs + (zs[level + 1]! - zs[level]!) * vertical;
          if (dir !== UP) cost += riser + (dir === NONE ? 0 : bend);
          push(base + ncell * DIRECTIONS + UP, cost, s, ncell, i, j, level + 1, UP);
        }
      }
      if (riserHere && dir !== UP && level > 0 && gapBlock[cell - 1] === 0) {
        const ncell = cell - 1;
        const o = occ[ncell]!;
        if (wall[ncell] === 0 && (o === 0 || friend[o] === stamp)) {
          let cost = gs + (zs[level]! - zs[level - 1]!) * vertical;
          if (dir !== DOWN) cost += riser + (dir === NONE ? 0 : bend);
          // Going down ends a drainage search's rise: from here on it may only fall or stay level.
          push((drain ? phaseStates : base) + ncell * DIRECTIONS + DOWN, cost, s, ncell, i, j, level - 1, DOWN);
        }
      }
    }
    return { state: -1, expansions, exhausted: true };
  }
}
