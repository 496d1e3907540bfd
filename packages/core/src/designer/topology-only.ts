import { DEFAULT_RULE_PACK } from "../design/rule-pack.js";
import type { PlantDesignInput, Site } from "../design/types.js";
import { assembleTopology } from "./assemble.js";
import { DESIGNER_VERSION, type DesignerRequest } from "./designer.js";
import { drawTopology, wantedCounts } from "./draw.js";
import { DESIGNER_GRID } from "./placement.js";

/** What the topology-only designer reads of a designer request, and the site to put the P&ID on. */
export interface TopologyRequest
  extends Pick<DesignerRequest, "processClass" | "seed" | "id" | "name" | "pack" | "equipment" | "style"> {
  /** The site the topology is for (the request's): copied into the document as given. */
  readonly site: PlantDesignInput["site"];
  /** Which of the seed's sub-seeds to draw; default 0, the one the full designer tries first. */
  readonly attempt?: number;
}

/**
 * The designer's P&ID for a seed with no layout: template, top-up and tank shell valves under the
 * pack, never placed, legalised, routed or validated (spec mode places it on the request's site
 * itself). Equal to the full designer's design, layout stripped, whenever the full designer's
 * attempt `attempt` passed; the full designer goes on to the next sub-seed when its own layout of
 * the P&ID fails, which says nothing about the P&ID, so this one does not.
 */
export function designTopology(request: TopologyRequest): PlantDesignInput {
  const attempt = request.attempt ?? 0;
  const pack = request.pack ?? DEFAULT_RULE_PACK;
  const { topology, drawn } = drawTopology(
    request.processClass,
    request.seed,
    attempt,
    pack,
    wantedCounts(request.equipment),
  );
  // The full designer's nozzles sit on its own plot's grid, whatever site the topology goes to.
  const grid = request.style?.gridSize ?? DESIGNER_GRID;
  return assembleTopology(topology, structuredClone(request.site) as Site, grid, {
    id: request.id ?? `${request.processClass}-${request.seed}`,
    name: request.name ?? drawn,
    processClass: request.processClass,
    metadata: { generator: "plantgan-designer", generatorVersion: DESIGNER_VERSION, seed: request.seed, attempt },
  }) as PlantDesignInput;
}
