/**
 * COMOS writes where an object sits in its plant structure as a FullLabel path: a loop function
 * "=A10.A10.A15.01" holds the function "=A10.A10.A15.01.LI". Some of its files write no
 * association between the two (I01V02-SAG), and the path is then the only record of the loop.
 */
import type { DexpiDocument } from "./model.js";
import { genericAttr } from "./model.js";
import type { XmlElement } from "./xml.js";

const fullLabel = (el: XmlElement) => genericAttr(el, "FullLabel")?.trim() || undefined;

/** The element named `parentName` whose FullLabel is the parent path of `el`'s own (a function's loop function, an alarm's function). */
export function parentByLabelPath(doc: DexpiDocument, el: XmlElement, parentName: string): XmlElement | undefined {
  const own = fullLabel(el);
  const cut = own?.lastIndexOf(".") ?? -1;
  if (!own || cut <= 0) return undefined;
  const parent = own.slice(0, cut);
  return doc.items.find((x) => x.name === parentName && fullLabel(x) === parent);
}

/** The instrument functions whose FullLabel lies directly under the loop function's. */
export function functionsByLabelPath(doc: DexpiDocument, loop: XmlElement): XmlElement[] {
  const own = fullLabel(loop);
  if (!own) return [];
  return doc.items.filter((el) => {
    const label = el.name === "ProcessInstrumentationFunction" ? fullLabel(el) : undefined;
    return label !== undefined && label.lastIndexOf(".") === own.length && label.startsWith(`${own}.`);
  });
}
