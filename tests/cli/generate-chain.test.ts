import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { plantgan, REPO_ROOT } from "./run-cli.js";

/**
 * What `plantgan generate -o` writes is what `validate`, `info` and `export` read, `--id` picking a
 * candidate; `validate` gives a candidate the verdict its report has (unrouted lines with reasons).
 */
describe("plantgan generate → validate → export", () => {
  const dir = mkdtempSync(join(tmpdir(), "plantgan-chain-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const at = (name: string) => join(dir, name);
  const request = (name: string, body: object) => {
    writeFileSync(
      at(name),
      JSON.stringify({
        schemaVersion: "1.0",
        processClass: "pump_station",
        site: { width: 120, depth: 80 },
        equipment: [
          { type: "pump", count: 2 },
          { type: "tank", count: 1 },
        ],
        count: 2,
        seed: 11,
        ...body,
      }),
    );
    return at(name);
  };

  it("generate -o c.ndjson && validate c.ndjson --id … && export c.ndjson --id … -o x.glb", () => {
    const gen = plantgan(["generate", "--request", request("req.json", {}), "-o", at("c.ndjson")]);
    expect(gen.code, gen.stderr).toBe(0);
    const records = readFileSync(at("c.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(2);
    const ids = records.map((r) => r.design.id);
    expect(new Set(ids).size).toBe(2);
    const id = ids[1]!;

    const validate = plantgan(["validate", at("c.ndjson"), "--id", id, "--json"]);
    expect(validate.code, validate.stderr).toBe(records[1].valid ? 0 : 1);
    const report = JSON.parse(validate.stdout);
    expect(report.designId).toBe(id);
    expect(report.summary.errors).toBe(records[1].report.summary.errors);

    const info = plantgan(["info", at("c.ndjson"), "--id", id, "--json"]);
    expect(info.code, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout).id).toBe(id);

    const exported = plantgan(["export", at("c.ndjson"), "--id", id, "-o", at("x.glb")]);
    expect(exported.code, exported.stderr).toBe(0);
    const glb = readFileSync(at("x.glb"));
    expect(glb.subarray(0, 4).toString("latin1")).toBe("glTF");
    const extensions = (bytes: Buffer): string[] =>
      JSON.parse(bytes.subarray(20, 20 + bytes.readUInt32LE(12)).toString("utf8")).extensionsUsed ?? [];
    expect(extensions(glb)).toEqual([]);
    const instanced = plantgan(["export", at("c.ndjson"), "--id", id, "--instancing", "-o", at("i.glb")]);
    expect(instanced.code, instanced.stderr).toBe(0);
    expect(extensions(readFileSync(at("i.glb")))).toContain("EXT_mesh_gpu_instancing");

    const unknown = plantgan(["validate", at("c.ndjson"), "--id", "no-such-design"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(ids[0]);
  });

  it("says that nothing was saved without -o", () => {
    const gen = plantgan(["generate", "--request", request("one.json", { count: 1 })]);
    expect(gen.code, gen.stderr).toBe(0);
    expect(gen.stderr).toContain("nothing saved");
  });

  it("on a 5 km site, validate shows the unrouted lines as errors with their tags and the router's reasons", () => {
    const req = request("far.json", { site: { width: 5000, depth: 5000 }, count: 1, seed: 3 });
    const gen = plantgan(["generate", "--request", req, "-o", at("far.ndjson")]);
    expect(gen.code).toBe(1);
    const [record] = readFileSync(at("far.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(record.valid).toBe(false);
    const validate = plantgan(["validate", at("far.ndjson"), "--id", record.design.id]);
    expect(validate.code).toBe(1);
    const routed = validate.stdout.split("\n").filter((l) => l.includes("piping.routed"));
    expect(routed.length).toBe(record.unrouted.length);
    expect(routed.length).toBeGreaterThan(0);
    for (const u of record.unrouted) {
      const line = routed.find((l) => l.includes(`Line ${u.line} `));
      expect(line, u.line).toBeDefined();
      expect(line).toMatch(/^\s+error\s+piping\.routed \[[A-Z]+-\d+/);
      expect(line).toContain(`(${u.code})`);
      expect(line).toContain(u.reason);
    }
  });

  it("refuses fixed items that cannot be kept with exit 2, naming them", () => {
    const req = request("fixed.json", {
      fixed: [
        { tag: "TK-901", type: "tank", footprint: { width: 8, depth: 8, height: 10 } },
        { tag: "TK-902", type: "tank", x: 500, y: 20, footprint: { width: 8, depth: 8, height: 10 } },
      ],
    });
    const gen = plantgan(["generate", "--request", req]);
    expect(gen.code).toBe(2);
    expect(gen.stderr).toContain("TK-901");
    expect(gen.stderr).toContain("TK-902");
  });

  it("info piped into head ends quietly (no EPIPE)", () => {
    // Far more output than a pipe holds, so the writer meets the closed pipe.
    const example = JSON.parse(readFileSync(join(REPO_ROOT, "datasets/examples/pump-station.json"), "utf8"));
    const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify({ ...example, id: `ps-${i}` }));
    writeFileSync(at("many.ndjson"), `${lines.join("\n")}\n`);
    const bin = join(REPO_ROOT, "packages/cli/dist/bin.js");
    const out = spawnSync("sh", ["-c", `"${process.execPath}" "${bin}" info "${at("many.ndjson")}" | head -n 1`], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    expect(out.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    expect(out.stderr).not.toMatch(/EPIPE|internal error/);
  });
});
