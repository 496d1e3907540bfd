import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { type Design, parseDesign } from "@plantgan/core/design";
import { designPlant } from "@plantgan/core/designer";
import { validateDesign } from "@plantgan/core/validate";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * The shipped dataset (datasets/synthetic-v1), read as a user of it would: files match the
 * manifest, counts are what the card says, and designs pass the validator with zero errors.
 */
const DIR = fileURLToPath(new URL("../../datasets/synthetic-v1/", import.meta.url));
const SPLITS = ["train", "val", "test"] as const;
const CLASSES = [
  "pump_station",
  "tank_farm",
  "gas_compression",
  "distillation",
  "reactor_section",
  "water_treatment",
  "utilities",
];

interface ManifestFile {
  path: string;
  designs: number;
  bytes: number;
  sha256: string;
  contentSha256: string;
}
interface Manifest {
  seed: number;
  perClass: number;
  generator: { name: string; version: string };
  counts: {
    total: number;
    byClass: Record<string, number>;
    bySplit: Record<string, { total: number; byClass: Record<string, number> }>;
  };
  files: ManifestFile[];
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

describe("datasets/synthetic-v1", () => {
  let manifest: Manifest;
  const texts: Record<string, string[]> = {};

  beforeAll(() => {
    manifest = JSON.parse(readFileSync(`${DIR}manifest.json`, "utf8")) as Manifest;
    for (const split of SPLITS) {
      texts[split] = gunzipSync(readFileSync(`${DIR}${split}.ndjson.gz`))
        .toString("utf8")
        .split("\n")
        .filter(Boolean);
    }
  });

  it("ships a card, a plot and a manifest whose checksums match the files", () => {
    expect(existsSync(`${DIR}README.md`)).toBe(true);
    expect(readFileSync(`${DIR}histograms.svg`, "utf8")).toMatch(/^<svg /);
    for (const f of manifest.files) {
      const data = readFileSync(`${DIR}${f.path}`);
      expect(sha256(data), f.path).toBe(f.sha256);
      expect(data.length).toBe(f.bytes);
      if (f.path.endsWith(".gz")) expect(sha256(gunzipSync(data))).toBe(f.contentSha256);
    }
  });

  it("holds at least 500 designs per process class, split 80/10/10 with no overlap", () => {
    expect(manifest.perClass).toBeGreaterThanOrEqual(500);
    expect(manifest.counts.total).toBeGreaterThanOrEqual(3500);
    const ids = new Set<string>();
    const byClass: Record<string, number> = {};
    for (const split of SPLITS) {
      expect(texts[split]!.length).toBe(manifest.counts.bySplit[split]!.total);
      for (const text of texts[split]!) {
        const { id, processClass } = JSON.parse(text) as { id: string; processClass: string };
        expect(ids.has(id)).toBe(false);
        ids.add(id);
        byClass[processClass] = (byClass[processClass] ?? 0) + 1;
      }
    }
    for (const c of CLASSES) expect(byClass[c]).toBeGreaterThanOrEqual(500);
    expect(manifest.counts.bySplit.train!.total).toBe(Math.round(manifest.counts.total * 0.8));
  });

  it("passes the validator with zero errors, every line routed (a sample of 700 designs)", () => {
    // Every fifth design of each split, from a fixed offset: all classes, all splits.
    const sample = SPLITS.flatMap((split) => texts[split]!.filter((_, k) => k % 5 === 2));
    expect(sample.length).toBeGreaterThanOrEqual(500);
    const failures: string[] = [];
    for (const text of sample) {
      const parsed = parseDesign(text);
      if (!parsed.success) {
        failures.push(`${text.slice(0, 60)}: ${parsed.issues[0]?.message}`);
        continue;
      }
      const d = parsed.data;
      const report = validateDesign(d);
      if (report.summary.errors > 0)
        failures.push(`${d.id}: ${report.violations[0]?.rule}: ${report.violations[0]?.message}`);
      if (d.lines.some((l) => l.route === undefined)) failures.push(`${d.id}: unrouted line`);
      if (d.equipment.some((e) => e.x === undefined || e.y === undefined)) failures.push(`${d.id}: unplaced item`);
    }
    expect(failures).toEqual([]);
  });

  it("is reproducible: designs come back byte for byte from their recorded seeds (first and last of each class, every split)", () => {
    // Any change to the designer, legaliser, router or validator that alters output shows up here:
    // rebuild the dataset (the command in manifest.json) and commit it with that change.
    for (const split of SPLITS) {
      const lines = texts[split]!;
      const byClass = new Map<string, string[]>();
      for (const line of lines) {
        const cls = /"processClass":"([a-z_]+)"/.exec(line)?.[1] ?? "";
        byClass.set(cls, [...(byClass.get(cls) ?? []), line]);
      }
      for (const group of byClass.values()) {
        for (const line of [group[0]!, group[group.length - 1]!]) {
          const d = parseDesign(line);
          expect(d.success).toBe(true);
          const design = (d as { data: Design }).data;
          const again = designPlant({
            processClass: design.processClass,
            seed: Number(design.metadata?.seed),
            id: design.id,
          });
          expect(again).toEqual(design);
        }
      }
    }
  });
});
