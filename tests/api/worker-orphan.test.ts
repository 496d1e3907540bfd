import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pumpStationRequest } from "@plantgan/testing";
import { afterAll, describe, expect, it } from "vitest";
import { testServerEnv, waitFor } from "./harness.js";
import { startCliServer } from "./serve-cli.js";

/**
 * A job worker process belongs to its server: when the server dies (SIGKILL, no chance to stop
 * its workers), the worker stops within seconds, even in the middle of a generation whose steps
 * hold its event loop, instead of finishing the job unsupervised while the lease runs out and
 * another server resumes it. Run as an operator runs it: the built `plantgan serve`.
 */

/** How long a worker may outlive its server. */
const EXIT_WITHIN_MS = 5000;

/** Live (not zombie) child processes of `pid` running the job worker, from /proc. */
function jobWorkersOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) !== pid || fields[0] === "Z") continue;
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("worker.js")) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Whether `pid` still runs (a zombie waiting for its new parent to reap it counts as ended). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

describe("a job worker stops when its server is gone", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "plantgan-orphan-"));
  const leftovers: number[] = [];
  let server: ChildProcess | undefined;
  afterAll(() => {
    server?.kill("SIGKILL");
    for (const pid of leftovers) if (running(pid)) process.kill(pid, "SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("SIGKILL the server mid-generation: its job worker exits within seconds", async () => {
    // The generation pool off: the job runs in the runner's forked job worker, the process under test.
    const env = { ...(await testServerEnv(dataDir)), PLANTGAN_GENERATE_WORKERS: "0" };
    const started = await startCliServer(["--data", dataDir, "--lease", "30"], env);
    server = started.child;
    const { url, key } = started;
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...init.headers },
      });

    const request = pumpStationRequest(40, 3);
    const queued = await api("/v1/generate?model=default", {
      method: "POST",
      headers: { prefer: "respond-async" },
      body: JSON.stringify(request),
    });
    expect(queued.status).toBe(202);
    const jobId = ((await queued.json()) as { id: string }).id;
    // Mid-job: the worker has committed a candidate or more and is computing the next.
    await waitFor(
      async () => {
        const job = (await (await api(`/v1/jobs/${jobId}`)).json()) as { status: string; progress: { done: number } };
        if (job.status !== "running" && job.status !== "queued") throw new Error(`job ended early: ${job.status}`);
        return job.progress.done >= 1 ? job : undefined;
      },
      120_000,
      100,
    );
    const workers = jobWorkersOf(server.pid!);
    expect(workers).toHaveLength(1);
    leftovers.push(...workers);

    server.kill("SIGKILL");
    const killedAt = Date.now();
    const exitedAfter = await waitFor(
      async () => (workers.some(running) ? undefined : Date.now() - killedAt),
      EXIT_WITHIN_MS + 60_000,
      50,
    );
    console.log(
      `job worker exited ${exitedAfter} ms after its server was SIGKILLed (load ${readFileSync("/proc/loadavg", "utf8").trim()})`,
    );
    expect(exitedAfter).toBeLessThan(EXIT_WITHIN_MS);
  }, 240_000);
});
