// Bad input to eval and generate ends in exit 2 with a message naming what is wrong, never an
// internal error (exit 70) or a run on nonsense.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MODEL_INFO } from "@plantgan/core/gan";
import { describe, expect, it } from "vitest";
import { plantgan } from "./run-cli.js";

const work = mkdtempSync(join(tmpdir(), "plantgan-bad-input-"));

describe("plantgan eval and generate refuse bad input with exit 2", () => {
  it("eval: a seed that is not a non-negative integer", () => {
    const run = plantgan(["eval", "--seed", "abc"]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain("--seed");
  });

  it("eval: a split that is a path, not a split name", () => {
    const run = plantgan(["eval", "--split", "../../etc/passwd", "--per-class", "1"]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain("--split");
  });

  it("eval: a model folder whose generator is missing", () => {
    const dir = join(work, "no-generator");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, MODEL_INFO), JSON.stringify({ config: { model: { generator: "layout" } } }));
    const run = plantgan(["eval", "--model", dir, "--per-class", "1"]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/generator is missing or unreadable/);
  });

  it("eval: a model folder whose info has no model configuration", () => {
    const dir = join(work, "no-config");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, MODEL_INFO), JSON.stringify({ config: {} }));
    const run = plantgan(["eval", "--model", dir, "--per-class", "1"]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain("holds no model configuration");
  });
});
