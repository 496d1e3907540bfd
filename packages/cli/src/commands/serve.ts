import { DEFAULT_STREAMS_PER_KEY, isServerRole, SERVER_ROLES, startServer, startWorker } from "@plantgan/server";
import type { Command } from "commander";
import { CliError } from "../exit.js";
import { printError } from "../output.js";

interface ServeCliOptions {
  port?: string;
  host: string;
  data: string;
  role: string;
  concurrency: string;
  lease: string;
  streamsPerKey: string;
}

/** A whole number in [min, max], or a CliError naming the flag. */
function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new CliError(`${flag} ${text}: expected a whole number from ${min} to ${max}`);
  return value;
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("Run the HTTP API (OpenAPI at /docs) and the viewer at / when it is built")
    .option("-p, --port <port>", "port to listen on (0: any free port; default 8080, a worker's health 8081)")
    .option("--host <host>", "address to bind; 0.0.0.0 exposes the API to the network", "127.0.0.1")
    .option("--data <dir>", "folder of the database and blobs", "data")
    .option(
      "--role <role>",
      `${SERVER_ROLES.join(", ")}: api serves HTTP and queues jobs, worker runs them, all does both`,
      "all",
    )
    .option("--concurrency <n>", "jobs this process runs at once (roles worker and all), one process each", "1")
    .option("--lease <seconds>", "how long a job of a dead worker waits before another worker takes it over", "30")
    .option(
      "--streams-per-key <n>",
      "job event streams one API key may hold open at once (roles api and all); one more is 429",
      String(DEFAULT_STREAMS_PER_KEY),
    )
    .addHelpText(
      "after",
      [
        "",
        "On first run (empty database) a workspace and an API key are created and printed.",
        "Scale out: set PLANTGAN_DATABASE_URL=postgres://… and run any number of `--role api` and",
        "`--role worker` processes, on any machines, against that one database. A worker serves only",
        "GET /health on its port. Stop with Ctrl-C.",
      ].join("\n"),
    )
    .action(async (options: ServeCliOptions) => {
      const role = options.role;
      if (!isServerRole(role)) throw new CliError(`--role ${role}: expected one of ${SERVER_ROLES.join(", ")}`);
      const port = wholeNumber("--port", options.port ?? (role === "worker" ? "8081" : "8080"), 0, 65535);
      const jobs = {
        concurrency: wholeNumber("--concurrency", options.concurrency, 1, 64),
        leaseMs: wholeNumber("--lease", options.lease, 1, 3600) * 1000,
      };
      const streams = { perKey: wholeNumber("--streams-per-key", options.streamsPerKey, 1, 100_000) };
      const started =
        role === "worker"
          ? startWorker({ host: options.host, port, dataDir: options.data, jobs })
          : startServer({ host: options.host, port, dataDir: options.data, role, jobs, streams });
      const server = await started.catch((error: NodeJS.ErrnoException) => {
        throw new CliError(`cannot start the server: ${error.code ?? ""} ${error.message}`.trim());
      });
      const stop = (signal: string) => {
        printError(`plantgan: ${signal}: stopping (running jobs go back to the queue)`);
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
    });
}
