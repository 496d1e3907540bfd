import type { EquipmentType } from "../design/types.js";
import type { PlantBuilder } from "./builder.js";

const HOLDERS = new Set<EquipmentType>(["vessel", "tank", "column", "reactor"]);

/**
 * Adds items until the design holds at least the requested count of each type (a generation
 * request's `equipment`). Templates honour the counts they can through their own parameters; what
 * is still missing is added as auxiliary items on a line from a liquid holder of the plant: a pump
 * as a transfer pump (suction from it, discharge with a check valve back to it), anything else on a
 * utility connection. Auxiliary items are atmospheric (0.5 barg), so they need no relief path.
 */
export function topUp(b: PlantBuilder, wanted: ReadonlyMap<EquipmentType, number>): void {
  let k = 0;
  for (const [type, count] of [...wanted].sort((p, q) => (p[0] < q[0] ? -1 : 1))) {
    while (b.count(type) < count) {
      k++;
      const anchor = b.equipment.find((e) => HOLDERS.has(e.type)) ?? b.equipment[0];
      const item = b.add(
        {
          type,
          name: `Auxiliary ${type.replace(/_/g, " ")}`,
          hazard: type === "furnace" ? "fired" : type === "flare" ? "ignition_source" : "none",
          designPressure: type === "pump" ? 6 : 0.5,
          designTemperature: 40,
          group: `extra-${type}-${k}`,
          seq: 60 + k,
          scale: "small",
        },
        8,
      );
      if (!anchor) continue;
      if (type === "pump") {
        b.connect({
          from: { tag: anchor.tag, side: "S", dz: "low" },
          to: { tag: item.tag, side: "W", dz: "low", id: "S" },
          size: 50,
          fluid: "water",
          service: "utility",
          components: [{ type: "gate_valve" }],
        });
        b.connect({
          from: { tag: item.tag, side: "E", dz: "high", id: "D" },
          to: { tag: anchor.tag, side: "S", dz: "mid" },
          size: 50,
          fluid: "water",
          service: "utility",
          components: [{ type: "check_valve" }, { type: "gate_valve" }],
        });
      } else {
        b.connect({
          from: { tag: anchor.tag, side: "S", dz: "low" },
          to: { tag: item.tag, side: "W", dz: "low", id: "IN" },
          size: 50,
          fluid: "water",
          service: "utility",
          components: [{ type: "gate_valve" }],
        });
      }
    }
  }
}
