// PCF read back by a parser written here: per pipeline, the pieces chain end to end from the
// route's first point to its last, their centreline length is the route's length, and there is
// one elbow per bend of the route. The same parser reads a real PCF file (shared fixtures).
import { readdirSync, readFileSync } from "node:fs";
import { describeWithFixtures, fixturePath } from "@plantgan/testing/fixtures";
import { describe, expect, it } from "vitest";
import { branchLine, type Design, isNozzleEnd, parseDesign } from "../../design/index.js";
import { writePcf } from "./pcf.js";

type P = [number, number, number];
interface Piece {
  kind: string;
  ends: P[];
  bores: number[];
  centre?: P;
  branch?: P;
  attrs: Map<string, string>;
}
interface Pipeline {
  ref: string;
  attrs: Map<string, string>;
  pieces: Piece[];
}

/** PCF: keyword lines at column 0 open a block; indented lines are its attributes. */
function parsePcf(text: string): { header: Map<string, string>; pipelines: Pipeline[] } {
  const header = new Map<string, string>();
  const pipelines: Pipeline[] = [];
  let current: { attrs: Map<string, string>; piece?: Piece } | undefined;
  const xyz = (v: string): [P, number] => {
    const n = v.trim().split(/\s+/).map(Number);
    return [[n[0]!, n[1]!, n[2]!], n[3] ?? 0];
  };
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === "") continue;
    const indented = /^\s/.test(raw);
    const [key, ...rest] = raw.trim().split(/\s+/);
    const value = rest.join(" ");
    if (!indented) {
      if (key === "PIPELINE-REFERENCE") {
        const p: Pipeline = { ref: value, attrs: new Map(), pieces: [] };
        pipelines.push(p);
        current = { attrs: p.attrs };
      } else if (pipelines.length === 0 || /^(ISOGEN-FILES|UNITS-.*|PROJECT-IDENTIFIER)$/.test(key!)) {
        header.set(key!, value);
      } else {
        const piece: Piece = { kind: key!, ends: [], bores: [], attrs: new Map() };
        pipelines[pipelines.length - 1]!.pieces.push(piece);
        current = { attrs: piece.attrs, piece };
      }
      continue;
    }
    const piece = current?.piece;
    if (key === "END-POINT" && piece) {
      const [p, bore] = xyz(value);
      piece.ends.push(p);
      piece.bores.push(bore);
    } else if (key === "CENTRE-POINT" && piece) piece.centre = xyz(value)[0];
    else if (key === "BRANCH1-POINT" && piece) piece.branch = xyz(value)[0];
    else current?.attrs.set(key!, value);
  }
  return { header, pipelines };
}

const dist = (a: P, b: P) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** Centreline length of a piece, mm: end to end, or through the centre point for a bend. */
function pieceLength(p: Piece): number {
  if (/^(ELBOW|BEND)$/.test(p.kind) && p.centre) return dist(p.ends[0]!, p.centre) + dist(p.centre, p.ends[1]!);
  return p.ends.length === 2 ? dist(p.ends[0]!, p.ends[1]!) : 0;
}

function routeLength(route: readonly (readonly number[])[]): number {
  let s = 0;
  for (let i = 1; i < route.length; i++) s += dist(route[i - 1] as P, route[i] as P);
  return s * 1000;
}

function routeBends(route: readonly (readonly number[])[]): number {
  const pts = route.filter((p, i) => i === 0 || dist(p as P, route[i - 1] as P) > 1e-9);
  let bends = 0;
  for (let i = 1; i < pts.length - 1; i++) {
    const a = pts[i]!.map((v, k) => v - pts[i - 1]![k]!);
    const b = pts[i + 1]!.map((v, k) => v - pts[i]![k]!);
    const cross = Math.hypot(
      a[1]! * b[2]! - a[2]! * b[1]!,
      a[2]! * b[0]! - a[0]! * b[2]!,
      a[0]! * b[1]! - a[1]! * b[0]!,
    );
    if (cross > 1e-9 * Math.hypot(...a) * Math.hypot(...b)) bends++;
  }
  return bends;
}

const EXAMPLES = new URL("../../../../../datasets/examples/", import.meta.url);
const examples: [string, Design][] = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => {
    const parsed = parseDesign(readFileSync(new URL(f, EXAMPLES), "utf8"));
    if (!parsed.success) throw new Error(f);
    return [f, parsed.data];
  });

describe("PCF export read back equals the routes", () => {
  it.each(examples)("%s", (_f, d) => {
    const { header, pipelines } = parsePcf(writePcf(d));
    expect(header.get("UNITS-CO-ORDS")).toBe("MM");
    expect(header.get("UNITS-BORE")).toBe("MM");
    const routed = d.lines.filter((l) => l.route);
    expect(pipelines.map((p) => p.ref)).toEqual(routed.map((l) => l.id));
    for (const line of routed) {
      const p = pipelines.find((x) => x.ref === line.id)!;
      const route = line.route!;
      // Chained end to end, from the route's first point to its last (0.1 mm rounding).
      expect(dist(p.pieces[0]!.ends[0]!, route[0]!.map((v) => v * 1000) as P)).toBeLessThan(0.1);
      expect(dist(p.pieces.at(-1)!.ends[1]!, route.at(-1)!.map((v) => v * 1000) as P)).toBeLessThan(0.1);
      for (let i = 1; i < p.pieces.length; i++)
        expect(dist(p.pieces[i - 1]!.ends[1]!, p.pieces[i]!.ends[0]!)).toBeLessThan(0.1);
      const total = p.pieces.reduce((s, x) => s + pieceLength(x), 0);
      expect(Math.abs(total - routeLength(route))).toBeLessThan(0.1 * p.pieces.length);
      expect(p.pieces.filter((x) => x.kind === "ELBOW")).toHaveLength(routeBends(route));
      // The line's bore, in mm, where the pipe starts.
      expect(p.pieces[0]!.bores[0]).toBe(line.size);
      // Flanges at nozzle ends, a tee for each line branching off this one, every valve.
      const nozzleEnds = [line.from, line.to].filter(isNozzleEnd).length;
      expect(p.pieces.filter((x) => x.kind === "FLANGE")).toHaveLength(nozzleEnds);
      const branches = d.lines.filter((o) => o.route && [o.from, o.to].some((e) => branchLine(e) === line.id)).length;
      expect(p.pieces.filter((x) => x.kind === "TEE")).toHaveLength(branches);
      expect(p.pieces.filter((x) => x.kind === "VALVE")).toHaveLength(
        line.components.filter((c) => c.type.endsWith("_valve")).length,
      );
      for (const x of p.pieces) expect(x.ends).toHaveLength(2);
    }
  });

  it("an unrouted line is not written", () => {
    const [, d] = examples[0]!;
    const { route: _r, ...unrouted } = d.lines[0]!;
    const { pipelines } = parsePcf(writePcf({ ...d, lines: [unrouted, ...d.lines.slice(1)] }));
    expect(pipelines.map((p) => p.ref)).not.toContain(d.lines[0]!.id);
    expect(pipelines).toHaveLength(d.lines.length - 1);
  });
});

describeWithFixtures("the PCF parser reads a real file", () => {
  it("StationG_SYS-001.pcf: every block, with its end points", () => {
    const text = readFileSync(fixturePath("pcf", "StationG_SYS-001.pcf"), "utf8");
    const { header, pipelines } = parsePcf(text);
    expect(header.get("UNITS-CO-ORDS")).toBe("MM");
    expect(pipelines).toHaveLength((text.match(/^PIPELINE-REFERENCE/gm) ?? []).length);
    const pieces = pipelines.flatMap((p) => p.pieces);
    for (const kind of ["PIPE", "BEND", "FLANGE", "TEE", "SUPPORT"]) {
      expect(pieces.filter((x) => x.kind === kind)).toHaveLength(
        (text.match(new RegExp(`^${kind}\\s*$`, "gm")) ?? []).length,
      );
    }
    for (const x of pieces.filter((y) => /^(PIPE|BEND|FLANGE|TEE|REDUCER-.*)$/.test(y.kind))) {
      expect(x.ends).toHaveLength(2);
      expect(x.bores[0]).toBeGreaterThan(0);
    }
    expect(pieces.filter((x) => x.kind === "BEND").every((b) => b.centre !== undefined)).toBe(true);
    const pipeLength = pieces.filter((x) => x.kind === "PIPE").reduce((s, x) => s + pieceLength(x), 0);
    expect(pipeLength).toBeGreaterThan(1000);
  });
});
