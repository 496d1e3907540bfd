import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const TICKS_PER_S = 100;

/**
 * CPU seconds a process used, its reaped children included (utime + stime + cutime + cstime from
 * /proc/<pid>/stat): a server's job worker processes, which exit after each job, count towards it.
 * NaN once the process is gone.
 */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

/** Pids of the live children of `pid`. */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) found.push(Number(entry));
    } catch {
      // Ended while we looked.
    }
  }
  return found;
}

/** CPU seconds of a process and its live children (a job worker still running, PostgreSQL backends). */
export function treeCpuSeconds(pid: number): number {
  return childrenOf(pid).reduce((sum, child) => sum + (cpuSeconds(child) || 0), cpuSeconds(pid));
}

/** The PostgreSQL postmaster listening on `port` (its command line names the port), if any. */
export function postmasterPid(port: number): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (
        cmdline.some((a) => a.endsWith("/postgres") || a === "postgres") &&
        cmdline.join(" ").includes(`port=${port}`)
      )
        return Number(entry);
    } catch {
      // Ended while we looked.
    }
  }
  return undefined;
}

export function loadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}
