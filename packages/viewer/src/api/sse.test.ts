import { describe, expect, it } from "vitest";
import { ApiClient, type JobEvent } from "./client.js";
import { SseParser, streamSse } from "./sse.js";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
}

describe("SseParser", () => {
  it("parses events split across chunks, CRLF and CR line ends, comments and multi-line data", () => {
    const p = new SseParser();
    const out = [
      ...p.push(": hello\n\nid: 1\nevent: progress\nda"),
      ...p.push('ta: {"done":1}\n\n'),
      ...p.push("id: 2\r\ndata: a\r\ndata: b\r\n\r"),
      ...p.push("\ndata:no-space\r\r\n"),
    ];
    expect(out).toEqual([
      { id: "1", event: "progress", data: '{"done":1}' },
      { id: "2", event: "message", data: "a\nb" },
      { id: "2", event: "message", data: "no-space" },
    ]);
    expect(p.lastEventId).toBe("2");
  });

  it("reads retry and ignores unknown fields and events without data", () => {
    const p = new SseParser();
    expect(p.push("retry: 250\nfoo: bar\nevent: x\n\n")).toEqual([]);
    expect(p.retry).toBe(250);
  });
});

describe("streamSse", () => {
  it("sends the Authorization header and resumes with Last-Event-ID after a drop", async () => {
    const seen: Record<string, string>[] = [];
    const responses = [
      () => new Response(streamOf(["id: 7\nevent: progress\ndata: {}\n\n"]), { status: 200 }),
      () => new Response(streamOf(["id: 8\nevent: finished\ndata: {}\n\n"]), { status: 200 }),
    ];
    const controller = new AbortController();
    const got: string[] = [];
    await streamSse("/v1/jobs/j1/events", {
      headers: { Authorization: "Bearer k" },
      signal: controller.signal,
      retryMs: 1,
      fetch: (async (_url: string, init: RequestInit) => {
        seen.push(init.headers as Record<string, string>);
        const next = responses.shift();
        if (!next) throw new Error("no more");
        return next();
      }) as unknown as typeof fetch,
      onMessage: (m) => {
        got.push(`${m.id}:${m.event}`);
        if (m.event === "finished") controller.abort();
      },
    });
    expect(got).toEqual(["7:progress", "8:finished"]);
    expect(seen[0]!.Authorization).toBe("Bearer k");
    expect(seen[0]!["Last-Event-ID"]).toBeUndefined();
    expect(seen[1]!["Last-Event-ID"]).toBe("7");
  });

  it("gives up at once on a 4xx answer", async () => {
    const states: string[] = [];
    await streamSse("/x", {
      fetch: (async () => new Response("nope", { status: 404 })) as unknown as typeof fetch,
      onMessage: () => {},
      onState: (s) => states.push(s),
    });
    expect(states).toEqual(["connecting", "closed"]);
  });
});

describe("ApiClient.followJob", () => {
  it("turns SSE messages into job events and stops at the terminal one", async () => {
    const api = new ApiClient({
      getKey: () => "pgk_test",
      fetch: (async (url: string, init: RequestInit) => {
        expect(url).toBe("/v1/jobs/j%201/events");
        expect((init.headers as Record<string, string>).Authorization).toBe("Bearer pgk_test");
        return new Response(
          streamOf([
            'id: 1\nevent: metrics\ndata: {"epoch":1,"losses":{"d":0.5}}\n\n',
            'id: 2\nevent: finished\ndata: {"result":{}}\n\n',
            'id: 3\nevent: log\ndata: "after the end"\n\n',
          ]),
        );
      }) as unknown as typeof fetch,
    });
    const events: JobEvent[] = [];
    await api.followJob("j 1", (e) => events.push(e));
    expect(events.map((e) => e.type)).toEqual(["metrics", "finished"]);
    expect(events[0]).toEqual({ id: 1, type: "metrics", data: { epoch: 1, losses: { d: 0.5 } } });
  });
});

describe("ApiClient errors", () => {
  it("throws problem+json answers as ApiError with their code", async () => {
    const api = new ApiClient({
      getKey: () => null,
      fetch: (async () =>
        new Response(
          JSON.stringify({ type: "x", title: "A valid API key is required", status: 401, code: "unauthorized" }),
          {
            status: 401,
            headers: { "content-type": "application/problem+json" },
          },
        )) as unknown as typeof fetch,
    });
    await expect(api.listDesigns()).rejects.toMatchObject({ name: "ApiError", status: 401, code: "unauthorized" });
  });
});
