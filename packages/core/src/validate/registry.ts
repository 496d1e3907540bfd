/**
 * Every rule the validator runs, in the order it runs them. The order does not change the report
 * (violations are sorted), only which rule's indexes are built first.
 */

import { rule as isaLetters } from "./rules/consistency/isa-letters.js";
import { rule as isaTagForm } from "./rules/consistency/isa-tag-form.js";
import { rule as partialPlacement } from "./rules/consistency/partial-placement.js";
import { rule as unconnectedEquipment } from "./rules/consistency/unconnected-equipment.js";
import { rule as uniqueLineIds } from "./rules/consistency/unique-line-ids.js";
import { rule as uniqueNozzles } from "./rules/consistency/unique-nozzles.js";
import { rule as uniqueTags } from "./rules/consistency/unique-tags.js";
import { rule as finalElementOutputs } from "./rules/control/final-element-outputs.js";
import { rule as instrumentMount } from "./rules/control/instrument-mount.js";
import { rule as interlockActuated } from "./rules/control/interlock-actuated.js";
import { rule as interlockConflict } from "./rules/control/interlock-conflict.js";
import { rule as interlockReferences } from "./rules/control/interlock-references.js";
import { rule as loopNumbering } from "./rules/control/loop-numbering.js";
import { rule as loopPath } from "./rules/control/loop-path.js";
import { rule as loopReferences } from "./rules/control/loop-references.js";
import { rule as sharedTransmitter } from "./rules/control/shared-transmitter.js";
import { rule as tripSafeState } from "./rules/control/trip-safe-state.js";
import { rule as tripSensesProtected } from "./rules/control/trip-senses-protected.js";
import { rule as valveController } from "./rules/control/valve-controller.js";
import { rule as accessClearance } from "./rules/geometry/access-clearance.js";
import { rule as firedUpwind } from "./rules/geometry/fired-upwind.js";
import { rule as hazardousArea } from "./rules/geometry/hazardous-area.js";
import { rule as insideSite } from "./rules/geometry/inside-site.js";
import { rule as keepOut } from "./rules/geometry/keep-out.js";
import { rule as legalPosition } from "./rules/geometry/legal-position.js";
import { rule as overlap } from "./rules/geometry/overlap.js";
import { rule as rackKeepFree } from "./rules/geometry/rack-keep-free.js";
import { rule as spacing } from "./rules/geometry/spacing.js";
import { rule as tankPropertyLine } from "./rules/geometry/tank-property-line.js";
import { rule as tankSpacing } from "./rules/geometry/tank-spacing.js";
import { rule as pumpDeadhead } from "./rules/isolation/pump-deadhead.js";
import { rule as pumpDischargeOrder } from "./rules/isolation/pump-discharge-order.js";
import { rule as spareIsolation } from "./rules/isolation/spare-isolation.js";
import { rule as tankShellValve } from "./rules/isolation/tank-shell-valve.js";
import { rule as lineAnchored } from "./rules/piping/line-anchored.js";
import { rule as lineEnds } from "./rules/piping/line-ends.js";
import { rule as nozzleSingleLine } from "./rules/piping/nozzle-single-line.js";
import { rule as openEnd } from "./rules/piping/open-end.js";
import { rule as pumpCheckValve } from "./rules/piping/pump-check-valve.js";
import { rule as ratingCapacity } from "./rules/piping/rating-capacity.js";
import { rule as ratingMatch } from "./rules/piping/rating-match.js";
import { rule as reliefPath } from "./rules/piping/relief-path.js";
import { rule as routeClash } from "./rules/piping/route-clash.js";
import { rule as routeClear } from "./rules/piping/route-clear.js";
import { rule as routeEnds } from "./rules/piping/route-ends.js";
import { rule as routeOrthogonal } from "./rules/piping/route-orthogonal.js";
import { rule as routed } from "./rules/piping/routed.js";
import { rule as sizeMatch } from "./rules/piping/size-match.js";
import { rule as flareKnockOut } from "./rules/relief/flare-knock-out.js";
import { rule as gasBlowBy } from "./rules/relief/gas-blow-by.js";
import { rule as reliefBlockValve } from "./rules/relief/relief-block-valve.js";
import { rule as reliefDischargeSize } from "./rules/relief/relief-discharge-size.js";
import { rule as reliefFreeDraining } from "./rules/relief/relief-free-draining.js";
import { rule as reliefIntoAtmosphericTank } from "./rules/relief/relief-into-atmospheric-tank.js";
import { rule as reliefVapourSpace } from "./rules/relief/relief-vapour-space.js";
import { rule as tankVent } from "./rules/relief/tank-vent.js";
import type { Rule } from "./types.js";

export const RULES: readonly Rule[] = [
  // consistency
  uniqueTags,
  uniqueLineIds,
  uniqueNozzles,
  unconnectedEquipment,
  partialPlacement,
  isaTagForm,
  isaLetters,
  // piping (topology)
  lineEnds,
  lineAnchored,
  openEnd,
  nozzleSingleLine,
  sizeMatch,
  ratingMatch,
  ratingCapacity,
  pumpCheckValve,
  reliefPath,
  // relief systems
  reliefBlockValve,
  reliefDischargeSize,
  reliefIntoAtmosphericTank,
  flareKnockOut,
  tankVent,
  gasBlowBy,
  reliefVapourSpace,
  // isolation and pump piping
  tankShellValve,
  spareIsolation,
  pumpDischargeOrder,
  pumpDeadhead,
  // control
  loopReferences,
  instrumentMount,
  interlockReferences,
  interlockConflict,
  loopPath,
  finalElementOutputs,
  valveController,
  interlockActuated,
  tripSafeState,
  tripSensesProtected,
  sharedTransmitter,
  loopNumbering,
  // geometry (placed)
  insideSite,
  overlap,
  keepOut,
  rackKeepFree,
  spacing,
  tankSpacing,
  tankPropertyLine,
  hazardousArea,
  accessClearance,
  firedUpwind,
  legalPosition,
  // routes (placed)
  routed,
  routeEnds,
  routeOrthogonal,
  routeClear,
  routeClash,
  reliefFreeDraining,
];

/** A rule by id, or undefined. */
export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
