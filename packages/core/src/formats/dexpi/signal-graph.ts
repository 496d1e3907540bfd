/**
 * The signal graph the control import reads (instrumentation.ts): each instrument function with
 * what it measures and drives and its signal links to other functions, and walks over those links.
 */
import type { Instrument } from "../../design/index.js";
import type { SignalPart } from "./signal-parts.js";
import type { XmlElement } from "./xml.js";

type InstrumentOn = NonNullable<Instrument["on"]>;

/** What an actuator moves: a valve, a driven machine, or only a place (a segment) when the valve is not named. */
export interface ActuatorTarget {
  readonly valve?: XmlElement;
  readonly machine?: XmlElement;
  readonly at?: XmlElement;
}

export interface Link {
  readonly from: XmlElement;
  readonly to: XmlElement;
  readonly via: readonly XmlElement[];
}

/** A COMOS trip part (signal-parts.ts) and where the signal lines that leave it lead. */
export interface TripPart {
  readonly part: SignalPart & { readonly trip: string };
  readonly signals: { fn: XmlElement; via: readonly XmlElement[] }[];
  readonly actuates: { target: ActuatorTarget; via: readonly XmlElement[] }[];
}

export interface Mount {
  readonly on: InstrumentOn;
  /** Elements that carried the mount (flows, sensors), consumed when the instrument is kept. */
  readonly via: readonly XmlElement[];
  readonly note?: string;
}

export interface FunctionInfo {
  readonly el: XmlElement;
  readonly candidate: string | undefined;
  readonly letters: string;
  readonly measures: { el: XmlElement; via: readonly XmlElement[] }[];
  readonly actuates: { target: ActuatorTarget; via: readonly XmlElement[] }[];
  readonly inbound: Link[];
  readonly outbound: Link[];
  /** Flows between the function and its own sensor (DEXPI's I01 example): represented by the function. */
  readonly own: XmlElement[];
  direct?: Mount;
}

/** Breadth-first over function links from `start` (excluded); yields each function with the via-elements of its path. */
export function* bfs(
  fns: ReadonlyMap<XmlElement, FunctionInfo>,
  start: XmlElement,
  next: (f: FunctionInfo) => readonly Link[],
): Generator<[XmlElement, XmlElement[]]> {
  const seen = new Set<XmlElement>([start]);
  const queue: [XmlElement, XmlElement[]][] = [[start, []]];
  yield [start, []];
  for (let i = 0; i < queue.length; i++) {
    const [el, path] = queue[i]!;
    const info = fns.get(el);
    if (!info) continue;
    for (const l of next(info)) {
      const o = l.from === el ? l.to : l.from;
      if (seen.has(o)) continue;
      seen.add(o);
      const item: [XmlElement, XmlElement[]] = [o, [...path, ...l.via]];
      queue.push(item);
      yield item;
    }
  }
}

export function nearest(
  fns: ReadonlyMap<XmlElement, FunctionInfo>,
  start: XmlElement,
  next: (f: FunctionInfo) => readonly Link[],
  accept: (f: FunctionInfo) => boolean,
): { target: XmlElement; via: XmlElement[] } | undefined {
  for (const [el, via] of bfs(fns, start, next)) {
    const info = fns.get(el);
    if (el !== start && info && accept(info)) return { target: el, via };
  }
  return undefined;
}

export function reachable(
  fns: ReadonlyMap<XmlElement, FunctionInfo>,
  start: XmlElement,
  next: (f: FunctionInfo) => readonly Link[],
): Set<XmlElement> {
  const out = new Set<XmlElement>();
  for (const [el] of bfs(fns, start, next)) if (el !== start) out.add(el);
  return out;
}
