import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";

/**
 * JSON bodies are read as uploaded files are: a key repeated in one object (JSON.parse keeps the
 * last value, other parsers the first; RFC 8259 4) is refused with a problem naming its pointer,
 * on every route that takes application/json.
 */
const EXAMPLE = readFileSync("datasets/examples/pump-station.json", "utf8");

/** The example design with its process class given twice, the second time another one. */
const REPEATED = EXAMPLE.replace(
  '"processClass": "pump_station",',
  '"processClass": "pump_station", "processClass": "tank_farm",',
);

const post = (body: string): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body,
});

describe("JSON request bodies", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it("refuses a repeated key in a /v1/validate body with a 400 problem and its pointer", async () => {
    expect(REPEATED).not.toBe(EXAMPLE);
    // The design's id given twice: once here, once inside the example.
    const body = `{"design":{"id":"x",${JSON.stringify(JSON.parse(EXAMPLE)).slice(1)}}`;
    const response = await s.api("/v1/validate", post(body));
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(await response.json()).toMatchObject({
      status: 400,
      code: "invalid_json",
      issues: [{ pointer: "/design/id", in: "body" }],
    });
  });

  it("refuses a repeated key in a design upload, and stores nothing", async () => {
    const response = await s.api("/v1/designs", post(REPEATED));
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(await response.json()).toMatchObject({ code: "invalid_json", issues: [{ pointer: "/processClass" }] });
    const id = (JSON.parse(EXAMPLE) as { id: string }).id;
    expect((await s.api(`/v1/designs/${id}`)).status).toBe(404);
  });

  it("still accepts the same design without the repeat, and still refuses malformed JSON", async () => {
    const ok = await s.api("/v1/designs", post(EXAMPLE));
    expect(ok.status).toBe(201);
    const broken = await s.api("/v1/designs", post('{"id": '));
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: "invalid_json" });
  });
});
