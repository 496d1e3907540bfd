/**
 * Letters a function's drawing label completes. AVEVA writes a function's TagName with its first
 * letter only ("L-01") and draws the instrument as the item its sensor is located in, labelled in
 * full (Text "LI" "01", TagName LI-01: I01V01-AVV; "LIC" "03": I03V01-AVV). A label completes the
 * letters when it shows the same loop number and begins with the function's letters; a label whose
 * letters end in E or V names the loop's primary element or valve (FE 04, FCV-55), not the function.
 */
import type { ImportContext } from "./report.js";
import { loopNumber, normaliseTag, tagLetters } from "./tags.js";
import type { XmlElement } from "./xml.js";

export interface DrawnTag {
  readonly candidate: string;
  readonly letters: string;
  /** The element whose label gave the letters. */
  readonly from: XmlElement;
}

/** The tag with the letters a label of the function completes, or undefined when none does. */
export function drawnTag(ctx: ImportContext, fn: XmlElement, candidate: string, letters: string): DrawnTag | undefined {
  const number = Number(loopNumber(candidate.slice(letters.length)));
  for (const { from, label } of labelsOf(ctx, fn)) {
    const tag = normaliseTag(label);
    const drawn = tag === undefined ? "" : tagLetters(tag);
    if (drawn.length <= letters.length || !drawn.startsWith(letters) || /[EV]$/.test(drawn)) continue;
    if (Number(loopNumber(tag!.slice(drawn.length))) !== number) continue;
    const whole = normaliseTag(`${drawn}${candidate.slice(letters.length)}`);
    if (whole) return { candidate: whole, letters: drawn, from };
  }
  return undefined;
}

/** The function's own text, then each item its sensors are located in: their Text children, then their TagName. */
function labelsOf(ctx: ImportContext, fn: XmlElement): { from: XmlElement; label: string }[] {
  const sensors = fn.children.filter((c) => c.name === "ProcessSignalGeneratingFunction");
  const items = [fn, ...sensors.flatMap((s) => ctx.doc.related(s, "is located in"))];
  return items.flatMap((from) => {
    const text = from.children
      .filter((c) => c.name === "Text")
      .map((c) => c.attrs.String ?? "")
      .join(" ")
      .trim();
    const tagName = from === fn ? "" : (from.attrs.TagName?.trim() ?? "");
    return [text, tagName].filter((label) => label !== "").map((label) => ({ from, label }));
  });
}
