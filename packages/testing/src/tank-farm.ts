import type { Design } from "@plantgan/core/design";

/**
 * A small tank farm written by hand the way a user's file would read (after parseDesign's
 * defaults): two tanks, two transfer pumps (one turned 90°), an exchanger, a rack, a road, routed and
 * unrouted lines, valves, instruments, a level loop and a low-low interlock.
 */
export function tankFarm(): Design {
  return {
    schemaVersion: "1.0",
    id: "tankfarm-test",
    name: "Tank farm with transfer pumps",
    processClass: "tank_farm",
    site: {
      width: 160,
      depth: 90,
      gridSize: 1,
      windFrom: 270,
      keepOut: [{ id: "road-N", kind: "road", x: 0, y: 82, width: 160, depth: 8 }],
      racks: [{ id: "R1", x: 10, y: 40, length: 140, width: 6, axis: "x", levels: [5, 7] }],
    },
    equipment: [
      {
        tag: "T-101",
        type: "tank",
        x: 30,
        y: 65,
        z: 0,
        rotation: 0,
        footprint: { width: 12, depth: 12, height: 10 },
        hazard: "flammable",
        nozzles: [{ id: "OUT", dx: 0, dy: -6, dz: 0.5, size: 150 }],
      },
      {
        tag: "T-102",
        type: "tank",
        x: 60,
        y: 65,
        z: 0,
        rotation: 0,
        footprint: { width: 12, depth: 12, height: 10 },
        hazard: "flammable",
        nozzles: [{ id: "IN", dx: 0, dy: -6, dz: 8, size: 150 }],
      },
      {
        tag: "P-101A",
        type: "pump",
        x: 22,
        y: 36,
        z: 0,
        rotation: 0,
        footprint: { width: 2, depth: 1, height: 1.2 },
        hazard: "flammable",
        nozzles: [
          { id: "S", dx: -1, dy: 0, dz: 0.4, size: 150 },
          { id: "D", dx: 1, dy: 0, dz: 0.6, size: 100 },
        ],
      },
      {
        tag: "P-101B",
        type: "pump",
        x: 30,
        y: 30,
        z: 0.3,
        rotation: 90,
        footprint: { width: 2, depth: 1, height: 1.2 },
        hazard: "flammable",
        nozzles: [
          { id: "S", dx: -1, dy: 0, dz: 0.4, size: 150 },
          { id: "D", dx: 1, dy: 0, dz: 0.6, size: 100 },
        ],
      },
      {
        tag: "E-101",
        type: "heat_exchanger",
        x: 80,
        y: 30,
        z: 0,
        rotation: 0,
        footprint: { width: 6, depth: 1.5, height: 1.8 },
        hazard: "none",
        nozzles: [],
      },
    ],
    lines: [
      {
        id: "150-P-1001-A1",
        service: "process",
        fluid: "crude",
        from: { tag: "T-101", nozzle: "OUT" },
        to: { tag: "P-101A", nozzle: "S" },
        size: 150,
        spec: "A1",
        rating: "CL150",
        components: [
          { tag: "HV-1001", type: "gate_valve", at: 0.2 },
          { tag: "FV-101", type: "control_valve", at: 0.6 },
        ],
        route: [
          [30, 59, 0.5],
          [30, 40, 0.5],
          [18, 40, 0.5],
          [18, 36, 0.5],
          [21, 36, 0.4],
        ],
      },
      {
        id: "100-P-1002-A1",
        service: "process",
        from: { tag: "P-101A", nozzle: "D" },
        to: { tag: "T-102", nozzle: "IN" },
        size: 100,
        components: [{ type: "check_valve" }],
        route: [
          [23, 36, 0.6],
          [26, 36, 0.6],
          [26, 43, 0.6],
          [26, 43, 7],
          [60, 43, 7],
          [60, 59, 7],
          [60, 59, 8],
        ],
      },
      {
        id: "100-CW-2001",
        service: "cooling_water",
        from: { tag: "P-101B", nozzle: "D" },
        to: { line: "100-P-1002-A1" },
        size: 100,
        components: [],
      },
    ],
    instruments: [
      { tag: "LT-101", on: { tag: "T-101" } },
      { tag: "FT-1001", on: { line: "150-P-1001-A1" } },
    ],
    control: {
      loops: [{ tag: "LIC-101", measurement: "LT-101", finalElement: "FV-101", action: "reverse" }],
      interlocks: [
        { tag: "I-101", cause: { instrument: "LT-101", trip: "LL" }, effects: [{ target: "P-101A", action: "stop" }] },
      ],
    },
  };
}

/** The same plant as a topology only (a P&ID): nothing placed, nothing routed. */
export function topologyOnly(): Design {
  const d = tankFarm();
  return {
    ...d,
    id: "tankfarm-topology",
    site: { ...d.site, keepOut: [], racks: [] },
    equipment: d.equipment.map(({ x: _x, y: _y, ...e }) => e),
    lines: d.lines.map(({ route: _r, ...l }) => l),
  };
}
