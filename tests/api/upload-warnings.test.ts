// The import report's warnings reach the user: a DEXPI drawing that yields no equipment and no lines
// is stored with a warning in the upload report (POST /v1/designs) and in the import job's result.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDesign } from "./designs.js";
import { json, readSse, startTestServer, type TestServer } from "./harness.js";

/** A P&ID with a drawing and nothing on it: the importer accepts it, empty, and warns. */
const EMPTY_DRAWING = `<?xml version="1.0" encoding="UTF-8"?>
<PlantModel>
  <PlantInformation SchemaVersion="4.1.1" OriginatingSystem="Hand" Units="Metre"/>
  <Drawing Name="empty-sheet" Title="An empty sheet"/>
</PlantModel>
`;
const WARNING = /the drawing yields no equipment and no lines/;

describe("import warnings in the upload report", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it("POST /v1/designs: an empty DEXPI drawing is stored, and the report says why it is empty", async () => {
    const response = await s.api("/v1/designs?id=empty-sheet", {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: EMPTY_DRAWING,
    });
    expect(response.status).toBe(201);
    const report = (await response.json()) as { accepted: number; warnings?: string[] };
    expect(report.accepted).toBe(1);
    // Empty, and the class and site it was given are said to be assumed, not read.
    expect(report.warnings).toHaveLength(3);
    expect(report.warnings?.[0]).toMatch(WARNING);
    expect(report.warnings?.[1]).toMatch(/states no process class: .* was guessed/);
    expect(report.warnings?.[2]).toMatch(/has no plot: a .* site was assumed/);
  });

  it("a JSON design has nothing to warn about: the report has no warnings", async () => {
    const response = await s.api("/v1/designs", json(makeDesign("no-warnings")));
    expect(response.status).toBe(201);
    expect(await response.json()).not.toHaveProperty("warnings");
  });

  it("POST /v1/imports: the job's result carries each source's warnings with its file name", async () => {
    const form = new FormData();
    form.append("files", new Blob([EMPTY_DRAWING], { type: "application/xml" }), "sheet.xml");
    const response = await s.api("/v1/imports?id=empty-job", { method: "POST", body: form });
    expect(response.status).toBe(202);
    const job = (await response.json()) as { id: string };
    await readSse(`${s.url}/v1/jobs/${job.id}/events`, s.keyA);
    const done = (await (await s.api(`/v1/jobs/${job.id}`)).json()) as {
      status: string;
      result: { accepted: number; warnings: string[] };
    };
    expect(done).toMatchObject({ status: "succeeded", result: { accepted: 1 } });
    expect(done.result.warnings).toHaveLength(3);
    expect(done.result.warnings[0]).toMatch(/^sheet\.xml: the drawing yields no equipment/);
    expect(done.result.warnings.slice(1).every((w) => w.startsWith("sheet.xml: "))).toBe(true);
  });
});
