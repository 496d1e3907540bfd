import type { IncomingMessage } from "node:http";
import { summariseDesign } from "@plantgan/core/design";
import {
  type AcceptedRecord,
  contentText,
  type DesignFormat,
  type DesignRecord,
  detectFormat,
  formatByMediaType,
  type IngestReport,
  jsonValueRecords,
  SNIFF_CHARS,
} from "@plantgan/core/formats";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type RouteOptions, rateConfig } from "../config.js";
import { ApiError, type ApiIssue } from "../errors.js";
import { EXPORT_FORMATS, type ExportFormat, exportDesign, NotPlacedError } from "../export.js";
import { BodySpool, isSpooledBody } from "../io/body-spool.js";
import { DesignParsePool } from "../io/parse-pool.js";
import { apiRef, CONTRACT, inlined, pageOf, problems } from "../schemas.js";
import type { DesignInsert, DesignSource } from "../store/store.js";
import { DOCS_ONLY } from "../validation.js";

interface UploadQuery {
  dataset?: string;
  id?: string;
}

interface ListQuery {
  dataset?: string;
  processClass?: string;
  status?: "uploaded" | "accepted";
  limit?: string;
  cursor?: string;
}

/** What the client sees per record. */
interface RecordReport {
  where: string;
  accepted: boolean;
  id?: string;
  issues?: readonly ApiIssue[];
}

/** Where an upload came from; both DEXPI versions are "dexpi". */
const SOURCE: Record<string, DesignSource> = { json: "json", ndjson: "ndjson", dexpi: "dexpi", dexpi2: "dexpi" };

/**
 * /v1/designs: upload (JSON design or array, NDJSON batch, DEXPI XML), list, get, delete, export.
 * Uploads are parsed here with core's parseDesign rather than by the route schema, so that a batch
 * gets a report per record with every issue of each refused one. XML and NDJSON bodies are read on
 * a parse thread (io/parse-pool.ts): a 15 MB DEXPI file must not hold /health or other workspaces.
 */
export async function designRoutes(app: FastifyInstance, options: RouteOptions): Promise<void> {
  const parser = new DesignParsePool();
  app.addHook("onClose", () => parser.close());
  // The formats the handler has parsed off its thread arrive as a temp file (io/body-spool.ts),
  // never as one string or buffer on this thread: decoding a 15 MB body into a string, or even
  // concatenating its chunks, held the request thread for tens of milliseconds per upload.
  // JSON keeps fastify's (prototype-safe) parser.
  const spool = new BodySpool(SNIFF_CHARS * 4);
  app.addHook("onClose", () => spool.close());
  // Whatever the answer (or none: the client gone), the body's file goes with the request.
  const dropBody = async (request: FastifyRequest) => {
    if (isSpooledBody(request.body)) await spool.remove(request.body);
  };
  app.addHook("onResponse", dropBody);
  app.addHook("onRequestAbort", dropBody);
  app.addContentTypeParser(
    [
      "application/x-ndjson",
      "application/ndjson",
      "application/jsonl",
      "application/xml",
      "text/xml",
      "application/dexpi+xml",
    ],
    (request: FastifyRequest, payload: IncomingMessage) =>
      spool.receive(payload, options.limits.uploadBytes, request.headers["content-length"]),
  );

  app.post(
    "",
    {
      bodyLimit: options.limits.uploadBytes,
      config: rateConfig(options.rate.upload),
      schema: {
        summary: "Upload designs",
        description:
          `One design (application/json), a JSON array of designs, an NDJSON batch (application/x-ndjson, at most ${options.limits.syncRecords} records) ` +
          "or a DEXPI XML file (application/xml). Each record is accepted or refused with its issues. 201: all accepted; " +
          "200: some refused (see records); 422 invalid_design / 409 conflict: none accepted; 507 insufficient_storage: " +
          "the workspace's storage quota would be passed. Larger batches: POST /v1/imports.",
        tags: ["designs"],
        querystring: inlined("design-upload-query"),
        body: {
          content: {
            "application/json": { schema: { $ref: CONTRACT.plantDesign, [DOCS_ONLY]: true } },
            "application/x-ndjson": {
              schema: { type: "string", maxLength: options.limits.uploadBytes, [DOCS_ONLY]: true },
            },
            "application/xml": { schema: { type: "string", maxLength: options.limits.uploadBytes, [DOCS_ONLY]: true } },
          },
        },
        response: {
          200: apiRef("upload-report"),
          201: apiRef("upload-report"),
          ...problems(400, 401, 404, 409, 413, 415, 422, 429, 507),
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: UploadQuery }>, reply: FastifyReply) => {
      const workspaceId = request.auth.workspaceId;
      const { dataset, id: dexpiId } = request.query;
      if (dataset !== undefined && !(await app.store.getDataset(workspaceId, dataset))) {
        throw new ApiError("not_found", `dataset ${dataset} not found`);
      }
      // XML is claimed by DEXPI 1.x and 2.0 alike: the body's root element decides between them.
      const mediaType = request.headers["content-type"];
      const sniffed = isSpooledBody(request.body)
        ? detectFormat({ ...(mediaType ? { mediaType } : {}), head: headText(request.body.head) })
        : undefined;
      const format = sniffed?.ok ? sniffed.format : formatByMediaType(mediaType);
      if (!format)
        throw new ApiError("unsupported_media_type", "send application/json, application/x-ndjson or application/xml");

      const { records, notes } = await readRecords(parser, format, request.body, dexpiId, options.limits.syncRecords);
      const accepted = records.filter((r): r is AcceptedRecord => r.accepted);
      const items: DesignInsert[] = accepted.map((r) => ({
        design: r.design,
        status: "uploaded",
        source: SOURCE[format.id]!,
        summary: summariseDesign(r.design),
      }));
      await app.quotas.beforeStoring(workspaceId, () =>
        sum(items.map((i) => Buffer.byteLength(JSON.stringify(i.design)))),
      );
      const outcomes = items.length > 0 ? await app.store.insertDesigns(workspaceId, items, dataset) : [];

      // Conflicts become refusals of their records, in the records' own order.
      const outcomeOf = new Map(accepted.map((r, i) => [r, outcomes[i]!]));
      const report: RecordReport[] = records.map((r) => {
        if (!r.accepted) return { where: r.where, accepted: false, issues: r.issues };
        const outcome = outcomeOf.get(r)!;
        if (outcome.ok) return { where: r.where, accepted: true, id: outcome.id };
        return {
          where: r.where,
          accepted: false,
          id: outcome.id,
          issues: [{ code: "conflict", pointer: "/id", message: `a design with id "${outcome.id}" exists already` }],
        };
      });
      const acceptedCount = report.filter((r) => r.accepted).length;
      const body = { accepted: acceptedCount, refused: report.length - acceptedCount, records: report, ...notes };

      if (acceptedCount === 0) {
        const allConflicts = report.length > 0 && report.every((r) => r.issues?.every((i) => i.code === "conflict"));
        const first = report[0];
        throw new ApiError(
          allConflicts ? "conflict" : "invalid_design",
          report.length === 1 && first?.issues?.[0]
            ? `${first.issues[0].pointer || "/"}: ${first.issues[0].message}`
            : `none of ${report.length} records was accepted`,
          { issues: report.length === 1 ? (first?.issues ?? []) : [], records: report.slice(0, 1000) },
        );
      }
      if (acceptedCount === 1 && report.length === 1)
        reply.header("location", `/v1/designs/${encodeURIComponent(report[0]!.id!)}`);
      return reply.code(body.refused === 0 ? 201 : 200).send(body);
    },
  );

  app.get(
    "",
    {
      schema: {
        summary: "List designs",
        tags: ["designs"],
        querystring: inlined("design-list-query"),
        response: { 200: apiRef("design-page"), ...problems(400, 401, 404) },
      },
    },
    async (request: FastifyRequest<{ Querystring: ListQuery }>) => {
      const { dataset, processClass, status } = request.query;
      const workspaceId = request.auth.workspaceId;
      if (dataset !== undefined && !(await app.store.getDataset(workspaceId, dataset))) {
        throw new ApiError("not_found", `dataset ${dataset} not found`);
      }
      const filter = {
        ...(dataset !== undefined ? { datasetId: dataset } : {}),
        ...(processClass !== undefined ? { processClass } : {}),
        ...(status !== undefined ? { status } : {}),
      };
      return app.store.listDesigns(workspaceId, filter, pageOf(request.query));
    },
  );

  app.get(
    "/:id",
    {
      schema: {
        summary: "Get a design with its stored metadata",
        tags: ["designs"],
        params: inlined("id-params"),
        response: {
          200: apiRef("stored-design"),
          ...problems(401, 404),
        },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const found = await app.store.getDesign(request.auth.workspaceId, request.params.id);
      if (!found) throw new ApiError("not_found", `design ${request.params.id} not found`);
      return found;
    },
  );

  app.delete(
    "/:id",
    {
      schema: {
        summary: "Delete a design (and its dataset memberships), freeing its stored body",
        tags: ["designs"],
        params: inlined("id-params"),
        response: { 204: { type: "null", description: "Deleted" }, ...problems(401, 404) },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      if (!(await app.store.deleteDesign(request.auth.workspaceId, request.params.id))) {
        throw new ApiError("not_found", `design ${request.params.id} not found`);
      }
      return reply.code(204).send();
    },
  );

  app.get(
    "/:id/export",
    {
      schema: {
        summary: "Export a design as a file",
        description:
          "An attachment named `<id><extension>`, with the format's media type. format=json: the design document " +
          "(plant-design.schema.json). format=dexpi: a DEXPI 1.3 P&ID (Proteus XML) that the DEXPI import reads back " +
          "to the same design. format=dexpi2: a DEXPI 2.0 P&ID (root <Model>) valid against the DEXPI XML Schema. " +
          "format=pcf: a Piping Component File, one PIPELINE-REFERENCE per routed line. format=cause-effect: the " +
          "interlocks as a Cause & Effect matrix (CSV). format=plcopen: PLCopen TC6 XML (IEC 61131-10), one program " +
          "per loop and interlock. format=gltf: the 3D scene the viewer draws as glTF 2.0 JSON with its buffer " +
          "embedded (data: URI); format=glb: the same scene as binary glTF. The scene is y-up (glTF), metres; " +
          "one node per equipment tag, named by it (tags also in `extras.tags`; instancing=1: EXT_mesh_gpu_instancing); unplaced equipment of a partly placed design sits at " +
          "schematic positions south of the plot, as in the viewer. A design with no placed equipment (topology " +
          "only, e.g. a DEXPI import) has no scene: 422 not_placed. An unknown format: 400, naming the allowed values.",
        tags: ["designs"],
        params: inlined("id-params"),
        querystring: inlined("design-export-query"),
        response: {
          200: {
            description: "The design as a file of the chosen format",
            content: {
              "application/json": { schema: { type: "string", description: "format=json: the design document" } },
              "application/xml": {
                schema: { type: "string", description: "format=dexpi, dexpi2 or plcopen: the XML document" },
              },
              "text/plain": { schema: { type: "string", description: "format=pcf: the Piping Component File" } },
              "text/csv": { schema: { type: "string", description: "format=cause-effect: the C&E matrix" } },
              "model/gltf+json": { schema: { type: "string", description: "format=gltf: glTF 2.0, embedded buffer" } },
              "model/gltf-binary": { schema: { type: "string", format: "binary", description: "format=glb" } },
            },
          },
          ...problems(400, 401, 404, 422),
        },
      },
    },
    async (
      request: FastifyRequest<{
        Params: { id: string };
        Querystring: { format?: ExportFormat; instancing?: "0" | "1" | "false" | "true" };
      }>,
      reply: FastifyReply,
    ) => {
      const format = request.query.format ?? "json";
      const found = await app.store.getDesign(request.auth.workspaceId, request.params.id);
      if (!found) throw new ApiError("not_found", `design ${request.params.id} not found`);
      let body: Buffer;
      try {
        const instancing = request.query.instancing === "1" || request.query.instancing === "true";
        body = await exportDesign(found.design, format, { instancing });
      } catch (error) {
        if (error instanceof NotPlacedError) throw new ApiError("not_placed", error.message);
        throw error;
      }
      const { type, extension } = EXPORT_FORMATS[format]!;
      // The id matches the Identifier pattern (no quotes, no path separators): safe in a header.
      return reply
        .type(type)
        .header("content-disposition", `attachment; filename="${found.id}${extension}"`)
        .send(body);
    },
  );
}

/** Records from a body, by format; refuses (413) more records than one request may hold. */
async function readRecords(
  parser: DesignParsePool,
  format: DesignFormat,
  body: unknown,
  dexpiId: string | undefined,
  maxRecords: number,
): Promise<{
  records: readonly DesignRecord[];
  notes: Partial<Pick<IngestReport, "unmapped" | "renamedTags" | "warnings">>;
}> {
  const tooMany = (n: number) =>
    new ApiError(
      "too_many_records",
      `${n} records; one request takes at most ${maxRecords}: use POST /v1/imports for a batch job`,
    );
  // A JSON body arrives parsed (fastify's prototype-safe parser); the others arrive as text.
  if (format.id === "json") {
    if (Array.isArray(body) && body.length > maxRecords) throw tooMany(body.length);
    return { records: jsonValueRecords(body, "body"), notes: {} };
  }
  if (!isSpooledBody(body)) throw new ApiError("invalid_request", "the body is empty");
  // Counted and read in the parse process, from the body's file: it is never text on this thread.
  const read = await parser.readFile(
    body.file,
    {
      format: format.id,
      label: format.id === "ndjson" ? "line" : "body",
      ...(dexpiId !== undefined ? { id: dexpiId } : {}),
    },
    maxRecords,
  );
  if ("count" in read) {
    if (read.count > maxRecords) throw tooMany(read.count);
    throw new ApiError("invalid_design", `the ${format.id.toUpperCase()} body holds no record`, { issues: [] });
  }
  const report = read.report;
  // Only DEXPI maps a foreign model, so only its reports say what was not mapped or renamed.
  const notes =
    format.id === "dexpi" || format.id === "dexpi2"
      ? { unmapped: report.unmapped, renamedTags: report.renamedTags }
      : {};
  // Warnings (an empty drawing, for one) are for the user to read before trusting the designs.
  const warnings = report.warnings?.length ? { warnings: report.warnings } : {};
  return { records: report.records, notes: { ...notes, ...warnings } };
}

/**
 * The start of a body as text, for sniffing its format: only its first bytes are kept and decoded (UTF-8 or
 * UTF-16, as core reads them). A body in an encoding PlantGAN does not read is sniffed as Latin-1,
 * so its format is still found and the parse process refuses it naming the encoding.
 */
function headText(head: Buffer): string {
  // The spool keeps four bytes a character (SNIFF_CHARS in any UTF; an even length keeps UTF-16 whole).
  try {
    return contentText(head).slice(0, SNIFF_CHARS);
  } catch {
    return head.toString("latin1").slice(0, SNIFF_CHARS);
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
