import { fc, test } from "@fast-check/vitest";
import { designArbitrary, parsedDesignArbitrary, TANK_FARM } from "@plantgan/testing";
import { describe, expect } from "vitest";
import { type Design, isPlaced, type PlantDesignInput, parseDesign } from "../design/index.js";
import {
  type DecodableEncoding,
  decodeDesign,
  decodeDesignWithReport,
  type Encoding,
  encodeDesign,
  encodingLayout,
  NODE_TYPES,
  snapToGrid,
} from "./index.js";

function parse(input: PlantDesignInput): Design {
  const parsed = parseDesign(input);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  return parsed.data;
}

const SPEC = { nMax: 64 };
const anyPlacement = fc.constantFrom("placed", "topology", "mixed" as const);
const designs = anyPlacement.chain((placement) => parsedDesignArbitrary({ placement }));

/**
 * "Equal up to grid snapping": the decoded document, parsed, deep-equals the original parsed
 * design once each placed equipment's x/y is replaced by the decoded value; and each decoded
 * x/y is on the grid (a multiple of gridSize, to 1e-9), within gridSize/2 of the original
 * (plus float32 noise, 1e-6 of the site), and exactly snapToGrid(original) unless the original
 * sits within 1e-3 cell of a half-cell tie.
 */
function expectEqualUpToSnapping(decoded: PlantDesignInput, original: Design): void {
  const back = parse(decoded);
  const g = original.site.gridSize;
  const noise = 1e-6 * Math.max(original.site.width, original.site.depth);
  const expected = structuredClone(original) as unknown as { equipment: { x?: number; y?: number }[] };
  original.equipment.forEach((e, i) => {
    const got = back.equipment[i]!;
    if (!isPlaced(e)) {
      expect([got.x, got.y]).toEqual([e.x, e.y]);
      return;
    }
    for (const axis of ["x", "y"] as const) {
      const value = got[axis]!;
      expect(Math.abs(value - e[axis])).toBeLessThanOrEqual(g / 2 + noise);
      expect(Math.abs(value / g - Math.round(value / g))).toBeLessThan(1e-9);
      const tie = Math.abs(Math.abs((e[axis] / g) % 1) - 0.5) < 1e-3;
      if (!tie) expect(value).toBe(snapToGrid(e[axis], g));
      expected.equipment[i]![axis] = value;
    }
  });
  expect(back).toEqual(expected);
}

describe("encodingLayout", () => {
  test("names every column and slice", () => {
    const layout = encodingLayout(SPEC);
    expect(NODE_TYPES).toHaveLength(36);
    expect(layout.F).toBe(36 + 3 + 2 + 4 + 1 + 5);
    expect(layout.featureNames.slice(36)).toEqual([
      "size:width",
      "size:depth",
      "size:height",
      "position:x",
      "position:y",
      "rotation:0",
      "rotation:90",
      "rotation:180",
      "rotation:270",
      "placed",
      "hazard:none",
      "hazard:flammable",
      "hazard:toxic",
      "hazard:fired",
      "hazard:ignition_source",
    ]);
    expect(layout.relationNames).toEqual([
      "process:dn<=50",
      "process:dn<=150",
      "process:dn<=300",
      "process:dn>300",
      "branch",
      "mount",
      "signal",
      "control",
      "interlock",
    ]);
  });

  test("refuses a bad spec", () => {
    for (const spec of [
      { nMax: 0 },
      { nMax: 2.5 },
      { nMax: 8, footprintScale: 0 },
      { nMax: 8, sizeClassBounds: [100, 50] },
    ]) {
      expect(() => encodingLayout(spec)).toThrow(expect.objectContaining({ code: "bad_spec" }));
    }
  });
});

describe("encodeDesign", () => {
  const design = parse(TANK_FARM);
  const enc = encodeDesign(design, SPEC);
  const layout = encodingLayout(SPEC);
  const row = (key: string): number => enc.index!.nodes.findIndex((n) => n.key === key);
  const x = (key: string, feature: string): number =>
    enc.X[row(key) * layout.F + layout.featureNames.indexOf(feature)]!;
  const a = (relation: string, from: string, to: string): number =>
    enc.A[layout.relationNames.indexOf(relation) * 64 * 64 + row(from) * 64 + row(to)]!;

  test("orders rows as the graph: equipment, instruments, controllers, components, tees", () => {
    expect(enc.index!.nodes.map((n) => n.key)).toEqual([
      "T-101",
      "P-101A",
      "T-102",
      "V-103",
      "LT-101",
      "FT-101",
      "FIC-101",
      "HV-1001",
      "150-P-1001#1",
      "100-P-1002#0",
      "FV-101",
      "100-P-1002#2",
      "50-P-1003@from",
    ]);
    expect([...enc.mask].reduce((s, v) => s + v, 0)).toBe(13);
    expect(enc.pipeAmbiguities).toBe(0);
  });

  test("writes type, size, position, rotation, placement and hazard", () => {
    expect(x("P-101A", "type:pump")).toBe(1);
    expect(x("P-101A", "size:width")).toBeCloseTo(2 / 50, 6);
    expect(x("P-101A", "position:x")).toBeCloseTo(30.6 / 60, 6);
    expect(x("P-101A", "position:y")).toBeCloseTo(10.2 / 40, 6);
    expect(x("P-101A", "rotation:90")).toBe(1);
    expect(x("P-101A", "placed")).toBe(1);
    expect(x("P-101A", "hazard:flammable")).toBe(1);
    expect(x("V-103", "placed")).toBe(0);
    expect(x("V-103", "position:x")).toBe(0);
    expect(x("LT-101", "type:instrument_level")).toBe(1);
    expect(x("FIC-101", "type:controller")).toBe(1);
    expect(x("FV-101", "type:control_valve")).toBe(1);
    expect(x("FV-101", "size:width")).toBe(0);
    expect(x("50-P-1003@from", "type:tee")).toBe(1);
  });

  test("writes one slice per relation, pipes by the segment's size class", () => {
    expect(a("process:dn<=150", "T-101", "HV-1001")).toBe(1);
    expect(a("process:dn<=150", "FV-101", "100-P-1002#2")).toBe(1);
    expect(a("process:dn<=50", "100-P-1002#2", "50-P-1003@from")).toBe(1);
    expect(a("process:dn<=50", "50-P-1003@from", "V-103")).toBe(1);
    expect(a("branch", "50-P-1003@from", "V-103")).toBe(1);
    expect(a("mount", "LT-101", "T-101")).toBe(1);
    expect(a("mount", "FT-101", "P-101A")).toBe(1);
    expect(a("mount", "FT-101", "100-P-1002#0")).toBe(1);
    expect(a("signal", "FT-101", "FIC-101")).toBe(1);
    expect(a("control", "FIC-101", "FV-101")).toBe(1);
    expect(a("interlock", "LT-101", "P-101A")).toBe(1);
    expect(enc.A.reduce((s, v) => s + v, 0)).toBe(9 + 1 + 3 + 1 + 1 + 1);
  });

  test("throws typed errors", () => {
    expect(() => encodeDesign(design, { nMax: 12 })).toThrow(expect.objectContaining({ code: "too_many_nodes" }));
    const twice = structuredClone(TANK_FARM);
    twice.instruments!.push({ tag: "P-101A", on: { tag: "T-101" } });
    expect(() => encodeDesign(parse(twice), SPEC)).toThrow(expect.objectContaining({ code: "duplicate_key" }));
  });

  test("keeps a JSON-safe index and gives the design back", () => {
    const index = JSON.parse(JSON.stringify(enc.index));
    expect(index).toEqual(enc.index);
    expectEqualUpToSnapping(decodeDesign(enc), design);
    expect(parse(decodeDesign(enc)).equipment[1]).toMatchObject({ x: 31, y: 10 });
  });
});

describe("decodeDesign", () => {
  const design = parse(TANK_FARM);
  const enc = encodeDesign(design, SPEC);
  const { index: _index, ...sample } = enc;
  const context = { site: design.site, processClass: design.processClass, id: "sample-1" };

  test("needs a context, and names that fit the spec", () => {
    expect(() => decodeDesign(sample)).toThrow(expect.objectContaining({ code: "missing_context" }));
    const renamed = { ...enc, featureNames: enc.featureNames.slice(1) };
    expect(() => decodeDesign(renamed)).toThrow(expect.objectContaining({ code: "layout_mismatch" }));
  });

  test("invents tags, nozzles and lines from X and A when there is no index", () => {
    const { design: out, notes } = decodeDesignWithReport(sample, context);
    expect(notes).toEqual([]);
    expect(parseDesign(out).success).toBe(true);
    expect(out.equipment.map((e) => e.tag)).toEqual(["TK-101", "P-102", "TK-103", "V-104"]);
    expect(out.equipment[1]).toMatchObject({ x: 31, y: 10, rotation: 90, hazard: "flammable" });
    expect(out.equipment[1]!.footprint).toEqual({ width: 2, depth: 1, height: 1.2 });
    expect(out.equipment[3]).not.toHaveProperty("x");
    expect(out.lines.map((l) => [l.id, l.from, l.to, l.components?.map((c) => c.tag ?? c.type)])).toEqual([
      ["150-P-1001", { tag: "TK-101", nozzle: "N1" }, { tag: "P-102", nozzle: "N1" }, ["gate_valve", "strainer"]],
      [
        "150-P-1002",
        { tag: "P-102", nozzle: "N2" },
        { tag: "TK-103", nozzle: "N1" },
        ["check_valve", "FV-102", "reducer"],
      ],
      ["50-P-1003", { line: "150-P-1002" }, { tag: "V-104", nozzle: "N1" }, undefined],
    ]);
    expect(out.lines[1]!.components![2]).toEqual({ type: "reducer", size: 50 });
    expect(out.instruments).toEqual([
      { tag: "LT-101", on: { tag: "TK-101" } },
      { tag: "FT-102", on: { line: "150-P-1002" } },
    ]);
    expect(out.control).toEqual({
      loops: [{ tag: "FIC-102", measurement: "FT-102", finalElement: "FV-102" }],
      interlocks: [
        { tag: "I-101", cause: { instrument: "LT-101", trip: "LL" }, effects: [{ target: "P-102", action: "stop" }] },
      ],
    });
  });

  test("drops what cannot be valid and says so", () => {
    const noisy = { ...sample, A: sample.A.slice() };
    const n = 64;
    const layout = encodingLayout(SPEC);
    // Cut the pump suction line after its strainer: that chain now ends in a component.
    const strainer = enc.index!.nodes.findIndex((v) => v.key === "150-P-1001#1");
    noisy.A[1 * n * n + strainer * n + 1] = 0;
    // Unmount LT-101.
    noisy.A[layout.slices.mount * n * n + 4 * n + 0] = 0;
    const { design: out, notes } = decodeDesignWithReport(noisy, context);
    expect(parseDesign(out).success).toBe(true);
    expect(notes.map((note) => note.code)).toEqual(["unused_segment", "dropped_instrument", "dropped_effect"]);
    expect(out.lines).toHaveLength(2);
    expect(out.control?.interlocks).toEqual([]);
  });
});

/** Compares two encodings of one design up to a permutation of rows given by node keys. */
function expectSameTensors(
  a: Encoding,
  keysOfA: readonly (string | undefined)[],
  b: Encoding,
  g: number,
  site: Design["site"],
) {
  const layout = encodingLayout(a.spec);
  const n = a.nMax;
  const rowOfKey = new Map(b.index!.nodes.map((node, r) => [node.key, r]));
  const count = a.index!.nodes.length;
  expect(b.index!.nodes.length).toBe(count);
  const perm = a.index!.nodes.map((_node, r) => rowOfKey.get(keysOfA[r]!));
  expect(perm.every((p) => p !== undefined)).toBe(true);
  for (let r = 0; r < count; r++) {
    const p = perm[r]!;
    for (let f = 0; f < layout.F; f++) {
      const va = a.X[r * layout.F + f]!;
      const vb = b.X[p * layout.F + f]!;
      const name = layout.featureNames[f]!;
      const tolerance =
        name === "position:x" ? g / 2 / site.width + 1e-6 : name === "position:y" ? g / 2 / site.depth + 1e-6 : 2e-5;
      if (Math.abs(va - vb) > tolerance) expect({ row: r, name, va }).toEqual({ row: r, name, va: vb });
    }
  }
  for (let rel = 0; rel < layout.R; rel++) {
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < count; j++) {
        const va = a.A[rel * n * n + i * n + j];
        const vb = b.A[rel * n * n + perm[i]! * n + perm[j]!];
        if (va !== vb)
          expect({ relation: layout.relationNames[rel], from: keysOfA[i], to: keysOfA[j], va }).toEqual({
            relation: layout.relationNames[rel],
            from: keysOfA[i],
            to: keysOfA[j],
            va: vb,
          });
      }
    }
  }
}

describe("round trips on generated designs", () => {
  test.prop([designs], { numRuns: 150 })("decode(encode(d)) is d up to grid snapping", (d) => {
    const enc = encodeDesign(d, SPEC);
    expectEqualUpToSnapping(decodeDesign(enc), d);
  });

  test.prop([designArbitrary({ placement: "mixed" })], { numRuns: 100 })(
    "parseDesign accepts every generated design and every decoded one, with or without the index",
    (input) => {
      const parsed = parseDesign(input);
      expect(parsed.success).toBe(true);
      if (!parsed.success) return;
      const enc = encodeDesign(parsed.data, SPEC);
      expect(parseDesign(decodeDesign(enc)).success).toBe(true);
      const { index: _index, ...sample } = enc;
      const context = { site: parsed.data.site, processClass: parsed.data.processClass };
      expect(parseDesign(decodeDesign(sample, context)).success).toBe(true);
    },
  );

  test.prop([designs], { numRuns: 150 })(
    "without the index, decoding and encoding again gives the same X and A (rows permuted)",
    (d) => {
      const enc = encodeDesign(d, SPEC);
      fc.pre(enc.pipeAmbiguities === 0);
      const { index: _index, ...sample } = enc;
      const result = decodeDesignWithReport(sample, { site: d.site, processClass: d.processClass });
      expect(result.notes).toEqual([]);
      const again = encodeDesign(parse(result.design), SPEC);
      expectSameTensors(enc, result.keys, again, d.site.gridSize, d.site);
    },
  );

  test.prop(
    [
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.double({ min: 0.05, max: 0.6, noNaN: true }),
      fc.double({ min: 0.005, max: 0.1, noNaN: true }),
    ],
    { numRuns: 100 },
  )("random tensors always decode to a valid design", (seed, maskDensity, edgeDensity) => {
    const n = 24;
    const spec = { nMax: n };
    const layout = encodingLayout(spec);
    let state = seed || 1;
    const rand = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 2 ** 32;
    };
    const X = Float32Array.from({ length: n * layout.F }, () => rand() * 1.2 - 0.1);
    const A = Float32Array.from({ length: layout.R * n * n }, () => (rand() < edgeDensity ? 1 : 0));
    const mask = Float32Array.from({ length: n }, () => (rand() < maskDensity ? 1 : 0));
    const sample: DecodableEncoding = {
      X,
      A,
      mask,
      spec,
      featureNames: layout.featureNames,
      relationNames: layout.relationNames,
    };
    const out = decodeDesign(sample, { site: { width: 80, depth: 60, gridSize: 2 }, processClass: "utilities" });
    const parsed = parseDesign(out);
    if (!parsed.success) expect(parsed.issues).toEqual([]);
    // Every reference of the decoded design resolves: its graph view has no issues.
    expect(() => encodeDesign(parse(out), spec)).not.toThrow();
  });
});
