import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";

/**
 * A multipart body that does not parse (a boundary that never closes, garbage between boundaries,
 * no boundary parameter) is the client's fault: 400 problem+json, and no job queued. It used to be
 * a 500 from the parser's error escaping the route.
 */
describe("POST /v1/imports with a malformed multipart body", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ jobs: { start: false } });
  });
  afterAll(async () => {
    await s.close();
  });

  const bodies: Record<string, { type: string; body: string }> = {
    "an unterminated part": {
      type: "multipart/form-data; boundary=XyZ",
      body: '--XyZ\r\ncontent-disposition: form-data; name="files"; filename="a.ndjson"\r\n\r\n{"id":"x"}',
    },
    "headers that never end": {
      type: "multipart/form-data; boundary=XyZ",
      body: '--XyZ\r\ncontent-disposition: form-data; name="files"; filename="a.ndjson"',
    },
    "no boundary parameter": { type: "multipart/form-data", body: "--XyZ\r\n\r\nhello\r\n--XyZ--\r\n" },
    "a boundary and then nothing": { type: "multipart/form-data; boundary=XyZ", body: "--XyZ\r\n" },
  };

  for (const [name, { type, body }] of Object.entries(bodies)) {
    it(`answers 400 problem+json for ${name}`, async () => {
      const response = await s.api("/v1/imports", { method: "POST", headers: { "content-type": type }, body });
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status: 400 });
    });
  }

  it("queued no job for any of them", async () => {
    const jobs = (await (await s.api("/v1/jobs")).json()) as { items: unknown[] };
    expect(jobs.items).toEqual([]);
  });
});
