/**
 * The contract's vocabulary as runtime values: enumerations, tag letters and request defaults,
 * read from the schemas (schemas/*.schema.json, through their generated constants) so that each
 * list is written once. Everything else — views, GAN, designer, server, viewer — imports from here.
 */
import { generationRequestSchema, plantDesignSchema } from "./generated/schemas.js";
import type { EquipmentType } from "./generated/types.js";

const defs = plantDesignSchema.$defs;

/** The kinds of plant, in schema order (the GAN's condition one-hot uses this order). */
export const PROCESS_CLASSES = defs.ProcessClass.enum;
/** Equipment classes, in schema order (node-type and grid-channel order of the views). */
export const EQUIPMENT_TYPES = defs.EquipmentType.enum;
/** Inline component kinds, in schema order. */
export const COMPONENT_TYPES = defs.ComponentType.enum;
/** Hazard classes used by the spacing rules, in schema order. */
export const HAZARDS = defs.Hazard.enum;
/** Allowed rotations about z, degrees. */
export const ROTATIONS = defs.Rotation.enum;
/** Flange ratings (ASME class, EN PN). */
export const RATINGS = defs.Rating.enum;
/** What a line may carry, in schema order. */
export const LINE_SERVICES = defs.Line.properties.service.enum;

/**
 * Letter codes for equipment tags (P pump, K compressor, T tower/column, TK tank...), from the
 * schema's `x-tagPrefix` annotation on EquipmentType. Used wherever a tag is invented.
 */
export const EQUIPMENT_TAG_PREFIX: Readonly<Record<EquipmentType, string>> = defs.EquipmentType["x-tagPrefix"];

const requestProperties = generationRequestSchema.properties;

/** What a generation request means when it leaves a field out (the schema's `default`s). */
export const GENERATION_REQUEST_DEFAULTS = {
  mode: requestProperties.mode.default,
  count: requestProperties.count.default,
  truncation: requestProperties.truncation.default,
} as const;

/** Bounds of a request's candidate count (the API refuses anything outside). */
export const GENERATION_COUNT_LIMITS = {
  minimum: requestProperties.count.minimum,
  maximum: requestProperties.count.maximum,
} as const;
