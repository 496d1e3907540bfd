/**
 * The process that reads uploaded designs (io/parse-pool.ts): DEXPI XML and NDJSON bodies are
 * decoded, counted and parsed here, so a large or hostile body never holds the request thread.
 */
import { readFileSync } from "node:fs";
import { contentText, formatById, type IngestInput, readDesigns } from "@plantgan/core/formats";
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
    reply = answer(request);
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  send(reply);
});

/** The report of a request's body, or only its record count when that is 0 or over the maximum. */
function answer({ id, input, file, maxRecords }: ParseRequest): ParseReply {
  const withContent: IngestInput = file === undefined ? input : { ...input, content: readFileSync(file) };
  const format = input.format === undefined ? undefined : formatById(input.format);
  if (maxRecords === undefined || format === undefined) return { id, report: listedNotes(readDesigns(withContent)) };
  let text: string;
  try {
    text = contentText(withContent.content);
  } catch {
    // An encoding PlantGAN does not read: readDesigns refuses it with the reason.
    return { id, report: listedNotes(readDesigns(withContent)) };
  }
  const count = format.count(text);
  if (count === 0 || count > maxRecords) return { id, count };
  return { id, report: listedNotes(readDesigns({ ...withContent, content: text })) };
}
