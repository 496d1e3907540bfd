// The P&ID component draws a line with an open end to an off-page flag that says where it goes.
import { modifiedDesign } from "@plantgan/testing";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, it } from "vitest";
import { PidView } from "./PidView.js";

it("draws a line open at both ends, with an arrow flag at each end that carries its label", () => {
  const design = modifiedDesign("pump_station", (input) => {
    input.lines.push({
      id: "80-U-9003-A1",
      from: { open: true, edge: "south" },
      to: { open: true, label: "CW return" },
      size: 80,
    });
  });
  const html = renderToStaticMarkup(createElement(PidView, { design, selected: null, onPick: () => {} }));
  expect(html).toContain('data-line="80-U-9003-A1"');
  const flags = [...html.matchAll(/<g [^>]*data-kind="offpage"[^>]*>(.*?)<\/g>/g)];
  expect(
    flags.map((m) => [/data-flow="(\w+)"/.exec(m[0])?.[1], /<text[^>]*>([^<]*)<\/text>/.exec(m[1]!)?.[1]]),
  ).toEqual([
    ["in", "south edge"],
    ["out", "CW return"],
  ]);
  // Each flag is an arrow: a five-point outline.
  for (const m of flags) expect((/<path d="([^"]*)"/.exec(m[1]!)?.[1] ?? "").match(/[ML]/g)).toHaveLength(5);
  // Clicking a flag picks its line.
  expect(
    flags.every((m) => m[0].includes('data-pick-kind="line"') && m[0].includes('data-pick-id="80-U-9003-A1"')),
  ).toBe(true);
});
