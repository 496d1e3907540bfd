import { describe, expect, it } from "vitest";
import { generationRequestSchema } from "./generated/schemas.js";
import { parseGenerationRequest } from "./parse.js";
import { GENERATION_REQUEST_DEFAULTS } from "./vocabulary.js";

const minimalRequest = () => ({
  schemaVersion: "1.0",
  processClass: "tank_farm",
  site: { width: 120, depth: 80 },
  equipment: [{ type: "tank", count: 3 }],
});

describe("parseGenerationRequest", () => {
  it("fills the schema's defaults into a request that leaves them out", () => {
    const parsed = parseGenerationRequest(minimalRequest());
    if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
    expect(parsed.data.count).toBe(generationRequestSchema.properties.count.default);
    expect(parsed.data).toMatchObject({ mode: "spec", truncation: 1, fixed: [] });
    expect(parsed.data.site).toMatchObject({ gridSize: 1, keepOut: [], racks: [] });
  });

  it("keeps a count the request gives", () => {
    const parsed = parseGenerationRequest({ ...minimalRequest(), count: 9 });
    expect(parsed.success && parsed.data.count).toBe(9);
  });

  it("never writes the defaults into the caller's object", () => {
    const input: Record<string, unknown> = minimalRequest();
    parseGenerationRequest(input);
    expect(input).not.toHaveProperty("count");
    expect(input.site).toEqual({ width: 120, depth: 80 });
  });

  it("fills the same defaults from JSON text", () => {
    const parsed = parseGenerationRequest(JSON.stringify(minimalRequest()));
    expect(parsed.success && parsed.data.count).toBe(GENERATION_REQUEST_DEFAULTS.count);
  });

  it("refuses a count outside the schema's bounds, naming it", () => {
    const parsed = parseGenerationRequest({ ...minimalRequest(), count: 0 });
    expect(parsed.success).toBe(false);
    expect(!parsed.success && parsed.issues.map((i) => i.pointer)).toEqual(["/count"]);
  });
});
