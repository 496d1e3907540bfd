/**
 * Router benchmark: 200 lines on a 300 × 200 m site at a 1 m grid (goal: under 2 s).
 * Run: npx tsx --conditions=@plantgan/source packages/core/bench/route.bench.ts [runs] [--exact]
 *
 * The design is synthetic and seeded (the same every run): two pipe racks, a road and a building
 * as keep-outs, about 80 equipment items in bays on both sides of the main rack, 190 nozzle-to-nozzle
 * lines (most between neighbours, some across the plot) and 10 branches.
 */
import { type Design, EQUIPMENT_TAG_PREFIX, type EquipmentType, parseDesign } from "../src/design/index.js";
import { routeDesign } from "../src/route/index.js";

/** mulberry32: a small seeded PRNG, enough for a repeatable synthetic plot. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Kind {
  readonly type: EquipmentType;
  readonly w: number;
  readonly d: number;
  readonly h: number;
}
const KINDS: readonly Kind[] = [
  { type: "pump", w: 3, d: 2, h: 1.5 },
  { type: "pump", w: 3, d: 2, h: 1.5 },
  { type: "vessel", w: 4, d: 4, h: 6 },
  { type: "heat_exchanger", w: 8, d: 3, h: 2.5 },
  { type: "column", w: 4, d: 4, h: 25 },
  { type: "compressor", w: 6, d: 4, h: 4 },
  { type: "filter", w: 2, d: 2, h: 2 },
  { type: "tank", w: 10, d: 10, h: 10 },
];

interface Item {
  tag: string;
  type: string;
  x: number;
  y: number;
  footprint: { width: number; depth: number; height: number };
  nozzles: { id: string; dx: number; dy: number; dz: number }[];
  /** Free nozzle positions on the footprint edges, [dx, dy]. */
  slots: [number, number][];
}

function benchDesign(seed = 7, lineCount = 200): Design {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const equipment: Item[] = [];
  let tagNo = 100;
  // Bays: 8 columns × 5 rows on each side of the main rack (y 96–104), skipping the branch rack.
  for (const rows of [
    [12, 30, 48, 66, 84],
    [116, 134, 152, 170],
  ]) {
    for (const y of rows) {
      for (let x = 16; x < 280; x += 34) {
        if (x > 136 && x < 166 && y < 96) continue; // the north-south rack R2 runs here
        for (const offset of [-8, 8]) {
          if (equipment.length >= 80 || rand() < 0.3) continue;
          const kind = pick(KINDS);
          const cx = x + offset + Math.round(rand() * 4 - 2);
          if (kind.w > 8 && offset > 0) continue; // tanks take the whole bay
          const item: Item = {
            tag: `${EQUIPMENT_TAG_PREFIX[kind.type]}-${tagNo++}`,
            type: kind.type,
            x: cx,
            y,
            footprint: { width: kind.w, depth: kind.d, height: kind.h },
            nozzles: [],
            slots: [],
          };
          for (let t = 1 - kind.w / 2; t <= kind.w / 2 - 1; t++) item.slots.push([t, -kind.d / 2], [t, kind.d / 2]);
          for (let t = 1 - kind.d / 2; t <= kind.d / 2 - 1; t++) item.slots.push([-kind.w / 2, t], [kind.w / 2, t]);
          equipment.push(item);
        }
      }
    }
  }

  const nozzle = (e: Item, toward: Item): string | undefined => {
    if (e.slots.length === 0) return undefined;
    // The free slot facing the other end: pipes leave towards where they go.
    const vx = toward.x - e.x;
    const vy = toward.y - e.y;
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    e.slots.forEach(([dx, dy], n) => {
      const score = dx * vx + dy * vy;
      if (score > bestScore) {
        best = n;
        bestScore = score;
      }
    });
    const [dx, dy] = e.slots.splice(best, 1)[0]!;
    const id = `N${e.nozzles.length + 1}`;
    const dz = Math.min(e.footprint.height - 0.3, 0.4 + Math.floor(rand() * 4) * 0.5);
    e.nozzles.push({ id, dx, dy, dz: Math.round(dz * 10) / 10 });
    return id;
  };

  const lines: object[] = [];
  let lineNo = 1000;
  let guard = 0;
  while (lines.length < lineCount - 10 && guard++ < 10_000) {
    const a = pick(equipment);
    const near = equipment.filter((e) => e !== a && Math.abs(e.x - a.x) + Math.abs(e.y - a.y) < 70);
    const b = rand() < 0.7 && near.length > 0 ? pick(near) : pick(equipment);
    if (a === b || a.slots.length === 0 || b.slots.length === 0) continue;
    const na = nozzle(a, b)!;
    const nb = nozzle(b, a)!;
    const size = pick([50, 80, 100, 150, 200]);
    lines.push({
      id: `${size}-P-${lineNo++}-A1`,
      from: { tag: a.tag, nozzle: na },
      to: { tag: b.tag, nozzle: nb },
      size,
    });
  }
  const trunkCount = lines.length;
  while (lines.length < lineCount && guard++ < 20_000) {
    const parent = lines[Math.floor(rand() * trunkCount)] as { id: string };
    const b = pick(equipment);
    if (b.slots.length === 0) continue;
    const nb = nozzle(b, b)!;
    lines.push({ id: `50-P-${lineNo++}-A1`, from: { line: parent.id }, to: { tag: b.tag, nozzle: nb }, size: 50 });
  }

  const doc = {
    schemaVersion: "1.0",
    id: "route-bench",
    processClass: "distillation",
    site: {
      width: 300,
      depth: 200,
      gridSize: 1,
      keepOut: [
        { id: "road-N", kind: "road", x: 0, y: 190, width: 300, depth: 10 },
        { id: "control-room", kind: "building", x: 4, y: 100 + 8, width: 6, depth: 4 },
      ],
      racks: [
        { id: "R1", x: 10, y: 96, length: 280, width: 8, axis: "x", levels: [5, 7] },
        { id: "R2", x: 148, y: 8, length: 88, width: 6, axis: "y", levels: [6, 8] },
      ],
    },
    equipment: equipment.map(({ slots: _slots, ...e }) => e),
    lines,
  };
  const parsed = parseDesign(doc);
  if (!parsed.success) throw new Error(`bench design is invalid: ${JSON.stringify(parsed.issues.slice(0, 5))}`);
  return parsed.data;
}

function main(): void {
  const args = process.argv.slice(2);
  const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 3);
  const design = benchDesign();
  const placed = design.equipment.length;
  console.log(
    `route bench: site ${design.site.width} × ${design.site.depth} m at ${design.site.gridSize} m, ` +
      `${placed} equipment, ${design.lines.length} lines, ${design.site.racks.length} racks`,
  );
  const times: number[] = [];
  let last: ReturnType<typeof routeDesign> | undefined;
  for (let r = 0; r < runs; r++) {
    const result = routeDesign(design);
    times.push(result.stats.ms);
    last = result;
    const s = result.stats;
    console.log(
      `run ${r + 1}: ${s.ms.toFixed(0)} ms total, ${(s.ms / design.lines.length).toFixed(2)} ms/line, ` +
        `routed ${result.routed.length}, unrouted ${result.unrouted.length}, length ${s.totalLength.toFixed(0)} m, ` +
        `rack ${s.rackLength.toFixed(0)} m, bends ${s.bends}, expansions ${s.expansions}`,
    );
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`median: ${median.toFixed(0)} ms (${(median / design.lines.length).toFixed(2)} ms/line); goal < 2000 ms`);
  const byCode = new Map<string, number>();
  for (const u of last?.unrouted ?? []) byCode.set(u.code, (byCode.get(u.code) ?? 0) + 1);
  if (byCode.size > 0) console.log(`unrouted by code: ${[...byCode].map(([c, n]) => `${c} ${n}`).join(", ")}`);
  for (const u of (last?.unrouted ?? []).slice(0, 5)) console.log(`  ${u.line}: ${u.code} — ${u.reason}`);
  if (args.includes("--exact")) {
    // Plain A* (weight 1): the cheapest routes, for comparison with the weighted default.
    const exact = routeDesign(design, { heuristicWeight: 1 });
    const s = exact.stats;
    console.log(
      `exact (weight 1): ${s.ms.toFixed(0)} ms, routed ${exact.routed.length}, length ${s.totalLength.toFixed(0)} m, ` +
        `rack ${s.rackLength.toFixed(0)} m, bends ${s.bends}, expansions ${s.expansions}`,
    );
  }
}

main();
