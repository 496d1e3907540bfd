import type { Design, Equipment, Line, Nozzle, ProcessClass, Site } from "../design/types.js";
import type { Topology } from "./builder.js";
import type { EquipmentDraft } from "./catalogue.js";
import type { Placement } from "./placement.js";

/**
 * Nozzle offsets in the item's own frame: the nozzles of one side spread evenly along it, in the
 * order they were made, at the side's edge. Along the side they sit on whole grid steps from the
 * centre (which the legaliser puts on a grid node), so that each nozzle's pipe leaves along its own
 * grid line; a side too short for that spreads them evenly instead.
 */
export function nozzleOffsets(e: EquipmentDraft, grid: number): Nozzle[] {
  const { width, depth } = e.footprint;
  const bySide = new Map<string, number>();
  const count = new Map<string, number>();
  for (const n of e.nozzles) count.set(n.side, (count.get(n.side) ?? 0) + 1);
  return e.nozzles.map((n) => {
    const k = bySide.get(n.side) ?? 0;
    bySide.set(n.side, k + 1);
    const m = count.get(n.side)!;
    const along = (length: number) => spread(length, m, k, grid);
    let dx: number;
    let dy: number;
    switch (n.side) {
      case "W":
        [dx, dy] = [r2(-width / 2), along(depth)];
        break;
      case "E":
        [dx, dy] = [r2(width / 2), along(depth)];
        break;
      case "S":
        [dx, dy] = [along(width), r2(-depth / 2)];
        break;
      default:
        [dx, dy] = [along(width), r2(depth / 2)];
    }
    return { id: n.id, dx, dy, dz: n.dz, size: n.size, rating: n.rating };
  });
}

/** Position of nozzle k of m along a side of `length`: grid steps about the centre when they fit. */
function spread(length: number, m: number, k: number, grid: number): number {
  // Grid positions strictly inside the side (a nozzle at a corner would face two ways).
  const slots = 2 * Math.floor((length / 2 - 0.2) / grid) + 1;
  if (slots >= m) {
    const step = Math.max(1, Math.floor((slots - 1) / Math.max(1, m - 1)));
    const first = -Math.floor(((m - 1) * step) / 2);
    return r2((first + k * step) * grid);
  }
  return r2(-length / 2 + (length * (k + 1)) / (m + 1));
}

function r2(v: number): number {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? 0 : r;
}

export interface AssembleInfo {
  readonly id: string;
  readonly name: string;
  readonly processClass: ProcessClass;
  readonly metadata: Readonly<Record<string, string | number | boolean>>;
}

/** The design document (defaults filled, as parseDesign gives it) of a placed P&ID. */
export function assemble(topology: Topology, placement: Placement, info: AssembleInfo): Design {
  const document = assembleTopology(topology, placement.site, placement.site.gridSize, info);
  return {
    ...document,
    // x, y and rotation go in after the name, where parseDesign's output has them.
    equipment: document.equipment.map(({ tag, type, name, z, ...rest }) => {
      const p = placement.positions.get(tag);
      const named = name !== undefined ? { name } : {};
      return { tag, type, ...named, ...(p ? { x: p.x, y: p.y } : {}), z, rotation: p?.rotation ?? 0, ...rest };
    }),
  };
}

/** An unplaced item: the Equipment of a design with no x, y or rotation (a topology). */
type UnplacedEquipment = Omit<Equipment, "x" | "y" | "rotation">;

/**
 * The topology-only document of a P&ID on `site`: no positions, rotations or routes. Nozzle offsets
 * sit on whole steps of `nozzleGrid` (the grid a placement would snap the items to).
 */
export function assembleTopology(
  topology: Topology,
  site: Site,
  nozzleGrid: number,
  info: AssembleInfo,
): Omit<Design, "equipment"> & { equipment: UnplacedEquipment[] } {
  const equipment: UnplacedEquipment[] = topology.equipment.map((d) => ({
    tag: d.tag,
    type: d.type,
    name: d.name,
    z: 0,
    footprint: { ...d.footprint },
    hazard: d.hazard,
    ...(d.designPressure !== undefined ? { designPressure: d.designPressure } : {}),
    ...(d.designTemperature !== undefined ? { designTemperature: d.designTemperature } : {}),
    nozzles: nozzleOffsets(d, nozzleGrid),
  }));
  const lines: Line[] = topology.lines.map((l) => ({
    id: l.id,
    service: l.service,
    fluid: l.fluid,
    from: { ...l.from },
    to: { ...l.to },
    size: l.size,
    spec: l.spec,
    rating: l.rating,
    components: l.components.map((c) => ({ ...c })),
  }));
  return {
    schemaVersion: "1.0",
    id: info.id,
    name: info.name,
    processClass: info.processClass,
    site,
    equipment,
    lines,
    instruments: topology.instruments.map((i) => ({ ...i })),
    control: {
      loops: topology.loops.map((l) => ({ ...l, action: l.action ?? "reverse" })),
      interlocks: topology.interlocks.map((i) => ({ ...i })),
    },
    metadata: { ...info.metadata },
  };
}
