import {
  type Design,
  EQUIPMENT_TAG_PREFIX,
  type Equipment,
  type EquipmentType,
  type Instrument,
  type Interlock,
  type Line,
  type Loop,
  nozzlePosition,
  type Rack,
} from "@plantgan/core/design";

/** Small seeded PRNG (mulberry32) so the synthetic plant is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Tags take the contract's letters (EQUIPMENT_TAG_PREFIX).
const KINDS: readonly { type: EquipmentType; w: number; d: number; h: number; weight: number }[] = [
  { type: "pump", w: 2.5, d: 1.2, h: 1.5, weight: 6 },
  { type: "compressor", w: 6, d: 3, h: 3, weight: 1 },
  { type: "vessel", w: 5, d: 2.5, h: 2.8, weight: 2 },
  { type: "vessel", w: 2.5, d: 2.5, h: 8, weight: 1 },
  { type: "column", w: 3, d: 3, h: 30, weight: 1 },
  { type: "heat_exchanger", w: 6, d: 1.5, h: 1.8, weight: 3 },
  { type: "air_cooler", w: 8, d: 6, h: 7, weight: 1 },
  { type: "tank", w: 8, d: 8, h: 10, weight: 2 },
  { type: "furnace", w: 8, d: 6, h: 14, weight: 1 },
  { type: "reactor", w: 4, d: 4, h: 14, weight: 1 },
  { type: "filter", w: 1.5, d: 1.5, h: 3, weight: 1 },
];

const SERVICES: readonly Line["service"][] = [
  "process",
  "process",
  "process",
  "utility",
  "steam",
  "cooling_water",
  "fuel",
  "instrument_air",
];

/** Plan pitch of equipment slots along a row and across, m, and the rack between two rows. */
const SLOT_X = 10;
const SLOT_Y = 12;
const RACK_WIDTH = 8;
const RACK_LEVELS: [number, number, number] = [5, 7, 9];

export interface SyntheticOptions {
  /** Equipment items (default 2000). */
  readonly equipment?: number;
  /** Pipe segments in total (default 5000); lines have five segments each (nozzle, riser, rack run, drop, nozzle). */
  readonly segments?: number;
  readonly seed?: number;
}

/**
 * A synthetic, fully placed and routed plant for benchmarks and scale tests: bands of two equipment
 * rows facing a pipe rack, lines between neighbours routed out of their nozzles, up to a rack level,
 * along the rack and down again; a gate valve and a flow control loop on every line.
 */
export function syntheticPlant(options: SyntheticOptions = {}): Design {
  const n = Math.max(2, options.equipment ?? 2000);
  const segmentsWanted = Math.max(5, options.segments ?? 5000);
  const rand = mulberry32(options.seed ?? 7);
  const cols = Math.max(2, Math.round(Math.sqrt(n / 1.2) / 2) * 2);
  const rows = Math.ceil(n / cols);
  const bands = Math.ceil(rows / 2);
  const bandDepth = 2 * SLOT_Y + RACK_WIDTH;
  const width = cols * SLOT_X + 20;
  const depth = bands * bandDepth + 20;

  const racks: Rack[] = [];
  for (let b = 0; b < bands; b++) {
    racks.push({
      id: `R${b + 1}`,
      x: 5,
      y: 10 + b * bandDepth + SLOT_Y,
      length: cols * SLOT_X + 10,
      width: RACK_WIDTH,
      axis: "x",
      levels: RACK_LEVELS,
    });
  }

  const totalWeight = KINDS.reduce((t, k) => t + k.weight, 0);
  const equipment: Equipment[] = [];
  for (let i = 0; i < n; i++) {
    let r = rand() * totalWeight;
    let kind = KINDS[0]!;
    for (const k of KINDS) {
      r -= k.weight;
      if (r <= 0) {
        kind = k;
        break;
      }
    }
    const row = Math.floor(i / cols);
    const col = i % cols;
    const band = Math.floor(row / 2);
    const north = row % 2 === 1;
    const x = 10 + col * SLOT_X + SLOT_X / 2;
    const rackY = 10 + band * bandDepth + SLOT_Y;
    const y = north ? rackY + RACK_WIDTH + SLOT_Y / 2 : rackY - SLOT_Y / 2;
    const rotation = rand() < 0.25 ? 180 : 0;
    equipment.push({
      tag: `${EQUIPMENT_TAG_PREFIX[kind.type]}-${1000 + i}`,
      type: kind.type,
      x,
      y,
      z: 0,
      rotation,
      footprint: { width: kind.w, depth: kind.d, height: kind.h },
      hazard: kind.type === "furnace" ? "fired" : "flammable",
      nozzles: [
        { id: "N1", dx: -kind.w / 2, dy: 0, dz: Math.min(1, kind.h / 2), size: 150 },
        { id: "N2", dx: kind.w / 2, dy: 0, dz: Math.min(1, kind.h / 2), size: 150 },
      ],
    });
  }

  const lines: Line[] = [];
  const instruments: Instrument[] = [];
  const loops: Loop[] = [];
  const interlocks: Interlock[] = [];
  const lineCount = Math.floor(segmentsWanted / 5);
  const pairs = Math.floor(n / 2);
  for (let k = 0; k < lineCount; k++) {
    const p = k % pairs;
    const round = Math.floor(k / pairs);
    const a = equipment[2 * p]!;
    const b = equipment[2 * p + 1]!;
    const from = { tag: a.tag, nozzle: "N2" };
    const to = { tag: b.tag, nozzle: "N1" };
    const pa = nozzlePosition(a as Equipment & { x: number; y: number }, a.nozzles[1]!);
    const pb = nozzlePosition(b as Equipment & { x: number; y: number }, b.nozzles[0]!);
    const row = Math.floor((2 * p) / cols);
    const band = Math.floor(row / 2);
    const rackY = 10 + band * bandDepth + SLOT_Y;
    const lane = rackY + 1 + ((k * 1.3) % (RACK_WIDTH - 2));
    const level = RACK_LEVELS[round % RACK_LEVELS.length]! + 0.2;
    const id = `150-L-${10000 + k}-A1`;
    const size = [50, 80, 100, 150, 200, 300][k % 6]!;
    // Out of the nozzle to a lane over the rack, up to a level, along the rack, down, into the nozzle.
    // Neighbouring slots are SLOT_X apart and footprints narrower, so the rack run never has zero length.
    const route: NonNullable<Line["route"]> = [
      [pa[0], pa[1], pa[2]],
      [pa[0], lane, pa[2]],
      [pa[0], lane, level],
      [pb[0], lane, level],
      [pb[0], lane, pb[2]],
      [pb[0], pb[1], pb[2]],
    ];
    const cv = `FV-${10000 + k}`;
    const ft = `FT-${10000 + k}`;
    lines.push({
      id,
      service: SERVICES[k % SERVICES.length]!,
      from,
      to,
      size,
      spec: "A1",
      components: [
        { type: "gate_valve", at: 0.1 },
        { type: "control_valve", tag: cv, at: 0.5 },
        { type: "check_valve", at: 0.9 },
      ],
      route,
    });
    instruments.push({ tag: ft, on: { line: id } });
    loops.push({ tag: `FIC-${10000 + k}`, measurement: ft, finalElement: cv, action: "reverse" });
    if (k % 10 === 0)
      interlocks.push({
        tag: `I-${10000 + k}`,
        cause: { instrument: ft, trip: "LL" },
        effects: [{ target: a.tag, action: "stop" }],
      });
  }

  return {
    schemaVersion: "1.0",
    id: `synthetic-${n}-${segmentsWanted}`,
    name: `Synthetic plant, ${n} equipment, ${lineCount * 5} pipe segments`,
    processClass: "utilities",
    site: {
      width,
      depth,
      gridSize: 1,
      keepOut: [{ id: "road-S", kind: "road", x: 0, y: 0, width, depth: 6 }],
      racks,
    },
    equipment,
    lines,
    instruments,
    control: { loops, interlocks },
  };
}
