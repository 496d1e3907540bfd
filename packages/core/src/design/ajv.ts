import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { allSchemas } from "./generated/schemas.js";

// ajv-formats ships CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule.default }).default;

export const SCHEMA_IDS = {
  plantDesign: "https://plantgan.dev/schemas/plant-design.schema.json",
  generationRequest: "https://plantgan.dev/schemas/generation-request.schema.json",
  validationReport: "https://plantgan.dev/schemas/validation-report.schema.json",
  rulePack: "https://plantgan.dev/schemas/rule-pack.schema.json",
  modelCard: "https://plantgan.dev/schemas/model-card.schema.json",
} as const;

export type SchemaName = keyof typeof SCHEMA_IDS;

/**
 * Builds the one Ajv 2020-12 instance that knows every PlantGAN schema. `useDefaults` fills the
 * contract's defaults (rotation 0, hazard none, empty lists...) so consumers read normalised documents.
 * No type coercion and no stripping: a wrong type is an error, an unknown field is an error.
 */
export function createAjv(options: { allErrors?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: options.allErrors ?? true,
    useDefaults: true,
    coerceTypes: false,
    removeAdditional: false,
    strict: true,
    verbose: true,
  });
  addFormats(ajv, ["date-time"]);
  // Annotation only: the tag letters of each equipment type live beside its enum (vocabulary.ts reads them).
  ajv.addKeyword({ keyword: "x-tagPrefix", schemaType: "object" });
  for (const schema of allSchemas) ajv.addSchema(schema as object);
  return ajv;
}

let shared: Ajv2020 | undefined;

/** The process-wide instance (schemas compile once). */
export function sharedAjv(): Ajv2020 {
  shared ??= createAjv();
  return shared;
}
