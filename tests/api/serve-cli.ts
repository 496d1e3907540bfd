import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built CLI: these tests run the server as an operator does (`pnpm build` first). */
export const CLI_BIN = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url));

export interface CliServer {
  readonly child: ChildProcess;
  readonly url: string;
  /** The first-run key it printed (an empty database). */
  readonly key: string;
}

/**
 * `plantgan serve --port 0 <args>` on an empty database; resolves once it printed its URL and
 * its first-run key. The caller kills the process.
 */
export async function startCliServer(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliServer> {
  const child = spawn(process.execPath, [CLI_BIN, "serve", "--port", "0", ...args], {
    env: { ...env, NO_COLOR: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const { url, key } = await new Promise<{ url: string; key: string }>((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /PlantGAN API on (http:\/\/\S+)\/v1/.exec(stderr)?.[1];
      const key = /export KEY=(\S+)/.exec(stderr)?.[1];
      if (url && key) resolve({ url, key });
    });
    child.once("exit", (code) => reject(new Error(`plantgan serve ${args.join(" ")} exited (${code}): ${stderr}`)));
  });
  return { child, url, key };
}
