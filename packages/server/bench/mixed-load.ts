import { percentile } from "./bench-server.js";

export interface LoadRequest {
  readonly name: string;
  readonly path: string;
  readonly key: string;
  readonly body?: string;
}

export interface RouteTimes {
  readonly name: string;
  readonly ms: number[];
  /** Answers that were not 2xx, by status. */
  readonly failed: Map<number, number>;
}

/**
 * An open-loop mixed load: `perSecond` requests a second, the routes in turn, each sent on its
 * schedule whether or not earlier ones came back (a slow server is not given time to recover, as
 * with real clients), at most `maxInFlight` at once. Returns each route's latencies when stopped.
 */
export function startMixedLoad(
  baseUrl: string,
  requests: readonly LoadRequest[],
  perSecond: number,
  maxInFlight = 64,
): { stop(): Promise<RouteTimes[]> } {
  const times = requests.map((r) => ({ name: r.name, ms: [] as number[], failed: new Map<number, number>() }));
  const pending = new Set<Promise<void>>();
  let sent = 0;
  const send = () => {
    if (pending.size >= maxInFlight) return;
    const index = sent++ % requests.length;
    const request = requests[index]!;
    const started = performance.now();
    const done = fetch(`${baseUrl}${request.path}`, {
      method: request.body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${request.key}`, "content-type": "application/json" },
      ...(request.body === undefined ? {} : { body: request.body }),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        const route = times[index]!;
        if (response.ok) route.ms.push(performance.now() - started);
        else route.failed.set(response.status, (route.failed.get(response.status) ?? 0) + 1);
      })
      .catch(() => {
        const route = times[index]!;
        route.failed.set(0, (route.failed.get(0) ?? 0) + 1);
      })
      .finally(() => pending.delete(done));
    pending.add(done);
  };
  const timer = setInterval(send, 1000 / perSecond);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      return times;
    },
  };
}

/** p50 and p99 of every request together, and of each route. */
export function summariseLoad(times: readonly RouteTimes[]): string {
  const all = times.flatMap((t) => t.ms);
  const failed = times.reduce((n, t) => n + [...t.failed.values()].reduce((a, b) => a + b, 0), 0);
  const routes = times.map((t) => `${t.name} p99 ${percentile(t.ms, 99).toFixed(0)}`).join(", ");
  return `${all.length} ok, ${failed} not 2xx; all p50 ${percentile(all, 50).toFixed(0)} ms, p99 ${percentile(all, 99).toFixed(0)} ms (${routes} ms)`;
}
