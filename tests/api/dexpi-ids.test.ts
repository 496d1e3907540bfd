import { readFileSync } from "node:fs";
import { designIdFromName } from "@plantgan/core/formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEXPI_FILE, readSse, startTestServer, type TestServer } from "./harness.js";

/**
 * Two DEXPI drawings uploaded together get two ids, each from its file's name (the function the
 * CLI uses), not one id from a drawing name many tools write the same.
 */
describe("DEXPI ids from file names", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s?.close();
  });

  it("names each DEXPI file of a multipart import by its file name", async () => {
    const bytes = readFileSync(DEXPI_FILE);
    const form = new FormData();
    form.append("files", new Blob([bytes], { type: "application/xml" }), "Station A.xml");
    form.append("files", new Blob([bytes], { type: "application/xml" }), "station-b.xml");
    const response = await s.api("/v1/imports", { method: "POST", body: form });
    expect(response.status).toBe(202);
    const job = (await response.json()) as { id: string };
    await readSse(`${s.url}/v1/jobs/${job.id}/events`, s.keyA);
    const done = (await (await s.api(`/v1/jobs/${job.id}`)).json()) as { status: string; result: { accepted: number } };
    expect(done).toMatchObject({ status: "succeeded", result: { accepted: 2 } });
    for (const name of ["Station A.xml", "station-b.xml"]) {
      const id = designIdFromName(name);
      expect((await s.api(`/v1/designs/${id}`)).status, id).toBe(200);
    }
  });
});
