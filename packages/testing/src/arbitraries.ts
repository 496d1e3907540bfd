/**
 * fast-check arbitraries of random schema-valid plant designs, for property tests in any module.
 *
 * Designs are referentially consistent: tags are unique across equipment, components,
 * instruments, loops and interlocks (distinct prefixes and running numbers), line ids are
 * unique, every nozzle end names an existing nozzle, every branch end names an earlier line (no
 * branch cycles), instruments sit on existing equipment or lines, loops measure an existing
 * instrument and drive a tagged control valve or a pump/compressor, interlock effects target
 * existing equipment or tagged components. Optional fields are sometimes written, sometimes left
 * to their defaults. Values are drawn as raw numbers and mapped onto the design, so shrinking
 * stays valid.
 *
 * Test-only: imports fast-check (a dev dependency); never import this from library code.
 */

import {
  COMPONENT_TYPES,
  type Design,
  EQUIPMENT_TAG_PREFIX,
  EQUIPMENT_TYPES,
  HAZARDS,
  LINE_SERVICES,
  type PlantDesignInput,
  PROCESS_CLASSES,
  parseDesign,
  RATINGS,
} from "@plantgan/core/design";
import fc from "fast-check";

export interface DesignArbitraryOptions {
  /**
   * "placed": every equipment has x/y; "topology": none has, nozzles have no offsets, lines no
   * routes (a P&ID); "mixed": some placed, and now and then one with x but no y (schema-valid,
   * counts as unplaced). Default "placed".
   */
  readonly placement?: "placed" | "topology" | "mixed";
  /** Default 1. */
  readonly minEquipment?: number;
  /** Default 8. */
  readonly maxEquipment?: number;
  /** Default 10. */
  readonly maxLines?: number;
  /** Default 3 per line. */
  readonly maxComponents?: number;
  /** Default 6. */
  readonly maxInstruments?: number;
  /** Default 3. */
  readonly maxLoops?: number;
  /** Default 3. */
  readonly maxInterlocks?: number;
  /** Share of line ends that are branches, 0..1. Default 0.2. */
  readonly branchShare?: number;
}

type RawEquipment = PlantDesignInput["equipment"][number];
type RawNozzle = NonNullable<RawEquipment["nozzles"]>[number];
type RawLine = PlantDesignInput["lines"][number];
type RawComponent = NonNullable<RawLine["components"]>[number];
type RawInstrument = NonNullable<PlantDesignInput["instruments"]>[number];
type RawControl = NonNullable<PlantDesignInput["control"]>;
type RawLoop = NonNullable<RawControl["loops"]>[number];
type RawInterlock = NonNullable<RawControl["interlocks"]>[number];

const PIPE_SIZES = [15, 25, 40, 50, 80, 100, 150, 200, 250, 300, 400, 600] as const;
const NOZZLE_IDS = ["IN", "OUT", "N1", "N2", "V", "D"] as const;
const INSTRUMENT_CODES = ["FT", "LT", "PT", "TT", "AT", "PDT", "TE", "LG", "ZT"] as const;
const KEEP_OUT_KINDS = ["road", "building", "exclusion", "drainage", "substation", "other"] as const;
const COMPONENT_PREFIX: Readonly<Partial<Record<RawComponent["type"], string>>> = {
  control_valve: "FV",
  relief_valve: "PSV",
  gate_valve: "HV",
  globe_valve: "HV",
  ball_valve: "HV",
  check_valve: "NRV",
};

/** Fraction in [0, 1] with 3 decimals: coordinates stay short and shrink toward 0. */
const frac = fc.integer({ min: 0, max: 1000 }).map((k) => k / 1000);
const tenths = (min: number, max: number) => fc.integer({ min: min * 10, max: max * 10 }).map((k) => k / 10);
const maybe = <T>(arb: fc.Arbitrary<T>, freq = 2) => fc.option(arb, { nil: undefined, freq });

const rawNozzle = fc.record({
  fdx: frac,
  fdy: frac,
  dz: tenths(0, 5),
  size: maybe(fc.constantFrom(...PIPE_SIZES)),
  rating: maybe(fc.constantFrom(...RATINGS), 3),
});

const rawEquipment = fc.record({
  type: fc.constantFrom(...EQUIPMENT_TYPES),
  suffix: fc.constantFrom("", "", "A", "B"),
  fx: frac,
  fy: frac,
  placed: fc.boolean(),
  onlyX: fc.integer({ min: 0, max: 9 }),
  width: tenths(0.5, 30),
  depth: tenths(0.5, 30),
  height: tenths(0.5, 40),
  rotation: fc.constantFrom(0, 90, 180, 270),
  hazard: fc.constantFrom(...HAZARDS),
  explicit: fc.boolean(),
  z: maybe(tenths(0, 12)),
  designPressure: maybe(tenths(-1, 100)),
  designTemperature: maybe(fc.integer({ min: -50, max: 500 })),
  name: maybe(fc.constantFrom("Feed pump", "Storage tank", "Flash drum", "Reboiler")),
  nozzles: fc.array(rawNozzle, { minLength: 1, maxLength: NOZZLE_IDS.length }),
});

const rawEnd = (branchShare: number) =>
  fc.oneof(
    { weight: Math.round((1 - branchShare) * 100), arbitrary: fc.record({ eq: fc.nat(), nz: fc.nat() }) },
    { weight: Math.round(branchShare * 100), arbitrary: fc.record({ line: fc.nat() }) },
  );

const rawComponent = fc.record({
  type: fc.constantFrom(...COMPONENT_TYPES),
  tagged: fc.boolean(),
  size: maybe(fc.constantFrom(...PIPE_SIZES)),
  rating: maybe(fc.constantFrom(...RATINGS), 4),
  at: maybe(frac, 3),
});

const rawLine = (o: Required<DesignArbitraryOptions>) =>
  fc.record({
    from: rawEnd(o.branchShare),
    to: rawEnd(o.branchShare),
    size: fc.constantFrom(...PIPE_SIZES),
    service: maybe(fc.constantFrom(...LINE_SERVICES)),
    fluid: maybe(fc.constantFrom("crude", "water", "naphtha", "fuel gas")),
    spec: maybe(fc.constantFrom("A1", "B2", "C1")),
    rating: maybe(fc.constantFrom(...RATINGS)),
    components: fc.array(rawComponent, { maxLength: o.maxComponents }),
    route: maybe(fc.array(fc.tuple(frac, frac, tenths(0, 10)), { minLength: 2, maxLength: 4 }), 3),
  });

const rawInstrument = fc.record({
  code: fc.constantFrom(...INSTRUMENT_CODES),
  onLine: fc.boolean(),
  target: fc.nat(),
  name: maybe(fc.constantFrom("Level", "Discharge pressure"), 4),
});

const rawLoop = fc.record({
  measurement: fc.nat(),
  finalElement: fc.nat(),
  action: maybe(fc.constantFrom("direct", "reverse") as fc.Arbitrary<"direct" | "reverse">),
  setpoint: maybe(tenths(0, 100)),
});

const rawInterlock = fc.record({
  cause: fc.nat(),
  trip: fc.constantFrom("LL", "L", "H", "HH") as fc.Arbitrary<RawInterlock["cause"]["trip"]>,
  effects: fc.array(
    fc.record({
      target: fc.nat(),
      action: fc.constantFrom("stop", "start", "open", "close", "trip") as fc.Arbitrary<
        RawInterlock["effects"][number]["action"]
      >,
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

const rawBox = fc.record({ fx: frac, fy: frac, fw: frac, fd: frac });

const rawSite = fc.record({
  width: fc.integer({ min: 20, max: 300 }),
  depth: fc.integer({ min: 20, max: 300 }),
  gridSize: fc.constantFrom(0.5, 1, 1, 2),
  explicitGrid: fc.boolean(),
  windFrom: maybe(fc.integer({ min: 0, max: 359 })),
  keepOut: fc.array(fc.tuple(rawBox, fc.option(fc.constantFrom(...KEEP_OUT_KINDS), { nil: undefined })), {
    maxLength: 2,
  }),
  racks: fc.array(fc.tuple(rawBox, fc.constantFrom("x", "y") as fc.Arbitrary<"x" | "y">, tenths(3, 9)), {
    maxLength: 2,
  }),
});

const DEFAULTS: Required<DesignArbitraryOptions> = {
  placement: "placed",
  minEquipment: 1,
  maxEquipment: 8,
  maxLines: 10,
  maxComponents: 3,
  maxInstruments: 6,
  maxLoops: 3,
  maxInterlocks: 3,
  branchShare: 0.2,
};

/** Random schema-valid, referentially consistent designs (documents as a user would write them). */
export function designArbitrary(options: DesignArbitraryOptions = {}): fc.Arbitrary<PlantDesignInput> {
  const o: Required<DesignArbitraryOptions> = { ...DEFAULTS, ...options };
  return fc
    .record({
      number: fc.integer({ min: 1, max: 9999 }),
      name: maybe(fc.constantFrom("Tank farm", "Pump station", "Gas plant")),
      processClass: fc.constantFrom(...PROCESS_CLASSES),
      site: rawSite,
      equipment: fc.array(rawEquipment, { minLength: o.minEquipment, maxLength: o.maxEquipment }),
      lines: fc.array(rawLine(o), { maxLength: o.maxLines }),
      instruments: fc.array(rawInstrument, { maxLength: o.maxInstruments }),
      loops: fc.array(rawLoop, { maxLength: o.maxLoops }),
      interlocks: fc.array(rawInterlock, { maxLength: o.maxInterlocks }),
      metadata: maybe(fc.constant({ source: "fast-check", seeded: true })),
    })
    .map((raw) => buildDesign(raw, o));
}

/** Every equipment placed. */
export function placedDesignArbitrary(
  options: Omit<DesignArbitraryOptions, "placement"> = {},
): fc.Arbitrary<PlantDesignInput> {
  return designArbitrary({ ...options, placement: "placed" });
}

/** No equipment placed, no nozzle offsets, no routes: a P&ID topology. */
export function topologyDesignArbitrary(
  options: Omit<DesignArbitraryOptions, "placement"> = {},
): fc.Arbitrary<PlantDesignInput> {
  return designArbitrary({ ...options, placement: "topology" });
}

/** The same designs after `parseDesign` (defaults filled); throws if one is ever refused. */
export function parsedDesignArbitrary(options: DesignArbitraryOptions = {}): fc.Arbitrary<Design> {
  return designArbitrary(options).map((input) => {
    const parsed = parseDesign(input);
    if (!parsed.success) {
      throw new Error(`designArbitrary made an invalid design: ${JSON.stringify(parsed.issues.slice(0, 3))}`);
    }
    return parsed.data;
  });
}

type Raw = {
  number: number;
  name: string | undefined;
  processClass: PlantDesignInput["processClass"];
  site: typeof rawSite extends fc.Arbitrary<infer T> ? T : never;
  equipment: (typeof rawEquipment extends fc.Arbitrary<infer T> ? T : never)[];
  lines: (ReturnType<typeof rawLine> extends fc.Arbitrary<infer T> ? T : never)[];
  instruments: (typeof rawInstrument extends fc.Arbitrary<infer T> ? T : never)[];
  loops: (typeof rawLoop extends fc.Arbitrary<infer T> ? T : never)[];
  interlocks: (typeof rawInterlock extends fc.Arbitrary<infer T> ? T : never)[];
  metadata: { source: string; seeded: boolean } | undefined;
};

const pick = <T>(items: readonly T[], k: number): T => items[k % items.length]!;
const round1 = (v: number): number => Math.round(v * 10) / 10;

function buildDesign(raw: Raw, o: Required<DesignArbitraryOptions>): PlantDesignInput {
  const W = raw.site.width;
  const D = raw.site.depth;
  const topology = o.placement === "topology";

  const equipment: RawEquipment[] = raw.equipment.map((r, i) => {
    const placed = o.placement === "placed" || (o.placement === "mixed" && r.placed);
    const e: RawEquipment = {
      tag: `${EQUIPMENT_TAG_PREFIX[r.type]}-${101 + i}${r.suffix}`,
      type: r.type,
      footprint: { width: r.width, depth: r.depth, height: r.height },
      nozzles: r.nozzles.map((n, k): RawNozzle => {
        const nozzle: RawNozzle = { id: NOZZLE_IDS[k]! };
        if (!topology) {
          nozzle.dx = round1((n.fdx - 0.5) * r.width);
          nozzle.dy = round1((n.fdy - 0.5) * r.depth);
          nozzle.dz = n.dz;
        }
        if (n.size !== undefined) nozzle.size = n.size;
        if (n.rating !== undefined) nozzle.rating = n.rating;
        return nozzle;
      }),
    };
    if (placed) {
      e.x = round1(r.fx * W);
      e.y = round1(r.fy * D);
    } else if (o.placement === "mixed" && r.onlyX === 0) {
      e.x = round1(r.fx * W); // half-placed: legal in the schema, counts as unplaced
    }
    if (r.explicit || r.rotation !== 0) e.rotation = r.rotation as 0 | 90 | 180 | 270;
    if (r.explicit || r.hazard !== "none") e.hazard = r.hazard;
    if (r.z !== undefined) e.z = r.z;
    else if (r.explicit) e.z = 0;
    if (r.designPressure !== undefined) e.designPressure = r.designPressure;
    if (r.designTemperature !== undefined) e.designTemperature = r.designTemperature;
    if (r.name !== undefined) e.name = r.name;
    return e;
  });

  let componentNumber = 1001;
  const taggedComponents: { tag: string; type: RawComponent["type"] }[] = [];
  const lineIds = raw.lines.map((r, i) => `${r.size}-${pick(["P", "U", "S"], i)}-${1001 + i}-A1`);
  const lines: RawLine[] = raw.lines.map((r, i) => {
    const size = r.size;
    const id = lineIds[i]!;
    // A branch names an earlier line only, so branches never form cycles.
    const end = (e: { eq: number; nz: number } | { line: number }): RawLine["from"] => {
      if ("line" in e && i > 0) return { line: lineIds[e.line % i]! };
      const k = "eq" in e ? e.eq : e.line;
      const owner = equipment[k % equipment.length]!;
      const nz = "nz" in e ? e.nz : 0;
      return { tag: owner.tag, nozzle: owner.nozzles![nz % owner.nozzles!.length]!.id };
    };
    const ats = r.components
      .map((c) => c.at)
      .filter((a): a is number => a !== undefined)
      .sort((a, b) => a - b);
    const line: RawLine = { id, from: end(r.from), to: end(r.to), size };
    const components = r.components.map((c): RawComponent => {
      const number = componentNumber++;
      const component: RawComponent = { type: c.type };
      if (c.type === "control_valve" || c.tagged) {
        component.tag = `${COMPONENT_PREFIX[c.type] ?? "XV"}-${number}`;
        taggedComponents.push({ tag: component.tag, type: c.type });
      }
      if (c.type === "reducer" && c.size !== undefined) component.size = c.size;
      if (c.type === "spec_break" && c.rating !== undefined) component.rating = c.rating;
      if (c.at !== undefined) component.at = ats.shift()!;
      return component;
    });
    if (components.length > 0 || i % 3 === 0) line.components = components;
    if (r.service !== undefined) line.service = r.service;
    if (r.fluid !== undefined) line.fluid = r.fluid;
    if (r.spec !== undefined) line.spec = r.spec;
    if (r.rating !== undefined) line.rating = r.rating;
    if (r.route !== undefined && o.placement === "placed") {
      line.route = r.route.map(([fx, fy, z]) => [round1(fx * W), round1(fy * D), z]) as NonNullable<RawLine["route"]>;
    }
    return line;
  });

  const instruments: RawInstrument[] = raw.instruments.map((r, i) => {
    const onLine = r.onLine && lines.length > 0;
    const instrument: RawInstrument = {
      tag: `${r.code}-${301 + i}`,
      on: onLine ? { line: pick(lines, r.target).id } : { tag: pick(equipment, r.target).tag },
    };
    if (r.name !== undefined) instrument.name = r.name;
    return instrument;
  });

  const finalElements = [
    ...taggedComponents.filter((c) => c.type === "control_valve").map((c) => c.tag),
    ...equipment.filter((e) => e.type === "pump" || e.type === "compressor").map((e) => e.tag),
  ];
  const loops: RawLoop[] =
    instruments.length === 0 || finalElements.length === 0
      ? []
      : raw.loops.map((r, k) => {
          const measurement = pick(instruments, r.measurement).tag;
          const loop: RawLoop = {
            tag: `${measurement.charAt(0)}IC-${401 + k}`,
            measurement,
            finalElement: pick(finalElements, r.finalElement),
          };
          if (r.action !== undefined) loop.action = r.action;
          if (r.setpoint !== undefined) loop.setpoint = r.setpoint;
          return loop;
        });

  const targets = [...equipment.map((e) => e.tag), ...taggedComponents.map((c) => c.tag)];
  const interlocks: RawInterlock[] =
    instruments.length === 0
      ? []
      : raw.interlocks.map((r, k) => ({
          tag: `I-${501 + k}`,
          cause: { instrument: pick(instruments, r.cause).tag, trip: r.trip },
          effects: r.effects.map((e) => ({
            target: pick(targets, e.target),
            action: e.action,
          })) as RawInterlock["effects"],
        }));

  const box = (b: { fx: number; fy: number; fw: number; fd: number }) => {
    const x = round1(b.fx * W * 0.8);
    const y = round1(b.fy * D * 0.8);
    return { x, y, width: Math.max(1, round1(b.fw * (W - x))), depth: Math.max(1, round1(b.fd * (D - y))) };
  };
  const site: PlantDesignInput["site"] = {
    width: W,
    depth: D,
    keepOut: raw.site.keepOut.map(([b, kind], k) => ({ id: `KO-${k + 1}`, ...(kind ? { kind } : {}), ...box(b) })),
    racks: raw.site.racks.map(([b, axis, level], k) => {
      const { x, y, width, depth } = box(b);
      const along = axis === "x" ? width : depth;
      return {
        id: `R${k + 1}`,
        x,
        y,
        length: along,
        width: Math.min(6, axis === "x" ? depth : width),
        axis,
        levels: [level],
      };
    }),
  };
  if (raw.site.explicitGrid || raw.site.gridSize !== 1) site.gridSize = raw.site.gridSize;
  if (raw.site.windFrom !== undefined) site.windFrom = raw.site.windFrom;

  const design: PlantDesignInput = {
    schemaVersion: "1.0",
    id: `fc-${raw.number}`,
    processClass: raw.processClass,
    site,
    equipment,
    lines,
  };
  if (raw.name !== undefined) design.name = raw.name;
  if (instruments.length > 0 || raw.number % 2 === 0) design.instruments = instruments;
  if (loops.length > 0 || interlocks.length > 0 || raw.number % 3 === 0) design.control = { loops, interlocks };
  if (raw.metadata !== undefined) design.metadata = { ...raw.metadata };
  return design;
}
