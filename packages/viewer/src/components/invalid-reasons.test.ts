import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { Candidate } from "../api/client.js";
import { InvalidReasons } from "./InvalidReasons.js";
import { LayoutBadge } from "./LayoutBadge.js";

const violation = (rule: string, suggestion?: string) => ({
  rule,
  category: "piping",
  severity: "error",
  message: `${rule} broken on line 50-P-1`,
  tags: ["P-101A"],
  lines: ["50-P-1"],
  ...(suggestion ? { suggestion } : {}),
});

const candidate = (violations: object[], valid = violations.length === 0) =>
  ({ id: "cand-1", valid, report: { violations } }) as unknown as Candidate;

const render = (c: Candidate) => renderToStaticMarkup(createElement(InvalidReasons, { candidate: c }));

describe("a candidate card says why the candidate is not valid", () => {
  it("lists each error with its suggested fix under it", () => {
    const html = render(
      candidate([violation("piping.pump-check-valve", "Add a check valve on the discharge, before the block valve.")]),
    );
    expect(html).toContain("Not valid: 1 error in its report.");
    expect(html).toMatch(
      /<code>piping\.pump-check-valve<\/code> piping\.pump-check-valve broken on line 50-P-1<div class="pg-muted">Fix: Add a check valve on the discharge, before the block valve\.<\/div>/,
    );
  });

  it("writes no fix line for an error without a suggestion", () => {
    const html = render(candidate([violation("piping.routed")]));
    expect(html).toContain("piping.routed broken");
    expect(html).not.toContain("Fix:");
  });

  it("shows nothing for a valid candidate", () => {
    expect(render(candidate([]))).toBe("");
  });
});

describe("topology mode: errors the request's own drawing has", () => {
  const inherited = { ...violation("piping.tank-vent"), tags: ["TK-101"], inherited: true };

  it("marks each inherited error and says the layout added none when all are", () => {
    const html = render(candidate([inherited]));
    expect(html).toContain(
      "All of them the request&#x27;s own topology already has (inherited): the layout added none.",
    );
    expect(html).toMatch(
      /<code>piping\.tank-vent<\/code> <span class="badge">inherited<\/span> piping\.tank-vent broken/,
    );
  });

  it("counts the inherited ones when the layout added others, and leaves those unmarked", () => {
    const html = render(candidate([inherited, violation("piping.routed")]));
    expect(html).toContain(
      "1 of them the request&#x27;s own topology already has (inherited): the others the layout added.",
    );
    expect(html).toMatch(/<code>piping\.routed<\/code> piping\.routed broken/);
  });
});

describe("the card's layout badge", () => {
  const badge = (meta: { valid?: boolean; layoutValid?: boolean; inheritedErrors?: number }) =>
    renderToStaticMarkup(createElement(LayoutBadge, { meta }));

  it("says layout valid with the count when every error is inherited", () => {
    expect(badge({ valid: false, layoutValid: true, inheritedErrors: 4 })).toContain(
      "layout valid; 4 inherited findings",
    );
    expect(badge({ valid: false, layoutValid: true, inheritedErrors: 1 })).toContain(
      "layout valid; 1 inherited finding<",
    );
  });

  it("shows nothing for a valid candidate, a layout with errors of its own, or a row without verdicts", () => {
    expect(badge({ valid: true, layoutValid: true })).toBe("");
    expect(badge({ valid: false, layoutValid: false, inheritedErrors: 2 })).toBe("");
    expect(badge({})).toBe("");
  });
});
