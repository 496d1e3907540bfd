/**
 * Interlocks a PlantGAN export writes as trip functions (contract-attributes.ts): each such
 * function with the signal lines to and from it is one interlock, taken as written. The control
 * importer leaves these elements alone, and does not infer a second interlock from the cause.
 */
import type { Interlock } from "../../design/index.js";
import { contractInterlock } from "./contract-attributes.js";
import type { ImportContext } from "./report.js";
import type { XmlElement } from "./xml.js";

export interface ContractInterlocks {
  readonly interlocks: readonly Interlock[];
  /** The trip functions and their signal lines, consumed here. */
  readonly handled: ReadonlySet<XmlElement>;
}

export function importContractInterlocks(ctx: ImportContext): ContractInterlocks {
  const interlocks: Interlock[] = [];
  const handled = new Set<XmlElement>();
  for (const el of ctx.doc.items) {
    if (el.name !== "ProcessInstrumentationFunction") continue;
    const il = contractInterlock(el);
    if (!il) continue;
    interlocks.push(il);
    handled.add(el);
  }
  if (handled.size === 0) return { interlocks, handled };
  for (const flow of ctx.doc.items) {
    if (flow.name !== "InformationFlow") continue;
    const ends = [...ctx.doc.related(flow, "has logical start"), ...ctx.doc.related(flow, "has logical end")];
    if (ends.some((e) => handled.has(e))) handled.add(flow);
  }
  ctx.consume(...handled);
  return { interlocks, handled };
}
