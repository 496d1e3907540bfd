/**
 * Tags of DEXPI 2.0 items. The files seen so far write tags as plant code, unit, letters and
 * sequence ("D-20PA002", "D-20TIC0003"); the contract's ISA tag is the letters and the sequence
 * ("PA-002", "TIC-0003"), so the plant/unit prefix is dropped and the rename reported.
 */
import { normaliseTag } from "../dexpi/tags.js";
import type { Dexpi2Context } from "./context.js";
import { type Dexpi2Object, dataOf } from "./model.js";

/** Plant code and unit in front of the letters: "D-20" of "D-20PA002". */
const AREA_PREFIX = /^[A-Z]{1,3}-[0-9]{1,4}(?=[A-Z])/;

/** What the file calls the item: its ItemTag, TagName or display name. */
export function rawTag(o: Dexpi2Object): string | undefined {
  return dataOf(o, "ItemTag") ?? dataOf(o, "TagName") ?? dataOf(o, "ObjectDisplayName");
}

/** The contract tag for a raw tag, or undefined when it cannot be read as one. */
export function contractTag(raw: string): string | undefined {
  return normaliseTag(raw) ?? normaliseTag(raw.trim().replace(AREA_PREFIX, ""));
}

/**
 * Claims a unique contract tag for `o`: from its own tag, else `fallback` (a type prefix and a
 * counter; "" for none). Reports the rename when the tag differs from what the file wrote.
 */
export function claimTag(ctx: Dexpi2Context, o: Dexpi2Object, fallback: () => string): string | undefined {
  const raw = rawTag(o);
  const wanted = (raw && contractTag(raw)) || fallback();
  if (!wanted) return undefined;
  const tag = ctx.tags.claim(wanted);
  if (tag !== undefined) ctx.rename(o, raw ?? "", tag);
  return tag;
}
