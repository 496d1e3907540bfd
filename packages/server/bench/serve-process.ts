import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

/** The built CLI (`pnpm build` first): the processes an operator runs. */
export const CLI_BIN = fileURLToPath(new URL("../../cli/dist/bin.js", import.meta.url));

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The API's base URL (role api, all) or the worker's health URL's origin. */
  readonly url: string;
  /** What it printed so far. */
  readonly log: () => string;
  /** SIGTERM (running jobs go back to the queue) and wait for the exit; SIGKILL after 15 s. */
  stop(): Promise<void>;
}

/**
 * Starts `plantgan serve <args>` on port 0 and resolves once it printed its address: the API's
 * ("PlantGAN API on <url>/v1") or a worker's ("health at <url>/health").
 */
export async function startServe(args: readonly string[], env: NodeJS.ProcessEnv): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI_BIN, "serve", "--port", "0", ...args], {
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const found =
        /PlantGAN API on (http:\/\/\S+)\/v1/.exec(stderr) ?? /health at (http:\/\/\S+)\/health/.exec(stderr);
      if (found) resolve(found[1]!);
    });
    child.once("exit", (code) => reject(new Error(`plantgan serve ${args.join(" ")} exited (${code}): ${stderr}`)));
  });
  return {
    child,
    pid: child.pid!,
    url,
    log: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
