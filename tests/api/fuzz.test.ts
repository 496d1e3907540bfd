import { generationService, trainingService } from "@plantgan/server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDesign } from "./designs.js";
import { json, startTestServer, type TestServer } from "./harness.js";

/**
 * Property: a malformed body on upload, validate, generate or train is a 4xx problem+json, never
 * a 5xx, and leaves the store exactly as it was (every table's row count). 2,000 bodies in all.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON pointers (as key paths) to every value in a document. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...paths(v, [...prefix, i]));
  } else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function setAt(doc: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const copy = structuredClone(doc) as Record<string | number, Json>;
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return copy as Json;
}

const typeOf = (v: Json) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** A value of another JSON type than `v`: the schema types every field, so this always breaks it. */
function otherType(v: Json): fc.Arbitrary<Json> {
  const all: Record<string, fc.Arbitrary<Json>> = {
    null: fc.constant(null),
    boolean: fc.boolean(),
    number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    string: fc.string({ maxLength: 20 }),
    array: fc.array(fc.integer(), { maxLength: 3 }),
    object: fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
  };
  return fc.oneof(
    ...Object.entries(all)
      .filter(([t]) => t !== typeOf(v) && !(t === "number" && typeOf(v) === "number"))
      .map(([, a]) => a),
  );
}

/** A document broken in one way that its schema certainly refuses. */
function brokenOf(base: Json, required: readonly string[]): fc.Arbitrary<Json> {
  const valueAt = (p: (string | number)[]) => {
    let v: Json = base;
    for (const k of p) v = (v as Record<string | number, Json>)[k]!;
    return v;
  };
  return fc.oneof(
    // A field of the wrong type somewhere.
    fc
      .constantFrom(...paths(base).filter((p) => p.length > 0))
      .chain((p) => otherType(valueAt(p)).map((x) => setAt(base, p, x))),
    // A required field missing.
    fc.constantFrom(...required).map((k) => setAt(base, [k], undefined)),
    // An unknown field on an object.
    fc
      .constantFrom(
        ...paths(base).filter((p) => {
          const v = valueAt(p);
          return v !== null && typeof v === "object" && !Array.isArray(v);
        }),
      )
      .chain((p) =>
        fc
          .string({ minLength: 1, maxLength: 8 })
          .filter((k) => !/^[a-z]/i.test(k) || k.length > 7)
          .map((k) => setAt(base, [...p, `zz${k}`], 1)),
      ),
    // Anything at all (never a valid document in practice: each needs several typed fields).
    fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>,
  );
}

const brokenDesign = brokenOf(makeDesign("fuzz-base") as Json, [
  "schemaVersion",
  "id",
  "processClass",
  "site",
  "equipment",
  "lines",
]);

const GOOD_REQUEST: Json = {
  schemaVersion: "1.0",
  processClass: "pump_station",
  site: { width: 120, depth: 80 },
  equipment: [{ type: "pump", count: 2 }],
  count: 2,
  seed: 1,
};
const brokenRequest = brokenOf(GOOD_REQUEST, ["schemaVersion", "processClass", "site"]);

const text = fc.string({ maxLength: 200, unit: "binary" });
const deep = fc.integer({ min: 50, max: 5000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`);

interface Body {
  readonly contentType: string | undefined;
  readonly payload: string;
}

const uploadBody: fc.Arbitrary<Body> = fc.oneof(
  brokenDesign.map((d) => ({ contentType: "application/json", payload: JSON.stringify(d) })),
  fc
    .array(brokenDesign, { minLength: 1, maxLength: 4 })
    .map((ds) => ({ contentType: "application/json", payload: JSON.stringify(ds) })),
  fc.array(brokenDesign, { minLength: 1, maxLength: 4 }).map((ds) => ({
    contentType: "application/x-ndjson",
    payload: ds.map((d) => JSON.stringify(d)).join("\n"),
  })),
  text.map((t) => ({ contentType: "application/json", payload: t })),
  text.map((t) => ({ contentType: "application/x-ndjson", payload: t })),
  fc
    .oneof(
      text,
      fc.constant("<PlantModel><Equipment ID='x'/>"),
      fc.constant("<!DOCTYPE x [<!ENTITY a SYSTEM 'file:///etc/passwd'>]><x>&a;</x>"),
    )
    .map((t) => ({
      contentType: "application/xml",
      payload: t,
    })),
  deep.map((t) => ({ contentType: "application/json", payload: t })),
  fc.constant({ contentType: "application/json", payload: '{"__proto__":{"polluted":1}}' }),
  fc.constant({ contentType: "application/json", payload: '{"constructor":{"prototype":{"polluted":1}}}' }),
  fc
    .tuple(fc.constantFrom("text/plain", "application/octet-stream", "image/png", "multipart/form-data"), text)
    .map(([contentType, payload]) => ({ contentType, payload })),
  text.map((payload) => ({ contentType: undefined, payload })),
);

const validateBody: fc.Arbitrary<Body> = fc.oneof(
  brokenDesign.map((d) => ({ contentType: "application/json", payload: JSON.stringify({ design: d }) })),
  brokenDesign.map((d) => ({
    contentType: "application/json",
    payload: JSON.stringify({ design: makeDesign("ok"), rulePack: d }),
  })),
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ contentType: "application/json", payload: JSON.stringify(v) })),
  fc
    .record({ designId: fc.string({ maxLength: 200 }) }, { requiredKeys: [] })
    .map((v) => ({ contentType: "application/json", payload: JSON.stringify(v) })),
  text.map((t) => ({ contentType: "application/json", payload: t })),
  deep.map((t) => ({ contentType: "application/json", payload: `{"design":${t}}` })),
);

const generateBody: fc.Arbitrary<Body> = fc.oneof(
  brokenRequest.map((r) => ({ contentType: "application/json", payload: JSON.stringify(r) })),
  // Well-formed but more candidates than one request may ask for.
  fc.integer({ min: 65, max: 10_000 }).map((count) => ({
    contentType: "application/json",
    payload: JSON.stringify({ ...(GOOD_REQUEST as object), count }),
  })),
  text.map((t) => ({ contentType: "application/json", payload: t })),
  deep.map((t) => ({ contentType: "application/json", payload: t })),
);

/** Training requests that are wrong in their shape or in at least one setting. */
const GOOD_TRAINING: Json = { id: "fuzz-model", datasetId: "plants", settings: { epochs: 2, size: "tiny" } };
const badSetting: fc.Arbitrary<[string, Json]> = fc.oneof(
  fc.tuple(
    fc.constantFrom("epochs", "batchSize", "nMax", "seed", "limit", "previews"),
    fc.oneof(
      fc.integer({ min: -1000, max: -1 }), // below every minimum (seed and previews may be 0)
      fc.double({ min: 0.01, max: 0.99 }),
      fc.string({ maxLength: 5 }),
      fc.boolean(),
    ),
  ),
  fc.tuple(
    fc.constant("size"),
    fc.string({ maxLength: 8 }).filter((x) => x !== "small" && x !== "tiny"),
  ),
  fc.tuple(fc.constant("learningRate"), fc.oneof(fc.double({ min: -1, max: 0 }), fc.double({ min: 0.2, max: 1e6 }))),
  fc.tuple(
    fc.string({ minLength: 1, maxLength: 8 }).map((k) => `zz${k}`),
    fc.integer(),
  ),
);
const trainBody: fc.Arbitrary<Body> = fc.oneof(
  brokenOf(GOOD_TRAINING, ["id", "datasetId"]).map((b) => ({
    contentType: "application/json",
    payload: JSON.stringify(b),
  })),
  fc.array(badSetting, { minLength: 1, maxLength: 3 }).map((entries) => ({
    contentType: "application/json",
    payload: JSON.stringify({ ...(GOOD_TRAINING as object), settings: { epochs: 2, ...Object.fromEntries(entries) } }),
  })),
  text.map((t) => ({ contentType: "application/json", payload: t })),
);

describe("malformed bodies", () => {
  let s: TestServer;
  let counts: Record<string, number>;
  beforeAll(async () => {
    s = await startTestServer({
      jobs: { start: false },
      services: { generation: generationService, training: trainingService },
    });
    await s.api("/v1/designs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(makeDesign("existing")),
    });
    // What a well-formed generate or train request would use: a ready model, a dataset with a placed design.
    const { workspaceId } = (await (await s.api("/v1/me")).json()) as { workspaceId: string };
    await s.app.store.putModel(workspaceId, { id: "default", status: "ready", weights: "0".repeat(64) });
    await s.api("/v1/datasets", json({ id: "plants", name: "plants" }));
    await s.api("/v1/datasets/plants/designs", json({ add: ["existing"] }));
    counts = await s.app.store.counts();
  });
  afterAll(async () => {
    await s.close();
  });

  const seen: Record<string, number> = {};
  afterAll(() => {
    console.log(`malformed bodies by answer: ${JSON.stringify(seen)}`);
  });

  const check = (url: string, arbitrary: fc.Arbitrary<Body>, numRuns: number) =>
    fc.assert(
      fc.asyncProperty(arbitrary, async ({ contentType, payload }) => {
        const response = await s.app.inject({
          method: "POST",
          url,
          headers: { authorization: `Bearer ${s.keyA}`, ...(contentType ? { "content-type": contentType } : {}) },
          payload,
        });
        if (response.statusCode < 400 || response.statusCode >= 500) {
          throw new Error(
            `${response.statusCode} for ${contentType}: ${payload.slice(0, 300)}\n${response.body.slice(0, 500)}`,
          );
        }
        expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
        const problem = response.json() as { code: string; status: number };
        const key = `${url.split("/").pop()} ${response.statusCode} ${problem.code}`;
        seen[key] = (seen[key] ?? 0) + 1;
        expect(problem.status).toBe(response.statusCode);
        expect(typeof problem.code).toBe("string");
      }),
      { numRuns },
    );

  it("POST /v1/designs: 700 malformed bodies, all 4xx problem+json, store unchanged", async () => {
    await check("/v1/designs", uploadBody, 700);
    expect(await s.app.store.counts()).toEqual(counts);
  });

  it("POST /v1/validate: 500 malformed bodies, all 4xx problem+json, store unchanged", async () => {
    await check("/v1/validate", validateBody, 500);
    expect(await s.app.store.counts()).toEqual(counts);
  });

  it("POST /v1/generate: 500 malformed requests, all 4xx problem+json, no job queued", async () => {
    await check("/v1/generate?model=default", generateBody, 500);
    expect(await s.app.store.counts()).toEqual(counts);
  });

  it("POST /v1/models: 300 malformed training requests, all 4xx problem+json, no model or job", async () => {
    await check("/v1/models", trainBody, 300);
    expect(await s.app.store.counts()).toEqual(counts);
  });
});
