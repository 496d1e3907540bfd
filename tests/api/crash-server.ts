/**
 * A PlantGAN server in its own process, for the crash test: the test SIGKILLs it mid-job.
 * Usage: node --import tsx --conditions=@plantgan/source crash-server.ts <dataDir> [leaseMs]
 * Prints one JSON line { url, key } when listening.
 */
import { buildApp, createApiKey, generationService, trainingService } from "@plantgan/server";
import { TEST_JOBS } from "./harness.js";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: crash-server.ts <dataDir> [leaseMs]");
const leaseMs = Number(process.argv[3] ?? TEST_JOBS.leaseMs);
const app = await buildApp({
  dataDir,
  rateLimit: false,
  jobs: { ...TEST_JOBS, leaseMs },
  services: { generation: generationService, training: trainingService },
});
const address = await app.listen({ host: "127.0.0.1", port: 0 });
const { key } = await createApiKey(app.store, "crash");
process.stdout.write(`${JSON.stringify({ url: address, key })}\n`);
