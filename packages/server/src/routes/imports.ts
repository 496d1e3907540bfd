import multipart from "@fastify/multipart";
import { designIdFromName, detectFormat, formatByMediaType, SNIFF_CHARS } from "@plantgan/core/formats";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type RouteOptions, rateConfig } from "../config.js";
import { ApiError } from "../errors.js";
import type { ImportPayload, ImportSource } from "../jobs/import.js";
import { apiRef, inlined, problems } from "../schemas.js";
import { type StagedFile, UploadStaging } from "../storage/staging.js";
import { DOCS_ONLY } from "../validation.js";

interface ImportQuery {
  dataset?: string;
  id?: string;
  batchSize?: string;
}

/** A client's file name as a report label: printable, short. Never used as a path. */
function label(name: string | undefined, fallback: string): string {
  const clean = (name ?? "").replace(/[^\w.\-:]/g, "_").slice(0, 120);
  return clean || fallback;
}

/**
 * The multipart parser (busboy) throws plain errors with no status for a body that does not parse
 * (no boundary, a part that never ends): those are the client's fault, a 400, not a 500. Errors
 * that carry a status (our own, the plugin's size limits: 413) pass through.
 */
function malformedMultipart(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  if (typeof (error as { statusCode?: unknown }).statusCode === "number") return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError("invalid_request", `the multipart body is malformed: ${message}`);
}

/**
 * POST /v1/imports: a large batch (NDJSON, a JSON array, DEXPI XML, or several files as
 * multipart/form-data) stored as blobs and imported by an "import" job with progress events.
 */
export async function importRoutes(app: FastifyInstance, options: RouteOptions): Promise<void> {
  const { importBytes, importFiles } = options.limits;
  // bodyLimit does not bound multipart: every count and size is set here.
  await app.register(multipart, {
    limits: {
      fileSize: importBytes,
      files: importFiles,
      fields: 4,
      fieldSize: 1024,
      parts: importFiles + 4,
      headerPairs: 64,
    },
  });
  app.addContentTypeParser(
    [
      "application/x-ndjson",
      "application/ndjson",
      "application/jsonl",
      "application/xml",
      "text/xml",
      "application/dexpi+xml",
    ],
    { parseAs: "buffer", bodyLimit: importBytes },
    (_request, body, done) => done(null, body),
  );
  // JSON stays raw here too: the job parses it (an array of thousands of designs).
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer", bodyLimit: importBytes }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    "",
    {
      bodyLimit: importBytes,
      config: rateConfig(options.rate.heavy),
      schema: {
        summary: "Import a batch of designs as a job",
        description:
          "The body (NDJSON, a JSON design or array, DEXPI XML) or multipart/form-data files are stored, and an import job " +
          "reads them, storing accepted designs in committed steps. 202 with the job; follow GET /v1/jobs/{id}/events. " +
          "Nothing is stored unless the whole request is accepted. 429 quota_exceeded: the workspace's queue is full " +
          "(Retry-After); 507 insufficient_storage: its storage quota is used up.",
        tags: ["imports"],
        querystring: inlined("import-query"),
        body: {
          content: {
            "application/x-ndjson": { schema: { type: "string", maxLength: importBytes, [DOCS_ONLY]: true } },
            "application/json": { schema: { type: "string", maxLength: importBytes, [DOCS_ONLY]: true } },
            "application/xml": { schema: { type: "string", maxLength: importBytes, [DOCS_ONLY]: true } },
            "multipart/form-data": {
              schema: {
                type: "object",
                [DOCS_ONLY]: true,
                properties: {
                  files: { type: "array", maxItems: importFiles, items: { type: "string", format: "binary" } },
                },
              },
            },
          },
        },
        response: { 202: apiRef("job"), ...problems(400, 401, 404, 413, 415, 429, 507) },
      },
    },
    async (request: FastifyRequest<{ Querystring: ImportQuery }>, reply: FastifyReply) => {
      const workspaceId = request.auth.workspaceId;
      const { dataset, id: designId, batchSize } = request.query;
      if (dataset !== undefined && !(await app.store.getDataset(workspaceId, dataset))) {
        throw new ApiError("not_found", `dataset ${dataset} not found`);
      }
      // Refused before anything is read or stored when the workspace's queue or storage is full.
      await app.quotas.beforeJob(workspaceId, "import");
      const sources: ImportSource[] = [];
      const store = async (bytes: Buffer, format: string, name: string, filename?: string) => {
        const { sha256, size } = await app.blobs.put(bytes);
        await app.store.registerBlob(sha256, size);
        // A DEXPI drawing's id: ?id=, else its file's name (as the CLI names it), else its drawing number.
        const id = designId ?? (filename ? designIdFromName(filename) : undefined);
        sources.push({ blob: sha256, format, label: name, ...(id !== undefined && format === "dexpi" ? { id } : {}) });
      };

      if (request.isMultipart()) {
        // Every file waits on local disk until all are read and accepted: a refused request stores nothing.
        const staging = await UploadStaging.open();
        try {
          const accepted: { file: StagedFile; format: string; name: string; filename?: string }[] = [];
          try {
            for await (const part of request.parts()) {
              if (part.type !== "file") continue;
              const file = await staging.add(part.file, SNIFF_CHARS);
              if (part.file.truncated)
                throw new ApiError("payload_too_large", `a file is larger than ${importBytes} bytes`);
              const name = label(part.filename, `file-${accepted.length + 1}`);
              const detected = detectFormat({
                ...(part.filename ? { name: part.filename } : {}),
                mediaType: part.mimetype,
                head: file.head,
              });
              if (!detected.ok) throw new ApiError("unsupported_media_type", `${name}: ${detected.message}`);
              accepted.push({
                file,
                format: detected.format.id,
                name,
                ...(part.filename ? { filename: part.filename } : {}),
              });
            }
          } catch (error) {
            throw malformedMultipart(error);
          }
          await app.quotas.beforeStoring(workspaceId, sum(accepted.map((a) => a.file.size)));
          // One file in memory at a time, written as a blob before the next is read.
          for (const a of accepted) await store(await staging.read(a.file), a.format, a.name, a.filename);
        } finally {
          await staging.dispose();
        }
      } else {
        const format = formatByMediaType(request.headers["content-type"]);
        if (!format) throw new ApiError("unsupported_media_type", "send NDJSON, JSON, XML or multipart/form-data");
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0) throw new ApiError("invalid_request", "the body is empty");
        await app.quotas.beforeStoring(workspaceId, body.length);
        await store(body, format.id, "body");
      }
      if (sources.length === 0) throw new ApiError("invalid_request", "no file in the upload");

      const payload: ImportPayload = {
        sources,
        ...(dataset !== undefined ? { datasetId: dataset } : {}),
        ...(batchSize !== undefined ? { batchSize: Number(batchSize) } : {}),
      };
      const job = await app.jobs.enqueue(workspaceId, "import", payload);
      reply.header("location", `/v1/jobs/${job.id}`);
      return reply.code(202).send(job);
    },
  );
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
