/**
 * COMOS writes a function's alarms, trips and responses (AH, ZHH, SAHH, O+) as Equipment without a
 * class whose FullLabel lies directly under the function's (I06, I07, I08). A trip part (S or Z, an
 * optional A, then the condition: ZHH, SAL) states that the function trips at that condition, and
 * the signal lines that leave the part carry the trip; an alarm (AH) or a response (O+) acts on nothing.
 */
import { parentByLabelPath } from "./label-path.js";
import { type DexpiDocument, describe, genericAttr } from "./model.js";
import type { XmlElement } from "./xml.js";

export interface SignalPart {
  readonly el: XmlElement;
  /** The function the part belongs to. */
  readonly fn: XmlElement;
  /** As the drawing labels it: "ZHH", "SAL", "AH". */
  readonly label: string;
  /** The condition a trip part trips at (H, HH, L, LL, also HHH, which the contract lacks); absent for an alarm or a response. */
  readonly trip?: string;
}

/** The signal part `el` is, or undefined when it is no Equipment under a function's FullLabel path. */
export function signalPart(doc: DexpiDocument, el: XmlElement): SignalPart | undefined {
  if (el.name !== "Equipment") return undefined;
  const fn = parentByLabelPath(doc, el, "ProcessInstrumentationFunction");
  if (!fn) return undefined;
  const label = (genericAttr(el, "Label", "Name") ?? "").trim().toUpperCase();
  const trip = /^[SZ]A?(H{1,3}|L{1,3})$/.exec(label)?.[1];
  return trip === undefined ? { el, fn, label } : { el, fn, label, trip };
}

/** How the report names a part: `signal part "ZHH" (Trigger HH) of <function> by its COMOS FullLabel path`. */
export function describePart(part: SignalPart): string {
  const what = genericAttr(part.el, "Description");
  return `signal part "${part.label}"${what ? ` (${what})` : ""} of ${describe(part.fn)} by its COMOS FullLabel path`;
}
