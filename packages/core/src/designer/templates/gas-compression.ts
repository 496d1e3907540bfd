import type { EndRef } from "../builder.js";
import { sizeStep } from "../catalogue.js";
import { levelControl, pressureControl, pumpSet, temperatureControl } from "../patterns.js";
import { flareSystem, reliefAll } from "../systems.js";
import type { Template } from "./types.js";

/**
 * Gas compression station (API 617/618 practice): inlet separator, then per train and stage a
 * suction scrubber, a compressor and an air-cooled aftercooler with a temperature-control bypass.
 * Scrubber liquids go to a condensate drum and are pumped to a condensate tank. Controls: suction
 * pressure sets compressor speed; scrubber high-high level and discharge high-high pressure trip
 * the compressor (API RP 14C); relief to a flare system.
 */
export const gasCompression: Template = {
  processClass: "gas_compression",
  draw(ctx) {
    const { b, rng } = ctx;
    const wantK = ctx.want("compressor");
    const stages = rng.int(1, 3);
    const trains =
      wantK === undefined
        ? rng.weighted([
            [1, 3],
            [2, 2],
            [3, 1],
          ] as const)
        : Math.max(1, Math.ceil(wantK / stages));
    const fluid = rng.pick(["natural gas", "associated gas", "fuel gas", "CO2-rich gas"]);
    const p0 = rng.step(8, 30, 1);
    const ratio = rng.float(1.8, 2.8);
    const pressures = Array.from({ length: stages + 1 }, (_, s) => Math.min(150, Math.round(p0 * ratio ** s)));
    const gasSize = rng.pick([200, 250, 300, 400]);

    const inlet = b.add({
      type: "vessel",
      name: "Inlet separator",
      hazard: "flammable",
      designPressure: Math.round(p0 * 1.1),
      designTemperature: 60,
      group: "inlet",
      seq: 1,
      scale: "large",
      vertical: rng.chance(0.4),
    });
    const condensateDrum = b.add({
      type: "vessel",
      name: "Condensate drum",
      hazard: "flammable",
      designPressure: Math.round(p0 * 1.1),
      designTemperature: 60,
      group: "condensate",
      seq: 40,
      scale: "small",
    });
    const discharge = b.add({
      type: "vessel",
      name: "Discharge separator",
      hazard: "flammable",
      designPressure: Math.round(pressures[stages]! * 1.1),
      designTemperature: 60,
      group: "discharge",
      seq: 30,
      scale: "medium",
      vertical: true,
    });

    // Liquids of every separator go to the condensate drum on one header.
    let liquidHeader: string | undefined;
    const liquidTo = (tag: string, side: "S" | "E") => {
      const line = b.connect({
        from: { tag, side, dz: "bottom", id: "LOUT" },
        to: liquidHeader ? { line: liquidHeader } : { tag: condensateDrum.tag, side: "W", dz: "high", id: "IN" },
        size: 50,
        fluid: "condensate",
        components: [{ type: "gate_valve" }],
      });
      liquidHeader ??= line;
      return line;
    };
    const trip = (targets: readonly string[]) => targets.map((target) => ({ target, action: "trip" as const }));

    const inletLiquid = liquidTo(inlet.tag, "E");
    let gasHeader: string | undefined;
    let dischargeHeader: string | undefined;
    const compressors: string[] = [];
    for (let t = 0; t < trains; t++) {
      let feed: EndRef = gasHeader ? { line: gasHeader } : { tag: inlet.tag, side: "E", dz: "top", id: "VOUT" };
      // The stage whose cooler outlet line is drawn by the next stage (it is that stage's inlet).
      let pending: { hot: string; compressor: string } | undefined;
      const finish = (cold: string) => {
        if (!pending) return;
        const bypass = b.connect({
          from: { line: pending.hot },
          to: { line: cold },
          size: sizeStep(gasSize, -2),
          fluid,
          components: [{ type: "gate_valve" }],
        });
        temperatureControl(b, { measure: { line: cold }, valveLine: bypass, action: "direct" });
        pending = undefined;
      };
      for (let s = 0; s < stages; s++) {
        const group = `train-${t}-stage-${s}`;
        const seq = 2 + s * 5 + t;
        const scrubber = b.add({
          type: "vessel",
          name: `Stage ${s + 1} suction scrubber`,
          hazard: "flammable",
          designPressure: Math.round(pressures[s]! * 1.1),
          designTemperature: 60,
          group,
          seq,
          scale: "small",
          vertical: true,
        });
        const inLine = b.connect({
          from: feed,
          to: { tag: scrubber.tag, side: "W", dz: "mid", id: "IN" },
          size: s === 0 ? gasSize : sizeStep(gasSize, -1),
          fluid,
          components: [{ type: "gate_valve" }],
        });
        if (t === 0 && s === 0) gasHeader = inLine;
        finish(inLine);
        const k = b.add({
          type: "compressor",
          name: `Stage ${s + 1} compressor`,
          hazard: "flammable",
          designPressure: Math.round(pressures[s + 1]! * 1.1),
          designTemperature: 150,
          group,
          seq,
          scale: s === 0 ? "large" : "medium",
        });
        compressors.push(k.tag);
        b.connect({
          from: { tag: scrubber.tag, side: "E", dz: "top", id: "VOUT" },
          to: { tag: k.tag, side: "W", dz: "mid", id: "S" },
          size: s === 0 ? gasSize : sizeStep(gasSize, -1),
          fluid,
        });
        const cooler = b.add({
          type: "air_cooler",
          name: `Stage ${s + 1} aftercooler`,
          hazard: "flammable",
          designPressure: Math.round(pressures[s + 1]! * 1.1),
          designTemperature: 150,
          group,
          seq,
        });
        const hot = b.connect({
          from: { tag: k.tag, side: "E", dz: "mid", id: "D" },
          to: { tag: cooler.tag, side: "W", dz: "high", id: "IN" },
          size: sizeStep(gasSize, -1),
          fluid,
          components: [{ type: "check_valve" }, { type: "gate_valve" }],
        });
        pending = { hot, compressor: k.tag };
        pressureControl(b, { tag: scrubber.tag }, { speedOf: k.tag, action: "direct" });
        pressureControl(b, { line: hot }, { onHighHigh: trip([k.tag]) });
        levelControl(b, scrubber.tag, { outlet: liquidTo(scrubber.tag, "S"), onHighHigh: trip([k.tag]) });
        feed = { tag: cooler.tag, side: "E", dz: "high", id: "OUT" };
      }
      const cold = b.connect({
        from: feed,
        to: dischargeHeader ? { line: dischargeHeader } : { tag: discharge.tag, side: "W", dz: "mid", id: "IN" },
        size: sizeStep(gasSize, -1),
        fluid,
      });
      dischargeHeader ??= cold;
      finish(cold);
    }
    levelControl(b, inlet.tag, { outlet: inletLiquid, onHighHigh: trip(compressors) });
    levelControl(b, discharge.tag, { outlet: liquidTo(discharge.tag, "S") });

    const tank = b.add({
      type: "tank",
      name: "Condensate tank",
      hazard: "flammable",
      designPressure: 0.05,
      designTemperature: 50,
      group: "condensate-tank",
      seq: 50,
      diameter: rng.step(8, 16, 1),
    });
    const pumps = pumpSet(b, {
      spec: {
        type: "pump",
        name: "Condensate pump",
        hazard: "flammable",
        designPressure: Math.round(p0 * 1.1) + 5,
        designTemperature: 60,
        group: "condensate",
        seq: 41,
        scale: "small",
      },
      count: 2,
      from: { tag: condensateDrum.tag, side: "E", dz: "bottom", id: "LOUT" },
      to: { tag: tank.tag, side: "W", dz: "high", id: "IN" },
      fluid: "condensate",
      suctionSize: 80,
      dischargeSize: 50,
    });
    levelControl(b, condensateDrum.tag, { outlet: pumps.discharge, stopOnLowLow: pumps.pumps });
    const n = b.nextLoop();
    b.instrument(`LT-${n}`, { tag: tank.tag });

    reliefAll(b, flareSystem(b, 60));
    return `${fluid} compression, ${trains} train(s) of ${stages} stage(s)`;
  },
};
