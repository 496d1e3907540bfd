import { createApiKey, openStore, type Store, storeConfigFrom } from "@plantgan/server";
import type { Command } from "commander";
import { CliError } from "../exit.js";
import { printError, printJson, printLine } from "../output.js";

interface CreateOptions {
  workspace: string;
  data: string;
  label?: string;
  json?: boolean;
}

/** The data folder's help text: keys live in the same store `plantgan serve` opens. */
const DATA_HELP = "folder of the database and blobs (unused when PLANTGAN_DATABASE_URL is set)";

/**
 * Runs `work` on the store `plantgan serve` would open: PostgreSQL when PLANTGAN_DATABASE_URL is
 * set, else the SQLite file in the data folder. A URL that is not postgres://, or a database that
 * cannot be reached or refuses the login, is a message rather than a stack trace.
 */
async function withKeyStore<T>(dataDir: string, work: (store: Store) => Promise<T>): Promise<T> {
  let config: ReturnType<typeof storeConfigFrom>;
  try {
    config = storeConfigFrom({ dataDir });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const { store } = openStore(config);
  try {
    return await work(store);
  } catch (error) {
    // Database and network errors carry a code (ECONNREFUSED, PostgreSQL's SQLSTATE...); bugs do not.
    const code = (error as { code?: unknown }).code;
    if (error instanceof CliError || typeof code !== "string") throw error;
    const where = config.kind === "postgres" ? "PostgreSQL (PLANTGAN_DATABASE_URL)" : `the database in ${dataDir}`;
    throw new CliError(`cannot use ${where}: ${code} ${(error as Error).message}`);
  } finally {
    await store.close().catch(() => undefined);
  }
}

export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("Manage API keys");
  keys
    .command("create")
    .description("Create an API key in a workspace (the workspace is created when missing)")
    .option("--workspace <name>", "workspace name", "default")
    .option("--data <dir>", DATA_HELP, "data")
    .option("--label <text>", "a note to recognise the key by")
    .option("--json", "print { key, keyId, workspace } as JSON")
    .addHelpText("after", "\nThe key is printed once; only its sha256 is stored.")
    .action(async (options: CreateOptions) => {
      const created = await withKeyStore(options.data, (store) =>
        createApiKey(store, options.workspace, options.label),
      );
      if (options.json) printJson(created);
      else {
        printError(
          `created key ${created.keyId} in workspace "${created.workspace.name}" (${created.workspace.id}); it is shown once:`,
        );
        printLine(created.key);
      }
    });
  keys
    .command("list")
    .description("List API keys (ids, workspaces, labels, revoked or not; never the keys themselves)")
    .option("--workspace <name>", "only this workspace's keys")
    .option("--data <dir>", DATA_HELP, "data")
    .option("--json", "print the list as JSON")
    .action(async (options: { workspace?: string; data: string; json?: boolean }) => {
      const list = await withKeyStore(options.data, async (store) => {
        let workspaceId: string | undefined;
        if (options.workspace !== undefined) {
          const workspace = await store.findWorkspaceByName(options.workspace);
          if (!workspace) throw new CliError(`--workspace: no workspace named "${options.workspace}"`);
          workspaceId = workspace.id;
        }
        return store.listApiKeys(workspaceId);
      });
      if (options.json) printJson(list);
      else {
        for (const k of list) {
          const state = k.revokedAt ? `revoked ${k.revokedAt}` : "active";
          printLine(`${k.id}  ${k.workspaceId}  ${k.createdAt}  ${state}${k.label ? `  ${k.label}` : ""}`);
        }
        if (list.length === 0) printError("no keys");
      }
    });
  keys
    .command("revoke <keyId>")
    .description("Revoke an API key: requests with it are refused (401) from now on")
    .option("--data <dir>", DATA_HELP, "data")
    .action(async (keyId: string, options: { data: string }) => {
      const revoked = await withKeyStore(options.data, (store) => store.revokeApiKey(keyId));
      if (!revoked) throw new CliError(`keyId: no active key ${keyId} (see keys list)`);
      printError(`revoked ${keyId}`);
    });
  keys.exitOverride();
  for (const sub of keys.commands) sub.exitOverride();
}
