import type { SwaggerOptions } from "@fastify/swagger";
import { schemas as contract } from "@plantgan/core/design";

/** Contract file name → component name (plant-design.schema.json → PlantDesign). */
const COMPONENT_OF_FILE: ReadonlyMap<string, string> = new Map(
  contract.allSchemas.map((s) => [s.$id.slice(s.$id.lastIndexOf("/") + 1), s.title]),
);

/**
 * The contract schemas point at each other by relative file name
 * (`plant-design.schema.json#/$defs/Site`), which the swagger resolver leaves as is. Rewrite them
 * to the components it emitted (`#/components/schemas/PlantDesign-Site`).
 */
export function rewriteContractRefs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(rewriteContractRefs) as T;
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "$ref" && typeof v === "string" && !v.startsWith("#")) {
      const [file = "", fragment = ""] = v.split("#");
      const component = COMPONENT_OF_FILE.get(file.slice(file.lastIndexOf("/") + 1));
      const def = /^\/\$defs\/([^/]+)$/.exec(fragment)?.[1];
      out[key] = component ? `#/components/schemas/${component}${def ? `-${def}` : ""}` : v;
    } else out[key] = rewriteContractRefs(v);
  }
  return out as T;
}

/** The OpenAPI 3.1 document (JSON Schema 2020-12, like the contract) served at /docs/json. */
export const SWAGGER_OPTIONS: SwaggerOptions = {
  openapi: {
    openapi: "3.1.0",
    info: {
      title: "PlantGAN API",
      version: "1.0.0",
      description:
        "Upload plant designs, build datasets, validate against rule packs, run import/training/generation jobs, review " +
        "candidates. Errors are application/problem+json with a stable `code`.",
    },
    components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An API key: pgk_..." } } },
    security: [{ apiKey: [] }],
  },
  refResolver: {
    // Component names from schema titles (PlantDesign, Job...) instead of def-0, def-1...
    buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.title === "string" ? json.title : `def-${i}`),
  },
  transformObject: (doc) => rewriteContractRefs("openapiObject" in doc ? doc.openapiObject : doc.swaggerObject),
};
