/**
 * Identifiers the contract accepts: ISA-5.1-style tags, nozzle marks and line numbers. DEXPI files
 * carry whatever the P&ID tool wrote ("P4711", "HC 02", "P-4712?"); these functions bring them to
 * the schema's patterns and keep them unique.
 */

/** The schema's Tag pattern (plant-design.schema.json#/$defs/Tag). */
export const TAG_PATTERN = /^[A-Z]{1,6}-[0-9]{1,6}(\.[0-9]{1,3})?[A-Z]{0,3}(-[A-Z0-9]{1,6})?$/;
const NOZZLE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const LINE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/"]{0,63}$/;

/**
 * Brings a tag written in a file to the schema's pattern, or undefined when it cannot be read as
 * one. Letters then digits, with any separators: "P4711" → "P-4711", "HC 02" → "HC-02",
 * "P-4712?" → "P-4712", "10-P-101" (unit first) → "P-101-10"; a loop suffix after a dot stays
 * ("PICSA 4712.02" → "PICSA-4712.02"). A tag with digits but no letters
 * takes `prefix` ("4711" with prefix "P" → "P-4711").
 */
export function normaliseTag(raw: string, prefix?: string): string | undefined {
  const trimmed = raw.trim();
  if (TAG_PATTERN.test(trimmed)) return trimmed;
  const s = trimmed
    .toUpperCase()
    // Separators become spaces; a dot between digits is a loop suffix and stays.
    .replace(/[^A-Z0-9.]+|(?<![0-9])\.|\.(?![0-9])/g, " ")
    .replace(/ +/g, " ")
    .trim();
  const plain = /^([A-Z]{1,6}) ?([0-9]{1,6}(?:\.[0-9]{1,3})?)([A-Z]{0,3})(?: ([A-Z0-9]{1,6}))?$/.exec(s);
  if (plain) return `${plain[1]}-${plain[2]}${plain[3]}${plain[4] ? `-${plain[4]}` : ""}`;
  // Category and function letters written apart ("P ICSA 4712.02"): one tag's letters.
  const spaced = /^([A-Z]+(?: [A-Z]+)+) ([0-9]{1,6}(?:\.[0-9]{1,3})?)([A-Z]{0,3})$/.exec(s);
  const letters = spaced?.[1]?.replace(/ /g, "");
  if (spaced && letters && letters.length <= 6) return `${letters}-${spaced[2]}${spaced[3]}`;
  const unitFirst = /^([0-9]{1,6}) ([A-Z]{1,6}) ?([0-9]{1,6})([A-Z]{0,3})$/.exec(s);
  if (unitFirst) return `${unitFirst[2]}-${unitFirst[3]}${unitFirst[4]}-${unitFirst[1]}`;
  const digitsOnly = /^([0-9]{1,6}(?:\.[0-9]{1,3})?)([A-Z]{0,3})$/.exec(s);
  if (digitsOnly && prefix && /^[A-Z]{1,6}$/.test(prefix)) return `${prefix}-${digitsOnly[1]}${digitsOnly[2]}`;
  return undefined;
}

/** The letters a tag starts with ("LT" of "LT-100", "HC" of "HC 02"); empty when none. */
export function tagLetters(raw: string): string {
  return /^[^A-Za-z0-9]*([A-Za-z]+)/.exec(raw.trim())?.[1]?.toUpperCase() ?? "";
}

/** The first run of digits in `raw` ("02" of "H-02"), or undefined. */
export function firstNumber(raw: string): string | undefined {
  return /[0-9]{1,6}/.exec(raw)?.[0];
}

/** The first loop number in `raw` with its dotted suffix ("4712.02" of "PICSA 4712.02"), or undefined. */
export function loopNumber(raw: string): string | undefined {
  return /[0-9]{1,6}(?:\.[0-9]{1,3})?/.exec(raw)?.[0];
}

/** Hands out tags, each once. A taken tag gets a "-2", "-3"... suffix (the pattern's optional part). */
export class TagRegistry {
  private readonly used = new Set<string>();

  has(tag: string): boolean {
    return this.used.has(tag);
  }

  /** Claims `tag`, or the first free variant of it; undefined only after 9999 variants. */
  claim(tag: string): string | undefined {
    if (!this.used.has(tag)) {
      this.used.add(tag);
      return tag;
    }
    const core = /^([A-Z]{1,6}-[0-9]{1,6}(?:\.[0-9]{1,3})?[A-Z]{0,3})/.exec(tag)?.[1] ?? tag;
    for (let n = 2; n < 10_000; n++) {
      const candidate = `${core}-${n}`;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return candidate;
      }
    }
    return undefined;
  }
}

/** A nozzle mark the schema accepts (letters, digits, _ . -; at most 32), or undefined. */
export function sanitiseNozzleId(raw: string): string | undefined {
  const s = raw
    .trim()
    .replace(/[^A-Za-z0-9_.-]+/g, "_")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 32);
  return NOZZLE_ID_PATTERN.test(s) ? s : undefined;
}

/** A line id the schema accepts (letters, digits, . _ - / "; at most 64), or undefined. */
export function sanitiseLineId(raw: string): string | undefined {
  const s = raw
    .trim()
    .replace(/[^A-Za-z0-9._\-/"]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 64);
  return LINE_ID_PATTERN.test(s) ? s : undefined;
}

/** `base`, or `base-2`, `base-3`... whichever `taken` does not hold yet; the result is added to it. */
export function uniqueId(base: string, taken: Set<string>, maxLength: number): string {
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) {
    const suffix = `-${n}`;
    candidate = `${base.slice(0, maxLength - suffix.length)}${suffix}`;
  }
  taken.add(candidate);
  return candidate;
}
