/**
 * Small hand-built designs for the GAN's tests and bench: a pump station and a tank farm,
 * varied by seed (positions, rotations, site size, one optional pump), all schema-valid.
 * Not training data: the shipped model trains on the procedural designer's dataset.
 */
import { type Design, type PlantDesignInput, parseDesign } from "@plantgan/core/design";
import { type BatchItem, conditionVector } from "@plantgan/core/gan";
import { encodeDesign } from "@plantgan/core/views";

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** A pump station: suction drum, 2–3 pumps, a filter, a cooler; lines, valves, a level loop. */
export function pumpStation(seed: number): PlantDesignInput {
  const r = rng(seed);
  const width = 40 + Math.round(r() * 20);
  const depth = 30 + Math.round(r() * 10);
  const pumps = 2 + (r() < 0.5 ? 1 : 0);
  const jitter = (v: number) => Math.round((v + (r() - 0.5) * 4) * 10) / 10;
  const rot = () => ([0, 90, 180, 270] as const)[Math.floor(r() * 4)]!;
  const pumpList = Array.from({ length: pumps }, (_, i) => ({
    tag: `P-10${i + 1}`,
    type: "pump" as const,
    x: jitter(10 + i * 6),
    y: jitter(8),
    rotation: rot(),
    footprint: { width: 2, depth: 1, height: 1.2 },
    hazard: "flammable" as const,
    nozzles: [{ id: "S" }, { id: "D" }],
  }));
  return {
    schemaVersion: "1.0",
    id: `pump-station-${seed}`,
    processClass: "pump_station",
    site: { width, depth, gridSize: 1 },
    equipment: [
      {
        tag: "V-101",
        type: "vessel",
        x: jitter(12),
        y: jitter(20),
        footprint: { width: 3, depth: 3, height: 6 },
        hazard: "flammable",
        nozzles: [{ id: "IN" }, { id: "OUT" }],
      },
      ...pumpList,
      {
        tag: "F-101",
        type: "filter",
        x: jitter(30),
        y: jitter(10),
        rotation: rot(),
        footprint: { width: 1.5, depth: 1, height: 2 },
        nozzles: [{ id: "IN" }, { id: "OUT" }],
      },
      {
        tag: "AC-101",
        type: "air_cooler",
        x: jitter(30),
        y: jitter(22),
        footprint: { width: 6, depth: 4, height: 4 },
        nozzles: [{ id: "IN" }],
      },
    ],
    lines: [
      ...pumpList.map((p, i) => ({
        id: `150-P-10${i + 1}`,
        from: { tag: "V-101", nozzle: "OUT" },
        to: { tag: p.tag, nozzle: "S" },
        size: 150,
        components: [{ type: "gate_valve" as const }],
      })),
      ...pumpList.map((p, i) => ({
        id: `100-P-20${i + 1}`,
        from: { tag: p.tag, nozzle: "D" },
        to: { tag: "F-101", nozzle: "IN" },
        size: 100,
        components: [{ type: "check_valve" as const }],
      })),
      {
        id: "100-P-301",
        from: { tag: "F-101", nozzle: "OUT" },
        to: { tag: "AC-101", nozzle: "IN" },
        size: 100,
        components: [{ tag: "LV-101", type: "control_valve" }],
      },
    ],
    instruments: [{ tag: "LT-101", on: { tag: "V-101" } }],
    control: { loops: [{ tag: "LIC-101", measurement: "LT-101", finalElement: "LV-101" }], interlocks: [] },
  };
}

/** A tank farm: 2–3 tanks and a transfer pump. */
export function tankFarm(seed: number): PlantDesignInput {
  const r = rng(seed + 7919);
  const width = 60 + Math.round(r() * 30);
  const depth = 40 + Math.round(r() * 10);
  const tanks = 2 + (r() < 0.5 ? 1 : 0);
  const jitter = (v: number) => Math.round((v + (r() - 0.5) * 3) * 10) / 10;
  const tankList = Array.from({ length: tanks }, (_, i) => ({
    tag: `T-10${i + 1}`,
    type: "tank" as const,
    x: jitter(10 + i * 18),
    y: jitter(28),
    footprint: { width: 10, depth: 10, height: 9 },
    hazard: "flammable" as const,
    nozzles: [{ id: "IN" }, { id: "OUT" }],
  }));
  return {
    schemaVersion: "1.0",
    id: `tank-farm-${seed}`,
    processClass: "tank_farm",
    site: { width, depth, gridSize: 1 },
    equipment: [
      ...tankList,
      {
        tag: "P-201",
        type: "pump",
        x: jitter(25),
        y: jitter(8),
        rotation: 90,
        footprint: { width: 2, depth: 1, height: 1.2 },
        hazard: "flammable",
        nozzles: [{ id: "S" }, { id: "D" }],
      },
    ],
    lines: [
      {
        id: "200-P-101",
        from: { tag: "T-101", nozzle: "OUT" },
        to: { tag: "P-201", nozzle: "S" },
        size: 200,
        components: [{ type: "gate_valve" }, { type: "strainer" }],
      },
      ...tankList.slice(1).map((t, i) => ({
        id: `150-P-20${i + 1}`,
        from: { tag: "P-201", nozzle: "D" },
        to: { tag: t.tag, nozzle: "IN" },
        size: 150,
        components: [{ type: "check_valve" as const }],
      })),
    ],
    instruments: tankList.map((t, i) => ({ tag: `LT-20${i + 1}`, on: { tag: t.tag } })),
    control: { loops: [], interlocks: [] },
  };
}

/** `count` designs alternating between the two families. */
export function fixtureDesigns(count: number, seed = 1): PlantDesignInput[] {
  return Array.from({ length: count }, (_, i) => (i % 2 === 0 ? pumpStation(seed + i) : tankFarm(seed + i)));
}

/** Parsed fixture designs (throws if one is not schema-valid: a bug in this file). */
export function fixtureParsed(count: number, seed = 1): Design[] {
  return fixtureDesigns(count, seed).map((d) => {
    const parsed = parseDesign(d);
    if (!parsed.success) throw new Error(`fixture ${d.id} is invalid: ${JSON.stringify(parsed.issues[0])}`);
    return parsed.data;
  });
}

/** Fixture designs encoded for a model with `nMax` rows, with their condition vectors. */
export function fixtureBatchItems(count: number, nMax: number, seed = 1): BatchItem[] {
  return fixtureParsed(count, seed).map((design) => {
    const e = encodeDesign(design, { nMax });
    return { X: e.X, A: e.A, mask: e.mask, condition: conditionVector(design) };
  });
}
