import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { JobRunner, type RunnerOptions } from "../jobs/runner.js";

declare module "fastify" {
  interface FastifyInstance {
    jobs: JobRunner;
  }
}

export interface JobsPluginOptions {
  readonly runner: RunnerOptions;
  /** Start taking jobs when the app is ready (false: queue only, e.g. a read-only replica). */
  readonly start: boolean;
}

/** The job runner, started with the app and stopped (jobs released to the queue) on close. */
export const jobsPlugin = fp(
  async (app: FastifyInstance, options: JobsPluginOptions) => {
    const runner = new JobRunner(app.store, options.runner);
    runner.on("error-log", (error: unknown) => app.log.warn({ err: error }, "job runner"));
    app.decorate("jobs", runner);
    if (options.start) app.addHook("onReady", async () => runner.start());
    app.addHook("preClose", async () => runner.stop());
  },
  { name: "plantgan-jobs", dependencies: ["plantgan-store"] },
);
