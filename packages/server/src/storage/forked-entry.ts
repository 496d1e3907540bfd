import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * How to fork the module `name` (no extension) that sits beside the module at `moduleUrl`: built,
 * the .js file; from source (tests, tsx), the .ts file through tsx's loader with the source
 * condition. (io/parse-pool.ts, jobs/runner.ts and gan/ keep their own copies of this.)
 */
export function forkedEntry(moduleUrl: string, name: string): { file: string; execArgv: string[] } {
  const here = fileURLToPath(moduleUrl);
  if (!here.endsWith(".ts")) return { file: join(dirname(here), `${name}.js`), execArgv: [] };
  const tsx = pathToFileURL(createRequire(moduleUrl).resolve("tsx")).href;
  return { file: join(dirname(here), `${name}.ts`), execArgv: ["--import", tsx, "--conditions=@plantgan/source"] };
}
