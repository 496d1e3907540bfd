import { readdirSync, readFileSync } from "node:fs";
import { schemas as contract, SCHEMA_IDS } from "@plantgan/core/design";

/**
 * The API's JSON Schemas, loaded from schemas/api/*.schema.json (the one HTTP contract: the server
 * validates and documents with them, the viewer's client types are generated from them). They
 * `$ref` each other and the contract documents (schemas/*.schema.json) by `$id`.
 */

/** schemas/api/ from src/ and from dist/ alike (both sit at packages/server/<dir>/). */
const API_DIR = new URL("../../../schemas/api/", import.meta.url);
const API_BASE = "https://plantgan.dev/api/";

export type JsonSchema = { readonly $id: string } & Readonly<Record<string, unknown>>;

/** `tsType` names the viewer's TypeScript type for a free object: a generator hint, not a validation keyword. */
function withoutTsType<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutTsType) as T;
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== "tsType")
      .map(([k, v]) => [k, withoutTsType(v)]),
  ) as T;
}

function loadApiSchemas(): ReadonlyMap<string, JsonSchema> {
  const byName = new Map<string, JsonSchema>();
  for (const file of readdirSync(API_DIR)
    .filter((f) => f.endsWith(".schema.json"))
    .sort()) {
    const schema = withoutTsType(JSON.parse(readFileSync(new URL(file, API_DIR), "utf8")) as JsonSchema);
    const name = file.slice(0, -".schema.json".length);
    if (schema.$id !== `${API_BASE}${file}`) throw new Error(`schemas/api/${file}: $id must be ${API_BASE}${file}`);
    byName.set(name, schema);
  }
  return byName;
}

const BY_NAME = loadApiSchemas();

/** Every API schema, registered with the one Ajv and with fastify (OpenAPI document, response serialiser). */
export const API_SCHEMAS: readonly JsonSchema[] = [...BY_NAME.values()];

/** The API schema named by its file (`job` for schemas/api/job.schema.json); throws for an unknown name. */
export function apiSchema(name: string): JsonSchema {
  const schema = BY_NAME.get(name);
  if (!schema) throw new Error(`no schemas/api/${name}.schema.json`);
  return schema;
}

/** `{ $ref }` to an API schema, with sibling keywords (a description) beside it. */
export function apiRef(name: string, siblings: Record<string, unknown> = {}): Record<string, unknown> {
  return { $ref: apiSchema(name).$id, ...siblings };
}

export const CONTRACT = SCHEMA_IDS;

const DOCUMENTS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ...contract.allSchemas.map((s) => [s.$id, s] as const),
  ...API_SCHEMAS.map((s) => [s.$id, s] as const),
]);

function resolvePointer(ref: string): Record<string, unknown> {
  const [id = "", fragment = ""] = ref.split("#");
  let node = DOCUMENTS.get(id);
  for (const token of fragment.split("/").slice(1)) {
    node = (node as Record<string, unknown> | undefined)?.[token.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  if (!node || typeof node !== "object") throw new Error(`unresolved $ref ${ref}`);
  return node as Record<string, unknown>;
}

/**
 * The schema with every `$ref` replaced by what it points at. Querystring and params schemas are
 * used this way: fastify and the OpenAPI generator want them as plain objects (one parameter per
 * property), not references. A whole document's `$id`, `$schema` and `title` are left out.
 */
export function inlined(name: string): Record<string, unknown> {
  const expand = (value: unknown, base: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => expand(v, base));
    if (!value || typeof value !== "object") return value;
    const { $ref, ...rest } = value as Record<string, unknown>;
    const here = typeof rest.$id === "string" ? rest.$id : base;
    if (typeof rest.$id === "string") {
      delete rest.$id;
      delete rest.$schema;
      delete rest.title;
    }
    const own = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, expand(v, here)]));
    if (typeof $ref !== "string") return own;
    const target = new URL($ref, here).href;
    const resolved = expand(resolvePointer(target), target.split("#")[0]!) as Record<string, unknown>;
    return { ...resolved, ...own };
  };
  return expand(apiSchema(name), apiSchema(name).$id) as Record<string, unknown>;
}

export const MAX_PAGE = 500;

export function pageOf(query: { limit?: string; cursor?: string }): { limit: number; cursor?: string } {
  const limit = Math.min(Number(query.limit ?? 50), MAX_PAGE);
  return { limit, ...(query.cursor !== undefined ? { cursor: query.cursor } : {}) };
}

/** Problem responses for the given statuses, for route docs: RFC 9457 bodies as application/problem+json. */
export function problems(...statuses: number[]): Record<number, unknown> {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: "Problem details", content: { "application/problem+json": { schema: apiRef("problem") } } },
    ]),
  );
}
