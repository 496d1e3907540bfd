import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDesign } from "@plantgan/core/design";
import { readDesigns } from "@plantgan/core/formats";
import { OWN_DEXPI, ownDexpiPath } from "@plantgan/testing";
import { afterAll, describe, expect, it } from "vitest";
import { plantgan } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "plantgan-export-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const EXAMPLE = "datasets/examples/distillation.json";

/** The JSON chunk of a GLB file (glTF 2.0 binary: 12-byte header, then chunks). */
function glbJson(bytes: Buffer): { nodes: { name?: string; extras?: { tags?: string[] } }[]; meshes: unknown[] } {
  expect(bytes.subarray(0, 4).toString("latin1")).toBe("glTF");
  expect(bytes.readUInt32LE(4)).toBe(2);
  expect(bytes.readUInt32LE(8)).toBe(bytes.length);
  const length = bytes.readUInt32LE(12);
  expect(bytes.subarray(16, 20).toString("latin1")).toBe("JSON");
  return JSON.parse(bytes.subarray(20, 20 + length).toString("utf8"));
}

describe("plantgan export", () => {
  const example = parseDesign(readFileSync(EXAMPLE, "utf8"));

  it("writes the viewer's scene as GLB, every equipment tag on a node", () => {
    const out = join(dir, "distillation.glb");
    const run = plantgan(["export", EXAMPLE, "-o", out]);
    expect(run.code, run.stderr).toBe(0);
    const gltf = glbJson(readFileSync(out));
    expect(gltf.meshes.length).toBeGreaterThan(0);
    const tags = new Set(gltf.nodes.flatMap((n) => n.extras?.tags ?? []));
    expect(example.success).toBe(true);
    for (const e of example.success ? example.data.equipment : []) expect(tags.has(e.tag), e.tag).toBe(true);
  });

  it("writes glTF JSON with an embedded buffer, and JSON that parses as the same design", () => {
    const gltfOut = join(dir, "d.gltf");
    expect(plantgan(["export", EXAMPLE, "-o", gltfOut]).code).toBe(0);
    const gltf = JSON.parse(readFileSync(gltfOut, "utf8")) as { buffers: { uri: string }[] };
    expect(gltf.buffers[0]?.uri).toMatch(/^data:application\/octet-stream;base64,/);
    const jsonOut = join(dir, "d.out");
    expect(plantgan(["export", EXAMPLE, "-o", jsonOut, "--format", "json"]).code).toBe(0);
    const back = parseDesign(readFileSync(jsonOut, "utf8"));
    expect(back.success && example.success && back.data).toEqual(example.success && example.data);
  });

  it("refuses a topology-only DEXPI P&ID and an unknown format with exit 2 and a clear message", () => {
    const dexpi = plantgan(["export", ownDexpiPath(OWN_DEXPI.pump), "-o", join(dir, "pid.glb")]);
    expect(dexpi.code).toBe(2);
    expect(dexpi.stderr).toMatch(/no placed equipment/);
    const bad = plantgan(["export", EXAMPLE, "-o", join(dir, "x.dwg")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /--format: dwg is not one of json, dexpi, dexpi2, pcf, cause-effect, plcopen, gltf, glb \(taken from the --out extension\)/,
    );
    const named = plantgan(["export", EXAMPLE, "--format", "step", "-o", join(dir, "x.step")]);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/--format: step is not one of json, dexpi, dexpi2, pcf, cause-effect, plcopen/);
  });

  it("writes every text format with --format, each readable as that format", () => {
    const design = example.success ? example.data : undefined;
    if (!design) throw new Error("example does not parse");
    const run = (format: string) => {
      const out = join(dir, `all-${format}`);
      const r = plantgan(["export", EXAMPLE, "--format", format, "-o", out]);
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(out, "utf8");
    };
    const dexpi = readDesigns({ content: run("dexpi"), name: "d.xml" }).records[0];
    expect(dexpi?.accepted && dexpi.design.equipment.map((e) => e.tag)).toEqual(design.equipment.map((e) => e.tag));
    const dexpi2 = readDesigns({ content: run("dexpi2"), name: "d2.xml" }).records[0];
    expect(dexpi2?.accepted && dexpi2.design.lines.map((l) => l.id)).toEqual(design.lines.map((l) => l.id));
    const routed = design.lines.filter((l) => (l.route?.length ?? 0) >= 2).length;
    expect(run("pcf").match(/^PIPELINE-REFERENCE /gm)?.length).toBe(routed);
    expect(run("cause-effect").trimEnd().split(/\r?\n/)).toHaveLength(1 + design.control.interlocks.length);
    expect(run("plcopen").match(/pouType="program"/g)?.length).toBe(
      design.control.loops.length + design.control.interlocks.length,
    );
  });

  it("infers the format from an unambiguous extension, refuses .xml without --format, writes stdout without -o", () => {
    const out = join(dir, "ce.csv");
    expect(plantgan(["export", EXAMPLE, "-o", out]).code).toBe(0);
    expect(readFileSync(out, "utf8").split(/\r?\n/)[0]).toMatch(/,/);
    const pcf = join(dir, "d.pcf");
    expect(plantgan(["export", EXAMPLE, "-o", pcf]).code).toBe(0);
    expect(readFileSync(pcf, "utf8")).toMatch(/^PIPELINE-REFERENCE /m);
    const xml = plantgan(["export", EXAMPLE, "-o", join(dir, "d.xml")]);
    expect(xml.code).toBe(2);
    expect(xml.stderr).toMatch(/\.xml is the extension of dexpi, dexpi2, plcopen; choose one with --format/);
    const stdout = plantgan(["export", EXAMPLE, "--format", "dexpi2"]);
    expect(stdout.code, stdout.stderr).toBe(0);
    expect(stdout.stdout).toMatch(/^<\?xml[^>]*>\s*<Model /);
    expect(plantgan(["export", EXAMPLE]).code).toBe(2);
  });
});
