import type { Command } from "commander";
import { createApiKey } from "../../keys.js";
import { openStore } from "../../store/open.js";
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
  keys.exitOverride();
  for (const sub of keys.commands) sub.exitOverride();
}
