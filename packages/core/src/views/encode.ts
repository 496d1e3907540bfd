/**
 * Tensor form of a design for the GAN (DESIGN.md "Encoding"): node features X [nMax×F],
 * adjacency A [R×nMax×nMax] (one slice per relation), node mask [nMax], all Float32Array,
 * row-major. Plain typed arrays: the GAN wraps them in tensors.
 *
 * Rows follow the graph view's node order: equipment, instruments, controllers, components
 * (line by line, in flow order), tees (line by line, from before to). Padding rows are zero.
 *
 * X columns (see `encodingLayout`): node-type one-hot (12 equipment types, 6 instrument
 * classes, 16 component types, controller, tee); footprint width/depth/height ÷ footprintScale;
 * position x ÷ site.width, y ÷ site.depth (0 when unplaced); rotation one-hot; placed flag;
 * hazard one-hot. Size, position, rotation, placed and hazard are zero for non-equipment rows.
 *
 * A slices: pipe segments i→j in flow direction, one slice per DN size class of the segment;
 * then "branch": tee → its branch line's neighbour node (oriented from the tee, the segment
 * itself also sits in its size slice); "mount": instrument → equipment, or instrument → both ends
 * of the first segment of the line it sits on; "signal": instrument → controller; "control":
 * controller → final element; "interlock": cause instrument → each target.
 *
 * `index` keeps what the GAN does not generate (tags, ids, nozzles, line ends, component order,
 * routes, site, control details: the design less its layout) so `decodeDesign` can rebuild it.
 */
import type { Design, PlantDesignInput } from "../design/types.js";
import { ViewError } from "./errors.js";
import { designGraph } from "./graph.js";
import {
  type EncodingLayout,
  type EncodingSpec,
  encodingLayout,
  HAZARDS,
  nodeTypeIndex,
  type ResolvedEncodingSpec,
  ROTATIONS,
  sizeClassOf,
} from "./vocabulary.js";

/** What one row of X stands for, by position in the design. */
export type NodeRef =
  | { readonly kind: "equipment" | "instrument" | "controller"; readonly key: string; readonly at: number }
  | { readonly kind: "component"; readonly key: string; readonly line: number; readonly at: number }
  | { readonly kind: "tee"; readonly key: string; readonly line: number; readonly end: "from" | "to" };

/** Everything an encoding does not carry in X: the design without its layout, and row identities. JSON-safe. */
export interface EncodingIndex {
  /** The design with x/y (of placed equipment) and every rotation removed. */
  readonly design: PlantDesignInput;
  /** Row r of X is `nodes[r]`. */
  readonly nodes: readonly NodeRef[];
}

export interface Encoding {
  /** [nMax×F] node features. */
  readonly X: Float32Array;
  /** [R×nMax×nMax] adjacency, 0 or 1; A[r][i][j] at r·nMax² + i·nMax + j. */
  readonly A: Float32Array;
  /** [nMax] 1 for real rows, 0 for padding. */
  readonly mask: Float32Array;
  readonly nMax: number;
  readonly featureNames: readonly string[];
  readonly relationNames: readonly string[];
  readonly spec: ResolvedEncodingSpec;
  /**
   * Pipe features a binary A cannot tell apart: segments landing on an A entry another segment
   * already set (parallel pipes between two nodes in one size class), tees whose branch
   * neighbour is also their neighbour on the parent line, and tees on no line. 0 means decoding
   * without the index rebuilds the pipe network exactly (up to invented names).
   */
  readonly pipeAmbiguities: number;
  /** Absent on generated samples. */
  readonly index?: EncodingIndex;
}

/** Offsets into X and A for one layout. */
export function xAt(layout: EncodingLayout, row: number, column: number): number {
  return row * layout.F + column;
}

export function aAt(nMax: number, relation: number, i: number, j: number): number {
  return relation * nMax * nMax + i * nMax + j;
}

/**
 * Encodes a parsed design. Throws ViewError "too_many_nodes" when it has more than nMax nodes,
 * "duplicate_key" when two nodes share a tag (or two lines an id), "bad_spec" for a bad spec.
 */
export function encodeDesign(design: Design, spec: EncodingSpec): Encoding {
  const layout = encodingLayout(spec);
  const { nMax, footprintScale, sizeClassBounds } = layout.spec;
  const graph = designGraph(design);
  const duplicate = graph.getAttribute("issues").find((i) => i.code === "duplicate_key");
  if (duplicate) throw new ViewError("duplicate_key", duplicate.message);
  if (graph.order > nMax) {
    throw new ViewError("too_many_nodes", `design ${design.id} has ${graph.order} nodes; nMax is ${nMax}`);
  }

  const X = new Float32Array(nMax * layout.F);
  const A = new Float32Array(layout.R * nMax * nMax);
  const mask = new Float32Array(nMax);
  const rowOf = new Map<string, number>();
  const nodes: NodeRef[] = [];
  const { offsets } = layout;

  graph.forEachNode((key, node) => {
    const row = nodes.length;
    rowOf.set(key, row);
    mask[row] = 1;
    const set = (column: number, value: number): void => {
      X[row * layout.F + column] = value;
    };
    switch (node.kind) {
      case "equipment":
        nodes.push({ kind: "equipment", key, at: node.index });
        set(offsets.type + nodeTypeIndex("equipment", node.type), 1);
        set(offsets.size, node.footprint.width / footprintScale);
        set(offsets.size + 1, node.footprint.depth / footprintScale);
        set(offsets.size + 2, node.footprint.height / footprintScale);
        if (node.placed) {
          set(offsets.position, node.x! / design.site.width);
          set(offsets.position + 1, node.y! / design.site.depth);
          set(offsets.placed, 1);
        }
        set(offsets.rotation + ROTATIONS.indexOf(node.rotation), 1);
        set(offsets.hazard + HAZARDS.indexOf(node.hazard), 1);
        return;
      case "instrument":
        nodes.push({ kind: "instrument", key, at: node.index });
        set(offsets.type + nodeTypeIndex("instrument", node.measures), 1);
        return;
      case "controller":
        nodes.push({ kind: "controller", key, at: node.index });
        set(offsets.type + nodeTypeIndex("controller", "controller"), 1);
        return;
      case "component":
        nodes.push({ kind: "component", key, line: node.lineIndex, at: node.index });
        set(offsets.type + nodeTypeIndex("component", node.type), 1);
        return;
      case "tee":
        nodes.push({ kind: "tee", key, line: node.lineIndex, end: node.end });
        set(offsets.type + nodeTypeIndex("tee", "tee"), 1);
        return;
    }
  });

  const row = (key: string): number => rowOf.get(key)!;
  const mark = (relation: number, i: number, j: number): boolean => {
    const at = aAt(nMax, relation, i, j);
    const fresh = A[at] === 0;
    A[at] = 1;
    return fresh;
  };

  // Pipe segments first: line-mounted instruments need each line's first segment.
  let pipeAmbiguities = 0;
  const firstSegment = new Map<string, { i: number; j: number; segment: number }>();
  graph.forEachEdge((_edge, e, source, target) => {
    if (e.relation !== "process" && e.relation !== "branch") return;
    const i = row(source);
    const j = row(target);
    if (!mark(sizeClassOf(e.size, sizeClassBounds), i, j)) pipeAmbiguities++;
    if (e.relation === "branch") {
      // Oriented from the branch line's own tee, so a tee knows which of its edges is its branch.
      const own = (key: string): boolean => {
        const a = graph.getNodeAttributes(key);
        return a.kind === "tee" && a.line === e.line;
      };
      if (own(source)) mark(layout.slices.branch, i, j);
      if (own(target)) mark(layout.slices.branch, j, i);
    }
    const known = firstSegment.get(e.line);
    if (known === undefined || e.segment < known.segment) firstSegment.set(e.line, { i, j, segment: e.segment });
  });

  // A tee is read back by telling its branch edge from its parent-chain edges.
  graph.forEachNode((key, tee) => {
    if (tee.kind !== "tee") return;
    let branchNeighbour: string | undefined;
    const parentNeighbours: string[] = [];
    graph.forEachEdge(key, (_edge, e, source, target) => {
      if (e.relation !== "process" && e.relation !== "branch") return;
      const other = source === key ? target : source;
      if (e.line === tee.line) branchNeighbour = other;
      else if (e.line === tee.parent) parentNeighbours.push(other);
    });
    const onNoLine = parentNeighbours.length === 0;
    if (onNoLine || (branchNeighbour !== undefined && parentNeighbours.includes(branchNeighbour))) pipeAmbiguities++;
  });

  graph.forEachEdge((_edge, e, source, target) => {
    const i = row(source);
    const j = row(target);
    switch (e.relation) {
      case "mount": {
        mark(layout.slices.mount, i, j);
        const segment = e.line !== undefined ? firstSegment.get(e.line) : undefined;
        if (segment) mark(layout.slices.mount, i, segment.j);
        return;
      }
      case "signal":
      case "control":
      case "interlock":
        mark(layout.slices[e.relation], i, j);
        return;
      default:
        return;
    }
  });

  return {
    X,
    A,
    mask,
    nMax,
    featureNames: layout.featureNames,
    relationNames: layout.relationNames,
    spec: layout.spec,
    pipeAmbiguities,
    index: { design: withoutLayout(design), nodes },
  };
}

/** A JSON-safe copy of the design less what X carries: placed x/y and rotation. */
function withoutLayout(design: Design): PlantDesignInput {
  const copy = structuredClone(design) as unknown as PlantDesignInput;
  for (const e of copy.equipment) {
    if (e.x !== undefined && e.y !== undefined) {
      delete e.x;
      delete e.y;
    }
    delete e.rotation;
  }
  return copy;
}
