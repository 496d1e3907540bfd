import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDesign } from "@plantgan/core/design";
import { buildDesignScene, exportGltf } from "@plantgan/scene/node";
import { OWN_DEXPI, readOwnDexpi } from "@plantgan/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../app.js";
import { EXPORT_FORMATS } from "../export.js";
import { createApiKey } from "../keys.js";

// A placed example and a topology-only DEXPI P&ID, both from the repository.
const EXAMPLE = new URL("../../../../datasets/examples/pump-station.json", import.meta.url);

interface GltfJson {
  asset: { version: string };
  scene?: number;
  nodes: { name?: string; mesh?: number; extras?: Record<string, unknown> }[];
  meshes: unknown[];
  buffers: { byteLength: number; uri?: string }[];
  extensionsUsed?: string[];
}

/** Reads a GLB by the spec: 12-byte header, then a JSON chunk and a BIN chunk. */
function readGlb(bytes: Buffer): { json: GltfJson; bin: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(bytes.subarray(0, 4).toString("latin1")).toBe("glTF");
  expect(view.getUint32(4, true)).toBe(2);
  expect(view.getUint32(8, true)).toBe(bytes.byteLength);
  const jsonLength = view.getUint32(12, true);
  expect(view.getUint32(16, true)).toBe(0x4e4f534a); // "JSON"
  const json = JSON.parse(bytes.subarray(20, 20 + jsonLength).toString("utf8")) as GltfJson;
  const binAt = 20 + jsonLength;
  expect(view.getUint32(binAt + 4, true)).toBe(0x004e4942); // "BIN\0"
  return { json, bin: view.getUint32(binAt, true) };
}

/** Every equipment tag the exported nodes carry in `extras.tags` (instanced equipment, one node per part). */
function exportedTags(json: GltfJson): Set<string> {
  return new Set(json.nodes.flatMap((n) => (Array.isArray(n.extras?.tags) ? (n.extras.tags as string[]) : [])));
}

describe("GET /v1/designs/:id/export (glTF)", () => {
  type App = Awaited<ReturnType<typeof buildApp>>;
  let app: App;
  let dataDir: string;
  let auth: { authorization: string };
  const example = JSON.parse(readFileSync(EXAMPLE, "utf8")) as { id: string; equipment: { tag: string }[] };
  const get = (url: string) => app.inject({ method: "GET", url, headers: auth });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "plantgan-export-"));
    app = await buildApp({ dataDir, rateLimit: false, jobs: { start: false } });
    auth = { authorization: `Bearer ${(await createApiKey(app.store, "export")).key}` };
    const upload = await app.inject({ method: "POST", url: "/v1/designs", headers: auth, payload: example });
    expect(upload.statusCode).toBe(201);
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("format=glb: a binary glTF 2.0 attachment holding the viewer's scene with every equipment tag", async () => {
    const response = await get(`/v1/designs/${example.id}/export?format=glb`);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("model/gltf-binary");
    expect(response.headers["content-disposition"]).toBe(`attachment; filename="${example.id}.glb"`);
    const { json, bin } = readGlb(response.rawPayload);
    expect(json.asset.version).toBe("2.0");
    expect(json.meshes.length).toBeGreaterThan(0);
    expect(json.nodes.filter((n) => n.mesh !== undefined).length).toBeGreaterThan(0);
    expect(json.buffers).toHaveLength(1);
    expect(json.buffers[0]!.uri).toBeUndefined();
    expect(bin).toBeGreaterThanOrEqual(json.buffers[0]!.byteLength);
    // Plain nodes by default, one per equipment tag: any glTF 2.0 loader reads them.
    expect(json.extensionsUsed ?? []).toEqual([]);
    const names = json.nodes.map((n) => n.name);
    for (const e of example.equipment) expect(names).toContain(e.tag);
    expect(names).toContain("plantgan"); // the y-up root
    expect(names).toContain(`design:${example.id}`);
    expect(names).toContain("pipes");
    expect([...exportedTags(json)].sort()).toEqual(example.equipment.map((e) => e.tag).sort());

    // The same scene the scene package builds for the viewer: node for node.
    const parsed = parseDesign(example);
    if (!parsed.success) throw new Error("example does not parse");
    const scene = buildDesignScene(parsed.data);
    const local = readGlb(Buffer.from((await exportGltf(scene.group)) as ArrayBuffer)).json;
    scene.dispose();
    expect(names).toEqual(local.nodes.map((n) => n.name));
  });

  it("format=glb&instancing=1: equipment as EXT_mesh_gpu_instancing", async () => {
    const response = await get(`/v1/designs/${example.id}/export?format=glb&instancing=1`);
    expect(response.statusCode).toBe(200);
    const { json } = readGlb(response.rawPayload);
    expect(json.extensionsUsed).toContain("EXT_mesh_gpu_instancing");
    expect([...exportedTags(json)].sort()).toEqual(example.equipment.map((e) => e.tag).sort());
  });

  it("format=gltf: glTF JSON with its buffer embedded as a data URI", async () => {
    const response = await get(`/v1/designs/${example.id}/export?format=gltf`);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("model/gltf+json");
    expect(response.headers["content-disposition"]).toBe(`attachment; filename="${example.id}.gltf"`);
    const json = JSON.parse(response.body) as GltfJson;
    expect(json.asset.version).toBe("2.0");
    expect(json.meshes.length).toBeGreaterThan(0);
    expect(json.nodes.length).toBeGreaterThan(0);
    expect(json.buffers.length).toBeGreaterThan(0);
    for (const b of json.buffers) {
      const prefix = "data:application/octet-stream;base64,";
      expect(b.uri?.startsWith(prefix)).toBe(true);
      expect(Buffer.from(b.uri!.slice(prefix.length), "base64").byteLength).toBe(b.byteLength);
    }
    expect(exportedTags(json)).toEqual(new Set(example.equipment.map((e) => e.tag)));
  });

  it("format=json (the default) still exports the design document", async () => {
    for (const url of [`/v1/designs/${example.id}/export`, `/v1/designs/${example.id}/export?format=json`]) {
      const response = await get(url);
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(response.headers["content-disposition"]).toBe(`attachment; filename="${example.id}.json"`);
      expect(response.json()).toMatchObject({ id: example.id });
    }
  });

  it("refuses a topology-only design with 422 not_placed", async () => {
    const {
      id: _id,
      equipment,
      lines,
      ...rest
    } = example as unknown as {
      id: string;
      equipment: Record<string, unknown>[];
      lines?: Record<string, unknown>[];
    };
    const topology = {
      ...rest,
      id: "topology-only",
      equipment: equipment.map(({ x: _x, y: _y, ...e }) => e),
      ...(lines ? { lines: lines.map(({ route: _route, ...l }) => l) } : {}),
    };
    const upload = await app.inject({ method: "POST", url: "/v1/designs", headers: auth, payload: topology });
    expect(upload.statusCode, upload.body).toBe(201);
    for (const format of ["glb", "gltf"]) {
      const response = await get(`/v1/designs/topology-only/export?format=${format}`);
      expect(response.statusCode).toBe(422);
      expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(response.headers["content-disposition"]).toBeUndefined();
      expect(response.json()).toMatchObject({ status: 422, code: "not_placed" });
      expect(response.json().detail).toContain("no placed equipment");
    }
  });

  it("refuses an uploaded DEXPI P&ID (topology only) with 422 problem+json", async () => {
    const upload = await app.inject({
      method: "POST",
      url: "/v1/designs?id=dexpi-e03",
      headers: { ...auth, "content-type": "application/xml" },
      payload: readOwnDexpi(OWN_DEXPI.pump),
    });
    expect(upload.statusCode, upload.body).toBe(201);
    const response = await get("/v1/designs/dexpi-e03/export?format=glb");
    expect(response.statusCode).toBe(422);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: "not_placed", title: "The design has no plan positions to draw" });
    // The design itself still exports.
    expect((await get("/v1/designs/dexpi-e03/export?format=json")).statusCode).toBe(200);
  });

  it("answers 400 problem+json for an unknown format and 404 for an unknown design", async () => {
    const unknown = await get(`/v1/designs/${example.id}/export?format=obj`);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(unknown.json()).toMatchObject({ code: "invalid_request", issues: [{ in: "querystring" }] });
    expect((await get("/v1/designs/no-such-design/export?format=glb")).statusCode).toBe(404);
  });

  it("documents the formats and their media types in the OpenAPI document", async () => {
    const doc = (await app.inject({ method: "GET", url: "/docs/json" })).json() as {
      paths: Record<string, { get: { parameters: { name: string; schema: { enum?: string[] } }[]; responses: any } }>;
    };
    const route = doc.paths["/v1/designs/{id}/export"]!.get;
    expect(route.parameters.find((p) => p.name === "format")!.schema.enum).toEqual(Object.keys(EXPORT_FORMATS));
    // Every format's media type is documented.
    expect(Object.keys(route.responses["200"].content).sort()).toEqual(
      [...new Set(Object.values(EXPORT_FORMATS).map((f) => f.type.split(";")[0]))].sort(),
    );
    expect(route.responses["422"]).toBeDefined();
  });
});
