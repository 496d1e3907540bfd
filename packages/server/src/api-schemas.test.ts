import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GENERATOR_KINDS, MODEL_SIZES } from "@plantgan/core/gan";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM script without types
import { renderApiTypes, renderTrainingSettings } from "../../../scripts/gen-api-types.mjs";
import { buildApp } from "./app.js";
import { ERRORS } from "./errors.js";
import { EXPORT_FORMATS } from "./export.js";
import { createApiKey } from "./keys.js";
import { API_SCHEMAS, apiSchema } from "./schemas.js";
import { CANDIDATE_STATUSES, JOB_KINDS, JOB_STATUSES } from "./store/store.js";
import { checkTrainingSettings, TRAINING_DEFAULTS } from "./training-settings.js";

type Node = Record<string, unknown>;
const enumOf = (schema: string, ...path: string[]) =>
  path.reduce<unknown>((node, key) => (node as Node)[key], apiSchema(schema)) as string[];

/** Every subschema of a document with its JSON pointer. */
function* subschemas(node: unknown, pointer = ""): Generator<[string, Node]> {
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) yield* subschemas(v, `${pointer}/${i}`);
  } else if (node && typeof node === "object") {
    yield [pointer, node as Node];
    for (const [k, v] of Object.entries(node)) yield* subschemas(v, `${pointer}/${k}`);
  }
}

describe("the API schemas (schemas/api)", () => {
  it("the viewer's generated client types match the schemas (no drift)", async () => {
    const dir = new URL("../../viewer/src/api/generated/", import.meta.url);
    expect(readFileSync(new URL("api-types.ts", dir), "utf8")).toBe(await renderApiTypes());
    expect(readFileSync(new URL("training-settings.ts", dir), "utf8")).toBe(renderTrainingSettings());
  });

  it("bound every string, array and number", () => {
    const unbounded: string[] = [];
    for (const schema of API_SCHEMAS) {
      for (const [pointer, node] of subschemas(schema)) {
        const where = `${schema.$id.slice(schema.$id.lastIndexOf("/") + 1)}#${pointer}`;
        if (node.type === "string" && node.maxLength === undefined && node.enum === undefined) unbounded.push(where);
        if (node.type === "array" && node.maxItems === undefined) unbounded.push(where);
        if ((node.type === "integer" || node.type === "number") && node.maximum === undefined) unbounded.push(where);
      }
    }
    expect(unbounded).toEqual([]);
  });

  it("list the same values as the server's code", () => {
    expect(enumOf("problem", "properties", "code", "enum")).toEqual(Object.keys(ERRORS));
    expect(enumOf("job", "properties", "kind", "enum")).toEqual(JOB_KINDS);
    expect(enumOf("job", "properties", "status", "enum")).toEqual(JOB_STATUSES);
    expect(enumOf("job-list-query", "properties", "status", "enum")).toEqual(JOB_STATUSES);
    expect(enumOf("candidate-meta", "properties", "status", "enum")).toEqual(CANDIDATE_STATUSES);
    expect(enumOf("candidate-list-query", "properties", "status", "enum")).toEqual(CANDIDATE_STATUSES);
    expect(enumOf("design-export-query", "properties", "format", "enum")).toEqual(Object.keys(EXPORT_FORMATS));
    expect(enumOf("training-settings", "properties", "generator", "enum")).toEqual(GENERATOR_KINDS);
    expect(enumOf("training-settings", "properties", "size", "enum")).toEqual(Object.keys(MODEL_SIZES));
  });
});

describe("training settings (training-settings.schema.json)", () => {
  it("fill the schema's defaults without changing the input", () => {
    const input = { epochs: 3 };
    const checked = checkTrainingSettings(input);
    expect(checked).toEqual({
      settings: {
        epochs: 3,
        topologyEpochs: 10,
        batchSize: 32,
        size: "small",
        generator: "layout",
        seed: 1,
        nMax: 48,
        previews: 4,
        costWeight: 1,
      },
    });
    expect(input).toEqual({ epochs: 3 });
    expect(TRAINING_DEFAULTS.epochs).toBe(10);
  });

  it("name every refused setting once, with its bounds", () => {
    const checked = checkTrainingSettings({
      epochs: 1001,
      size: "huge",
      learningRate: 0,
      seed: 1.5,
      lr: 1,
      costWeight: -0.5,
    });
    expect("issues" in checked && checked.issues.map((i) => [i.setting, i.message])).toEqual([
      [
        "lr",
        "unknown setting lr; known: epochs, topologyEpochs, batchSize, size, generator, seed, nMax, learningRate, limit, previews, costWeight",
      ],
      ["epochs", "epochs must be an integer from 1 to 1000; got 1001"],
      ["size", 'size must be small or tiny; got "huge"'],
      ["seed", "seed must be an integer from 0 to 2147483647; got 1.5"],
      ["learningRate", "learningRate must be a number above 0 and at most 0.1; got 0"],
      ["costWeight", "costWeight must be a number from 0 to 100; got -0.5"],
    ]);
    expect(checkTrainingSettings({ costWeight: 0 })).toMatchObject({ settings: { costWeight: 0 } });
  });
});

describe("the API with its schemas", () => {
  type App = Awaited<ReturnType<typeof buildApp>>;
  let app: App;
  let dataDir: string;
  let auth: { authorization: string };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "plantgan-api-schemas-"));
    app = await buildApp({ dataDir, rateLimit: false, jobs: { start: false } });
    auth = { authorization: `Bearer ${(await createApiKey(app.store, "schemas")).key}` };
    await app.inject({ method: "POST", url: "/v1/datasets", headers: auth, payload: { id: "plants", name: "Plants" } });
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const train = (payload: Record<string, unknown>) =>
    app.inject({ method: "POST", url: "/v1/models", headers: auth, payload });

  it("POST /v1/models: 422 invalid_training names every refused setting; other mistakes stay 400", async () => {
    const refused = await train({
      id: "m1",
      datasetId: "plants",
      settings: { epochs: 1001, generator: "mesh", x: 1, costWeight: "high" },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.headers["content-type"]).toMatch(/^application\/problem\+json/);
    const problem = refused.json() as { code: string; issues: { pointer: string; message: string }[] };
    expect(problem.code).toBe("invalid_training");
    expect(problem.issues.map((i) => i.pointer).sort()).toEqual([
      "/settings/costWeight",
      "/settings/epochs",
      "/settings/generator",
      "/settings/x",
    ]);
    expect((await train({ id: "bad id!", datasetId: "plants", settings: { epochs: 0 } })).statusCode).toBe(400);
    expect((await train({ id: "m1", datasetId: "plants", extra: 1 })).statusCode).toBe(400);
    // Settings within bounds pass the schema; this server has no training service.
    expect((await train({ id: "m1", datasetId: "plants", settings: { epochs: 1000 } })).json()).toMatchObject({
      code: "not_available",
    });
  });

  it("serves an OpenAPI document built from the schemas, with problem+json and text/event-stream", async () => {
    const doc = (await app.inject({ method: "GET", url: "/docs/json" })).json() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
      components: { schemas: Record<string, Node> };
    };
    const events = doc.paths["/v1/jobs/{id}/events"]!.get!.responses;
    expect(Object.keys(events["200"]!.content!)).toEqual(["text/event-stream"]);
    expect(Object.keys(events["404"]!.content!)).toEqual(["application/problem+json"]);
    const train = doc.paths["/v1/models"]!.post!.responses;
    expect(Object.keys(train["422"]!.content!)).toEqual(["application/problem+json"]);
    const settings = doc.components.schemas.TrainingSettings as { properties: Record<string, Node> };
    expect(settings.properties.epochs).toMatchObject({ default: 10, maximum: 1000 });
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? [];
    const dangling = refs
      .map((r) => r.slice(8, -1))
      .filter((r) => !(r.replace("#/components/schemas/", "") in doc.components.schemas));
    expect(dangling).toEqual([]);
  });
});
