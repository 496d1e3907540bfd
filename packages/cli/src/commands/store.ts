import { COPIED_TABLES, type CopyCounts, CopyRefused, copySqliteToPostgres } from "@plantgan/server";
import type { Command } from "commander";
import { CliError } from "../exit.js";
import { printError, printJson, printLine } from "../output.js";
import { ProgressReporter } from "../progress.js";

interface CopyOptions {
  from: string;
  to: string;
  json?: boolean;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/** Copies an SQLite data folder into an empty PostgreSQL database; the counts per record type. */
async function copyStore(options: CopyOptions): Promise<CopyCounts> {
  if (!POSTGRES_URL.test(options.to)) {
    throw new CliError(`--to must be a postgres:// URL (got "${options.to.split(":")[0]}:…")`);
  }
  let reporter: ProgressReporter | undefined;
  try {
    return await copySqliteToPostgres(options.from, options.to, {
      start: (steps) => {
        reporter = new ProgressReporter("copy", steps);
      },
      tick: (item) => reporter?.tick(item),
    });
  } catch (error) {
    if (error instanceof CopyRefused) throw new CliError(error.message);
    // Database and network errors carry a code (ECONNREFUSED, PostgreSQL's SQLSTATE...); bugs do not.
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string") throw error;
    throw new CliError(
      `cannot copy ${options.from} into PostgreSQL: ${code} ${(error as Error).message}; nothing was copied`,
    );
  } finally {
    reporter?.stop();
  }
}

export function registerStore(program: Command): void {
  const store = program.command("store").description("Move a server's data between stores");
  store
    .command("copy")
    .description("Copy an SQLite data folder (records and blobs) into an empty PostgreSQL database")
    .requiredOption("--from <dir>", "the data folder (plantgan.db and blobs/) to copy from; it is not changed")
    .requiredOption("--to <url>", "postgres://user:password@host:port/database; it must hold no workspace yet")
    .option("--json", "print the rows copied per record type as JSON")
    .addHelpText(
      "after",
      "\nAll or nothing, in one PostgreSQL transaction. API keys keep working (their hashes are copied)." +
        "\nQueued and running jobs arrive queued, for a worker on PostgreSQL to run (a running training" +
        "\nresumes from its last checkpoint); ended jobs arrive as they were.",
    )
    .action(async (options: CopyOptions) => {
      const counts = await copyStore(options);
      if (options.json) printJson(counts);
      else {
        for (const table of [...COPIED_TABLES, "blob_contents"] as const) printLine(`${table}  ${counts[table]}`);
        printError(`copied ${options.from} into PostgreSQL`);
      }
    });
}
