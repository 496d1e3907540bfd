import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "./main.js";

/** Every command of the program, with its path (`dataset build`). */
function commands(c: Command, path = ""): [string, Command][] {
  const here = path ? [[path, c] as [string, Command]] : [];
  return [...here, ...c.commands.flatMap((s) => commands(s, path ? `${path} ${s.name()}` : s.name()))];
}

/** Visible long flags with the same meaning, which must carry one name across commands. */
const SYNONYMS: readonly (readonly string[])[] = [
  ["--out", "--output", "--dest"],
  ["--per-class", "--count-per-class"],
  ["--id", "--design", "--design-id", "--candidate"],
  ["--model", "--model-dir"],
  ["--data", "--data-dir"],
];

describe("one flag name per meaning across commands", () => {
  const all = commands(buildProgram());
  const visible = all.flatMap(([path, c]) =>
    c.options.filter((o) => !o.hidden && o.long).map((o) => ({ path, long: o.long!, short: o.short })),
  );

  it("uses one visible name for each meaning", () => {
    for (const names of SYNONYMS) {
      const used = new Set(visible.filter((o) => names.includes(o.long)).map((o) => o.long));
      expect([...used], names.join(" / ")).toHaveLength(used.size === 0 ? 0 : 1);
    }
  });

  it("gives -o one meaning (--out) wherever it appears", () => {
    const short = visible.filter((o) => o.short === "-o");
    expect(short.length).toBeGreaterThan(2);
    expect(new Set(short.map((o) => o.long))).toEqual(new Set(["--out"]));
  });

  it("lets validate, info and export pick a candidate with --id", () => {
    for (const name of ["validate", "info", "export"]) {
      expect(
        visible.some((o) => o.path === name && o.long === "--id"),
        name,
      ).toBe(true);
    }
  });
});
