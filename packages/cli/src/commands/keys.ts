import { createApiKey, openStore } from "@plantgan/server";
import type { Command } from "commander";
import { CliError } from "../exit.js";
import { printError, printJson, printLine } from "../output.js";

interface CreateOptions {
  workspace: string;
  data: string;
  label?: string;
  json?: boolean;
}

export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("Manage API keys");
  keys
    .command("create")
    .description("Create an API key in a workspace (the workspace is created when missing)")
    .option("--workspace <name>", "workspace name", "default")
    .option("--data <dir>", "folder of the database and blobs", "data")
    .option("--label <text>", "a note to recognise the key by")
    .option("--json", "print { key, keyId, workspace } as JSON")
    .addHelpText("after", "\nThe key is printed once; only its sha256 is stored.")
    .action(async (options: CreateOptions) => {
      const { store } = openStore({ kind: "sqlite", dataDir: options.data });
      try {
        const created = await createApiKey(store, options.workspace, options.label);
        if (options.json) printJson(created);
        else {
          printError(
            `created key ${created.keyId} in workspace "${created.workspace.name}" (${created.workspace.id}); it is shown once:`,
          );
          printLine(created.key);
        }
      } finally {
        await store.close();
      }
    });
  keys
    .command("list")
    .description("List API keys (ids, workspaces, labels, revoked or not; never the keys themselves)")
    .option("--workspace <name>", "only this workspace's keys")
    .option("--data <dir>", "folder of the database and blobs", "data")
    .option("--json", "print the list as JSON")
    .action(async (options: { workspace?: string; data: string; json?: boolean }) => {
      const { store } = openStore({ kind: "sqlite", dataDir: options.data });
      try {
        let workspaceId: string | undefined;
        if (options.workspace !== undefined) {
          const workspace = await store.findWorkspaceByName(options.workspace);
          if (!workspace) throw new CliError(`--workspace: no workspace named "${options.workspace}"`);
          workspaceId = workspace.id;
        }
        const list = await store.listApiKeys(workspaceId);
        if (options.json) printJson(list);
        else {
          for (const k of list) {
            const state = k.revokedAt ? `revoked ${k.revokedAt}` : "active";
            printLine(`${k.id}  ${k.workspaceId}  ${k.createdAt}  ${state}${k.label ? `  ${k.label}` : ""}`);
          }
          if (list.length === 0) printError("no keys");
        }
      } finally {
        await store.close();
      }
    });
  keys
    .command("revoke <keyId>")
    .description("Revoke an API key: requests with it are refused (401) from now on")
    .option("--data <dir>", "folder of the database and blobs", "data")
    .action(async (keyId: string, options: { data: string }) => {
      const { store } = openStore({ kind: "sqlite", dataDir: options.data });
      try {
        if (!(await store.revokeApiKey(keyId))) throw new CliError(`keyId: no active key ${keyId} (see keys list)`);
        printError(`revoked ${keyId}`);
      } finally {
        await store.close();
      }
    });
  keys.exitOverride();
  for (const sub of keys.commands) sub.exitOverride();
}
