import { tankFarm } from "@plantgan/testing";
import { Group } from "three";
import { describe, expect, it } from "vitest";
import { buildDesignScene, exportGltf } from "./node.js";

/** The JSON chunk of a GLB (header 12 bytes, then chunk length, chunk type, JSON). */
function glbJson(buffer: ArrayBuffer): {
  nodes: { name?: string; extensions?: Record<string, unknown> }[];
  extensionsUsed?: string[];
} {
  const view = new DataView(buffer);
  expect(view.getUint32(0, true)).toBe(0x46546c67); // "glTF"
  const length = view.getUint32(12, true);
  expect(view.getUint32(16, true)).toBe(0x4e4f534a); // "JSON"
  return JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 20, length)));
}

describe("exportGltf", () => {
  it("with instancing writes a GLB with instanced equipment and the pipes, and leaves the scene as it was", async () => {
    const scene = buildDesignScene(tankFarm());
    const before = scene.group.children.map((c) => c.name);
    const glb = (await exportGltf(scene.group, { instancing: true })) as ArrayBuffer;
    expect(glb.byteLength).toBeGreaterThan(1000);
    const json = glbJson(glb);
    expect(json.extensionsUsed).toContain("EXT_mesh_gpu_instancing");
    const names = json.nodes.map((n) => n.name);
    expect(names).toContain("plantgan");
    expect(names).toContain("pipes");
    expect(names).toContain("equipment:tank:body:0");
    expect(scene.group.parent).toBeNull();
    expect(scene.group.children.map((c) => c.name)).toEqual(before);
    scene.dispose();
  });

  it("without a FileReader (Node, main entry only) says to import the Node entry", async () => {
    const g = globalThis as { FileReader?: unknown };
    const installed = g.FileReader;
    delete g.FileReader;
    try {
      await expect(exportGltf(new Group())).rejects.toThrow("@plantgan/scene/node");
    } finally {
      g.FileReader = installed;
    }
  });

  it("writes glTF JSON with an embedded buffer", async () => {
    const scene = buildDesignScene(tankFarm());
    const gltf = (await exportGltf(scene.group, { binary: false })) as { buffers: { uri: string }[] };
    expect(gltf.buffers[0]!.uri.startsWith("data:application/octet-stream;base64,")).toBe(true);
    scene.dispose();
  });
});
