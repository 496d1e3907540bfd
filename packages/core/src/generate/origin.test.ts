/**
 * A candidate's origin as design metadata (origin.ts): exact latents, the request in parts that
 * each fit the contract's 1000 characters, and never more than the contract's 64 keys.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type GenerationRequest, parseDesign, parseDocument } from "../design/index.js";
import { decodeLatent, encodeLatent } from "./latent.js";
import { type CandidateOrigin, OriginError, readOrigin, withOriginMetadata } from "./origin.js";

const example = parseDesign(
  readFileSync(new URL("../../../../datasets/examples/pump-station.json", import.meta.url), "utf8"),
);

function request(input: Record<string, unknown>): GenerationRequest {
  const parsed = parseDocument("generationRequest", { schemaVersion: "1.0", ...input });
  if (!parsed.success) throw new Error(parsed.issues.map((i) => `${i.pointer} ${i.message}`).join("; "));
  return parsed.data as GenerationRequest;
}

const latent = { layout: Array.from({ length: 32 }, (_, i) => Math.fround(Math.sin(i * 1.7) * 2.3)) };

describe("candidate origin metadata", () => {
  it("keeps float32 latents exactly", () => {
    expect(decodeLatent(encodeLatent(latent.layout))).toEqual(latent.layout);
    expect(decodeLatent("not base64!")).toBeUndefined();
  });

  it("splits a large request into parts that fit the contract and reads it back", () => {
    if (!example.success) throw new Error("example");
    const big = request({
      mode: "topology",
      processClass: example.data.processClass,
      site: example.data.site,
      topology: example.data,
      count: 1,
    });
    const origin: CandidateOrigin = {
      request: big,
      latent,
      truncation: 0.7,
      topologySeed: 5,
      topologySource: "request",
    };
    const metadata = withOriginMetadata({ topologySource: "request" }, origin);
    expect(metadata.requestParts).toBeGreaterThan(1);
    expect(Object.keys(metadata).length).toBeLessThanOrEqual(64);
    expect(Object.values(metadata).every((v) => typeof v !== "string" || v.length <= 1000)).toBe(true);
    // The design with that metadata still fits the plant-design contract.
    expect(parseDesign({ ...example.data, metadata }).success).toBe(true);
    const back = readOrigin(metadata);
    expect(back.request).toEqual(big);
    expect(back.latent).toEqual(latent);
    expect([back.truncation, back.topologySeed, back.topologySource]).toEqual([0.7, 5, "request"]);
  });

  it("leaves the origin out rather than pass 64 keys, and says so when read", () => {
    const full = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, i]));
    const spec = request({ processClass: "tank_farm", site: { width: 100, depth: 80 } });
    const metadata = withOriginMetadata(full, {
      request: spec,
      latent,
      truncation: 1,
      topologySeed: 1,
      topologySource: "designer",
    });
    expect(Object.keys(metadata).length).toBeLessThanOrEqual(64);
    expect(() => readOrigin(metadata)).toThrow(OriginError);
  });
});
