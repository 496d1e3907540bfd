import type { Zone } from "../catalogue.js";
import { levelControl, pumpSet, relief } from "../patterns.js";
import { reliefDrum } from "../systems.js";
import { countOf, type Template } from "./types.js";

/**
 * Tank farm (terminal storage, API 2610 / NFPA 30 practice): per product a receipt filter, a group
 * of atmospheric tanks with shut-off valves on their inlets, and a transfer pump set drawing from
 * all tanks of the group to an export filter. Each tank: level transmitter, and an independent trip
 * transmitter closing its inlet on high-high (overfill protection, API 2350) and stopping the
 * transfer pumps on low-low. Tanks stand in their own area (a tank field), or in rows along the rack.
 */
export const tankFarm: Template = {
  processClass: "tank_farm",
  draw(ctx) {
    const { b, rng } = ctx;
    const wantTanks = ctx.want("tank");
    const products = wantTanks === undefined ? rng.int(1, 3) : Math.min(4, Math.max(1, Math.ceil(wantTanks / 4)));
    const fluids = rng.shuffle(["crude oil", "diesel", "gasoline", "jet fuel", "fuel oil", "naphtha"]);
    const field: Zone = rng.chance(0.6) ? "tankage" : "process";
    let left = wantTanks ?? 0;
    const names: string[] = [];
    const filters: string[] = [];
    for (let p = 0; p < products; p++) {
      const fluid = fluids[p]!;
      names.push(fluid);
      const tanks =
        wantTanks === undefined ? countOf(ctx, "tank", 1, 2, 4) : Math.max(1, Math.ceil(left / (products - p)));
      left -= tanks;
      const diameter = rng.step(10, field === "process" ? 30 : 40, 1);
      const size = rng.pick([150, 200, 250, 300]);
      const pressure = rng.step(8, 16, 1);
      const filter = b.add({
        type: "filter",
        name: `${fluid} receipt filter`,
        hazard: "flammable",
        designPressure: pressure,
        designTemperature: 50,
        group: `receipt-${p}`,
        seq: 10 * p + 1,
      });
      const tankTags: string[] = [];
      let receipt: string | undefined;
      for (let k = 0; k < tanks; k++) {
        const tank = b.add({
          type: "tank",
          name: `${fluid} tank`,
          hazard: "flammable",
          designPressure: 0.02,
          designTemperature: 50,
          group: `tanks-${p}`,
          seq: 10 * p + 2,
          zone: field,
          diameter,
        });
        tankTags.push(tank.tag);
        const line = b.connect({
          from: receipt ? { line: receipt } : { tag: filter.tag, side: "E", dz: "low", id: "OUT" },
          to: { tag: tank.tag, side: "W", dz: "high", id: "IN" },
          size,
          fluid,
          components: [{ type: "gate_valve" }],
        });
        receipt ??= line;
        // The inlet's own shut-off valve: the overfill trip closes it.
        b.component(line, "ball_valve", `XV-${b.nextLoop()}`);
      }
      const exportFilter = b.add({
        type: "filter",
        name: `${fluid} export filter`,
        hazard: "flammable",
        designPressure: pressure,
        designTemperature: 50,
        group: `export-${p}`,
        seq: 10 * p + 4,
      });
      const set = pumpSet(b, {
        spec: {
          type: "pump",
          name: `${fluid} transfer pump`,
          hazard: "flammable",
          designPressure: pressure,
          designTemperature: 50,
          group: `pumps-${p}`,
          seq: 10 * p + 3,
        },
        count: rng.chance(0.3) ? 3 : 2,
        from: { tag: tankTags[0]!, side: "E", dz: "low", id: "OUT" },
        to: { tag: exportFilter.tag, side: "W", dz: "mid", id: "IN" },
        fluid,
        suctionSize: size,
        dischargeSize: size === 150 ? 150 : size - 50,
        flowControl: true,
      });
      for (const t of tankTags.slice(1)) {
        b.connect({
          from: { tag: t, side: "E", dz: "low", id: "OUT" },
          to: { line: set.suction },
          size,
          fluid,
          components: [{ type: "gate_valve" }],
        });
      }
      for (const t of tankTags) {
        const inlet = b.lines.find((l) => "tag" in l.to && l.to.tag === t && l.to.nozzle === "IN")!;
        const xv = inlet.components.find((c) => c.type === "ball_valve")!.tag!;
        levelControl(b, t, { stopOnLowLow: set.pumps, onHighHigh: [{ target: xv, action: "close" }] });
      }
      filters.push(filter.tag, exportFilter.tag);
    }
    // Thermal relief of the filters to a closed relief drum, never into a tank (API Std 521 5.4).
    const drum = reliefDrum(b, 10 * products + 1, names.join(", "));
    for (const f of filters) relief(b, f, drum.tag, drum.fluid);
    return `Tank farm: ${names.join(", ")}`;
  },
};
