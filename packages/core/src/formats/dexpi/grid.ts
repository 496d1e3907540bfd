/**
 * A uniform grid of boxes for "what is drawn near this point" queries, so matching unconnected
 * pipe ends stays near-linear in the number of ends. Boxes spanning very many cells go to a short
 * list checked every time instead of being copied into each cell.
 */
export type Point = readonly [number, number];

const MAX_CELLS_PER_BOX = 1024;

export class BoxGrid<T> {
  private readonly cells = new Map<string, T[]>();
  private readonly wide: T[] = [];

  constructor(private readonly cell: number) {}

  insert(min: Point, max: Point, item: T): void {
    const [i0, j0] = this.index(min);
    const [i1, j1] = this.index(max);
    if ((i1 - i0 + 1) * (j1 - j0 + 1) > MAX_CELLS_PER_BOX || !Number.isFinite(i0 + j0 + i1 + j1)) {
      this.wide.push(item);
      return;
    }
    for (let i = i0; i <= i1; i++) {
      for (let j = j0; j <= j1; j++) {
        const k = `${i},${j}`;
        const list = this.cells.get(k);
        if (list) list.push(item);
        else this.cells.set(k, [item]);
      }
    }
  }

  /** Items whose box may lie within `radius` of `p` (a superset; callers test exactly). */
  near(p: Point, radius: number): T[] {
    const [i0, j0] = this.index([p[0] - radius, p[1] - radius]);
    const [i1, j1] = this.index([p[0] + radius, p[1] + radius]);
    const out = new Set<T>(this.wide);
    for (let i = i0; i <= i1; i++) {
      for (let j = j0; j <= j1; j++) for (const item of this.cells.get(`${i},${j}`) ?? []) out.add(item);
    }
    return [...out];
  }

  private index(p: Point): [number, number] {
    return [Math.floor(p[0] / this.cell), Math.floor(p[1] / this.cell)];
  }
}
