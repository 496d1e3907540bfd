import { startServer } from "@plantgan/server";
import type { Command } from "commander";
import { CliError } from "../exit.js";
import { printError } from "../output.js";

interface ServeCliOptions {
  port: string;
  host: string;
  data: string;
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("Run the HTTP API (OpenAPI at /docs) and the viewer at / when it is built")
    .option("-p, --port <port>", "port to listen on (0: any free port)", "8080")
    .option("--host <host>", "address to bind; 0.0.0.0 exposes the API to the network", "127.0.0.1")
    .option("--data <dir>", "folder of the database and blobs", "data")
    .addHelpText(
      "after",
      "\nOn first run (empty database) a workspace and an API key are created and printed.\nStop with Ctrl-C.",
    )
    .action(async (options: ServeCliOptions) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new CliError(`--port ${options.port}: not a port number`);
      const server = await startServer({ host: options.host, port, dataDir: options.data }).catch(
        (error: NodeJS.ErrnoException) => {
          throw new CliError(`cannot start the server: ${error.code ?? ""} ${error.message}`.trim());
        },
      );
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
