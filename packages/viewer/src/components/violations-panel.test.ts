import type { ValidationReport } from "@plantgan/core/design";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ViolationsPanel } from "./ViolationsPanel.js";

const report = (suggestion?: string): ValidationReport =>
  ({
    schemaVersion: "1.0",
    designId: "d",
    rulePack: { id: "plantgan-default", version: "2026.1" },
    geometryChecked: true,
    summary: { errors: 1, warnings: 0, infos: 0, rulesRun: 1 },
    violations: [
      {
        rule: "piping.relief-block-valve",
        category: "piping",
        severity: "error",
        message: "gate valve on line 50-RV-1 sits between V-101 and relief valve PSV-101 and is not locked open.",
        tags: ["V-101"],
        lines: ["50-RV-1"],
        ...(suggestion ? { suggestion } : {}),
      },
    ],
    skipped: [],
  }) as unknown as ValidationReport;

const render = (r: ValidationReport) =>
  renderToStaticMarkup(createElement(ViolationsPanel, { report: r, selected: null, onSelect: () => {} }));

describe("the violations panel shows each finding's suggested fix", () => {
  it("under the message when the finding has one", () => {
    const html = render(report("Lock or car-seal the valve open (lock LO or CSO)."));
    expect(html).toMatch(
      /class="message">gate valve[^<]*<\/span><span class="suggestion" data-testid="violation-suggestion">Fix: Lock or car-seal the valve open \(lock LO or CSO\)\.<\/span>/,
    );
  });

  it("and no empty fix line when it has none", () => {
    expect(render(report())).not.toContain("violation-suggestion");
  });
});
