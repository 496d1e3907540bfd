/**
 * Procedural designer: parametric P&ID templates per process class, placed by layout practice,
 * legalised, routed and validated. The procedural reference for generation and the source of the
 * synthetic training set.
 */
export {
  type AttemptFailure,
  DESIGNER_VERSION,
  DesignerError,
  type DesignerOutcome,
  type DesignerRequest,
  designPlant,
  designPlantDetailed,
} from "./designer.js";
export type { Arrangement, LayoutStyle } from "./placement.js";
export { mixSeed, Rng } from "./rng.js";
export { TEMPLATES } from "./templates/index.js";
