import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readBundle, startServer } from "@plantgan/server";
import { pumpStationRequest } from "@plantgan/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENERATION_JOBS, waitFor } from "./harness.js";

/**
 * The warm generation pool behind direct POST /v1/generate answers (gan/generation-pool.ts), on a
 * real server with the shipped model: requests are served by the same worker process with the model
 * kept loaded, a new model reaches it, and a worker killed mid-generation fails its request with a
 * problem (never a hang) and is replaced.
 */

/** Marker argument of the pool's worker processes (generation-pool.ts). */
const WORKER_MARK = "plantgan-generation-worker";

/** This process's children that are generation pool workers. */
function poolWorkerPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      if (!cmdline.includes(WORKER_MARK)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid) pids.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** CPU time a process has used (user + system), in clock ticks. */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

const REQUEST = pumpStationRequest(1, 11);

describe("the warm generation pool behind direct generate answers", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let dataDir: string;
  let workspaceId: string;
  const before = process.env.PLANTGAN_GENERATE_WORKERS;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${server.firstRunKey}`, "content-type": "application/json" },
    });
  const generate = (body: object, model = "default") =>
    api(`/v1/generate?model=${model}`, { method: "POST", body: JSON.stringify(body) });
  const logOf = async (jobId: string) => {
    const events = await server.app.store.jobEvents(workspaceId, jobId, 0, 100);
    return events
      .filter((e) => e.type === "log")
      .map((e) => (e.data as { message: string }).message)
      .join("\n");
  };

  beforeAll(async () => {
    process.env.PLANTGAN_GENERATE_WORKERS = "1";
    dataDir = mkdtempSync(join(tmpdir(), "plantgan-pool-"));
    server = await startServer({
      port: 0,
      dataDir,
      viewerDir: false,
      seed: { dataset: false, model: true },
      rateLimit: false,
      jobs: GENERATION_JOBS,
      print: () => {},
      logger: false,
    });
    const hash = createHash("sha256").update(server.firstRunKey!, "utf8").digest("hex");
    workspaceId = (await server.app.store.findApiKey(hash))!.workspaceId;
  });

  afterAll(async () => {
    if (before === undefined) delete process.env.PLANTGAN_GENERATE_WORKERS;
    else process.env.PLANTGAN_GENERATE_WORKERS = before;
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("serves direct requests from one warm worker that keeps the model loaded", async () => {
    const first = await generate(REQUEST);
    expect(first.status).toBe(200);
    const a = (await first.json()) as { job: { id: string; status: string }; candidates: { rank: number }[] };
    expect(a.job.status, JSON.stringify(a.job)).toBe("succeeded");
    expect(a.candidates).toHaveLength(1);
    const pids = poolWorkerPids();
    expect(pids).toHaveLength(1);
    expect(await logOf(a.job.id)).toMatch(new RegExp(`warm generation worker ${pids[0]}, model loaded into it`));

    const second = await generate({ ...REQUEST, seed: 12 });
    expect(second.status).toBe(200);
    const b = (await second.json()) as { job: { id: string; status: string } };
    expect(b.job.status).toBe("succeeded");
    // The same process, and no model load: nothing started per request.
    expect(await logOf(b.job.id)).toMatch(new RegExp(`warm generation worker ${pids[0]}, model already loaded in it`));
    expect(poolWorkerPids()).toEqual(pids);
    // The job records and candidates read as for a job run by the runner.
    const listed = (await (await api(`/v1/candidates?job=${b.job.id}`)).json()) as { items: unknown[] };
    expect(listed.items).toHaveLength(1);
  });

  it("loads a new model's weights into the worker (the cache is keyed by weights blob)", async () => {
    const current = (await server.app.store.getModel(workspaceId, "default"))!;
    // The same model without its critic: other bytes, so another weights blob, as a new training gives.
    const bundle = readBundle(new Uint8Array(await server.app.blobs.get(current.weights!)));
    const files = Object.fromEntries(Object.entries(bundle.files).filter(([name]) => !name.startsWith("critic/")));
    const { sha256 } = await server.app.blobs.put(JSON.stringify({ ...bundle, files }));
    expect(sha256).not.toBe(current.weights);
    const put = await server.app.store.putModel(workspaceId, {
      id: "pool-other",
      status: "ready",
      weights: sha256,
      ...(current.card ? { card: current.card } : {}),
    });
    expect(put).not.toBe("conflict");

    const other = await generate(REQUEST, "pool-other");
    expect(other.status).toBe(200);
    const o = (await other.json()) as { job: { id: string; status: string } };
    expect(o.job.status).toBe("succeeded");
    expect(await logOf(o.job.id)).toMatch(/model loaded into it/);
    // Both models stay loaded (two per worker): the shipped one is not loaded again.
    const again = (await (await generate(REQUEST)).json()) as { job: { id: string } };
    expect(await logOf(again.job.id)).toMatch(/model already loaded in it/);
  });

  it("answers a problem when its worker is killed mid-generation, and replaces the worker", async () => {
    // Started by the first direct request; warm with the model loaded after it.
    expect((await generate({ ...REQUEST, seed: 20 })).status).toBe(200);
    const [victim] = poolWorkerPids();
    expect(victim).toBeDefined();
    // The worker warms up while idle (throwaway generations): wait until it is idle for real, so
    // the CPU it uses next is the request's.
    let last = cpuTicks(victim!);
    await waitFor(
      async () => {
        await new Promise((r) => setTimeout(r, 400));
        const now = cpuTicks(victim!);
        const still = now === last;
        last = now;
        return still ? true : undefined;
      },
      60_000,
      0,
    );
    const idle = cpuTicks(victim!);
    // Four candidates: long enough (seconds of CPU) to be caught while generating.
    const pending = generate({ ...REQUEST, count: 4, seed: 21 });
    await waitFor(async () => (cpuTicks(victim!) - idle >= 10 ? true : undefined), 30_000, 5);
    process.kill(victim!, "SIGKILL");

    const res = await pending;
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    const problem = (await res.json()) as { code: string; detail: string; job: string };
    expect(problem.code).toBe("worker_lost");
    expect(problem.detail).toMatch(new RegExp(`generation worker \\(process ${victim}\\) died while generating`));
    const job = (await (await api(`/v1/jobs/${problem.job}`)).json()) as { status: string; error: string };
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/signal SIGKILL/);

    // A replacement is started, and the next request is served by it.
    const [replacement] = await waitFor(async () => {
      const now = poolWorkerPids();
      return now.length === 1 && now[0] !== victim ? now : undefined;
    }, 30_000);
    const after = await generate({ ...REQUEST, seed: 22 });
    expect(after.status).toBe(200);
    const answer = (await after.json()) as { job: { id: string; status: string }; candidates: unknown[] };
    expect(answer.job.status).toBe("succeeded");
    expect(answer.candidates).toHaveLength(1);
    expect(await logOf(answer.job.id)).toMatch(new RegExp(`warm generation worker ${replacement}, model loaded`));
  });
});
