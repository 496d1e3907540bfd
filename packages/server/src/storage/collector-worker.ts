/**
 * One blob collection in a process of its own (storage/collector.ts forks it for the SQLite
 * store, whose calls are synchronous): it opens the store from the config it is sent, collects,
 * answers with what it freed, and exits.
 */
import { openStore, type StoreConfig } from "../store/open.js";
import type { CollectorReply } from "./collector.js";

if (!process.send) throw new Error("collector-worker.ts runs as the forked process of storage/collector.ts");
const send = process.send.bind(process);
// The server gone, nothing is left to answer.
process.on("disconnect", () => process.exit(0));

process.once("message", async (config: StoreConfig) => {
  const { store } = openStore(config);
  let reply: CollectorReply;
  try {
    reply = { freed: await store.collectBlobs() };
  } catch (error) {
    reply = { error: error instanceof Error ? error.message : String(error) };
  } finally {
    await store.close();
  }
  send(reply, () => process.disconnect());
});
