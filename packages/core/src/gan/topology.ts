/**
 * The layout view the shipped GAN learns: a design's equipment and the process lines between
 * equipment nozzles (components, instruments, control and routes left out). Full designs have
 * 45–350 graph nodes (every valve, instrument and tee is a node); their equipment (7–41 items)
 * fits the GAN's nMax, so the GAN places equipment and the rest of the design comes with the
 * topology it is asked to place (pipeline.ts). Pure: no TensorFlow.js.
 */
import { type Design, isNozzleEnd, type PlantDesignInput } from "../design/types.js";
import type { NodeRef } from "../views/encode.js";
import { type Encoding, encodeDesign } from "../views/encode.js";
import type { EncodingSpec } from "../views/vocabulary.js";
import { conditionVector } from "./condition.js";
import { obstacleArray } from "./obstacles.js";
import type { BatchItem } from "./training.js";

/** Equipment and equipment-to-equipment lines only; layout kept. */
export function layoutView(design: Design): Design {
  return {
    ...design,
    lines: design.lines
      .filter((l) => isNozzleEnd(l.from) && isNozzleEnd(l.to))
      .map(({ route: _route, ...l }) => ({ ...l, components: [] })),
    instruments: [],
    control: { loops: [], interlocks: [] },
  };
}

/** The design without its layout: no equipment positions or rotations, no routes. */
export function stripLayout(design: Design | PlantDesignInput): PlantDesignInput {
  const copy = structuredClone(design) as PlantDesignInput & {
    equipment: { x?: number; y?: number; rotation?: number }[];
    lines: { route?: unknown }[];
  };
  for (const e of copy.equipment) {
    delete e.x;
    delete e.y;
    delete e.rotation;
  }
  for (const l of copy.lines) delete l.route;
  return copy;
}

/** A training item: the layout view encoded, with the design's condition. Undefined when it does not fit. */
export function layoutItem(design: Design, spec: EncodingSpec): BatchItem | undefined {
  if (design.equipment.length > spec.nMax) return undefined;
  try {
    return batchItem(encodeDesign(layoutView(design), spec), design);
  } catch {
    return undefined;
  }
}

/** Index rows for decoding generated positions onto a full topology: row r = equipment r. */
export function equipmentRows(design: Design | PlantDesignInput, nMax: number): NodeRef[] {
  return design.equipment.slice(0, nMax).map((e, at) => ({ kind: "equipment" as const, key: e.tag, at }));
}

/**
 * What the layout generator is given to place: the layout view of a topology (positions are not
 * read), its first nMax equipment rows only, with the site's obstacles. Rows follow `equipmentRows`.
 */
export function topologyItem(design: Design, spec: EncodingSpec): BatchItem {
  const kept = new Set(design.equipment.slice(0, spec.nMax).map((e) => e.tag));
  const view = layoutView(design);
  const trimmed: Design = {
    ...view,
    equipment: view.equipment.filter((e) => kept.has(e.tag)),
    lines: view.lines.filter(
      (l) => isNozzleEnd(l.from) && isNozzleEnd(l.to) && kept.has(l.from.tag) && kept.has(l.to.tag),
    ),
  };
  return batchItem(encodeDesign(trimmed, spec), design);
}

/** An encoding with the design's condition and site obstacles. */
function batchItem(enc: Pick<Encoding, "X" | "A" | "mask">, design: Design): BatchItem {
  return {
    X: enc.X,
    A: enc.A,
    mask: enc.mask,
    condition: conditionVector(design),
    obstacles: obstacleArray(design.site),
  };
}
