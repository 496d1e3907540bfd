import { levelControl, pressureControl, pumpSet, relief } from "../patterns.js";
import { countOf, type Template } from "./types.js";

/**
 * Water treatment works (AWWA practice): raw water tank, raw water pumps to a clarifier, filter
 * feed pumps to two to six pressure filters in parallel (each on flow control), a clear well,
 * distribution pumps on pressure control through a UV unit, hypochlorite dosing into the filtered
 * water, backwash pumps and a waste water tank recycled to the clarifier. Filters relieve to the
 * waste tank. Low-low tank levels stop the pumps drawing from them.
 */
export const waterTreatment: Template = {
  processClass: "water_treatment",
  draw(ctx) {
    const { b, rng } = ctx;
    const filters = countOf(ctx, "filter", 1, 2, 6) - (ctx.want("filter") !== undefined ? 1 : 0);
    const nFilters = Math.max(2, filters);
    const size = rng.pick([150, 200, 250, 300]);
    const filterP = rng.step(4, 10, 1);
    const tank = (name: string, seq: number, diameter: number) =>
      b.add({
        type: "tank",
        name,
        hazard: "none",
        designPressure: 0.02,
        designTemperature: 40,
        group: `tank-${seq}`,
        seq,
        diameter,
      });

    const raw = tank("Raw water tank", 1, rng.step(10, 24, 1));
    const clarifier = tank("Clarifier", 3, rng.step(12, 30, 1));
    const clearWell = tank("Clear well", 6, rng.step(10, 24, 1));
    const waste = tank("Waste water tank", 8, rng.step(8, 14, 1));
    const filterItems = b.addSet(
      {
        type: "filter",
        name: "Pressure filter",
        hazard: "none",
        designPressure: filterP,
        designTemperature: 40,
        group: "filters",
        seq: 5,
        scale: "large",
      },
      nFilters,
    );
    const uv = b.add({
      type: "filter",
      name: "UV disinfection unit",
      hazard: "none",
      designPressure: 0.8,
      designTemperature: 40,
      group: "distribution",
      seq: 7,
      scale: "small",
    });
    const dosingDrum = b.add({
      type: "vessel",
      name: "Hypochlorite dosing drum",
      hazard: "toxic",
      designPressure: 0.5,
      designTemperature: 40,
      group: "dosing",
      seq: 6,
      scale: "small",
      vertical: true,
    });

    const stop = (pumps: readonly string[]) => pumps;
    const rawPumps = pumpSet(b, {
      spec: {
        type: "pump",
        name: "Raw water pump",
        hazard: "none",
        designPressure: 6,
        designTemperature: 40,
        group: "raw",
        seq: 2,
      },
      count: rng.chance(0.3) ? 3 : 2,
      from: { tag: raw.tag, side: "E", dz: "low", id: "OUT" },
      to: { tag: clarifier.tag, side: "W", dz: "high", id: "IN" },
      fluid: "raw water",
      suctionSize: size,
      dischargeSize: size,
      flowControl: true,
    });
    levelControl(b, raw.tag, { stopOnLowLow: stop(rawPumps.pumps) });

    const feedPumps = pumpSet(b, {
      spec: {
        type: "pump",
        name: "Filter feed pump",
        hazard: "none",
        designPressure: filterP,
        designTemperature: 40,
        group: "filter-feed",
        seq: 4,
      },
      count: 2,
      from: { tag: clarifier.tag, side: "E", dz: "low", id: "OUT" },
      to: { tag: filterItems[0]!.tag, side: "W", dz: "high", id: "IN" },
      fluid: "clarified water",
      suctionSize: size,
      dischargeSize: size,
    });
    levelControl(b, clarifier.tag, { speedOf: feedPumps.pumps[0]!, stopOnLowLow: feedPumps.pumps });

    let filtered: string | undefined;
    filterItems.forEach((f, k) => {
      if (k > 0) {
        b.connect({
          from: { line: feedPumps.discharge },
          to: { tag: f.tag, side: "W", dz: "high", id: "IN" },
          size,
          fluid: "clarified water",
          components: [{ type: "gate_valve" }],
        });
      }
      const out = b.connect({
        from: { tag: f.tag, side: "E", dz: "low", id: "OUT" },
        to: filtered ? { line: filtered } : { tag: clearWell.tag, side: "W", dz: "high", id: "IN" },
        size,
        fluid: "filtered water",
        components: [{ type: "gate_valve" }],
      });
      filtered ??= out;
      const n = b.nextLoop();
      b.instrument(`FT-${n}`, { line: out });
      b.component(out, "control_valve", `FV-${n}`);
      b.loop(`FIC-${n}`, `FT-${n}`, `FV-${n}`, "reverse");
    });

    // Hypochlorite into the filtered water.
    const dosing = pumpSet(b, {
      spec: {
        type: "pump",
        name: "Dosing pump",
        hazard: "toxic",
        designPressure: 10,
        designTemperature: 40,
        group: "dosing",
        seq: 6,
        scale: "small",
      },
      count: 2,
      from: { tag: dosingDrum.tag, side: "E", dz: "bottom", id: "OUT" },
      to: { line: filtered! },
      fluid: "sodium hypochlorite",
      suctionSize: 25,
      dischargeSize: 25,
    });
    levelControl(b, dosingDrum.tag, { stopOnLowLow: dosing.pumps });

    const distribution = pumpSet(b, {
      spec: {
        type: "pump",
        name: "Distribution pump",
        hazard: "none",
        designPressure: 12,
        designTemperature: 40,
        group: "distribution",
        seq: 7,
      },
      count: rng.chance(0.5) ? 3 : 2,
      from: { tag: clearWell.tag, side: "E", dz: "low", id: "OUT" },
      to: { tag: uv.tag, side: "W", dz: "mid", id: "IN" },
      fluid: "treated water",
      suctionSize: size,
      dischargeSize: size,
    });
    pressureControl(b, { line: distribution.discharge }, { speedOf: distribution.pumps[0]!, action: "reverse" });

    // Backwash from the clear well through the filters to the waste tank.
    const backwash = pumpSet(b, {
      spec: {
        type: "pump",
        name: "Backwash pump",
        hazard: "none",
        designPressure: filterP,
        designTemperature: 40,
        group: "backwash",
        seq: 6,
      },
      count: 2,
      from: { tag: clearWell.tag, side: "S", dz: "low", id: "BW" },
      to: { tag: filterItems[0]!.tag, side: "S", dz: "low", id: "BWI" },
      fluid: "backwash water",
      suctionSize: size,
      dischargeSize: size,
    });
    let dirty: string | undefined;
    filterItems.forEach((f, k) => {
      if (k > 0) {
        b.connect({
          from: { line: backwash.discharge },
          to: { tag: f.tag, side: "S", dz: "low", id: "BWI" },
          size,
          fluid: "backwash water",
          components: [{ type: "butterfly_valve" }],
        });
      }
      const out = b.connect({
        from: { tag: f.tag, side: "N", dz: "top", id: "BWO" },
        to: dirty ? { line: dirty } : { tag: waste.tag, side: "W", dz: "high", id: "IN" },
        size,
        fluid: "backwash waste",
        service: "drain",
        components: [{ type: "butterfly_valve" }],
      });
      dirty ??= out;
    });
    levelControl(b, clearWell.tag, {
      stopOnLowLow: [...distribution.pumps, ...backwash.pumps],
      onHighHigh: feedPumps.pumps.map((target) => ({ target, action: "stop" as const })),
    });

    const recycle = pumpSet(b, {
      spec: {
        type: "pump",
        name: "Waste recycle pump",
        hazard: "none",
        designPressure: 6,
        designTemperature: 40,
        group: "recycle",
        seq: 9,
        scale: "small",
      },
      count: 2,
      from: { tag: waste.tag, side: "E", dz: "low", id: "OUT" },
      to: { line: rawPumps.discharge },
      fluid: "recovered water",
      suctionSize: 100,
      dischargeSize: 80,
    });
    const recycleLine = b.lines.find(
      (l) => "tag" in l.from && l.from.tag === recycle.pumps[0] && l.from.nozzle === "D",
    )!;
    levelControl(b, waste.tag, { outlet: recycleLine.id, stopOnLowLow: recycle.pumps });
    for (const f of filterItems) relief(b, f.tag, waste.tag, "water");
    return `Water treatment, ${nFilters} filters`;
  },
};
