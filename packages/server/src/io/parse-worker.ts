/**
 * The process that reads uploaded designs (io/parse-pool.ts): DEXPI XML and NDJSON bodies are
 * parsed here, so a large or hostile body never holds the request thread.
 */
import { type IngestInput, readDesigns } from "@plantgan/core/formats";
import { exitWhenParentDies } from "../process/parent-watch.js";
import { listedNotes, type ParseReply, type ParseRequest } from "./parse-pool.js";

if (!process.send) throw new Error("parse-worker.ts runs as the forked parse process of io/parse-pool.ts");
const send = process.send.bind(process);
// The server gone (its IPC channel closed), nothing is left to parse for.
process.on("disconnect", () => process.exit(0));
// "disconnect" waits for the event loop; the watch thread ends this process mid-compute too.
exitWhenParentDies();

process.on("message", (request: ParseRequest) => {
  let reply: ParseReply;
  try {
    reply = { id: request.id, report: listedNotes(readDesigns(request.input as IngestInput)) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  send(reply);
});
