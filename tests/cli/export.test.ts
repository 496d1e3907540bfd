import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDesign } from "@plantgan/core/design";
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
    expect(bad.stderr).toMatch(/--format: dwg is not one of json, gltf, glb/);
  });
});
