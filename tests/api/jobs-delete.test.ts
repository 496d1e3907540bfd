import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDesign } from "./designs.js";
import { readSse, startTestServer, type TestServer, waitFor } from "./harness.js";

/**
 * DELETE /v1/jobs/{id}: an ended job goes with its events (what it stored stays); a queued or
 * running one is 409 job_not_ended problem+json and stays; another workspace's job is 404.
 */
describe("DELETE /v1/jobs/{id}", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  const importJob = async (id: string, key = s.keyA) => {
    const response = await s.api("/v1/imports", {
      method: "POST",
      key,
      headers: { "content-type": "application/x-ndjson" },
      body: `${JSON.stringify(makeDesign(id))}\n`,
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  };

  it("deletes a finished job and its events; the design it imported stays", async () => {
    const id = await importJob("del-1");
    await readSse(`${s.url}/v1/jobs/${id}/events`, s.keyA);
    expect(await (await s.api(`/v1/jobs/${id}`)).json()).toMatchObject({ status: "succeeded" });

    expect((await s.api(`/v1/jobs/${id}`, { method: "DELETE", key: s.keyB })).status).toBe(404);
    const deleted = await s.api(`/v1/jobs/${id}`, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect((await s.api(`/v1/jobs/${id}`)).status).toBe(404);
    expect((await s.api(`/v1/jobs/${id}/events`)).status).toBe(404);
    const { workspaceId } = (await (await s.api("/v1/me")).json()) as { workspaceId: string };
    expect(await s.app.store.jobEvents(workspaceId, id, 0, 10)).toEqual([]);
    expect((await s.api("/v1/designs/del-1")).status).toBe(200);
    expect((await s.api(`/v1/jobs/${id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("refuses a queued and a running job with 409 job_not_ended, and keeps them", async () => {
    // The runner stops taking jobs: one stays queued, the other is claimed here as a worker would.
    await s.app.jobs.stop();
    const ids = [await importJob("del-q"), await importJob("del-r")];
    const claimed = await waitFor(async () => (await s.app.store.claimNextJob(60_000, "test-worker")) ?? undefined);
    const statuses = await Promise.all(
      ids.map(async (id) => ((await (await s.api(`/v1/jobs/${id}`)).json()) as { status: string }).status),
    );
    expect(statuses.sort()).toEqual(["queued", "running"]);
    expect(ids).toContain(claimed.id);

    for (const id of ids) {
      const refused = await s.api(`/v1/jobs/${id}`, { method: "DELETE" });
      expect(refused.status).toBe(409);
      expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(await refused.json()).toMatchObject({ status: 409, code: "job_not_ended" });
      expect((await s.api(`/v1/jobs/${id}`)).status).toBe(200);
    }
  });
});
