/**
 * Small valid designs for the API tests: a tank feeding a pump through one line, on a plot,
 * with one instrument and a control loop. `n` varies the id and positions.
 */
export function makeDesign(id: string, n = 0): Record<string, unknown> {
  return {
    schemaVersion: "1.0",
    id,
    name: `Transfer station ${n}`,
    processClass: n % 2 === 0 ? "pump_station" : "tank_farm",
    site: { width: 60 + (n % 10), depth: 40, gridSize: 1, windFrom: 270 },
    equipment: [
      {
        tag: "T-101",
        type: "tank",
        x: 15,
        y: 20,
        footprint: { width: 10, depth: 10, height: 8 },
        hazard: "flammable",
        nozzles: [{ id: "OUT", dx: 5, dy: 0, dz: 0.5, size: 150 }],
      },
      {
        tag: "P-101A",
        type: "pump",
        x: 35 + (n % 5),
        y: 20,
        footprint: { width: 2, depth: 1, height: 1.2 },
        nozzles: [{ id: "S", dx: -1, dy: 0, dz: 0.4, size: 150 }],
      },
    ],
    lines: [
      {
        id: "150-P-1001-A1",
        service: "process",
        from: { tag: "T-101", nozzle: "OUT" },
        to: { tag: "P-101A", nozzle: "S" },
        size: 150,
        components: [{ tag: "HV-1001", type: "gate_valve" }],
      },
    ],
    instruments: [{ tag: "LT-101", on: { tag: "T-101" } }],
  };
}

export function ndjson(designs: readonly unknown[]): string {
  return `${designs.map((d) => JSON.stringify(d)).join("\n")}\n`;
}
