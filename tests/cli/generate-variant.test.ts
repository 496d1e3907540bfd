import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plantgan } from "./run-cli.js";

/**
 * `plantgan generate --variant-of` and `--blend`: a new candidate from recorded ones' latents,
 * written with its parents (origin.parents and design.metadata), its request changed by `--set`;
 * bad syntax, an unknown field or a missing candidate is exit 2 naming it.
 */
describe("plantgan generate --variant-of / --blend", () => {
  const dir = mkdtempSync(join(tmpdir(), "plantgan-variant-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const requestFile = join(dir, "req.json");
  const parents = join(dir, "parents.ndjson");
  const read = (file: string) =>
    readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));

  beforeAll(() => {
    writeFileSync(
      requestFile,
      JSON.stringify({
        schemaVersion: "1.0",
        processClass: "tank_farm",
        site: { width: 120, depth: 90 },
        equipment: [
          { type: "pump", count: 2 },
          { type: "tank", count: 1 },
        ],
        count: 2,
        seed: 21,
      }),
    );
    const run = plantgan(["generate", "--request", requestFile, "-o", parents]);
    expect(run.code, run.stderr).toBe(0);
  });

  it("records each candidate's request and latent in the file", () => {
    const [first] = read(parents);
    expect(first.origin.request.seed).toBe(21);
    expect(first.origin.latent.layout).toHaveLength(32);
    expect(typeof first.design.metadata["latent.layout"]).toBe("string");
    expect(first.design.metadata.requestParts).toBe(1);
  });

  it("writes a variant with one more pump that records its parent and change", () => {
    const out = join(dir, "variant.ndjson");
    const run = plantgan(["generate", "--variant-of", parents, "--set", "equipment.pump=+1", "-o", out]);
    expect(run.code, run.stderr).toBe(0);
    const [parent] = read(parents);
    const [variant] = read(out);
    const pumps = (d: { equipment: { type: string }[] }) => d.equipment.filter((e) => e.type === "pump").length;
    expect(pumps(variant.design)).toBe(pumps(parent.design) + 1);
    expect(variant.origin.parents).toEqual({ variantOf: parent.id, set: ["equipment.pump=+1"] });
    expect(variant.design.metadata.variantOf).toBe(parent.id);
    expect(variant.origin.latent.layout).toEqual(parent.origin.latent.layout);
    expect(variant.id).not.toBe(parent.id);
  });

  it("writes a blend of two candidates that records both parents and t", () => {
    const [a, b] = read(parents);
    const out = join(dir, "blend.ndjson");
    const run = plantgan(["generate", "--blend", `${parents}#${a.id},${parents}#${b.id},0.25`, "-o", out]);
    expect(run.code, run.stderr).toBe(0);
    const [blend] = read(out);
    expect(blend.origin.parents).toEqual({ blendOf: [a.id, b.id], t: 0.25 });
    expect(blend.design.metadata.blendOf).toBe(`${a.id},${b.id}`);
    expect(blend.origin.latent.layout).not.toEqual(a.origin.latent.layout);
    expect(blend.origin.latent.layout).not.toEqual(b.origin.latent.layout);
  });

  it("refuses bad syntax, unknown fields and candidates with exit 2, naming them", () => {
    for (const [args, says] of [
      [
        ["--variant-of", parents, "--set", "equipment.widget=+1"],
        '--set equipment.widget=+1: unknown equipment type "widget"',
      ],
      [["--variant-of", parents, "--set", "site.colour=2"], 'unknown field "site.colour"'],
      [["--variant-of", parents, "--set", "pumps"], "--set pumps: expected <field>=<value>"],
      [["--variant-of", `${parents}#nope`], "no candidate nope"],
      [["--blend", parents], "expected a,b or a,b,t"],
      [["--blend", `${parents},${parents},2`], "t must be a number in [0, 1]"],
      [["--request", requestFile, "--set", "equipment.pump=1"], "--set applies to --variant-of"],
      [["--variant-of", parents, "--seed", "3"], "--seed: --variant-of makes one candidate"],
    ] as const) {
      const run = plantgan(["generate", ...args]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(says);
    }
  });
});
