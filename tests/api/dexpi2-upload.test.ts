// A DEXPI 2.0 file (root <Model>) sent to POST /v1/designs as XML is read as DEXPI 2.0, not handed
// to the 1.x importer: XML is claimed by both, and the body's root element decides.
import { readFileSync } from "node:fs";
import { parseDesign } from "@plantgan/core/design";
import { exportFormatById } from "@plantgan/core/formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";

const example = parseDesign(
  readFileSync(new URL("../../datasets/examples/pump-station.json", import.meta.url), "utf8"),
);

describe("POST /v1/designs with DEXPI 2.0", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it("imports a DEXPI 2.0 body with its equipment, lines and the importer's notes", async () => {
    if (!example.success) throw new Error("the pump-station example breaks the contract");
    const xml = exportFormatById("dexpi2")!.write(example.data);
    expect(xml).toContain("<Model");
    const response = await s.api("/v1/designs?id=pump-station-v2", {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: xml,
    });
    expect(response.status).toBe(201);
    const report = (await response.json()) as { accepted: number; unmapped?: unknown[] };
    expect(report.accepted).toBe(1);
    expect(Array.isArray(report.unmapped)).toBe(true);
    const stored = (await (await s.api("/v1/designs/pump-station-v2")).json()) as {
      source: string;
      design: { equipment: unknown[]; lines: unknown[] };
    };
    expect(stored.source).toBe("dexpi");
    expect(stored.design.equipment).toHaveLength(example.data.equipment.length);
    expect(stored.design.lines).toHaveLength(example.data.lines.length);
  });
});
