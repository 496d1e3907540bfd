import { readFileSync } from "node:fs";
import type { PlantDesignInput } from "@plantgan/core/design";

/**
 * The generation request the API tests and benches send: a small pump station (two pumps, a
 * tank) on a 120 × 80 m site, which the shipped model serves quickly.
 */
export function pumpStationRequest(count: number, seed: number) {
  return {
    schemaVersion: "1.0",
    processClass: "pump_station",
    site: { width: 120, depth: 80 },
    equipment: [
      { type: "pump", count: 2 },
      { type: "tank", count: 1 },
    ],
    count,
    seed,
  };
}

/** A topology-mode request: the drawing (an imported P&ID, an example) placed on its own site. */
export function topologyModeRequest(
  topology: PlantDesignInput,
  count: number,
  seed: number,
): Pick<PlantDesignInput, "processClass" | "site"> & {
  schemaVersion: string;
  mode: "topology";
  topology: PlantDesignInput;
  count: number;
  seed: number;
} {
  return {
    schemaVersion: "1.0",
    mode: "topology",
    processClass: topology.processClass,
    site: topology.site,
    topology,
    count,
    seed,
  };
}

/**
 * The shipped tank-farm example (datasets/examples/tank-farm.json) as a drawing that leaves out
 * TK-101's vent (its VENT nozzle renamed N9): a rule the drawing itself breaks, which no layout
 * can mend, so a topology-mode candidate reports it as inherited.
 */
export function tankFarmWithoutVent(): PlantDesignInput {
  const design = JSON.parse(
    readFileSync(new URL("../../../datasets/examples/tank-farm.json", import.meta.url), "utf8"),
  ) as PlantDesignInput;
  return {
    ...design,
    equipment: design.equipment.map((e) =>
      e.tag === "TK-101"
        ? { ...e, nozzles: (e.nozzles ?? []).map((n) => (n.id === "VENT" ? { ...n, id: "N9" } : n)) }
        : e,
    ),
  };
}
