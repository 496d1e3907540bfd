import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "vitest";

/**
 * A throwaway PostgreSQL cluster for tests, from Debian's `postgresql` package binaries
 * (/usr/lib/postgresql/<version>/bin). Never downloads a server: without the binaries the tests
 * that need one skip with the reason.
 */
export interface RunningPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  /** Creates an empty database and returns its URL (one per test keeps tests apart). */
  newDatabase(): string;
  stop(): void;
}

const ROOT = "/usr/lib/postgresql";

/** The newest installed version's bin folder, or why there is none. */
function findBinaries(): { bin: string } | { missing: string } {
  if (!existsSync(ROOT)) return { missing: `PostgreSQL is not installed (no ${ROOT}; apt-get install postgresql)` };
  const versions = readdirSync(ROOT)
    .filter((v) => existsSync(join(ROOT, v, "bin", "initdb")) && existsSync(join(ROOT, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) return { missing: `no initdb and pg_ctl under ${ROOT}/<version>/bin` };
  return { bin: join(ROOT, versions[0]!, "bin") };
}

/** initdb refuses to run as root: as root, the cluster belongs to the `postgres` system user. */
function runAs(): { uid: number; gid: number } | undefined | string {
  if (process.getuid?.() !== 0) return undefined;
  const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (id.status !== 0 || gid.status !== 0) return "running as root and there is no postgres user to run initdb as";
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Why a cluster cannot start here, or undefined when it can. */
export function postgresMissing(): string | undefined {
  const found = findBinaries();
  if ("missing" in found) return found.missing;
  const user = runAs();
  return typeof user === "string" ? user : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a cluster in a temporary folder, listening on 127.0.0.1 and a free port, with trust
 * authentication and no fsync (a test cluster: speed over durability). Throws when it cannot.
 */
export async function startPostgres(): Promise<RunningPostgres> {
  const found = findBinaries();
  if ("missing" in found) throw new Error(found.missing);
  const user = runAs();
  if (typeof user === "string") throw new Error(user);
  const dir = mkdtempSync(join(tmpdir(), "plantgan-pg-"));
  const data = join(dir, "data");
  if (user) chownSync(dir, user.uid, user.gid);
  const run = (tool: string, args: string[]): void => {
    const command = join(found.bin, tool);
    const [file, argv] = user ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
    execFileSync(file, argv, { stdio: ["ignore", "pipe", "pipe"], cwd: dir, timeout: 60_000 });
  };
  try {
    run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
    const port = await freePort();
    const settings = [
      "-c listen_addresses=127.0.0.1",
      `-c port=${port}`,
      // The socket in the cluster's own folder: /var/run/postgresql may not exist or be writable.
      `-c unix_socket_directories=${dir}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=200",
    ].join(" ");
    run("pg_ctl", ["-D", data, "-o", settings, "-l", join(dir, "server.log"), "-w", "-t", "60", "start"]);
    const base = `postgres://postgres@127.0.0.1:${port}`;
    let databases = 0;
    let stopped = false;
    // A test run that ends without stop() (a crash, a forgotten afterAll) leaves no server behind.
    const stopOnExit = () => running.stop();
    process.once("exit", stopOnExit);
    const running: RunningPostgres = {
      url: `${base}/postgres`,
      newDatabase() {
        databases += 1;
        const name = `test_${process.pid}_${databases}`;
        run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", name]);
        return `${base}/${name}`;
      },
      stop() {
        if (stopped) return;
        stopped = true;
        process.removeListener("exit", stopOnExit);
        try {
          run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
    return running;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`could not start PostgreSQL: ${stderr || (error as Error).message}`);
  }
}

/**
 * describe() when a cluster can start here; otherwise one skipped test that says why (like
 * describeWithFixtures). The body starts its cluster itself, in beforeAll.
 */
export function describeWithPostgres(name: string, body: () => void): void {
  const reason = postgresMissing();
  if (reason === undefined) {
    describe(name, body);
    return;
  }
  describe(name, () => {
    console.warn(`${name}: skipped, ${reason}`);
    test(`skipped: ${reason}`, (ctx) => ctx.skip(reason));
  });
}
