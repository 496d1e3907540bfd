import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { Candidate } from "../api/client.js";
import { InvalidReasons } from "./InvalidReasons.js";

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
