import type { PlantBuilder } from "../builder.js";
import { levelControl, pressureControl, pumpSet, temperatureControl } from "../patterns.js";
import { blowdownDrum, fuelGasDrum, reliefAll } from "../systems.js";
import type { Template, TemplateContext } from "./types.js";

type Subsystem = "cooling_water" | "instrument_air" | "steam";

/**
 * Utilities block: a drawn subset of cooling water (cooling tower cells, circulation pumps, users,
 * side-stream filter, make-up), instrument air (compressors, wet receiver, dryers, dry receiver) and
 * steam (deaerator, feed-water pumps, fired boiler, steam drum, users returning condensate). Relief
 * goes to an atmospheric blowdown drum. Trips: basin low-low stops the circulation pumps, steam drum
 * low-low trips the boiler (ASME CSD-1), receiver high-high stops the compressors.
 */
export const utilities: Template = {
  processClass: "utilities",
  draw(ctx) {
    const { b, rng } = ctx;
    const all: Subsystem[] = ["cooling_water", "instrument_air", "steam"];
    const chosen = all.filter(
      (s) =>
        (s === "cooling_water" && ctx.want("cooling_tower") !== undefined) ||
        (s === "steam" && ctx.want("furnace") !== undefined) ||
        (s === "instrument_air" && ctx.want("compressor") !== undefined),
    );
    for (const s of rng.shuffle(all))
      if (chosen.length < 2 || (chosen.length < 3 && rng.chance(0.4))) {
        if (!chosen.includes(s)) chosen.push(s);
      }
    chosen.sort((p, q) => all.indexOf(p) - all.indexOf(q));
    if (chosen.includes("cooling_water")) coolingWater(b, ctx);
    if (chosen.includes("instrument_air")) instrumentAir(b, ctx);
    if (chosen.includes("steam")) steam(b, ctx);
    if (b.equipment.some((e) => e.designPressure !== undefined && e.designPressure > b.pack.relief.pressureThreshold)) {
      reliefAll(b, blowdownDrum(b, 90, "steam, air and water"));
    }
    return `Utilities: ${chosen.map((s) => s.replace(/_/g, " ")).join(", ")}`;
  },
};

function coolingWater(b: PlantBuilder, ctx: TemplateContext): void {
  const { rng } = ctx;
  const cells = Math.min(4, Math.max(1, ctx.want("cooling_tower") ?? rng.int(1, 3)));
  const users = rng.int(1, 3);
  const size = rng.pick([250, 300, 400, 500]);
  const towers = b.addSet(
    {
      type: "cooling_tower",
      name: "Cooling tower cell",
      hazard: "none",
      designTemperature: 50,
      group: "cooling-tower",
      seq: 1,
    },
    cells,
  );
  const exchangers = Array.from({ length: users }, (_, k) =>
    b.add({
      type: "heat_exchanger",
      name: `Closed-loop cooler ${k + 1}`,
      hazard: "none",
      designPressure: 8,
      designTemperature: 60,
      group: `cw-users-${k}`,
      seq: 3 + k,
    }),
  );
  const pumps = pumpSet(b, {
    spec: {
      type: "pump",
      name: "Cooling water pump",
      hazard: "none",
      designPressure: 8,
      designTemperature: 50,
      group: "cw-pumps",
      seq: 2,
      scale: "large",
    },
    count: rng.chance(0.5) ? 3 : 2,
    from: { tag: towers[0]!.tag, side: "E", dz: "bottom", id: "OUT" },
    to: { tag: exchangers[0]!.tag, side: "W", dz: "mid", id: "CI" },
    fluid: "cooling water",
    service: "cooling_water",
    suctionSize: size,
    dischargeSize: size,
  });
  for (const t of towers.slice(1)) {
    b.connect({
      from: { tag: t.tag, side: "E", dz: "bottom", id: "OUT" },
      to: { line: pumps.suction },
      size,
      fluid: "cooling water",
      service: "cooling_water",
      components: [{ type: "butterfly_valve" }],
    });
  }
  let ret: string | undefined;
  exchangers.forEach((e, k) => {
    if (k > 0) {
      b.connect({
        from: { line: pumps.discharge },
        to: { tag: e.tag, side: "W", dz: "mid", id: "CI" },
        size,
        fluid: "cooling water",
        service: "cooling_water",
        components: [{ type: "butterfly_valve" }],
      });
    }
    const out = b.connect({
      from: { tag: e.tag, side: "E", dz: "mid", id: "CO" },
      to: ret ? { line: ret } : { tag: towers[0]!.tag, side: "W", dz: "high", id: "IN" },
      size,
      fluid: "cooling water return",
      service: "cooling_water",
      components: [{ type: "butterfly_valve" }],
    });
    ret ??= out;
  });
  for (const t of towers.slice(1)) {
    b.connect({
      from: { line: ret! },
      to: { tag: t.tag, side: "W", dz: "high", id: "IN" },
      size,
      fluid: "cooling water return",
      service: "cooling_water",
      components: [{ type: "butterfly_valve" }],
    });
  }
  // Return temperature: a bypass from the return straight to the basin.
  const bypass = b.connect({
    from: { line: ret! },
    to: { tag: towers[0]!.tag, side: "S", dz: "low", id: "BYP" },
    size: 150,
    fluid: "cooling water return",
    service: "cooling_water",
  });
  temperatureControl(b, { measure: { line: pumps.discharge }, valveLine: bypass, action: "reverse" });
  if (rng.chance(0.7)) {
    const filter = b.add({
      type: "filter",
      name: "Side-stream filter",
      hazard: "none",
      designPressure: 8,
      designTemperature: 50,
      group: "cw-filter",
      seq: 2,
    });
    b.connect({
      from: { line: pumps.discharge },
      to: { tag: filter.tag, side: "W", dz: "mid", id: "IN" },
      size: 100,
      fluid: "cooling water",
      service: "cooling_water",
    });
    b.connect({
      from: { tag: filter.tag, side: "E", dz: "mid", id: "OUT" },
      to: { line: ret! },
      size: 100,
      fluid: "cooling water",
      service: "cooling_water",
    });
  }
  // Make-up from a water tank, on basin level.
  const water = b.add({
    type: "tank",
    name: "Make-up water tank",
    hazard: "none",
    designPressure: 0.02,
    designTemperature: 40,
    group: "make-up",
    seq: 5,
    diameter: rng.step(8, 16, 1),
  });
  const makeUp = pumpSet(b, {
    spec: {
      type: "pump",
      name: "Make-up pump",
      hazard: "none",
      designPressure: 6,
      designTemperature: 40,
      group: "make-up",
      seq: 4,
      scale: "small",
    },
    count: 2,
    from: { tag: water.tag, side: "E", dz: "low", id: "OUT" },
    to: { tag: towers[0]!.tag, side: "N", dz: "low", id: "MU" },
    fluid: "make-up water",
    service: "utility",
    suctionSize: 100,
    dischargeSize: 80,
  });
  levelControl(b, towers[0]!.tag, { outlet: makeUp.discharge, action: "reverse", stopOnLowLow: pumps.pumps });
  levelControl(b, water.tag, { stopOnLowLow: makeUp.pumps });
}

function instrumentAir(b: PlantBuilder, ctx: TemplateContext): void {
  const { rng } = ctx;
  const count = Math.min(4, Math.max(2, ctx.want("compressor") ?? rng.int(2, 3)));
  const p = rng.step(9, 13, 0.5);
  const compressors = b.addSet(
    {
      type: "compressor",
      name: "Air compressor",
      hazard: "none",
      designPressure: p,
      designTemperature: 120,
      group: "air-compressors",
      seq: 20,
      scale: "small",
    },
    count,
    2,
  );
  const wet = b.add(
    {
      type: "vessel",
      name: "Wet air receiver",
      hazard: "none",
      designPressure: p,
      designTemperature: 60,
      group: "air-receivers",
      seq: 21,
      vertical: true,
    },
    2,
  );
  const dryers = b.addSet(
    {
      type: "filter",
      name: "Air dryer",
      hazard: "none",
      designPressure: p,
      designTemperature: 60,
      group: "air-dryers",
      seq: 22,
    },
    2,
    2,
  );
  const dry = b.add(
    {
      type: "vessel",
      name: "Dry air receiver",
      hazard: "none",
      designPressure: p,
      designTemperature: 60,
      group: "air-dryers",
      seq: 23,
      vertical: true,
    },
    2,
  );
  let header: string | undefined;
  for (const k of compressors) {
    const line = b.connect({
      from: { tag: k.tag, side: "E", dz: "mid", id: "D" },
      to: header ? { line: header } : { tag: wet.tag, side: "W", dz: "mid", id: "IN" },
      size: 80,
      fluid: "air",
      service: "instrument_air",
      components: [{ type: "check_valve" }, { type: "gate_valve" }],
    });
    header ??= line;
  }
  let toDryers: string | undefined;
  let fromDryers: string | undefined;
  for (const d of dryers) {
    const a = b.connect({
      from: toDryers ? { line: toDryers } : { tag: wet.tag, side: "E", dz: "high", id: "OUT" },
      to: { tag: d.tag, side: "W", dz: "high", id: "IN" },
      size: 80,
      fluid: "wet air",
      service: "instrument_air",
      components: [{ type: "ball_valve" }],
    });
    toDryers ??= a;
    const c = b.connect({
      from: { tag: d.tag, side: "E", dz: "high", id: "OUT" },
      to: fromDryers ? { line: fromDryers } : { tag: dry.tag, side: "W", dz: "mid", id: "IN" },
      size: 80,
      fluid: "dry air",
      service: "instrument_air",
      components: [{ type: "ball_valve" }],
    });
    fromDryers ??= c;
  }
  const stop = compressors.map((k) => ({ target: k.tag, action: "stop" as const }));
  pressureControl(b, { tag: dry.tag }, { speedOf: compressors[0]!.tag, action: "reverse" });
  pressureControl(b, { tag: wet.tag }, { onHighHigh: stop });
}

function steam(b: PlantBuilder, ctx: TemplateContext): void {
  const { rng } = ctx;
  const p = rng.step(15, 45, 5);
  const users = rng.int(1, 2);
  const deaerator = b.add(
    {
      type: "vessel",
      name: "Deaerator",
      hazard: "none",
      designPressure: rng.step(2, 4, 0.5),
      designTemperature: 150,
      group: "deaerator",
      seq: 40,
      scale: "large",
    },
    3,
  );
  const boiler = b.add(
    { type: "furnace", name: "Steam boiler", hazard: "fired", designTemperature: 450, group: "boiler", seq: 0 },
    3,
  );
  const drum = b.add(
    {
      type: "vessel",
      name: "Steam drum",
      hazard: "none",
      designPressure: p,
      designTemperature: 260,
      group: "steam-drum",
      seq: 42,
    },
    3,
  );
  const heaters = Array.from({ length: users }, (_, k) =>
    b.add(
      {
        type: "heat_exchanger",
        name: `Steam heater ${k + 1}`,
        hazard: "none",
        designPressure: p,
        designTemperature: 260,
        group: `steam-users-${k}`,
        seq: 43 + k,
      },
      3,
    ),
  );
  // Fuel at low pressure: the drum stays below the relief threshold.
  const fuel = fuelGasDrum(b, 41);
  b.item(fuel).designPressure = 1;
  const bfw = pumpSet(b, {
    spec: {
      type: "pump",
      name: "Boiler feed-water pump",
      hazard: "none",
      designPressure: p + 10,
      designTemperature: 150,
      group: "bfw",
      seq: 41,
    },
    count: 2,
    from: { tag: deaerator.tag, side: "E", dz: "bottom", id: "OUT" },
    to: { tag: boiler.tag, side: "W", dz: "low", id: "BFW" },
    fluid: "boiler feed water",
    service: "utility",
    suctionSize: 100,
    dischargeSize: 80,
  });
  levelControl(b, deaerator.tag, { stopOnLowLow: bfw.pumps });
  b.connect({
    from: { tag: boiler.tag, side: "E", dz: "high", id: "STM" },
    to: { tag: drum.tag, side: "W", dz: "high", id: "IN" },
    size: 200,
    fluid: "steam",
    service: "steam",
  });
  let header: string | undefined;
  let condensate: string | undefined;
  for (const h of heaters) {
    const s = b.connect({
      from: header ? { line: header } : { tag: drum.tag, side: "N", dz: "top", id: "STM" },
      to: { tag: h.tag, side: "W", dz: "high", id: "SI" },
      size: 150,
      fluid: "steam",
      service: "steam",
      components: [{ type: "globe_valve" }],
    });
    header ??= s;
    const c = b.connect({
      from: { tag: h.tag, side: "E", dz: "low", id: "SO" },
      to: condensate ? { line: condensate } : { tag: deaerator.tag, side: "W", dz: "high", id: "CR" },
      size: 80,
      fluid: "condensate",
      service: "steam",
      components: [{ type: "strainer" }],
    });
    condensate ??= c;
  }
  const fuelLine = b.connect({
    from: { tag: fuel, side: "E", dz: "high", id: "OUT" },
    to: { tag: boiler.tag, side: "S", dz: "low", id: "FG" },
    size: 80,
    fluid: "fuel gas",
    service: "fuel",
    components: [{ type: "gate_valve" }],
  });
  const trip = [{ target: boiler.tag, action: "trip" as const }];
  pressureControl(b, { tag: drum.tag }, { valveLine: fuelLine, action: "reverse", onHighHigh: trip });
  levelControl(b, drum.tag, { outlet: bfw.discharge, action: "reverse", stopOnLowLow: [], onHighHigh: [] });
  const n = b.nextLoop();
  b.instrument(`LZT-${n}`, { tag: drum.tag });
  b.interlock(`I-${n}LL`, `LZT-${n}`, "LL", trip);
  levelControl(b, fuel, { onHighHigh: trip });
}
