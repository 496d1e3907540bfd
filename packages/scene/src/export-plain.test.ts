import { readdirSync, readFileSync } from "node:fs";
import { parseDesign } from "@plantgan/core/design";
import { tankFarm } from "@plantgan/testing";
// @ts-expect-error gltf-validator ships no types
import validator from "gltf-validator";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import { describe, expect, it } from "vitest";
import { buildDesignScene, exportGltf } from "./node.js";

interface GltfJson {
  nodes: { name?: string; mesh?: number; children?: number[] }[];
  meshes: { primitives: { attributes: Record<string, number>; material?: number }[] }[];
  materials: { pbrMetallicRoughness?: { baseColorFactor?: number[] } }[];
  extensionsUsed?: string[];
}

function glbJson(buffer: ArrayBuffer): GltfJson {
  const view = new DataView(buffer);
  const length = view.getUint32(12, true);
  return JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 20, length)));
}

const EXAMPLES = new URL("../../../datasets/examples/", import.meta.url);
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".json"))
  .map((f) => {
    const parsed = parseDesign(readFileSync(new URL(f, EXAMPLES), "utf8"));
    if (!parsed.success) throw new Error(`${f}: ${JSON.stringify(parsed.issues[0])}`);
    return [f, parsed.data] as const;
  });

describe("plain glTF export (the default)", () => {
  it("has one node per equipment tag, named by the tag, with standard materials and no extension", async () => {
    const design = tankFarm();
    const scene = buildDesignScene(design);
    const json = glbJson((await exportGltf(scene.group)) as ArrayBuffer);
    scene.dispose();
    expect(json.extensionsUsed ?? []).toEqual([]);
    const names = new Set(json.nodes.map((n) => n.name));
    for (const e of design.equipment) expect(names.has(e.tag), e.tag).toBe(true);
    for (const m of json.meshes) {
      for (const p of m.primitives) expect(Object.keys(p.attributes).filter((a) => a.startsWith("_"))).toEqual([]);
    }
    // Each tag's node holds its parts, coloured by a standard material's base colour.
    const tagNode = json.nodes.find((n) => n.name === design.equipment[0]!.tag)!;
    expect(tagNode.children?.length ?? 0, JSON.stringify(tagNode)).toBeGreaterThan(0);
    for (const c of tagNode.children ?? []) {
      const mesh = json.meshes[json.nodes[c]!.mesh!]!;
      const colour = json.materials[mesh.primitives[0]!.material!]!.pbrMetallicRoughness?.baseColorFactor;
      expect(colour).toHaveLength(4);
    }
  });

  it.each(examples)("%s passes the Khronos glTF validator with 0 errors and loads in three.js", async (_, design) => {
    const scene = buildDesignScene(design);
    const glb = (await exportGltf(scene.group)) as ArrayBuffer;
    scene.dispose();
    const report = await validator.validateBytes(new Uint8Array(glb));
    expect(report.issues.numErrors, JSON.stringify(report.issues.messages.slice(0, 5))).toBe(0);

    const loaded = await new Promise<{ scene: { getObjectByName(n: string): unknown } }>((resolve, reject) =>
      new GLTFLoader().parse(glb, "", resolve as never, reject),
    );
    for (const e of design.equipment) expect(loaded.scene.getObjectByName(e.tag), e.tag).toBeDefined();
  });
});
