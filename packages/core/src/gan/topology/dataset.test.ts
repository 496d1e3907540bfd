import { createReadStream, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createGunzip, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { PlantDesignInput } from "../../design/index.js";
import { loadSlotGraphs, readDesigns, slotGraphStats, streamSlotGraphs } from "./dataset.js";
import { resolveEnd } from "./encode.js";
import { defaultSlotGraphSpec } from "./spec.js";

const VAL = fileURLToPath(new URL("../../../../../datasets/synthetic-v1/val.ndjson.gz", import.meta.url));

/** What a Node caller passes: the file streamed, inflated when .gz, line by line. */
function nodeLines(path: string): AsyncIterable<string> {
  const raw = createReadStream(path);
  const input = path.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
  return createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
}

/** The same split read whole, to count independently of the loader. */
const all: PlantDesignInput[] = gunzipSync(readFileSync(VAL))
  .toString("utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as PlantDesignInput);

describe("slot graph dataset", () => {
  it("streams every design of a .ndjson.gz split in order", async () => {
    const ids: string[] = [];
    for await (const d of readDesigns([VAL], nodeLines)) ids.push(d.id);
    expect(ids).toEqual(all.map((d) => d.id));
  });

  it("encodes what fits and counts, by reason, the designs over nMax", async () => {
    const nMax = 20;
    const over = all.filter((d) => d.equipment.length > nMax).length;
    expect(over).toBeGreaterThan(0);
    const set = await loadSlotGraphs([VAL], defaultSlotGraphSpec(nMax), nodeLines);
    expect(set.read).toBe(all.length);
    expect(set.graphs).toHaveLength(all.length - over);
    expect(set.skipped).toEqual({ too_many_equipment: over });
    expect(set.maxEquipment).toBe(Math.max(...all.map((d) => d.equipment.length)));
    expect(set.ids).toEqual(all.filter((d) => d.equipment.length <= nMax).map((d) => d.id));
  });

  it("streams graphs one by one with the same tally", async () => {
    const tally = { read: 0, skipped: {}, maxEquipment: 0 };
    let n = 0;
    for await (const { id, graph } of streamSlotGraphs([VAL], defaultSlotGraphSpec(20), nodeLines, tally)) {
      expect(graph.mask.length).toBe(20);
      expect(typeof id).toBe("string");
      n++;
    }
    const over = all.filter((d) => d.equipment.length > 20).length;
    expect(n).toBe(all.length - over);
    expect(tally).toEqual({ read: all.length, skipped: { too_many_equipment: over }, maxEquipment: 40 });
  });

  it("reports figures of a set: designs, equipment per design, edges and double edges", async () => {
    // Every 6th design (all seven classes; dense graphs take about 7 MB each at nMax 48).
    const spec = defaultSlotGraphSpec();
    const graphs = [];
    let k = 0;
    for await (const { graph } of streamSlotGraphs([VAL], spec, nodeLines)) {
      if (k++ % 6 === 0) graphs.push(graph);
    }
    const picked = all.filter((_, i) => i % 6 === 0);
    const stats = slotGraphStats(graphs, spec);
    const equipment = picked.map((d) => d.equipment.length);
    expect(stats.designs).toBe(picked.length);
    expect(stats.maxEquipment).toBe(Math.max(...equipment));
    expect(stats.meanEquipment).toBeCloseTo(equipment.reduce((a, b) => a + b, 0) / picked.length, 6);
    // Pairs of items joined by two lines (relief and flare lines from a knock-out drum to its stack).
    const pairs = picked.map((d) => {
      const byId = new Map(d.lines.map((l) => [l.id, l]));
      const count = new Map<string, number>();
      for (const l of d.lines) {
        const key = `${resolveEnd(l.from, "from", byId)?.tag}>${resolveEnd(l.to, "to", byId)?.tag}`;
        count.set(key, (count.get(key) ?? 0) + 1);
      }
      return count;
    });
    expect(stats.doubleEdges).toBe(pairs.reduce((n, c) => n + [...c.values()].filter((k) => k === 2).length, 0));
    expect(stats.doubleEdges).toBeGreaterThan(0);
    expect(stats.meanEdges).toBeCloseTo(pairs.reduce((n, c) => n + c.size, 0) / picked.length, 6);
  });

  it("names the file and line of a line that is not JSON", async () => {
    const lines = (): string[] => ['{"id": "a"', ""];
    await expect(async () => {
      for await (const _ of readDesigns(["broken.ndjson"], lines));
    }).rejects.toThrow(/broken\.ndjson:1: not JSON/);
  });
});
