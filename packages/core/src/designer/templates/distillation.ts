import { sizeStep } from "../catalogue.js";
import { levelControl, pressureControl, pumpSet, temperatureControl } from "../patterns.js";
import { flareSystem, fuelGasDrum, reliefAll } from "../systems.js";
import type { Template } from "./types.js";

/**
 * Distillation train (Kister, Distillation Operation; PIP PIC001 P&ID practice): feed surge drum and
 * pumps, a feed/bottoms interchanger, then one to three columns in series, each column's bottoms
 * pumped into the next. Each column has an air-cooled overhead condenser, a reflux drum with reflux
 * pumps (reflux on flow control, distillate on drum level), column pressure held by venting the
 * drum to flare, a reboiler heated by a hot-oil system, and bottoms pumps on column level. Products
 * run down to tanks. The hot-oil heater stands upwind with its fuel gas drum; low hot-oil flow, high
 * column pressure and liquid in the fuel gas trip it (API RP 556).
 */
export const distillation: Template = {
  processClass: "distillation",
  draw(ctx) {
    const { b, rng } = ctx;
    const wantColumns = ctx.want("column");
    const columns =
      wantColumns === undefined
        ? rng.weighted([
            [1, 3],
            [2, 3],
            [3, 1],
          ] as const)
        : Math.min(4, Math.max(1, wantColumns));
    const feedName = rng.pick(["NGL", "crude naphtha", "reformate", "LPG mix", "BTX"]);
    const size = rng.pick([100, 150, 200]);
    const trip = (target: string) => [{ target, action: "trip" as const }];

    // Items first: lines below name them.
    const surge = b.add({
      type: "vessel",
      name: "Feed surge drum",
      hazard: "flammable",
      designPressure: rng.step(5, 12, 0.5),
      designTemperature: 60,
      group: "feed",
      seq: 1,
    });
    const interchanger = b.add({
      type: "heat_exchanger",
      name: "Feed/bottoms interchanger",
      hazard: "flammable",
      designPressure: 30,
      designTemperature: 250,
      group: "feed",
      seq: 2,
    });
    const heater = b.add({
      type: "furnace",
      name: "Hot oil heater",
      hazard: "fired",
      designTemperature: 350,
      group: "heater",
      seq: 0,
    });
    const fuel = fuelGasDrum(b, 3);
    const units = Array.from({ length: columns }, (_, k) => {
      const p = Math.max(3, Math.round(rng.float(4, 20) / (k + 1)));
      const group = `column-${k}`;
      const seq = 10 + 10 * k;
      const column = b.add({
        type: "column",
        name: `Column ${k + 1}`,
        hazard: "flammable",
        designPressure: p,
        designTemperature: 250,
        group,
        seq: seq + 2,
      });
      const reboiler = b.add({
        type: "heat_exchanger",
        name: `Column ${k + 1} reboiler`,
        hazard: "flammable",
        designPressure: p,
        designTemperature: 300,
        group: `${group}-bottoms`,
        seq: seq + 1,
      });
      const condenser = b.add({
        type: "air_cooler",
        name: `Column ${k + 1} condenser`,
        hazard: "flammable",
        designPressure: p,
        designTemperature: 150,
        group: `${group}-overhead`,
        seq: seq + 3,
      });
      const drum = b.add({
        type: "vessel",
        name: `Column ${k + 1} reflux drum`,
        hazard: "flammable",
        designPressure: p,
        designTemperature: 100,
        group: `${group}-overhead`,
        seq: seq + 3,
      });
      const tank = b.add({
        type: "tank",
        name: `Column ${k + 1} distillate tank`,
        hazard: "flammable",
        designPressure: 0.05,
        designTemperature: 50,
        group: "products",
        seq: 80 + k,
        diameter: rng.step(8, 20, 1),
      });
      return { p, group, seq, column, reboiler, condenser, drum, tank };
    });
    const bottomsTank = b.add({
      type: "tank",
      name: "Bottoms product tank",
      hazard: "flammable",
      designPressure: 0.05,
      designTemperature: 80,
      group: "products",
      seq: 80 + columns,
      diameter: rng.step(8, 20, 1),
    });
    const flare = flareSystem(b, 90);

    // Feed.
    const feedPumps = pumpSet(b, {
      spec: {
        type: "pump",
        name: "Feed pump",
        hazard: "flammable",
        designPressure: 30,
        designTemperature: 60,
        group: "feed",
        seq: 1,
        scale: "small",
      },
      count: 2,
      from: { tag: surge.tag, side: "E", dz: "bottom", id: "LOUT" },
      to: { tag: interchanger.tag, side: "W", dz: "high", id: "SI" },
      fluid: feedName,
      suctionSize: sizeStep(size, 1),
      dischargeSize: size,
      flowControl: true,
    });
    levelControl(b, surge.tag, { stopOnLowLow: feedPumps.pumps });
    b.connect({
      from: { tag: interchanger.tag, side: "E", dz: "high", id: "SO" },
      to: { tag: units[0]!.column.tag, side: "W", dz: "mid", id: "FEED" },
      size,
      fluid: feedName,
      components: [{ type: "gate_valve" }],
    });

    // Hot oil: supply header to every reboiler, returns to the hot oil pumps, back to the heater.
    let supply: string | undefined;
    for (const u of units) {
      const line = b.connect({
        from: supply ? { line: supply } : { tag: heater.tag, side: "E", dz: "high", id: "OUT" },
        to: { tag: u.reboiler.tag, side: "N", dz: "high", id: "TI" },
        size: 150,
        fluid: "hot oil",
        service: "utility",
        components: [{ type: "gate_valve" }],
      });
      supply ??= line;
      temperatureControl(b, { measure: { tag: u.column.tag }, valveLine: line, action: "reverse" });
    }
    const hotOil = pumpSet(b, {
      spec: {
        type: "pump",
        name: "Hot oil pump",
        hazard: "flammable",
        designPressure: 12,
        designTemperature: 350,
        group: "hot-oil",
        seq: 4,
        scale: "small",
      },
      count: 2,
      from: { tag: units[0]!.reboiler.tag, side: "S", dz: "low", id: "TO" },
      to: { tag: heater.tag, side: "W", dz: "low", id: "IN" },
      fluid: "hot oil",
      service: "utility",
      suctionSize: 150,
      dischargeSize: 150,
      flowControl: true,
    });
    for (const u of units.slice(1)) {
      b.connect({
        from: { tag: u.reboiler.tag, side: "S", dz: "low", id: "TO" },
        to: { line: hotOil.suction },
        size: 150,
        fluid: "hot oil",
        service: "utility",
      });
    }
    const flowTrip = b.nextLoop();
    b.instrument(`FZT-${flowTrip}`, { line: hotOil.discharge });
    b.interlock(`I-${flowTrip}LL`, `FZT-${flowTrip}`, "LL", trip(heater.tag));
    const fuelLine = b.connect({
      from: { tag: fuel, side: "E", dz: "high", id: "OUT" },
      to: { tag: heater.tag, side: "S", dz: "low", id: "FG" },
      size: 80,
      fluid: "fuel gas",
      service: "fuel",
      components: [{ type: "gate_valve" }],
    });
    temperatureControl(b, {
      measure: { line: supply! },
      valveLine: fuelLine,
      action: "reverse",
      onHighHigh: trip(heater.tag),
    });
    levelControl(b, fuel, { onHighHigh: trip(heater.tag) });

    units.forEach((u, k) => {
      b.connect({
        from: { tag: u.column.tag, side: "N", dz: "top", id: "OVHD" },
        to: { tag: u.condenser.tag, side: "W", dz: "high", id: "IN" },
        size: sizeStep(size, 2),
        fluid: "overhead vapour",
      });
      b.connect({
        from: { tag: u.condenser.tag, side: "E", dz: "high", id: "OUT" },
        to: { tag: u.drum.tag, side: "W", dz: "high", id: "IN" },
        size: sizeStep(size, 1),
        fluid: "overhead condensate",
      });
      const reflux = pumpSet(b, {
        spec: {
          type: "pump",
          name: `Column ${k + 1} reflux pump`,
          hazard: "flammable",
          designPressure: u.p + 10,
          designTemperature: 100,
          group: `${u.group}-overhead`,
          seq: u.seq + 4,
          scale: "small",
        },
        count: rng.chance(0.2) ? 3 : 2,
        from: { tag: u.drum.tag, side: "E", dz: "bottom", id: "LOUT" },
        to: { tag: u.column.tag, side: "E", dz: "high", id: "REFLUX" },
        fluid: "reflux",
        suctionSize: size,
        dischargeSize: sizeStep(size, -1),
        flowControl: true,
      });
      const distillate = b.connect({
        from: { line: reflux.discharge },
        to: { tag: u.tank.tag, side: "W", dz: "high", id: "IN" },
        size: sizeStep(size, -1),
        fluid: `column ${k + 1} distillate`,
        components: [{ type: "gate_valve" }],
      });
      levelControl(b, u.drum.tag, { outlet: distillate, stopOnLowLow: reflux.pumps });
      levelControl(b, u.tank.tag, {});
      const vent = b.connect({
        from: { tag: u.drum.tag, side: "N", dz: "top", id: "VENT" },
        to: { tag: flare.tag, side: "W", dz: "high", id: `V${k + 1}` },
        size: 50,
        fluid: "off-gas",
        service: "flare",
        components: [{ type: "gate_valve" }],
      });
      pressureControl(b, { tag: u.drum.tag }, { valveLine: vent, action: "direct" });
      pressureControl(b, { tag: u.column.tag }, { onHighHigh: trip(heater.tag) });

      b.connect({
        from: { tag: u.column.tag, side: "S", dz: "bottom", id: "REBOUT" },
        to: { tag: u.reboiler.tag, side: "W", dz: "low", id: "SI" },
        size: sizeStep(size, 1),
        fluid: "column bottoms",
      });
      b.connect({
        from: { tag: u.reboiler.tag, side: "E", dz: "high", id: "SO" },
        to: { tag: u.column.tag, side: "W", dz: "low", id: "REBIN" },
        size: sizeStep(size, 2),
        fluid: "reboiler vapour",
      });
      const next = units[k + 1];
      const bottoms = pumpSet(b, {
        spec: {
          type: "pump",
          name: `Column ${k + 1} bottoms pump`,
          hazard: "flammable",
          designPressure: u.p + 15,
          designTemperature: 250,
          group: `${u.group}-bottoms`,
          seq: u.seq + 1,
          scale: "small",
        },
        count: 2,
        from: { tag: u.column.tag, side: "E", dz: "bottom", id: "BTMS" },
        to: next
          ? { tag: next.column.tag, side: "W", dz: "mid", id: "FEED" }
          : { tag: interchanger.tag, side: "N", dz: "low", id: "TI" },
        fluid: `column ${k + 1} bottoms`,
        suctionSize: size,
        dischargeSize: sizeStep(size, -1),
      });
      levelControl(b, u.column.tag, { outlet: bottoms.discharge, stopOnLowLow: bottoms.pumps });
    });
    // Bottoms product to storage, through a trim cooler on some plants.
    const rundown = { size: sizeStep(size, -1), fluid: "bottoms product" };
    if (rng.chance(0.5)) {
      const cooler = b.add({
        type: "air_cooler",
        name: "Bottoms product cooler",
        hazard: "flammable",
        designPressure: 30,
        designTemperature: 250,
        group: "feed",
        seq: 2,
      });
      b.connect({
        from: { tag: interchanger.tag, side: "S", dz: "low", id: "TO" },
        to: { tag: cooler.tag, side: "W", dz: "high", id: "IN" },
        ...rundown,
      });
      const out = b.connect({
        from: { tag: cooler.tag, side: "E", dz: "high", id: "OUT" },
        to: { tag: bottomsTank.tag, side: "W", dz: "high", id: "IN" },
        ...rundown,
        components: [{ type: "gate_valve" }],
      });
      b.instrument(`TT-${b.nextLoop()}`, { line: out });
    } else {
      b.connect({
        from: { tag: interchanger.tag, side: "S", dz: "low", id: "TO" },
        to: { tag: bottomsTank.tag, side: "W", dz: "high", id: "IN" },
        ...rundown,
        components: [{ type: "gate_valve" }],
      });
    }
    levelControl(b, bottomsTank.tag, {});
    reliefAll(b, flare);
    return `${feedName} distillation, ${columns} column(s)`;
  },
};
