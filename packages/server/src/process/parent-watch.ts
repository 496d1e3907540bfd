import { Worker } from "node:worker_threads";

/**
 * Ends this process (SIGKILL) once the process that forked it is gone, checked every `everyMs`
 * from a thread of its own. The IPC "disconnect" event says the same, but only when the main
 * thread's event loop runs: a job worker deep in synchronous compute (a generation or training
 * step, whose store writes resolve without yielding to it) would otherwise finish its job with no
 * server. The parent's death shows as a new parent process id (Linux reparents orphans).
 */
export function exitWhenParentDies(everyMs = 250): void {
  const watch = new Worker(
    `const { workerData } = require("node:worker_threads");
setInterval(() => {
  if (process.ppid !== workerData.parent) process.kill(process.pid, "SIGKILL");
}, workerData.everyMs);`,
    { eval: true, workerData: { parent: process.ppid, everyMs } },
  );
  // The thread must not keep the process alive after its work ends.
  watch.unref();
}
