import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseDesign } from "../design/parse.js";
import type { Design, Interlock, PlantDesignInput } from "../design/types.js";
import { stripLayout } from "../gan/topology.js";
import { parseTopology, topologyGraph } from "./topology-graph.js";
import { wlFeatures, wlHash, wlKernel } from "./wl.js";
import { nearestTrainingDistance, WlIndex } from "./wl-index.js";

/** The val split of datasets/synthetic-v1, as written. */
const RAW_VAL = gunzipSync(readFileSync(new URL("../../../../datasets/synthetic-v1/val.ndjson.gz", import.meta.url)))
  .toString("utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as PlantDesignInput);

/** The val split, parsed. */
function valDesigns(): Design[] {
  return RAW_VAL.map((raw) => {
    const parsed = parseDesign(raw);
    if (!parsed.success) throw new Error("val design does not parse");
    return parsed.data;
  });
}

const VAL = valDesigns();
const PUMP_STATION_AT = VAL.findIndex((d) => d.processClass === "pump_station");
const PUMP_STATION = VAL[PUMP_STATION_AT]!;

function parsed(input: PlantDesignInput): Design {
  const d = parseTopology(input);
  if (!d) throw new Error("does not parse");
  return d;
}

/** Deterministic shuffle (reversal then interleave) of an array. */
function shuffle<T>(xs: readonly T[]): T[] {
  const r = [...xs].reverse();
  return [...r.filter((_, i) => i % 2 === 1), ...r.filter((_, i) => i % 2 === 0)];
}

/**
 * Every tag and line id renamed (ISA letters kept: they are the instrument's type), every list
 * shuffled, components kept in flow order.
 */
function relabelAndShuffle(design: Design): Design {
  const names = new Map<string, string>();
  const rename = (tag: string) => {
    if (!names.has(tag)) names.set(tag, `${/^[A-Z]+/.exec(tag)![0]}-${7000 + names.size}`);
    return names.get(tag)!;
  };
  const lineIds = new Map(design.lines.map((l, i) => [l.id, `X-${9000 - i}`]));
  const end = (e: Design["lines"][number]["from"]) =>
    "tag" in e ? { ...e, tag: rename(e.tag) } : "line" in e ? { line: lineIds.get(e.line)! } : e;
  const copy = stripLayout(design);
  return parsed({
    ...copy,
    id: "relabelled",
    equipment: shuffle(copy.equipment.map((e) => ({ ...e, tag: rename(e.tag) }))),
    lines: shuffle(
      design.lines.map((l) => ({
        ...l,
        id: lineIds.get(l.id)!,
        from: end(l.from),
        to: end(l.to),
        components: l.components.map((c) => (c.tag ? { ...c, tag: rename(c.tag) } : c)),
      })),
    ) as PlantDesignInput["lines"],
    instruments: shuffle(
      design.instruments.map((i) => ({
        ...i,
        tag: rename(i.tag),
        ...(i.on && { on: "tag" in i.on ? { tag: rename(i.on.tag) } : { line: lineIds.get(i.on.line)! } }),
      })),
    ),
    control: {
      loops: shuffle(
        design.control.loops.map((l) => ({
          ...l,
          tag: rename(l.tag),
          ...(l.measurement === undefined ? {} : { measurement: rename(l.measurement) }),
          finalElement: rename(l.finalElement),
        })),
      ),
      interlocks: shuffle(
        design.control.interlocks.map((il) => ({
          ...il,
          tag: rename(il.tag),
          cause: { ...il.cause, instrument: rename(il.cause.instrument) },
          effects: shuffle(il.effects.map((e) => ({ ...e, target: rename(e.target) }))) as Interlock["effects"],
        })),
      ),
    },
  });
}

describe("topologyGraph", () => {
  it("builds the same graph for a placed design and its stripped topology", () => {
    const placed = topologyGraph(PUMP_STATION);
    const stripped = topologyGraph(parsed(stripLayout(PUMP_STATION)));
    expect(stripped).toEqual(placed);
    // Every equipment item, component, instrument and controller is a node, plus one header per
    // line that others branch off or into.
    const components = PUMP_STATION.lines.reduce((s, l) => s + l.components.length, 0);
    const headers = new Set(
      PUMP_STATION.lines.flatMap((l) => [l.from, l.to]).flatMap((e) => ("line" in e ? [e.line] : [])),
    );
    expect(placed.nodeLabels).toHaveLength(
      PUMP_STATION.equipment.length +
        components +
        PUMP_STATION.instruments.length +
        PUMP_STATION.control.loops.length +
        headers.size,
    );
    expect(placed.nodeLabels.join(" ")).not.toMatch(/\d/); // no tag or id leaks into a label
    // The design as written in the file (schema defaults left out) gives the graph of its parsed form.
    const raw = RAW_VAL[PUMP_STATION_AT]!;
    expect(raw.lines.some((l) => l.service === undefined)).toBe(true);
    expect(topologyGraph(raw)).toEqual(placed);
  });
});

describe("wlHash", () => {
  it("is equal for relabelled tags and ids and shuffled arrays", () => {
    for (const design of VAL.filter((_, i) => i % 50 === 0)) {
      const other = relabelAndShuffle(design);
      expect(other.equipment.map((e) => e.tag)).not.toEqual(design.equipment.map((e) => e.tag));
      expect(wlHash(other)).toBe(wlHash(design));
    }
  });

  it("differs with one valve more", () => {
    const input = stripLayout(PUMP_STATION);
    const line = input.lines[0]!;
    line.components = [...(line.components ?? []), { type: "gate_valve" }];
    expect(wlHash(parsed(input))).not.toBe(wlHash(PUMP_STATION));
  });

  it("reads edge labels: a changed line service or trip alone changes the hash", () => {
    // Both changes leave every node label as it was: only an edge label differs.
    const service = stripLayout(PUMP_STATION);
    const drain = service.lines.findIndex((l) => l.service === "drain");
    expect(drain).toBeGreaterThanOrEqual(0);
    service.lines[drain]!.service = "process";
    const serviceChanged = parsed(service);
    expect([...topologyGraph(serviceChanged).nodeLabels].sort()).toEqual(
      [...topologyGraph(PUMP_STATION).nodeLabels].sort(),
    );
    expect(wlHash(serviceChanged)).not.toBe(wlHash(PUMP_STATION));

    const trip = stripLayout(PUMP_STATION);
    const interlock = trip.control!.interlocks![0]!;
    interlock.cause.trip = interlock.cause.trip === "HH" ? "LL" : "HH";
    expect(wlHash(parsed(trip))).not.toBe(wlHash(PUMP_STATION));
  });

  it("tells the val designs apart about as often as their equipment counts do", () => {
    const hashes = new Set(VAL.map((d) => wlHash(d)));
    const counts = new Set(
      VAL.map(
        (d) =>
          `${d.processClass}:${d.equipment
            .map((e) => e.type)
            .sort()
            .join(",")}:${d.lines.length}`,
      ),
    );
    expect(hashes.size).toBeGreaterThanOrEqual(counts.size);
  });
});

describe("WL kernel and nearest training design", () => {
  const training = VAL.slice(0, 300);
  const index = WlIndex.fromDesigns(training);

  it("gives distance 0 for a training design, relabelled, and more for a changed one", () => {
    expect(nearestTrainingDistance(relabelAndShuffle(training[17]!), index)).toBeCloseTo(0, 12);
    const changed = stripLayout(training[17]!);
    changed.lines[0]!.components = [...(changed.lines[0]!.components ?? []), { type: "check_valve" }];
    expect(nearestTrainingDistance(parsed(changed), index)).toBeGreaterThan(0);
  });

  it("finds the same nearest design as a brute-force scan of the normalised kernel", () => {
    const features = training.map((d) => wlFeatures(d));
    for (const query of VAL.slice(300)) {
      const q = wlFeatures(query);
      const brute = Math.max(...features.map((f) => wlKernel(q, f)));
      const found = index.nearest(q)!;
      expect(found.similarity).toBeCloseTo(brute, 12);
      expect(found.distance).toBeGreaterThan(0); // held-out designs of val are not in the first 300
    }
  });
});
