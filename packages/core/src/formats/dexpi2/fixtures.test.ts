// The DEXPI 2.0 example series (shared/fixtures/dexpi2): equipment, lines and instruments counted
// here from the XML with a plain object parse, against what the importer makes of each file.
import { readdirSync, readFileSync } from "node:fs";
import { describeWithFixtures, fixturePath } from "@plantgan/testing/fixtures";
import { XMLParser } from "fast-xml-parser";
import { expect, it } from "vitest";
import { parseDesign } from "../../design/index.js";
import { readDesigns } from "../read.js";
import { importDexpi2 } from "./index.js";

type Obj = {
  id?: string;
  type: string;
  itemTag?: string;
  /** Function letters of an instrumentation function ("IC", "ST"). */
  letters?: string;
  props: Map<string, Obj[]>;
  refs: Map<string, string[]>;
};

/** Every <Object> of the file, with its component objects and references by property. */
function objects(xml: string): Obj[] {
  const tree = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
  }).parse(xml);
  const all: Obj[] = [];
  const visit = (node: Record<string, unknown>): Obj => {
    const tagData = ((node.Data as Record<string, unknown>[] | undefined) ?? []).find(
      (d) => d.property === "DiscProfile/ItemTag",
    );
    const itemTag = (tagData?.String as unknown[] | undefined)?.[0];
    const lettersData = ((node.Data as Record<string, unknown>[] | undefined) ?? []).find(
      (d) => d.property === "ProcessInstrumentationFunctions",
    );
    const letters = (lettersData?.String as unknown[] | undefined)?.[0];
    const o: Obj = {
      ...(typeof node.id === "string" ? { id: node.id } : {}),
      type: node.type as string,
      ...(typeof itemTag === "string" ? { itemTag } : {}),
      ...(typeof letters === "string" ? { letters } : {}),
      props: new Map(),
      refs: new Map(),
    };
    all.push(o);
    for (const c of (node.Components as Record<string, unknown>[] | undefined) ?? []) {
      o.props.set(c.property as string, ((c.Object as Record<string, unknown>[]) ?? []).map(visit));
    }
    for (const r of (node.References as Record<string, string>[] | undefined) ?? []) {
      o.refs.set(
        r.property!,
        r.objects!.split(" ").map((x) => x.replace("#", "")),
      );
    }
    return o;
  };
  for (const o of tree.Model[0].Object ?? []) visit(o);
  return all;
}

interface Expected {
  equipment: number;
  /** Per group of joined segments: nozzles it reaches and its open ends (ends at no nozzle nor joint). */
  groups: { nozzles: Set<string>; open: number }[];
  /** Segment ends at a piping off-page connector. */
  connectors: number;
  /** Loop functions holding a controller (letters ending in C) that actuates something. */
  controlLoops: number;
  sensing: number;
}

/**
 * Equipment: objects owning nozzles. Piping: segments joined where they share an end item that is
 * no nozzle; a tree with n leaves (nozzles and open ends: an end at nothing, or at an item only one
 * segment end meets, such as an off-page connector) is n - 1 lines (one run, the rest branches).
 * Instruments: functions with a sensing location.
 */
function expected(xml: string): Expected {
  const all = objects(xml);
  const nozzleIds = new Set(all.filter((o) => /\.(Access)?Nozzle$/.test(o.type)).map((o) => o.id));
  const segments = all.filter((o) => o.type.endsWith("PipingNetworkSegment"));
  const ends = (s: Obj) => [s.refs.get("SourceItem")?.[0], s.refs.get("TargetItem")?.[0]];
  const meets = new Map<string, number>();
  for (const s of segments) for (const e of ends(s)) if (e) meets.set(e, (meets.get(e) ?? 0) + 1);
  const parent = new Map(segments.map((s) => [s, s]));
  const find = (s: Obj): Obj => (parent.get(s) === s ? s : find(parent.get(s)!));
  const at = new Map<string, Obj>();
  for (const s of segments) {
    for (const e of ends(s)) {
      if (!e || nozzleIds.has(e)) continue;
      const other = at.get(e);
      if (other) parent.set(find(s), find(other));
      else at.set(e, s);
    }
  }
  const groups = new Map<Obj, { nozzles: Set<string>; open: number }>();
  for (const s of segments) {
    const g = groups.get(find(s)) ?? { nozzles: new Set<string>(), open: 0 };
    groups.set(find(s), g);
    for (const e of ends(s)) {
      if (e && nozzleIds.has(e)) g.nozzles.add(e);
      else if (!e || meets.get(e) === 1) g.open++;
    }
  }
  const connectorIds = new Set(all.filter((o) => /\.Flow(In|Out)PipeOffPageConnector$/.test(o.type)).map((o) => o.id));
  const connectors = segments.flatMap(ends).filter((e) => e && connectorIds.has(e)).length;
  const sensing = all.filter((o) =>
    (o.props.get("ProcessSignalGeneratingFunctions") ?? []).some((f) => f.refs.has("SensingLocation")),
  ).length;
  const byId = new Map(all.map((o) => [o.id, o]));
  const controlLoops = all.filter(
    (o) =>
      o.type.endsWith(".InstrumentationLoopFunction") &&
      (o.refs.get("ProcessInstrumentationFunctions") ?? []).some((id) => {
        const f = byId.get(id);
        return f !== undefined && /C$/.test(f.letters ?? "") && f.props.has("ActuatingFunctions");
      }),
  ).length;
  return {
    equipment: all.filter((o) => o.props.has("Nozzles")).length,
    groups: [...groups.values()],
    connectors,
    controlLoops,
    sensing,
  };
}

/** Each nozzle object id → [owning equipment object id, the nozzle's ItemTag]. */
function nozzleOwners(xml: string): Map<string, [string, string]> {
  const out = new Map<string, [string, string]>();
  for (const o of objects(xml))
    for (const n of o.props.get("Nozzles") ?? []) out.set(n.id ?? "", [o.id ?? "", n.itemTag ?? ""]);
  return out;
}

const files = (): string[] =>
  readdirSync(fixturePath("dexpi2"))
    .filter((f) => f.endsWith(".xml"))
    .sort();

describeWithFixtures("DEXPI 2.0 example series", () => {
  it("has the four stages", () => expect(files().length).toBeGreaterThanOrEqual(4));

  for (const name of files()) {
    it(`${name}: equipment, lines and instruments match the counts made from the XML`, () => {
      const xml = readFileSync(fixturePath("dexpi2", name), "utf8");
      const want = expected(xml);
      const r = importDexpi2(xml);
      if (!r.success) throw new Error(JSON.stringify(r.issues));
      expect(parseDesign(r.design).success).toBe(true);
      expect(r.design.equipment.length).toBe(want.equipment);
      // Lines per group of joined segments, the group found by the lines' nozzle ends.
      const owners = nozzleOwners(xml);
      const tagOf = new Map(r.report.renamedTags.map((t) => [t.id, t.to]));
      const isNozzle = (id: string, e: { tag: string; nozzle: string }) =>
        tagOf.get(owners.get(id)?.[0]) === e.tag && owners.get(id)?.[1] === e.nozzle;
      const closed = want.groups.filter((g) => g.open === 0);
      const linesIn = (g: { nozzles: Set<string> }) =>
        r.design.lines.filter((l) =>
          [l.from, l.to].some((e) => "tag" in e && [...g.nozzles].some((id) => isNozzle(id, e))),
        ).length;
      for (const g of closed) expect(linesIn(g)).toBe(g.nozzles.size - 1);
      expect(closed.reduce((n, g) => n + g.nozzles.size - 1, 0)).toBeGreaterThan(0);
      // Open ends (off-page connectors, drains, dead ends) are leaves too: every group is kept whole.
      expect(r.design.lines.length).toBe(want.groups.reduce((n, g) => n + g.nozzles.size + g.open - 1, 0));
      const openEnds = r.design.lines.flatMap((l) => [l.from, l.to]).filter((e) => "open" in e);
      expect(openEnds.length).toBe(want.groups.reduce((n, g) => n + g.open, 0));
      // Each off-page connector is an open end labelled with what it refers to.
      expect(openEnds.filter((e) => "label" in e).length).toBe(want.connectors);
      // Every loop with a controller that actuates a valve is a loop: the valves' lines are kept, open ends and all.
      expect(want.controlLoops).toBeGreaterThan(0);
      expect((r.design.control?.loops ?? []).length).toBe(want.controlLoops);
      // Each function with a sensing location is an instrument, or unmapped saying where it senses.
      const unsensed = r.report.unmapped.filter((u) => /^its sensing location/.test(u.reason)).length;
      expect((r.design.instruments ?? []).length + unsensed).toBe(want.sensing);
      expect((r.design.instruments ?? []).length).toBeGreaterThan(0);
      // Nothing silently dropped: every segment is on a line or unmapped with a reason.
      const segmentIds = [...xml.matchAll(/id="(PipingNetworkSegment\d+)"/g)].map((m) => m[1]);
      const onLines = r.design.lines.length > 0;
      const unmappedIds = new Set(r.report.unmapped.map((u) => u.id));
      for (const id of segmentIds) {
        const kept = !unmappedIds.has(id);
        expect(kept || r.report.unmapped.some((u) => u.id === id && /not a line/.test(u.reason))).toBe(true);
      }
      expect(onLines).toBe(true);
      // No line from a nozzle to itself.
      for (const l of r.design.lines) expect(l.from).not.toEqual(l.to);
    });
  }

  it("goes through the registry by content (root <Model>) and reports per input", () => {
    const name = files()[0]!;
    const report = readDesigns({ content: readFileSync(fixturePath("dexpi2", name)), name });
    expect(report.format).toBe("dexpi2");
    expect(report.records[0]?.accepted).toBe(true);
    expect(report.unmapped.length).toBeGreaterThan(0);
  });
});
