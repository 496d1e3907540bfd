import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { parseDocument } from "@plantgan/core/design";
import { unpackCheckpoint } from "@plantgan/core/gan";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const child = fileURLToPath(new URL("./train-child.ts", import.meta.url));

function train(out: string, data: string, epochs: number, extra: string[] = []) {
  return spawn(
    process.execPath,
    [
      "--conditions=@plantgan/source",
      "--import",
      "tsx",
      child,
      "train",
      "--dataset",
      data,
      "--out",
      out,
      "--epochs",
      String(epochs),
      "--size",
      "tiny",
      "--batch",
      "8",
      "--previews",
      "1",
      "--seed",
      "3",
      ...extra,
    ],
    { cwd: root, stdio: ["ignore", "ignore", "pipe"] },
  );
}

const done = (p: ReturnType<typeof spawn>) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    p.on("exit", (code, signal) => resolve({ code, signal })),
  );

describe("plantgan train survives kill -9", () => {
  const dir = mkdtempSync(join(tmpdir(), "plantgan-train-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("resumes from the last checkpoint with intact files and continuing epochs", async () => {
    // A few dozen designs from the shipped test split.
    const lines = gunzipSync(readFileSync(join(root, "datasets/synthetic-v1/test.ndjson.gz")))
      .toString("utf8")
      .split("\n")
      .filter(Boolean);
    const data = join(dir, "data");
    const out = join(dir, "model");
    mkdirSync(data, { recursive: true });
    writeFileSync(
      join(data, "train.ndjson"),
      `${lines
        .filter((_, k) => k % 10 === 0)
        .slice(0, 32)
        .join("\n")}\n`,
    );

    const first = train(out, data, 40);
    let stderr = "";
    first.stderr?.on("data", (b) => (stderr += String(b)));
    const checkpoint = join(out, "checkpoint.bin");
    const exited = done(first);
    // Wait for the first checkpoint, then kill without warning (the next epoch is under way).
    const deadline = Date.now() + 45_000;
    while (!existsSync(checkpoint) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(checkpoint), stderr).toBe(true);
    await new Promise((r) => setTimeout(r, 700));
    first.kill("SIGKILL");
    expect((await exited).signal).toBe("SIGKILL");

    const before = unpackCheckpoint(new Uint8Array(readFileSync(checkpoint)));
    const killedAt = Number(before.extra.epoch);
    expect(killedAt).toBeGreaterThanOrEqual(1);
    expect(killedAt).toBeLessThan(40);

    const target = killedAt + 2;
    const second = train(out, data, target, ["--resume"]);
    let stderr2 = "";
    second.stderr?.on("data", (b) => (stderr2 += String(b)));
    expect((await done(second)).code, stderr2).toBe(0);
    expect(stderr2).toContain(`resuming ${out} after epoch ${killedAt}`);

    const after = unpackCheckpoint(new Uint8Array(readFileSync(checkpoint)));
    expect(after.extra.epoch).toBe(target);
    expect(after.state.step).toBeGreaterThan(before.state.step);
    const epochs = readFileSync(join(out, "metrics.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l).epoch);
    expect(epochs).toEqual(Array.from({ length: target }, (_, i) => i + 1));
    const card = parseDocument("modelCard", readFileSync(join(out, "model-card.json"), "utf8"));
    expect(card.success).toBe(true);
    if (card.success) expect(card.data.epochs).toBe(target);
    for (const f of [
      "generator/model.json",
      "generator/weights.bin",
      "critic/weights.bin",
      `previews/epoch-${String(target).padStart(3, "0")}.svg`,
    ]) {
      expect(statSync(join(out, f)).size).toBeGreaterThan(0);
    }
    // No temp files left behind by the finished run.
    expect(readFileSync(join(out, "generator/model.json"), "utf8")).toContain("plantgan_generator");
  }, 85_000);
});

describe("plantgan train --generator", () => {
  const dir = mkdtempSync(join(tmpdir(), "plantgan-train-kind-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("trains a layout generator by default (topology and site obstacles as inputs), a graph generator on request, and refuses an unknown kind", async () => {
    const lines = gunzipSync(readFileSync(join(root, "datasets/synthetic-v1/test.ndjson.gz")))
      .toString("utf8")
      .split("\n")
      .filter(Boolean);
    const data = join(dir, "data");
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, "train.ndjson"), `${lines.slice(0, 16).join("\n")}\n`);

    const trained = async (kind: string, extra: string[]) => {
      const out = join(dir, kind);
      const run = train(out, data, 1, extra);
      let stderr = "";
      run.stderr?.on("data", (b) => (stderr += String(b)));
      expect((await done(run)).code, stderr).toBe(0);
      return {
        card: JSON.parse(readFileSync(join(out, "model-card.json"), "utf8")),
        model: readFileSync(join(out, "generator/model.json"), "utf8"),
      };
    };
    const layout = await trained("layout", []);
    expect(layout.card.settings).toMatchObject({ generator: "layout", repulsion: true, settleSteps: 8 });
    expect(layout.model).toContain("PlantGanLayoutRefiner");
    expect(layout.model).toContain('"obstacles"');
    const graph = await trained("graph", ["--generator", "graph"]);
    expect(graph.card.settings.generator).toBe("graph");
    expect(graph.card.settings.repulsion).toBeUndefined();
    expect(graph.model).not.toContain("PlantGanLayoutRefiner");

    const bad = train(join(dir, "bad"), data, 1, ["--generator", "transformer"]);
    let badErr = "";
    bad.stderr?.on("data", (b) => (badErr += String(b)));
    expect((await done(bad)).code).toBe(2);
    expect(badErr).toContain("--generator must be graph or layout");
  }, 60_000);
});
