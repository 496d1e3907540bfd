import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { type PlantDesignInput, parseDesign, RATINGS } from "../../design/index.js";
import { applyHouseConventions } from "../../eval/house-conventions.js";
import { controlValveStations } from "../../eval/motifs.js";
import { validateDesign } from "../../validate/index.js";
import { decodeSlotGraph } from "./decode.js";
import { encodeSlotGraph } from "./encode.js";
import { defaultSlotGraphSpec, edgeStride, RowWriter, type SlotGraph } from "./spec.js";

const VAL = fileURLToPath(new URL("../../../../../datasets/synthetic-v1/val.ndjson.gz", import.meta.url));
const designs: PlantDesignInput[] = gunzipSync(readFileSync(VAL))
  .toString("utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .slice(0, 10)
  .map((l) => JSON.parse(l) as PlantDesignInput);
const first = designs[0] as PlantDesignInput;
const spec = defaultSlotGraphSpec();
const context = (d: PlantDesignInput) => ({ processClass: d.processClass, site: d.site, id: d.id });

/** A deterministic stand-in for a generator's soft output: ones become 0.6–0.9, zeros 0.0–0.4. */
function soften(values: Float32Array, seed: number): Float32Array {
  let s = seed;
  const next = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return values.map((v) => (v === 1 ? 0.6 + 0.3 * next() : v === 0 ? 0.4 * next() : v));
}

describe("decodeSlotGraph", () => {
  it("reads soft rows (argmax, > 0.5) as the hard rows they round to", () => {
    for (const [k, d] of designs.entries()) {
      const hard = encodeSlotGraph(d, spec);
      // Continuous columns (sizes, pressures) are kept: softening them would change the values.
      const continuous = new Set<number>();
      for (const g of spec.nodeGroups)
        if (g.kind === "continuous") for (let c = 0; c < g.size; c++) continuous.add(g.offset + c);
      const nodes = soften(hard.nodes, k + 1).map((v, at) =>
        continuous.has(at % spec.nodeWidth) ? (hard.nodes[at] as number) : v,
      );
      const soft: SlotGraph = { ...hard, nodes, mask: soften(hard.mask, k + 2), edges: soften(hard.edges, k + 3) };
      expect(decodeSlotGraph(soft, spec, context(d))).toEqual(decodeSlotGraph(hard, spec, context(d)));
    }
  });

  it("expands house conventions the templates lack: block valves and a bypass around a control valve", () => {
    // pump_station-0028 with its flow control valve FV-101 given block valves and a globe-valve bypass.
    const cvLine = first.lines.find((l) =>
      l.components?.some((c) => c.tag === "FV-101"),
    ) as PlantDesignInput["lines"][number];
    const components = [...(cvLine.components ?? []), { type: "gate_valve" as const }];
    const bypass = {
      id: "200-P-1099-C1",
      from: { line: cvLine.id },
      to: { line: cvLine.id },
      size: 200,
      rating: cvLine.rating,
      components: [{ type: "globe_valve" as const }],
    } as PlantDesignInput["lines"][number];
    const variant: PlantDesignInput = {
      ...first,
      lines: [...first.lines.map((l) => (l === cvLine ? { ...l, components } : l)), bypass],
    };
    const out = decodeSlotGraph(encodeSlotGraph(variant, spec), spec, context(variant));
    const cv = out.lines.find((l) => l.components?.some((c) => c.type === "control_valve" && c.tag?.startsWith("FV")));
    expect(cv?.components?.map((c) => c.type)).toEqual([
      "check_valve",
      "gate_valve",
      "orifice",
      "control_valve",
      "gate_valve",
    ]);
    const decodedBypass = out.lines.find((l) => l.components?.some((c) => c.type === "globe_valve"));
    expect(decodedBypass).toMatchObject({ from: { line: cv?.id }, to: { line: cv?.id }, size: 200 });
    const parsed = parseDesign(out);
    expect(parsed.success).toBe(true);
  });

  it("tees a bypass back into its control valve's line where that line tees into a header", () => {
    // Water treatment: each filter's outlet with its flow control valve tees into the first
    // filter's line; the house (eval/house-conventions.ts) adds blocks and a bypass around each
    // valve. The bypass's far end follows the valve's line through its tee, so the first plain line
    // at that item and mark is the header: the bypass is the second line of the valve's pair and
    // tees into that pair's first line at both ends.
    const plants = gunzipSync(readFileSync(VAL))
      .toString("utf8")
      .split("\n")
      .filter((l) => l.includes('"water_treatment"'))
      .slice(0, 5)
      .map((l) => applyHouseConventions(JSON.parse(l) as PlantDesignInput, ["controlValveStations"]));
    let teedValves = 0;
    for (const d of plants) {
      const valves = d.lines.filter((l) => l.components?.some((c) => c.type === "control_valve"));
      teedValves += valves.filter((l) => "line" in l.to).length;
      const parsed = parseDesign(decodeSlotGraph(encodeSlotGraph(d, spec), spec, context(d)));
      if (!parsed.success) throw new Error(`${d.id} does not parse after the round trip`);
      const stations = controlValveStations(parsed.data);
      expect(stations).toHaveLength(valves.length);
      expect(stations.filter((st) => !st.bypass || !st.blocksBothSides)).toEqual([]);
    }
    expect(teedValves).toBeGreaterThan(0);
  });

  it("expands random soft graphs (an untrained generator's output) into designs that parse", () => {
    // Uniform noise in every column, continuous columns included (some outside [0, 1]).
    for (const seed of [1, 2, 3, 4, 5]) {
      const g = encodeSlotGraph(first, spec);
      const noisy: SlotGraph = {
        ...g,
        nodes: soften(new Float32Array(g.nodes.length), seed).map((v) => v * 3 - 0.5),
        mask: soften(new Float32Array(g.mask.length), seed + 10).map((v) => v * 2.5),
        edges: soften(new Float32Array(g.edges.length), seed + 20).map((v) => v * 1.5),
      };
      const out = decodeSlotGraph(noisy, spec, context(first));
      expect(out.equipment.length).toBeGreaterThan(0);
      expect(out.lines.length).toBeGreaterThan(0);
      const parsed = parseDesign(out);
      expect(parsed.success ? [] : parsed.issues.slice(0, 5)).toEqual([]);
    }
  });

  it("tags a spare set with one number and letters, and keeps A/B pumps stopped by one low-low trip", () => {
    const out = decodeSlotGraph(encodeSlotGraph(first, spec), spec, context(first));
    expect(out.equipment.map((e) => e.tag)).toEqual([
      "P-101A",
      "P-101B",
      "P-101C",
      "P-102A",
      "P-102B",
      "V-101",
      "V-102",
      "V-103",
      "TK-101",
      "F-101",
    ]);
    const tankTrip = out.control?.interlocks?.find(
      (i) => i.cause.trip === "LL" && i.cause.instrument.startsWith("LZT"),
    );
    expect(tankTrip?.effects).toEqual([
      { target: "P-102A", action: "stop" },
      { target: "P-102B", action: "stop" },
    ]);
  });

  it("makes a parseable design with no topology error from a graph with only equipment", () => {
    const g = encodeSlotGraph(first, spec);
    const bare: SlotGraph = { ...g, edges: new Float32Array(g.edges.length) };
    const out = decodeSlotGraph(bare, spec, context(first));
    expect(out.lines).toEqual([]);
    const parsed = parseDesign(out);
    if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
    // Without lines the items are unconnected and loops lose their valves: the validator says so.
    const rules = new Set(validateDesign(parsed.data).violations.map((v) => v.rule));
    expect(rules.has("consistency.unconnected-equipment")).toBe(true);
  });

  it("adds the transmitter a loop needs when the graph asks for a loop without one", () => {
    const g = encodeSlotGraph(first, spec);
    const edges = g.edges.slice();
    const stride = edgeStride(spec);
    // Remove the flow transmitter count from every line; the FIC loops remain.
    const ft = spec.edgeGroups.filter((x) => x.name.endsWith("instrument.FT"));
    for (let cell = 0; cell < spec.nMax * spec.nMax; cell++) {
      if (edges[cell * stride] !== 1) continue;
      for (const grp of ft) {
        const at = cell * stride + 1 + grp.offset;
        if ((edges[at + 1] as number) === 1) {
          edges[at + 1] = 0;
          edges[at] = 1;
        }
      }
    }
    const out = decodeSlotGraph({ ...g, edges }, spec, context(first));
    const fic = out.control?.loops?.find((l) => l.tag.startsWith("FIC"));
    expect(fic).toBeDefined();
    expect(out.instruments?.some((i) => i.tag === fic?.measurement)).toBe(true);
  });
  it("with the contract, a branch rated apart from its header keeps its class at the item and meets the header through a spec break", () => {
    // Every val design: each line that leaves an item and tees into another line is re-rated CL900,
    // with no spec break of its own.
    const stride = edgeStride(spec);
    const writer = (g: SlotGraph) => new RowWriter(spec.edgeGroups, g.edges, stride, 1);
    let branches = 0;
    for (const d of designs) {
      const g = encodeSlotGraph(d, spec);
      const edge = writer(g);
      for (let cell = 0; cell < spec.nMax * spec.nMax; cell++) {
        if (g.edges[cell * stride] !== 1) continue;
        edge.row(cell);
        if (edge.get("line1.toTee", 0) !== 1 || edge.get("line1.fromTee", 0) !== 0) continue;
        edge.oneHot("line1.rating", RATINGS.indexOf("CL900") + 1);
        edge.oneHot("line1.specBreak", 0);
        edge.oneHot("line1.reliefSpecBreak", 0);
      }
      const out = decodeSlotGraph(g, spec, { ...context(d), contract: true });
      const parsed = parseDesign(out);
      if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
      const byId = new Map(out.lines.map((l) => [l.id, l]));
      for (const line of out.lines) {
        if (!("tag" in line.from) || !("line" in line.to) || line.rating !== "CL900") continue;
        const header = byId.get(line.to.line)!;
        if (header.rating === "CL900") continue;
        branches++;
        // The item's nozzle takes CL900; the last spec break is the header's class.
        const nozzle = out.equipment
          .find((e) => e.tag === (line.from as { tag: string }).tag)!
          .nozzles!.find((n) => n.id === (line.from as { nozzle: string }).nozzle);
        expect(nozzle?.rating).toBe("CL900");
        expect(line.components?.filter((c) => c.type === "spec_break").at(-1)?.rating).toBe(header.rating);
      }
      const mismatched = validateDesign(parsed.data).violations.filter((v) => v.rule === "piping.rating-match");
      expect(mismatched).toEqual([]);
    }
    expect(branches).toBeGreaterThan(5);
  });
});
