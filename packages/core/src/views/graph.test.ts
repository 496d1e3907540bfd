import { fc, test } from "@fast-check/vitest";
import { parsedDesignArbitrary, TANK_FARM } from "@plantgan/testing";
import { describe, expect } from "vitest";
import { type Design, type PlantDesignInput, parseDesign } from "../design/index.js";
import { designGraph, type PipeEdgeAttributes, type PlantGraph } from "./index.js";

function parse(input: PlantDesignInput): Design {
  const parsed = parseDesign(input);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  return parsed.data;
}

function pipeEdges(graph: PlantGraph, line: string): { source: string; target: string; a: PipeEdgeAttributes }[] {
  const out: { source: string; target: string; a: PipeEdgeAttributes }[] = [];
  graph.forEachEdge((_e, a, source, target) => {
    if ((a.relation === "process" || a.relation === "branch") && a.line === line) out.push({ source, target, a });
  });
  return out.sort((x, y) => x.a.segment - y.a.segment);
}

describe("designGraph", () => {
  const graph = designGraph(parse(TANK_FARM));

  test("has one node per equipment, instrument, component, controller and branch end", () => {
    expect(graph.order).toBe(4 + 2 + 5 + 1 + 1);
    expect(graph.getNodeAttributes("P-101A")).toMatchObject({ kind: "equipment", type: "pump", x: 30.6, rotation: 90 });
    expect(graph.getNodeAttributes("V-103")).toMatchObject({ kind: "equipment", placed: false });
    expect(graph.getNodeAttributes("V-103")).not.toHaveProperty("x");
    expect(graph.getNodeAttributes("150-P-1001#1")).toMatchObject({ kind: "component", type: "strainer", index: 1 });
    expect(graph.getNodeAttributes("FV-101")).toMatchObject({ kind: "component", line: "100-P-1002", index: 1 });
    expect(graph.getNodeAttributes("FIC-101")).toMatchObject({ kind: "controller", action: "reverse" });
    expect(graph.getNodeAttributes("LT-101")).toMatchObject({ kind: "instrument", measures: "level" });
    expect(graph.getNodeAttributes("50-P-1003@from")).toMatchObject({ kind: "tee", parent: "100-P-1002", end: "from" });
    expect(graph.getAttribute("issues")).toEqual([]);
  });

  test("runs a line through its components, then its tees, with reducer sizes and nozzles", () => {
    const segments = pipeEdges(graph, "100-P-1002");
    expect(segments.map((s) => [s.source, s.target, s.a.size])).toEqual([
      ["P-101A", "100-P-1002#0", 100],
      ["100-P-1002#0", "FV-101", 100],
      ["FV-101", "100-P-1002#2", 100],
      ["100-P-1002#2", "50-P-1003@from", 50],
      ["50-P-1003@from", "T-102", 50],
    ]);
    expect(segments.every((s) => s.a.relation === "process" && s.a.segments === 5)).toBe(true);
    expect(segments[0]!.a.fromNozzle).toBe("D");
    expect(segments[4]!.a.toNozzle).toBe("IN");
    const branch = pipeEdges(graph, "50-P-1003");
    expect(branch).toHaveLength(1);
    expect(branch[0]).toMatchObject({ source: "50-P-1003@from", target: "V-103" });
    expect(branch[0]!.a).toMatchObject({ relation: "branch", service: "drain", toNozzle: "IN" });
    expect(branch[0]!.a).not.toHaveProperty("fromNozzle");
  });

  test("links instruments, controllers and interlocks", () => {
    const links = graph
      .filterEdges((_e, a) => a.relation !== "process" && a.relation !== "branch")
      .map((e) => [graph.source(e), graph.target(e), graph.getEdgeAttributes(e)]);
    expect(links).toEqual([
      ["LT-101", "T-101", { relation: "mount" }],
      ["FT-101", "P-101A", { relation: "mount", line: "100-P-1002" }],
      ["FT-101", "FIC-101", { relation: "signal", loop: "FIC-101" }],
      ["FIC-101", "FV-101", { relation: "control", loop: "FIC-101" }],
      ["LT-101", "P-101A", { relation: "interlock", interlock: "I-101", trip: "LL", action: "stop", effect: 0 }],
    ]);
  });

  test("lists dangling references and duplicate keys instead of throwing", () => {
    const broken = structuredClone(TANK_FARM);
    broken.equipment.push({ tag: "T-101", type: "tank", footprint: { width: 1, depth: 1, height: 1 } });
    broken.lines.push({ id: "50-P-1009", from: { tag: "P-999", nozzle: "X" }, to: { line: "nope" }, size: 50 });
    broken.lines.push({ id: "50-P-1010", from: { line: "50-P-1010" }, to: { tag: "T-102", nozzle: "IN" }, size: 50 });
    broken.lines.push({ ...broken.lines[0]! });
    broken.instruments!.push({ tag: "PT-102", on: { line: "ghost" } });
    broken.control!.loops!.push({ tag: "PIC-102", measurement: "PT-999", finalElement: "PV-999" });
    const g = designGraph(parse(broken));
    const codes = g.getAttribute("issues").map((i) => `${i.code}:${"ref" in i ? i.ref : i.key}`);
    expect(codes).toEqual([
      "duplicate_key:T-101",
      "duplicate_key:150-P-1001",
      "unresolved_reference:nope",
      "unresolved_reference:50-P-1010",
      "unresolved_reference:P-999",
      "unresolved_reference:ghost",
      "unresolved_reference:PT-999",
      "unresolved_reference:PV-999",
    ]);
    // The unresolved ends drop only the segments that touch them.
    expect(pipeEdges(g, "50-P-1009")).toEqual([]);
    expect(pipeEdges(g, "50-P-1010").map((s) => s.target)).toEqual(["T-102"]);
  });
});

/** Expected counts from the design alone (for designs whose references all resolve). */
function expectedCounts(d: Design) {
  const branchEnds = d.lines.flatMap((l) => [l.from, l.to]).filter((e) => "line" in e);
  const teesOn = (id: string) => branchEnds.filter((e) => "line" in e && e.line === id).length;
  let pipes = 0;
  let branchEdges = 0;
  for (const l of d.lines) {
    const segments = l.components.length + teesOn(l.id) + 1;
    pipes += segments;
    const ends = Number("line" in l.from) + Number("line" in l.to);
    branchEdges += segments === 1 ? Math.min(1, ends) : ends;
  }
  return {
    nodes:
      d.equipment.length +
      d.instruments.length +
      d.control.loops.length +
      d.lines.reduce((n, l) => n + l.components.length, 0) +
      branchEnds.length,
    process: pipes - branchEdges,
    branch: branchEdges,
    mount: d.instruments.length,
    signal: d.control.loops.length,
    control: d.control.loops.length,
    interlock: d.control.interlocks.reduce((n, i) => n + i.effects.length, 0),
  };
}

describe("designGraph on generated designs", () => {
  test.prop(
    [fc.oneof(parsedDesignArbitrary({ placement: "placed" }), parsedDesignArbitrary({ placement: "topology" }))],
    {
      numRuns: 150,
    },
  )("node and edge counts match the design's counts", (d) => {
    const g = designGraph(d);
    expect(g.getAttribute("issues")).toEqual([]);
    const counts: Record<string, number> = { process: 0, branch: 0, mount: 0, signal: 0, control: 0, interlock: 0 };
    g.forEachEdge((_e, a) => {
      counts[a.relation] = (counts[a.relation] ?? 0) + 1;
    });
    const { nodes, ...edges } = expectedCounts(d);
    expect(g.order).toBe(nodes);
    expect(counts).toEqual(edges);
  });
});
