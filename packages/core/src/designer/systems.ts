import type { PlantBuilder } from "./builder.js";
import { needsRelief, relief } from "./patterns.js";

/**
 * Subsystems several templates share: the flare system that takes the relief loads, a relief
 * collection drum for plants without a flare, and the fuel gas drum of fired items.
 */

export interface Disposal {
  /** The item relief lines run to. */
  readonly tag: string;
  readonly fluid: string;
}

/**
 * Flare system (API Std 521 §5.7): a knock-out drum that catches liquid from the relief loads, and
 * the flare stack, remote from flammables by the pack's flare distance (placement puts it upwind).
 */
export function flareSystem(b: PlantBuilder, seq: number): Disposal {
  const scale = b.rng.pick(["small", "medium", "large"] as const);
  const ko = b.add(
    {
      type: "vessel",
      name: "Flare knock-out drum",
      hazard: "flammable",
      designPressure: b.rng.step(3.5, 5, 0.5),
      designTemperature: 150,
      group: "flare-ko",
      seq,
      scale,
    },
    9,
  );
  const flare = b.add(
    { type: "flare", name: "Flare stack", hazard: "ignition_source", group: "flare", seq: seq + 1, zone: "flare" },
    9,
  );
  b.connect({
    from: { tag: ko.tag, side: "E", dz: "top", id: "VOUT" },
    to: { tag: flare.tag, side: "W", dz: "low", id: "IN" },
    size: b.rng.pick([200, 250, 300, 400]),
    fluid: "flare gas",
    service: "flare",
  });
  const n = b.nextLoop();
  b.instrument(`LT-${n}`, { tag: ko.tag });
  relief(b, ko.tag, flare.tag, "flare gas");
  return { tag: ko.tag, fluid: "relief gas" };
}

/** An atmospheric blowdown drum for plants that relieve steam, air or water: no relief of its own. */
export function blowdownDrum(b: PlantBuilder, seq: number, fluid: string): Disposal {
  const drum = b.add({
    type: "vessel",
    name: "Blowdown drum",
    hazard: "none",
    designPressure: 0.5,
    designTemperature: 120,
    group: "blowdown",
    seq,
    scale: "small",
    vertical: true,
  });
  return { tag: drum.tag, fluid };
}

/**
 * A closed relief drum for liquid plants without a flare (tank farms, pump stations): relief flow
 * goes to a closed vessel, never into atmospheric storage (API Std 521 5.4; an atmospheric tank is
 * built for 0.172 barg at most, API Std 650 Annex F). Its design pressure stays below the pack's
 * relief threshold, so it needs no relief of its own. With `drainTo`, the drum drains its liquid
 * to that tank through a drain line (the tank's shell valve is added with the others).
 */
export function reliefDrum(b: PlantBuilder, seq: number, fluid: string, drainTo?: string): Disposal {
  const drum = b.add({
    type: "vessel",
    name: "Relief drum",
    hazard: "flammable",
    designPressure: Math.min(1, b.pack.relief.pressureThreshold),
    designTemperature: 60,
    group: "relief-drum",
    seq,
    scale: "small",
  });
  if (drainTo !== undefined) {
    b.connect({
      from: { tag: drum.tag, side: "E", dz: "bottom", id: "DR" },
      to: { tag: drainTo, side: "W", dz: "high", id: "DRN" },
      size: 100,
      fluid,
      service: "drain",
      components: [{ type: "gate_valve" }],
    });
  }
  return { tag: drum.tag, fluid };
}

/**
 * Relief paths for every item the pack says needs one (design pressure above the threshold, type
 * not exempt), except the disposal chain itself. Inlets alternate between the drum's two long sides
 * so that neighbouring nozzles do not share a grid cell.
 */
export function reliefAll(b: PlantBuilder, disposal: Disposal, skip: readonly string[] = []): void {
  const skipped = new Set([disposal.tag, ...skip]);
  for (const e of [...b.equipment]) {
    if (skipped.has(e.tag) || e.type === "flare" || !needsRelief(b.pack, e)) continue;
    relief(b, e.tag, disposal.tag, disposal.fluid);
  }
}

/**
 * Fuel gas knock-out drum feeding fired items (API RP 556): high-high level trips the burners it
 * feeds (liquid carry-over into burners). Returns the drum's tag; the fuel lines are the caller's.
 */
export function fuelGasDrum(b: PlantBuilder, seq: number): string {
  const drum = b.add({
    type: "vessel",
    name: "Fuel gas knock-out drum",
    hazard: "flammable",
    designPressure: b.rng.step(6, 12, 0.5),
    designTemperature: 80,
    group: "fuel-gas",
    seq,
    scale: "small",
    vertical: true,
  });
  return drum.tag;
}
