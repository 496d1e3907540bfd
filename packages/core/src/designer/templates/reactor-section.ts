import type { EndRef } from "../builder.js";
import { sizeStep } from "../catalogue.js";
import { levelControl, pressureControl, pumpSet, temperatureControl } from "../patterns.js";
import { flareSystem, fuelGasDrum, reliefAll } from "../systems.js";
import type { Template } from "./types.js";

/**
 * Fixed-bed reactor section (a hydrotreater loop, Gary & Handwerk, Petroleum Refining): feed drum,
 * charge pumps, feed/effluent exchanger, fired charge heater, one to three reactors in series or in
 * parallel, effluent air cooler with a temperature bypass, high-pressure separator whose gas a
 * recycle compressor returns to the feed, low-pressure separator, product pumps to a tank. Trips:
 * reactor high-high temperature and separator high-high pressure trip the heater and the compressor;
 * low-low levels stop the pumps (API RP 14C, IEC 61511).
 */
export const reactorSection: Template = {
  processClass: "reactor_section",
  draw(ctx) {
    const { b, rng } = ctx;
    const wantR = ctx.want("reactor");
    const reactors =
      wantR === undefined
        ? rng.weighted([
            [1, 3],
            [2, 3],
            [3, 1],
          ] as const)
        : Math.min(4, Math.max(1, wantR));
    const parallel = reactors > 1 && rng.chance(0.4);
    const service = rng.pick(["naphtha hydrotreater", "diesel hydrotreater", "isomerisation", "hydrocracker"]);
    const feedName = service.includes("diesel") ? "diesel" : service.includes("crack") ? "vacuum gas oil" : "naphtha";
    const hazard = rng.chance(0.3) ? ("toxic" as const) : ("flammable" as const);
    const p = rng.step(30, 120, 5);
    const size = rng.pick([100, 150, 200]);
    const trip = (...targets: string[]) => targets.map((target) => ({ target, action: "trip" as const }));

    const feedDrum = b.add({
      type: "vessel",
      name: "Feed surge drum",
      hazard: "flammable",
      designPressure: rng.step(4, 10, 0.5),
      designTemperature: 80,
      group: "feed",
      seq: 1,
    });
    const exchanger = b.add({
      type: "heat_exchanger",
      name: "Feed/effluent exchanger",
      hazard: "flammable",
      designPressure: p,
      designTemperature: 400,
      group: "exchange",
      seq: 3,
    });
    const heater = b.add({
      type: "furnace",
      name: "Charge heater",
      hazard: "fired",
      designTemperature: 450,
      group: "heater",
      seq: 0,
    });
    const fuel = fuelGasDrum(b, 2);
    const reactorItems = Array.from({ length: reactors }, (_, k) =>
      b.add({
        type: "reactor",
        name: `Reactor ${k + 1}`,
        hazard,
        designPressure: p,
        designTemperature: 450,
        group: "reactors",
        seq: 4 + (parallel ? 0 : k),
      }),
    );
    const cooler = b.add({
      type: "air_cooler",
      name: "Effluent air cooler",
      hazard: "flammable",
      designPressure: p,
      designTemperature: 200,
      group: "cooling",
      seq: 10,
    });
    const hpSep = b.add({
      type: "vessel",
      name: "High-pressure separator",
      hazard,
      designPressure: p,
      designTemperature: 80,
      group: "separation",
      seq: 11,
      scale: "large",
    });
    const recycle = b.add({
      type: "compressor",
      name: "Recycle gas compressor",
      hazard: "flammable",
      designPressure: p + 10,
      designTemperature: 120,
      group: "recycle",
      seq: 12,
    });
    const lpSep = b.add({
      type: "vessel",
      name: "Low-pressure separator",
      hazard: "flammable",
      designPressure: rng.step(8, 20, 1),
      designTemperature: 80,
      group: "separation",
      seq: 13,
    });
    const tank = b.add({
      type: "tank",
      name: "Product tank",
      hazard: "flammable",
      designPressure: 0.05,
      designTemperature: 60,
      group: "products",
      seq: 80,
      diameter: rng.step(10, 24, 1),
    });
    // A feed guard filter on some plants (catalyst bed protection).
    const guard = rng.chance(0.4)
      ? b.add({
          type: "filter",
          name: "Feed guard filter",
          hazard: "flammable",
          designPressure: p + 10,
          designTemperature: 80,
          group: "feed",
          seq: 2,
        })
      : undefined;
    const flare = flareSystem(b, 90);

    const charge = pumpSet(b, {
      spec: {
        type: "pump",
        name: "Charge pump",
        hazard: "flammable",
        designPressure: p + 10,
        designTemperature: 80,
        group: "feed",
        seq: 2,
        scale: "medium",
      },
      count: 2,
      from: { tag: feedDrum.tag, side: "E", dz: "bottom", id: "LOUT" },
      to: guard
        ? { tag: guard.tag, side: "W", dz: "high", id: "IN" }
        : { tag: exchanger.tag, side: "W", dz: "high", id: "CI" },
      fluid: feedName,
      suctionSize: sizeStep(size, 1),
      dischargeSize: size,
      flowControl: true,
    });
    levelControl(b, feedDrum.tag, { stopOnLowLow: charge.pumps });
    if (guard) {
      b.connect({
        from: { tag: guard.tag, side: "E", dz: "low", id: "OUT" },
        to: { tag: exchanger.tag, side: "W", dz: "high", id: "CI" },
        size,
        fluid: feedName,
      });
    }
    b.connect({
      from: { tag: exchanger.tag, side: "E", dz: "high", id: "CO" },
      to: { tag: heater.tag, side: "W", dz: "low", id: "IN" },
      size,
      fluid: `${feedName} and hydrogen`,
    });
    const heaterOut = b.connect({
      from: { tag: heater.tag, side: "E", dz: "low", id: "OUT" },
      to: { tag: reactorItems[0]!.tag, side: "N", dz: "top", id: "IN" },
      size,
      fluid: "reactor feed",
    });
    const fuelLine = b.connect({
      from: { tag: fuel, side: "E", dz: "high", id: "OUT" },
      to: { tag: heater.tag, side: "S", dz: "low", id: "FG" },
      size: 80,
      fluid: "fuel gas",
      service: "fuel",
      components: [{ type: "gate_valve" }],
    });
    temperatureControl(b, {
      measure: { line: heaterOut },
      valveLine: fuelLine,
      action: "reverse",
      onHighHigh: trip(heater.tag),
    });
    levelControl(b, fuel, { onHighHigh: trip(heater.tag) });

    // Reactors: in series each feeds the next; in parallel they share the heater outlet and effluent.
    let effluent: string | undefined;
    reactorItems.forEach((r, k) => {
      if (parallel && k > 0) {
        b.connect({
          from: { line: heaterOut },
          to: { tag: r.tag, side: "N", dz: "top", id: "IN" },
          size,
          fluid: "reactor feed",
        });
      }
      const last = k === reactorItems.length - 1;
      const to: EndRef =
        parallel && effluent
          ? { line: effluent }
          : !parallel && !last
            ? { tag: reactorItems[k + 1]!.tag, side: "N", dz: "top", id: "IN" }
            : { tag: exchanger.tag, side: "N", dz: "low", id: "HI" };
      const line = b.connect({
        from: { tag: r.tag, side: "S", dz: "bottom", id: "OUT" },
        to,
        size,
        fluid: "reactor effluent",
      });
      if (parallel) effluent ??= line;

      const n = b.nextLoop();
      b.instrument(`TT-${n}`, { tag: r.tag });
      b.instrument(`TZT-${n}`, { tag: r.tag });
      b.interlock(`I-${n}HH`, `TZT-${n}`, "HH", trip(heater.tag, recycle.tag));
    });

    const hot = b.connect({
      from: { tag: exchanger.tag, side: "S", dz: "low", id: "HO" },
      to: { tag: cooler.tag, side: "W", dz: "high", id: "IN" },
      size,
      fluid: "reactor effluent",
    });
    const cold = b.connect({
      from: { tag: cooler.tag, side: "E", dz: "high", id: "OUT" },
      to: { tag: hpSep.tag, side: "W", dz: "high", id: "IN" },
      size,
      fluid: "reactor effluent",
    });
    const bypass = b.connect({
      from: { line: hot },
      to: { line: cold },
      size: sizeStep(size, -1),
      fluid: "reactor effluent",
    });
    temperatureControl(b, { measure: { line: cold }, valveLine: bypass, action: "direct" });

    // Recycle gas back into the charge line.
    b.connect({
      from: { tag: hpSep.tag, side: "E", dz: "top", id: "VOUT" },
      to: { tag: recycle.tag, side: "W", dz: "mid", id: "S" },
      size: sizeStep(size, 1),
      fluid: "recycle hydrogen",
    });
    b.connect({
      from: { tag: recycle.tag, side: "E", dz: "mid", id: "D" },
      to: { line: charge.discharge },
      size,
      fluid: "recycle hydrogen",
      components: [{ type: "check_valve" }, { type: "gate_valve" }],
    });
    pressureControl(
      b,
      { tag: hpSep.tag },
      { speedOf: recycle.tag, action: "direct", onHighHigh: trip(heater.tag, recycle.tag) },
    );
    const liquid = b.connect({
      from: { tag: hpSep.tag, side: "S", dz: "bottom", id: "LOUT" },
      to: { tag: lpSep.tag, side: "W", dz: "high", id: "IN" },
      size: sizeStep(size, -1),
      fluid: "separator liquid",
    });
    levelControl(b, hpSep.tag, { outlet: liquid, onHighHigh: trip(recycle.tag) });
    const offGas = b.connect({
      from: { tag: lpSep.tag, side: "N", dz: "top", id: "VOUT" },
      to: { tag: flare.tag, side: "W", dz: "high", id: "OG" },
      size: 80,
      fluid: "off-gas",
      service: "flare",
      components: [{ type: "gate_valve" }],
    });
    pressureControl(b, { tag: lpSep.tag }, { valveLine: offGas, action: "direct" });
    const productCooler = rng.chance(0.5)
      ? b.add({
          type: "air_cooler",
          name: "Product cooler",
          hazard: "flammable",
          designPressure: 20,
          designTemperature: 120,
          group: "products",
          seq: 14,
        })
      : undefined;
    const product = pumpSet(b, {
      spec: {
        type: "pump",
        name: "Product pump",
        hazard: "flammable",
        designPressure: 20,
        designTemperature: 80,
        group: "products",
        seq: 14,
        scale: "small",
      },
      count: 2,
      from: { tag: lpSep.tag, side: "E", dz: "bottom", id: "LOUT" },
      to: productCooler
        ? { tag: productCooler.tag, side: "W", dz: "high", id: "IN" }
        : { tag: tank.tag, side: "W", dz: "high", id: "IN" },
      fluid: `treated ${feedName}`,
      suctionSize: size,
      dischargeSize: sizeStep(size, -1),
    });
    levelControl(b, lpSep.tag, { outlet: product.discharge, stopOnLowLow: product.pumps });
    if (productCooler) {
      const out = b.connect({
        from: { tag: productCooler.tag, side: "E", dz: "high", id: "OUT" },
        to: { tag: tank.tag, side: "W", dz: "high", id: "IN" },
        size: sizeStep(size, -1),
        fluid: `treated ${feedName}`,
        components: [{ type: "gate_valve" }],
      });
      b.instrument(`TT-${b.nextLoop()}`, { line: out });
    }
    levelControl(b, tank.tag, {});
    reliefAll(b, flare);
    return `${service}, ${reactors} reactor(s)${parallel ? " in parallel" : ""}`;
  },
};
