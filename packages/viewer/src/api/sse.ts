/**
 * A fetch-based Server-Sent Events client. The browser's EventSource cannot send an
 * Authorization header, so the stream is read with fetch and parsed here, following the
 * WHATWG "event stream interpretation" rules: `event`, `data` (joined with newlines), `id`,
 * `retry`, comments (lines starting with ":"), CRLF/CR/LF line ends. On a dropped connection it
 * reconnects with `Last-Event-ID`, so the server resumes after the last event seen.
 */

export interface SseMessage {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/** Incremental parser: feed text chunks, get complete messages. */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  /** The last id seen (sticky across messages, as the spec says). */
  lastEventId: string | undefined;
  /** Reconnection time the server asked for, ms. */
  retry: number | undefined;

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (!m) break;
      // A lone CR at the end may be the first half of CRLF: wait for more.
      if (m[0] === "\r" && m.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const message = this.line(line);
      if (message) out.push(message);
    }
    return out;
  }

  private line(line: string): SseMessage | undefined {
    if (line === "") {
      if (this.data.length === 0) {
        this.event = "";
        return undefined;
      }
      const message: SseMessage = { id: this.lastEventId, event: this.event || "message", data: this.data.join("\n") };
      this.data = [];
      this.event = "";
      return message;
    }
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.event = value;
        break;
      case "data":
        this.data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
    }
    return undefined;
  }
}

export interface SseOptions {
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
  readonly onMessage: (message: SseMessage) => void;
  /** Connection state for the UI. */
  readonly onState?: (state: "connecting" | "open" | "retrying" | "closed", detail?: string) => void;
  /** Resume after this id (e.g. a page reload). */
  readonly lastEventId?: string;
  /** Wait before reconnecting, ms (default 1000; the server's `retry:` wins). */
  readonly retryMs?: number;
  /** Stop reconnecting after this many failures in a row (default 10). */
  readonly maxRetries?: number;
  /** Injectable fetch for tests. */
  readonly fetch?: typeof fetch;
}

/**
 * Reads an SSE endpoint until the signal aborts, the server ends the stream after the caller has
 * what it needs (it aborts), or retries run out. Errors with a 4xx status are not retried.
 */
export async function streamSse(url: string, options: SseOptions): Promise<void> {
  const doFetch = options.fetch ?? fetch;
  const parser = new SseParser();
  parser.lastEventId = options.lastEventId;
  let failures = 0;
  const maxRetries = options.maxRetries ?? 10;
  while (!options.signal?.aborted) {
    options.onState?.(failures === 0 ? "connecting" : "retrying");
    try {
      const headers: Record<string, string> = { Accept: "text/event-stream", ...options.headers };
      if (parser.lastEventId !== undefined) headers["Last-Event-ID"] = parser.lastEventId;
      const init: RequestInit = { headers };
      if (options.signal) init.signal = options.signal;
      const response = await doFetch(url, init);
      if (!response.ok || !response.body) {
        const text = await response.text().catch(() => "");
        if (response.status >= 400 && response.status < 500) {
          options.onState?.("closed", `HTTP ${response.status} ${text.slice(0, 200)}`);
          return;
        }
        throw new Error(`HTTP ${response.status}`);
      }
      options.onState?.("open");
      failures = 0;
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      reading: for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const m of parser.push(decoder.decode(value, { stream: true }))) {
          options.onMessage(m);
          // The handler may have seen what it waited for: deliver nothing after an abort.
          if (options.signal?.aborted) {
            await reader.cancel().catch(() => {});
            break reading;
          }
        }
      }
      // The server closed the stream: reconnect (it resumes after Last-Event-ID) unless aborted.
    } catch (err) {
      if (options.signal?.aborted) break;
      failures += 1;
      if (failures > maxRetries) {
        options.onState?.("closed", String(err));
        return;
      }
    }
    if (options.signal?.aborted) break;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, parser.retry ?? options.retryMs ?? 1000);
      options.signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }
  options.onState?.("closed");
}
