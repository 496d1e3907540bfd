/**
 * Condition changes for a variant (`plantgan generate --set`, the API's `set`): each change is
 * `<field>=<value>`, applied to the request the parent candidate answered.
 *
 *   equipment.<type>=<n>     at least that many items of the type, as a request counts them (0: no
 *                            requirement); e.g. equipment.tank=3
 *   equipment.<type>=+<n>    n more (or -<n> fewer) than the parent candidate holds; e.g. equipment.pump=+1
 *                            (the template's own items count: a pump station holding 4 pumps gets 5)
 *   site.width=<m>           the site's width in metres (also +<m> / -<m>); likewise site.depth
 *   site.windFrom=<deg>      where the wind comes from, degrees
 *
 * A spec-mode request only takes equipment changes (a topology-mode request's equipment is its P&ID).
 * The changed request must still fit the contract; a bad change throws a ConditionChangeError naming it.
 */

import { parseGenerationRequest } from "../design/parse.js";
import type { GenerationRequest } from "../design/types.js";
import { EQUIPMENT_TYPES } from "../design/vocabulary.js";

/** Why a change cannot be applied; `change` is the text given, as typed. */
export class ConditionChangeError extends Error {
  constructor(
    readonly change: string,
    message: string,
  ) {
    super(`${change}: ${message}`);
    this.name = "ConditionChangeError";
  }
}

/** The fields a change may name, for messages and help. */
export const CHANGE_FIELDS = ["equipment.<type>", "site.width", "site.depth", "site.windFrom"] as const;

const SITE_FIELDS = ["width", "depth", "windFrom"] as const;

/** A value: an absolute number, or a signed step from the parent's value. */
function changeValue(change: string, text: string): (old: number) => number {
  if (!/^[+-]?\d+(\.\d+)?$/.test(text))
    throw new ConditionChangeError(change, `"${text}" is not a number (n, +n or -n)`);
  const n = Number(text);
  return text.startsWith("+") || text.startsWith("-") ? (old) => old + n : () => n;
}

/** The request with the changes applied, in order; checked against the generation-request contract. */
export function applyConditionChanges(
  request: GenerationRequest,
  changes: readonly string[],
  /** How many of each equipment type the parent candidate holds: the base of `+n` / `-n`. */
  held: ReadonlyMap<string, number> = new Map(),
): GenerationRequest {
  const out = structuredClone(request) as unknown as Omit<GenerationRequest, "equipment" | "site"> & {
    equipment?: { type: string; count: number }[];
    site: Record<string, unknown>;
  };
  for (const change of changes) {
    const m = /^([A-Za-z]+)\.([A-Za-z_]+)=(.*)$/.exec(change.trim());
    if (!m)
      throw new ConditionChangeError(change, `expected <field>=<value>, a field one of ${CHANGE_FIELDS.join(", ")}`);
    const [, group, field, text] = m as unknown as [string, string, string, string];
    const next = changeValue(change, text);
    if (group === "equipment") {
      if (!(EQUIPMENT_TYPES as readonly string[]).includes(field)) {
        throw new ConditionChangeError(change, `unknown equipment type "${field}"`);
      }
      if (out.mode === "topology") {
        throw new ConditionChangeError(
          change,
          "a topology-mode request's equipment is its P&ID; change the P&ID instead",
        );
      }
      const list = [...(out.equipment ?? [])];
      const at = list.findIndex((e) => e.type === field);
      const count = next(Math.max(at >= 0 ? list[at]!.count : 0, held.get(field) ?? 0));
      if (!Number.isInteger(count) || count < 0) {
        throw new ConditionChangeError(change, `gives ${count} ${field}(s); a count is a whole number, 0 or more`);
      }
      if (at >= 0) list.splice(at, 1);
      if (count > 0) list.splice(at >= 0 ? at : list.length, 0, { type: field, count });
      out.equipment = list;
    } else if (group === "site" && (SITE_FIELDS as readonly string[]).includes(field)) {
      const old = out.site[field];
      out.site[field] = next(typeof old === "number" ? old : 0);
    } else {
      throw new ConditionChangeError(change, `unknown field "${group}.${field}"; one of ${CHANGE_FIELDS.join(", ")}`);
    }
  }
  const parsed = parseGenerationRequest(out);
  if (!parsed.success) {
    const issue = parsed.issues[0]!;
    throw new ConditionChangeError(
      changes.join(" "),
      `the changed request does not fit the contract: ${issue.pointer} ${issue.message}`,
    );
  }
  return parsed.data as GenerationRequest;
}
