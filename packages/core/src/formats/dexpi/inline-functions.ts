/**
 * Instrument functions drawn in the pipe. AutoCAD P&ID writes a control valve or a flow element
 * (venturi tube, orifice) as a ProcessInstrumentationFunction with a piping class (ControlValve,
 * VenturiTube), and the pipe as two segments that both end at it; the line it sits in runs through
 * it. It also draws the leader from an instrument bubble to what it reads or drives as a segment
 * (no TagName) between the two: that is an instrument connection, not a pipe.
 */
import { componentTypeOf } from "./classes.js";
import { componentClass, connectionOf, type DexpiDocument } from "./model.js";
import type { XmlElement } from "./xml.js";

/** A function whose class is a piping item's (ControlValve, VenturiTube), so that it may sit in a line. */
function pipingClassFunction(el: XmlElement | undefined): boolean {
  return el?.name === "ProcessInstrumentationFunction" && componentTypeOf(componentClass(el)) !== undefined;
}

/** A segment with an instrument function (one that cannot sit in a line) at an end: a leader, not a pipe. */
export function isInstrumentLeader(doc: DexpiDocument, segment: XmlElement): boolean {
  const conn = connectionOf(segment);
  return [conn?.fromId, conn?.toId].some((id) => {
    const el = doc.get(id);
    return el?.name === "ProcessInstrumentationFunction" && !pipingClassFunction(el);
  });
}

/** The functions of a piping class that two or more pipe segments (not leaders) end at: items of a line. */
export function inlineFunctions(doc: DexpiDocument, segments: readonly XmlElement[]): Set<XmlElement> {
  const ends = new Map<XmlElement, number>();
  for (const seg of segments) {
    if (isInstrumentLeader(doc, seg)) continue;
    const conn = connectionOf(seg);
    for (const id of [conn?.fromId, conn?.toId]) {
      const el = doc.get(id);
      if (el && pipingClassFunction(el)) ends.set(el, (ends.get(el) ?? 0) + 1);
    }
  }
  return new Set([...ends].filter(([, n]) => n >= 2).map(([el]) => el));
}
