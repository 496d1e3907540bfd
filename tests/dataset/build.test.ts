import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { assignSplits, compactDesign, designId, designSeed, registerDataset } from "@plantgan/cli";
import { parseDesign } from "@plantgan/core/design";
import { afterAll, describe, expect, it, vi } from "vitest";

// commander is the CLI's dependency, not this package's: load it from there.
type Program = Parameters<typeof registerDataset>[0];
const { Command } = createRequire(new URL("../../packages/cli/package.json", import.meta.url))("commander") as {
  Command: new (name?: string) => Program;
};

/** `plantgan dataset build|inspect`, run in-process on a small set (workers 0: this thread). */
async function run(args: string[]): Promise<number> {
  process.exitCode = 0;
  const program = new Command("plantgan").exitOverride();
  registerDataset(program);
  await program.parseAsync(args, { from: "user" });
  return Number(process.exitCode ?? 0);
}

describe("plantgan dataset", () => {
  const root = mkdtempSync(join(tmpdir(), "plantgan-dataset-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);

  it("builds the same bytes twice, and inspect checks them", async () => {
    const a = join(root, "a");
    const b = join(root, "b");
    const args = ["--seed", "3", "--per-class", "2", "--classes", "pump_station,utilities", "--workers", "0"];
    expect(await run(["dataset", "build", "--out", a, ...args])).toBe(0);
    expect(await run(["dataset", "build", "--out", b, ...args])).toBe(0);
    for (const f of ["train.ndjson.gz", "val.ndjson.gz", "test.ndjson.gz", "histograms.svg"]) {
      expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(a, "manifest.json"), "utf8"));
    expect(manifest.counts.total).toBe(4);
    const designs = ["train", "val", "test"].flatMap((s) =>
      gunzipSync(readFileSync(join(a, `${s}.ndjson.gz`)))
        .toString("utf8")
        .split("\n")
        .filter(Boolean),
    );
    expect(designs.map((t) => JSON.parse(t).id).sort()).toEqual([
      "pump_station-0001",
      "pump_station-0002",
      "utilities-0001",
      "utilities-0002",
    ]);
    expect(readFileSync(join(a, "README.md"), "utf8")).toContain("| pump_station |");
    expect(await run(["dataset", "inspect", a])).toBe(0);
  });

  it("inspect reports a file that does not match its manifest", async () => {
    const a = join(root, "a");
    const tampered = join(root, "tampered");
    await run([
      "dataset",
      "build",
      "--out",
      tampered,
      "--seed",
      "3",
      "--per-class",
      "1",
      "--classes",
      "utilities",
      "--workers",
      "0",
    ]);
    const manifest = JSON.parse(readFileSync(join(tampered, "manifest.json"), "utf8"));
    manifest.files[0].sha256 = "0".repeat(64);
    writeFileSync(join(tampered, "manifest.json"), JSON.stringify(manifest));
    expect(await run(["dataset", "inspect", tampered])).toBe(1);
    expect(a).not.toBe(tampered);
  });

  it("compacts designs without loss: parseDesign restores the defaults", () => {
    const text = gunzipSync(readFileSync(join(root, "a", "train.ndjson.gz")))
      .toString("utf8")
      .split("\n")[0]!;
    const parsed = parseDesign(text);
    expect(parsed.success).toBe(true);
    if (!parsed.success) return;
    expect(JSON.stringify(compactDesign(parsed.data))).toBe(text);
  });

  it("splits each class 80/10/10 by a seeded shuffle, and names designs stably", () => {
    const split = assignSplits(500, 1, "tank_farm");
    expect(split.filter((s) => s === "train").length).toBe(400);
    expect(split.filter((s) => s === "val").length).toBe(50);
    expect(split.filter((s) => s === "test").length).toBe(50);
    expect(assignSplits(500, 1, "tank_farm")).toEqual(split);
    expect(assignSplits(500, 2, "tank_farm")).not.toEqual(split);
    expect(designId("tank_farm", 0)).toBe("tank_farm-0001");
    expect(designSeed(1, "tank_farm", 0)).not.toBe(designSeed(1, "tank_farm", 1));
  });
});
