import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "@plantgan/core/design";
import { OWN_DEXPI_DIR } from "@plantgan/testing";
import { describeWithFixtures, fixturePath } from "@plantgan/testing/fixtures";
import { afterAll, describe, expect, it } from "vitest";
import { plantgan } from "./run-cli.js";

const TOPOLOGY_FILES = [
  "topology/topology-gan.json",
  ...["skeleton", "lines", "attachments"].flatMap((s) => [`topology/${s}/model.json`, `topology/${s}/weights.bin`]),
];

/**
 * A tiny run: one topology epoch in batches of 1 (3 designs: 3 critic steps, 1 generator step),
 * no layout epochs to speak of (the designs are not placed).
 */
const TINY = ["--size", "tiny", "--epochs", "1", "--topology-epochs", "1", "--batch", "1", "--previews", "1"];

/**
 * The user's path for DEXPI P&IDs: `plantgan import` them into a dataset folder, `plantgan train`
 * it (the topology generator learns from topology-only designs; nothing is placed, so the layout
 * generator stays untrained and the card says so), then generate with `--topology learned`.
 */
function trainOnDexpi(dir: string, sources: string) {
  const dataset = join(dir, "dataset");
  mkdirSync(dataset, { recursive: true });
  const imported = plantgan(["import", sources, "-o", join(dataset, "train.ndjson")]);
  expect(imported.code, imported.stderr).toBe(0);
  const designs = readFileSync(join(dataset, "train.ndjson"), "utf8").trim().split("\n").length;
  const model = join(dir, "model");
  const trained = plantgan(["train", "--dataset", dataset, "--out", model, ...TINY]);
  return { dataset, designs, model, trained };
}

function cardOf(model: string) {
  const parsed = parseDocument("modelCard", JSON.parse(readFileSync(join(model, "model-card.json"), "utf8")));
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  return parsed.data;
}

describe("plantgan train on DEXPI imports (the repository's own files)", () => {
  const dir = mkdtempSync(join(tmpdir(), "plantgan-train-dexpi-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = trainOnDexpi(dir, OWN_DEXPI_DIR);

  it("trains the topology generator on the topology-only designs, writes topology/ and a card counting them", () => {
    expect(run.trained.code, run.trained.stderr).toBe(0);
    expect(run.designs).toBe(3);
    expect(run.trained.stderr).toContain("3 topology-only");
    expect(run.trained.stderr).toContain("layout generator: no placed design, not trained");
    for (const f of TOPOLOGY_FILES) expect(existsSync(join(run.model, f)), f).toBe(true);
    // A new run's heads decode into the whole rows these designs hold (model-sizes.ts TOPOLOGY_ROW_MOTIFS).
    const saved = JSON.parse(readFileSync(join(run.model, "topology/topology-gan.json"), "utf8"));
    expect(saved.model.rowMotifs.nodes.length).toBeGreaterThan(0);
    expect(saved.model.rowMotifs.lines.length).toBeGreaterThan(0);
    const card = cardOf(run.model);
    expect(card.generators?.topology).toMatchObject({ designs: 3, placed: 0, topologyOnly: 3, skipped: {}, epochs: 1 });
    expect(Number.isFinite(card.generators?.topology?.losses?.d_loss)).toBe(true);
    expect(Number.isFinite(card.generators?.topology?.losses?.g_loss)).toBe(true);
    expect(card.generators?.layout).toEqual({ designs: 0, epochs: 0, skipped: { topology_only: 3 } });
    expect(card.dataset.designs).toBe(3);
    const metrics = readFileSync(join(run.model, "topology-metrics.jsonl"), "utf8").trim().split("\n");
    expect(metrics.map((l) => JSON.parse(l).epoch)).toEqual([1]);
  });

  it("generates with --topology learned from that model", () => {
    const request = join(dir, "req.json");
    writeFileSync(
      request,
      JSON.stringify({
        schemaVersion: "1.0",
        processClass: "pump_station",
        // A barely trained generator makes ~20 items with large footprints: a roomy site keeps the
        // legaliser to seconds (120 × 80 m takes minutes).
        site: { width: 400, depth: 300 },
        equipment: [{ type: "pump", count: 1 }],
        count: 1,
        seed: 3,
      }),
    );
    const out = join(dir, "c.ndjson");
    const gen = plantgan(["generate", "--request", request, "--model", run.model, "--topology", "learned", "-o", out]);
    expect([0, 1], gen.stderr).toContain(gen.code);
    const [record] = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(record.topologySource).toBe("learned");
    expect(record.design.equipment.filter((e: { type: string }) => e.type === "pump").length).toBeGreaterThanOrEqual(1);
  });

  it("resumes: a second --resume run with more topology epochs continues after epoch 1", () => {
    const more = plantgan([
      "train",
      "--dataset",
      run.dataset,
      "--out",
      run.model,
      "--resume",
      ...TINY,
      "--topology-epochs",
      "2",
    ]);
    expect(more.code, more.stderr).toBe(0);
    expect(more.stderr).toContain("resuming the topology generator after epoch 1");
    expect(cardOf(run.model).generators?.topology?.epochs).toBe(2);
  });

  it("refuses a dataset with too few designs, naming it, and a bad --topology-epochs naming the flag", () => {
    const empty = join(dir, "empty");
    mkdirSync(empty);
    writeFileSync(join(empty, "train.ndjson"), "");
    const none = plantgan(["train", "--dataset", empty, "--out", join(dir, "m2"), ...TINY]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`${empty}: too few designs to train on`);
    const bad = plantgan(["train", "--dataset", run.dataset, "--out", join(dir, "m3"), "--topology-epochs", "-1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--topology-epochs must be an integer from 0 to 1000; got -1");
  });
});

describeWithFixtures("plantgan train on the public DEXPI development files", () => {
  const dir = mkdtempSync(join(tmpdir(), "plantgan-train-dexpi-public-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("trains the topology generator on them and the card counts every file, used or left out by reason", () => {
    const run = trainOnDexpi(dir, fixturePath("dexpi"));
    expect(run.trained.code, run.trained.stderr).toBe(0);
    const topology = cardOf(run.model).generators?.topology;
    expect(topology?.placed).toBe(0);
    expect(topology?.topologyOnly).toBe(topology?.designs);
    expect(topology?.designs).toBeGreaterThan(0);
    const skipped = Object.values(topology?.skipped ?? {}).reduce((a: number, b) => a + (b ?? 0), 0);
    expect(topology!.designs + skipped).toBe(run.designs);
    for (const f of TOPOLOGY_FILES) expect(existsSync(join(run.model, f)), f).toBe(true);
  });
});
