import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describeWithPostgres, type RunningPostgres, startPostgres } from "@plantgan/testing/postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeDesign, ndjson } from "../api/designs.js";
import { DEXPI_FILE, json, readSse, startTestServer, type TestServer } from "../api/harness.js";

/**
 * The real HTTP server on PostgreSQL (databaseUrl): uploads, a dataset and an import job whose
 * forked worker opens its own connection from the same store config, reads the upload's blob
 * from the database and writes the designs there.
 */
describeWithPostgres("API on PostgreSQL", () => {
  let cluster: RunningPostgres;
  let s: TestServer;
  beforeAll(async () => {
    cluster = await startPostgres();
    s = await startTestServer({ databaseUrl: cluster.newDatabase() });
  });
  afterAll(async () => {
    await s?.close();
    cluster?.stop();
  });

  it("uploads a design, refusing the same id again (409)", async () => {
    expect((await s.api("/v1/designs", json(makeDesign("pg-1")))).status).toBe(201);
    const again = await s.api("/v1/designs", json(makeDesign("pg-1")));
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: "conflict", issues: [{ code: "conflict", pointer: "/id" }] });
    const back = (await (await s.api("/v1/designs/pg-1")).json()) as { id: string; design: { name: string } };
    expect(back).toMatchObject({ id: "pg-1", design: { name: "Transfer station 0" } });
    // Another workspace does not see it.
    expect((await s.api("/v1/designs/pg-1", { key: s.keyB })).status).toBe(404);
  });

  it("creates a dataset, refusing a taken id (409)", async () => {
    const created = await s.api("/v1/datasets", json({ id: "pg-set", name: "On PostgreSQL" }));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: "pg-set", designCount: 0 });
    expect((await s.api("/v1/datasets", json({ id: "pg-set", name: "again" }))).status).toBe(409);
  });

  it("runs an import job to the end in a worker process and reads the designs back", async () => {
    const form = new FormData();
    form.append("files", new Blob([readFileSync(DEXPI_FILE)], { type: "application/xml" }), "tee.xml");
    const designs = Array.from({ length: 12 }, (_, i) => makeDesign(`pg-imp-${i}`, i));
    form.append("files", new Blob([ndjson(designs)], { type: "application/octet-stream" }), "batch.ndjson");
    const response = await s.api("/v1/imports?id=pg-dexpi&dataset=pg-set&batchSize=5", { method: "POST", body: form });
    expect(response.status).toBe(202);
    const job = (await response.json()) as { id: string };

    const events = await readSse(`${s.url}/v1/jobs/${job.id}/events`, s.keyA);
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(["queued", "started", "progress"]));
    expect(events.at(-1)?.event).toBe("finished");
    const done = await (await s.api(`/v1/jobs/${job.id}`)).json();
    expect(done).toMatchObject({ status: "succeeded", attempts: 1, result: { accepted: 13, refused: 0 } });

    const dataset = await (await s.api("/v1/datasets/pg-set")).json();
    expect(dataset).toMatchObject({ id: "pg-set", designCount: 13 });
    const page = (await (await s.api("/v1/designs?dataset=pg-set&limit=100")).json()) as { items: { id: string }[] };
    expect(page.items.map((d) => d.id).sort()).toEqual(["pg-dexpi", ...designs.map((d) => String(d.id))].sort());
    const one = (await (await s.api("/v1/designs/pg-imp-7")).json()) as { design: Record<string, unknown> };
    expect(one.design).toMatchObject({ id: "pg-imp-7", name: "Transfer station 7" });
    expect((await s.api("/v1/designs/pg-dexpi")).status).toBe(200);

    // Everything is in PostgreSQL: no SQLite file in the data folder, and the rows are counted there.
    expect(existsSync(join(s.dataDir, "plantgan.db"))).toBe(false);
    const counts = await s.app.store.counts();
    expect(counts.designs).toBe(1 + 13);
    expect(counts.jobs).toBe(1);
  });
});
