/**
 * The actuating systems of a valve: those one of whose components names it ("refers to", or the
 * valve's "is referenced by"), and, as AutoCAD P&ID writes them, those that name nothing but whose
 * actuator is drawn at the valve's own position (I02V01_AUD, I12V01_AUD: the diaphragm sits at
 * the control valve's Location).
 */
import { ancestor, associations, componentClass, genericAttr, locationOf } from "./model.js";
import type { ImportContext } from "./report.js";
import type { XmlElement } from "./xml.js";

export function actuatingSystems(ctx: ImportContext, valve: XmlElement): XmlElement[] {
  const refs = [...ctx.doc.relatedFrom(valve, "refers to"), ...ctx.doc.related(valve, "is referenced by")];
  const named = refs.flatMap((r) => ancestor(r, "ActuatingSystem") ?? []);
  const at = locationOf(valve);
  const drawn = at
    ? ctx.doc.items.filter((sys) => {
        if (sys.name !== "ActuatingSystem") return false;
        const parts = sys.children.filter((c) => c.name === "ActuatingSystemComponent");
        if (parts.some((c) => associations(c).length > 0)) return false;
        return parts.some((c) => {
          const p = locationOf(c);
          return p !== undefined && Math.abs(p[0] - at[0]) < 1e-6 && Math.abs(p[1] - at[1]) < 1e-6;
        });
      })
    : [];
  return [...new Set([...named, ...drawn])];
}

/**
 * The name the file gives a valve only on the actuating system's reference to it ("DEXPI Test"
 * writes a ShutOffValveReference with SubTagNameAssignmentClass "PV 4712.02" and no TagName on the
 * valve, C02V01-VER), or undefined. Only a valve reference (ShutOffValveReference,
 * OperatedValveReference) names the valve: another component that points at it (a positioner, a
 * limit switch) carries its own name.
 */
export function referencedValveName(ctx: ImportContext, valve: XmlElement): string | undefined {
  const refs = [...ctx.doc.relatedFrom(valve, "refers to"), ...ctx.doc.related(valve, "is referenced by")];
  for (const r of refs) {
    const reference = r.name === "ActuatingSystemComponent" && /ValveReference$/.test(componentClass(r));
    const name = reference ? genericAttr(r, "SubTagNameAssignmentClass") : undefined;
    if (name !== undefined) return name;
  }
  return undefined;
}
