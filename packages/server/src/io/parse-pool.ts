import { type ChildProcess, fork } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { IngestInput, IngestReport } from "@plantgan/core/formats";

/**
 * Unmapped elements and renamed tags an upload's answer lists at most, each. A drawing padded with
 * half a million unknown elements would otherwise answer with a 33 MB report (and cross the IPC
 * channel and the request thread's serialiser with it); the count of the rest is a warning.
 */
export const LISTED_NOTES = 1000;

/** The report with at most LISTED_NOTES unmapped elements and renamed tags, saying how many more there were. */
export function listedNotes(report: IngestReport): IngestReport {
  const { unmapped, renamedTags } = report;
  if (unmapped.length <= LISTED_NOTES && renamedTags.length <= LISTED_NOTES) return report;
  const more = (n: number, what: string) =>
    n > LISTED_NOTES ? [`${n} ${what}; the first ${LISTED_NOTES} are listed`] : [];
  return {
    ...report,
    unmapped: unmapped.slice(0, LISTED_NOTES),
    renamedTags: renamedTags.slice(0, LISTED_NOTES),
    warnings: [
      ...(report.warnings ?? []),
      ...more(unmapped.length, "elements were not mapped"),
      ...more(renamedTags.length, "tags were renamed"),
    ],
  };
}

/**
 * A body to read, as it crosses to the parse process (plain data). An upload travels as the file
 * it was spooled to (`file`, io/body-spool.ts), not through the IPC channel: serialising a 15 MB
 * body there copies it twice on the server's thread. `maxRecords`: count first, read only 1..max.
 */
export interface ParseRequest {
  readonly id: number;
  readonly input: IngestInput;
  readonly file?: string;
  readonly maxRecords?: number;
}

export type ParseReply =
  | { readonly id: number; readonly report: IngestReport }
  | { readonly id: number; readonly count: number }
  | { readonly id: number; readonly error: string };

/** What a counted read gives: the report, or only the count when it is 0 or over the maximum. */
export type CountedRead = { readonly report: IngestReport } | { readonly count: number };

interface Pending {
  readonly request: ParseRequest;
  readonly resolve: (read: CountedRead) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Reads uploaded design bodies (readDesigns) in one parse process, one body at a time, so the
 * request thread keeps answering (/health, other workspaces) while a 15 MB DEXPI file or a
 * million-element body is parsed. Bodies queue in arrival order; one process keeps a core free
 * for the request thread on a small machine and holds one parse's memory at a time, outside the
 * server's heap. It starts on first use and again if it dies (the body it held fails with why).
 * A process rather than a worker thread: tsx's loader, which the tests run the sources through,
 * does not load a worker thread's entry.
 */
export class DesignParsePool {
  #worker: ChildProcess | undefined;
  #queue: Pending[] = [];
  #busy: Pending | undefined;
  #nextId = 1;
  #closed = false;

  /** The report readDesigns gives for `input`, read on the parse thread. */
  async read(input: IngestInput): Promise<IngestReport> {
    const read = await this.readCounted(input);
    if (!("report" in read)) throw new Error("a read with no maximum always reports");
    return read.report;
  }

  /**
   * Counts the records of `input` in the parse process and reads them when there are 1 to
   * `maxRecords` (any number when absent); else only the count comes back.
   */
  readCounted(input: IngestInput, maxRecords?: number): Promise<CountedRead> {
    if (this.#closed) return Promise.reject(new Error("the design parser is closed"));
    return this.#enqueue({ id: this.#nextId++, input, ...max(maxRecords) });
  }

  /** As readCounted, for a body already in `file` (io/body-spool.ts); the file is left as it is. */
  readFile(file: string, input: Omit<IngestInput, "content">, maxRecords?: number): Promise<CountedRead> {
    if (this.#closed) return Promise.reject(new Error("the design parser is closed"));
    return this.#enqueue({ id: this.#nextId++, input: { ...input, content: "" }, file, ...max(maxRecords) });
  }

  #enqueue(request: ParseRequest): Promise<CountedRead> {
    return new Promise<CountedRead>((resolve, reject) => {
      if (this.#closed) return reject(new Error("the design parser is closed"));
      this.#queue.push({ request, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pending = [...(this.#busy ? [this.#busy] : []), ...this.#queue];
    this.#busy = undefined;
    this.#queue = [];
    for (const p of pending) p.reject(new Error("the server is closing"));
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      worker.kill("SIGKILL");
      await exited;
    }
  }

  #dispatch(): void {
    if (this.#busy || this.#closed) return;
    const next = this.#queue.shift();
    // An idle parse thread does not keep the process alive; a busy one does (a caller awaits it).
    if (!next) {
      this.#worker?.channel?.unref();
      return;
    }
    this.#busy = next;
    const worker = this.#thread();
    worker.channel?.ref();
    worker.send(next.request);
  }

  #thread(): ChildProcess {
    if (this.#worker) return this.#worker;
    const { file, execArgv } = workerEntry();
    // Structured clone over IPC ("advanced"): the requests and reports are plain data.
    const worker = fork(file, [], {
      execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "advanced",
    });
    worker.on("message", (reply: ParseReply) => {
      const busy = this.#busy;
      if (!busy || busy.request.id !== reply.id) return;
      this.#busy = undefined;
      if ("error" in reply) busy.reject(new Error(reply.error));
      else busy.resolve("report" in reply ? { report: reply.report } : { count: reply.count });
      this.#dispatch();
    });
    const lost = (why: string) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      const busy = this.#busy;
      this.#busy = undefined;
      busy?.reject(new Error(`the design parser stopped: ${why}`));
      this.#dispatch();
    };
    worker.on("error", (error) => lost(error.message));
    worker.on("exit", (code, signal) => lost(signal ? `signal ${signal}` : `exit code ${code}`));
    this.#worker = worker;
    return worker;
  }
}

function max(maxRecords: number | undefined): { maxRecords?: number } {
  return maxRecords !== undefined ? { maxRecords } : {};
}

/**
 * The parse process's entry point, as for job workers (jobs/runner.ts): built, the .js beside this
 * file; from source (tests, tsx), the .ts through tsx's loader with the source condition.
 */
function workerEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".ts")) return { file: join(dirname(here), "parse-worker.js"), execArgv: [] };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return { file: join(dirname(here), "parse-worker.ts"), execArgv: ["--import", tsx, "--conditions=@plantgan/source"] };
}
