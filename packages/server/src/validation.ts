import { schemas as contract, createAjv } from "@plantgan/core/design";
import type { FastifyInstance } from "fastify";
import { API_SCHEMAS } from "./schemas.js";

/** Marks a request schema as documentation only: the handler parses that body itself (per-record issues). */
export const DOCS_ONLY = "x-docs-only";

/**
 * Installs the one Ajv 2020-12 instance (core's `createAjv`: no coercion, no stripping, defaults
 * filled) as fastify's validator, in place of fastify's draft-07 Ajv which would silently strip
 * unknown fields and coerce "5" to 5. `allErrors` stays off: request bodies are untrusted and
 * collecting every error of a hostile document costs memory. The contract schemas are known to
 * that instance by id, and so are the API's own (schemas/api), so route schemas `$ref` both. They are also given to fastify (addSchema)
 * for the OpenAPI document and the response serialiser, which never validate with them.
 */
export function installValidation(app: FastifyInstance): void {
  const ajv = createAjv({ allErrors: false });
  for (const schema of API_SCHEMAS) ajv.addSchema(schema);
  app.setValidatorCompiler(({ schema }) => {
    const s = schema as Record<string, unknown>;
    if (s[DOCS_ONLY] === true) return () => true;
    if (typeof s.$id === "string") {
      const known = ajv.getSchema(s.$id);
      if (known) return known;
    }
    return ajv.compile(s);
  });
  for (const schema of contract.allSchemas) app.addSchema(schema as unknown as { $id: string });
  for (const schema of API_SCHEMAS) app.addSchema(schema);
}
