import type { Line, NozzleEnd, Rating } from "../../../design/types.js";
import { END_BRANCH, END_NOZZLE, PART_SPEC_BREAK } from "../../context.js";
import type { Emit, Rule, RuleContext } from "../../types.js";

type Mates = (a: Rating, b: Rating, size: number) => boolean;

/** True when one of `ratings` mates with `other` (a loop: it runs for every line end). */
function matesAny(mates: Mates, ratings: readonly Rating[], other: Rating, size: number): boolean {
  for (const r of ratings) if (mates(r, other, size)) return true;
  return false;
}

/** The ratings along a line: its own, then each spec break's downstream rating; undefined if one is open. */
function ratingsOf(line: Line, rating: Rating): Rating[] | undefined {
  let out: Rating[] | undefined;
  for (const c of line.components) {
    if (c.type !== "spec_break") continue;
    if (c.rating === undefined) return undefined;
    if (out) out.push(c.rating);
    else out = [rating, c.rating];
  }
  return out ?? [rating];
}

/**
 * Flanges bolt together only when their ratings mate: equal ratings, or a pair the pack lists as
 * compatible (up to its size limit). A spec break on the line names the rating after it; a tee may
 * sit on either side of a spec break on its parent.
 */
export const rule: Rule = {
  id: "piping.rating-match",
  category: "piping",
  severity: "error",
  appliesTo: "all",
  description: "Line rating mates with each end's nozzle (or parent line) rating unless a spec break accounts for it.",
  source: "Rule pack flanges (default: ASME B16.5 and EN 1092-1 flange dimensions).",
  fix: "Give the line the nozzle's rating, or show a spec break where the rating changes.",
  check(ctx, emit) {
    const { pack } = ctx;
    // Rating → the ratings it mates with (both ways); no key strings built per line end.
    const pairs = new Map<string, Set<string>>();
    const pair = (a: string, b: string) => {
      const set = pairs.get(a);
      if (set) set.add(b);
      else pairs.set(a, new Set([b]));
    };
    for (const [a, b] of pack.flanges.compatible) {
      pair(a, b);
      pair(b, a);
    }
    const maxSize = pack.flanges.compatibleMaxSize;
    const mates: Mates = (a, b, size) =>
      a === b || (pairs.get(a)?.has(b) === true && (maxSize === undefined || size <= maxSize));
    const lines = ctx.design.lines;
    for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
      const line = lines[lineIndex]!;
      if (line.rating === undefined) continue;
      // Without a spec break (most lines) the line has its own rating only.
      const ratings = ctx.index.lineParts[lineIndex]! & PART_SPEC_BREAK ? ratingsOf(line, line.rating) : [line.rating];
      if (!ratings) continue;
      checkEnd(ctx, emit, mates, line, lineIndex, "from", ratings);
      checkEnd(ctx, emit, mates, line, lineIndex, "to", ratings);
    }
  },
};

function checkEnd(
  { index }: RuleContext,
  emit: Emit,
  mates: Mates,
  line: Line,
  /** Position of `line` in `design.lines`. */
  lineIndex: number,
  side: "from" | "to",
  ratings: Rating[],
): void {
  // The end's kind from the index: the line's end object is read for a finding only.
  const kind = index.endKind[2 * lineIndex + (side === "from" ? 0 : 1)];
  if (kind === END_NOZZLE) {
    const end = line[side] as NozzleEnd;
    const other = index.endNozzleRating(lineIndex, side);
    if (other === undefined || matesAny(mates, ratings, other, line.size)) return;
    const point = index.endNozzlePoint(lineIndex, side);
    emit({
      message: `Line ${line.id} is rated ${ratings.join("/")} but its ${side}-nozzle ${end.tag}/${end.nozzle} is ${other}; the flanges do not mate and no spec break is shown (ASME B16.5; EN 1092-1).`,
      tags: [end.tag],
      lines: [line.id],
      ...(point ? { location: point } : {}),
    });
    return;
  }
  if (kind !== END_BRANCH) return;
  const parent = index.endParent(2 * lineIndex + (side === "from" ? 0 : 1));
  if (!parent || parent === line || parent.rating === undefined) return;
  // As for the line itself: a parent without a spec break has its own rating only.
  const parentIndex = index.endTarget[2 * lineIndex + (side === "from" ? 0 : 1)]!;
  const others = index.lineParts[parentIndex]! & PART_SPEC_BREAK ? ratingsOf(parent, parent.rating) : [parent.rating];
  if (!others) return;
  const size = Math.min(line.size, parent.size);
  for (const o of others) if (matesAny(mates, ratings, o, size)) return;
  emit({
    message: `Branch ${line.id} is rated ${ratings.join("/")} but line ${parent.id} it ${side === "from" ? "branches off" : "tees into"} is ${others.join("/")}, and no spec break is shown (ASME B16.5; EN 1092-1).`,
    lines: [line.id, parent.id],
  });
}
