import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseDocument } from "@plantgan/core/design";
import { afterAll, describe, expect, it } from "vitest";
import { plantgan, REPO_ROOT } from "./run-cli.js";

/** A tiny layout-only run: 12 placed designs of the shipped test split, batches of 4 (3 steps). */
const TINY = ["--size", "tiny", "--epochs", "1", "--topology-epochs", "0", "--batch", "4", "--previews", "1"];

describe("plantgan train --workers (data-parallel training)", () => {
  const dir = mkdtempSync(join(tmpdir(), "plantgan-train-workers-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const dataset = join(dir, "dataset");
  mkdirSync(dataset, { recursive: true });
  const lines = gunzipSync(readFileSync(join(REPO_ROOT, "datasets/synthetic-v1/test.ndjson.gz")))
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .slice(0, 12);
  writeFileSync(join(dataset, "train.ndjson"), `${lines.join("\n")}\n`);

  it("trains on 2 processes and the card and metrics say so", () => {
    const model = join(dir, "model");
    const run = plantgan(["train", "--dataset", dataset, "--out", model, "--workers", "2", ...TINY]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("data-parallel on 2 processes");
    const card = parseDocument("modelCard", JSON.parse(readFileSync(join(model, "model-card.json"), "utf8")));
    if (!card.success) throw new Error(JSON.stringify(card.issues));
    expect(card.data.settings.workers).toBe(2);
    expect(card.data.epochs).toBe(1);
    const metrics = readFileSync(join(model, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({ epoch: 1, step: 3, workers: 2 });
    expect(Number.isFinite(metrics[0].d_loss)).toBe(true);
  }, 180_000);

  it("refuses a worker count outside 1 to 64 with exit 2, naming the flag", () => {
    for (const bad of ["0", "65", "two"]) {
      const run = plantgan([
        "train",
        "--dataset",
        dataset,
        "--out",
        join(dir, `bad-${bad}`),
        "--workers",
        bad,
        ...TINY,
      ]);
      expect(run.code, bad).toBe(2);
      expect(run.stderr).toContain(`--workers must be an integer from 1 to 64; got ${bad}`);
    }
  });
});
