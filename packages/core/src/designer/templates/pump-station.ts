import { sizeStep } from "../catalogue.js";
import { levelControl, pressureControl, pumpSet } from "../patterns.js";
import { reliefAll, reliefDrum } from "../systems.js";
import { countOf, type Template } from "./types.js";

/**
 * Pipeline pump station (a booster station on a liquid line, ASME B31.4 practice): scraper receiver,
 * parallel inlet filters, one or more duty/standby pump sets in parallel, scraper launcher. A closed
 * relief drum takes the relief loads and drains to a surge tank, pumped back to the receiver. Station trips: suction
 * pressure low-low and discharge pressure high-high stop the mainline pumps (API RP 14C / IEC 61511);
 * discharge pressure is held by the speed of the first duty pump.
 */
export const pumpStation: Template = {
  processClass: "pump_station",
  draw(ctx) {
    const { b, rng } = ctx;
    const fluid = rng.pick(["crude oil", "diesel", "gasoline", "jet fuel", "condensate"]);
    const size = rng.pick([200, 250, 300, 400]);
    const inletP = rng.step(15, 45, 5);
    const outletP = inletP + rng.step(20, 40, 5);
    const perSet = rng.chance(0.25) ? 3 : 2;
    const wantPumps = ctx.want("pump");
    // Pump-back set (2) plus mainline sets of `perSet`.
    const trains =
      wantPumps === undefined ? rng.int(1, 3) : Math.min(4, Math.max(1, Math.round((wantPumps - 2) / perSet)));
    const filters = countOf(ctx, "filter", 1, 1, 3);

    const receiver = b.add({
      type: "vessel",
      name: "Scraper receiver",
      hazard: "flammable",
      designPressure: inletP,
      designTemperature: 60,
      group: "receiver",
      seq: 1,
      scale: "small",
    });
    const filterItems = b.addSet(
      {
        type: "filter",
        name: "Inlet filter",
        hazard: "flammable",
        designPressure: inletP,
        designTemperature: 60,
        group: "filters",
        seq: 2,
        scale: "medium",
      },
      filters,
    );
    let header: string | undefined;
    for (const f of filterItems) {
      const line = b.connect({
        from: header ? { line: header } : { tag: receiver.tag, side: "E", dz: "low", id: "OUT" },
        to: { tag: f.tag, side: "W", dz: "high", id: "IN" },
        size,
        fluid,
        components: [{ type: "gate_valve" }],
      });
      header ??= line;
    }
    const launcher = b.add({
      type: "vessel",
      name: "Scraper launcher",
      hazard: "flammable",
      designPressure: outletP,
      designTemperature: 60,
      group: "launcher",
      seq: 10,
      scale: "small",
    });

    const mainline: string[] = [];
    let suction: string | undefined;
    let discharge: string | undefined;
    for (let t = 0; t < trains; t++) {
      const set = pumpSet(b, {
        spec: {
          type: "pump",
          name: "Mainline pump",
          hazard: "flammable",
          designPressure: outletP,
          designTemperature: 60,
          group: `pumps-${t}`,
          seq: 3 + t,
          scale: rng.pick(["medium", "large"] as const),
        },
        count: perSet,
        from: suction ? { line: suction } : { tag: filterItems[0]!.tag, side: "E", dz: "low", id: "OUT" },
        to: discharge ? { line: discharge } : { tag: launcher.tag, side: "W", dz: "mid", id: "IN" },
        fluid,
        suctionSize: size,
        dischargeSize: sizeStep(size, -1),
        flowControl: t === 0 || rng.chance(0.5),
      });
      suction ??= set.suction;
      discharge ??= set.discharge;
      mainline.push(...set.pumps);
    }
    // The other filters' outlets join the suction header.
    for (const f of filterItems.slice(1)) {
      b.connect({
        from: { tag: f.tag, side: "E", dz: "low", id: "OUT" },
        to: { line: suction! },
        size,
        fluid,
        components: [{ type: "gate_valve" }],
      });
    }
    const stop = mainline.map((target) => ({ target, action: "stop" as const }));
    pressureControl(b, { line: suction! }, { onLowLow: stop });
    pressureControl(b, { tag: launcher.tag }, { speedOf: mainline[0]!, action: "reverse", onHighHigh: stop });

    // Surge tank: the relief drum drains to it; pumped back to the receiver.
    const tank = b.add({
      type: "tank",
      name: "Surge tank",
      hazard: "flammable",
      designPressure: 0.05,
      designTemperature: 60,
      group: "surge",
      seq: 20,
      diameter: rng.step(8, 16, 1),
    });
    const back = pumpSet(b, {
      spec: {
        type: "pump",
        name: "Pump-back pump",
        hazard: "flammable",
        designPressure: inletP + 5,
        designTemperature: 60,
        group: "pump-back",
        seq: 11,
        scale: "small",
      },
      count: 2,
      from: { tag: tank.tag, side: "W", dz: "low", id: "OUT" },
      to: { tag: receiver.tag, side: "W", dz: "mid", id: "RET" },
      fluid,
      suctionSize: 100,
      dischargeSize: 80,
    });
    levelControl(b, tank.tag, { outlet: back.discharge, stopOnLowLow: back.pumps });
    // Relief to a closed drum that drains to the surge tank, never straight into the tank (API 521 5.4).
    reliefAll(b, reliefDrum(b, 19, fluid, tank.tag));
    return `${fluid} pump station, ${trains} mainline pump set(s) of ${perSet}`;
  },
};
