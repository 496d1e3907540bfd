// The C&E CSV read back with an RFC 4180 parser written here: one row per interlock, an X
// exactly where the interlock has that effect.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Design, parseDesign } from "../../design/index.js";
import { CAUSE_COLUMNS, writeCauseEffect } from "./cause-effect.js";

function example(name: string): Design {
  const parsed = parseDesign(
    readFileSync(new URL(`../../../../../datasets/examples/${name}`, import.meta.url), "utf8"),
  );
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  return parsed.data;
}

/** RFC 4180: CRLF records, quoted fields with doubled quotes; the text must end with CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error("unterminated quoted field");
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const m = /^[^,\r\n"]*/.exec(text.slice(i))![0];
      field = m;
      i += m.length;
    }
    row.push(field);
    if (text[i] === ",") i++;
    else if (text.startsWith("\r\n", i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  return rows;
}

describe("cause & effect CSV", () => {
  it.each(["tank-farm.json", "reactor-section.json", "pump-station.json"])(
    "%s: one row per interlock, X per effect",
    (f) => {
      const d = example(f);
      expect(d.control.interlocks.length).toBeGreaterThan(0);
      const [head, ...rows] = parseCsv(writeCauseEffect(d));
      expect(head!.slice(0, CAUSE_COLUMNS.length)).toEqual([...CAUSE_COLUMNS]);
      const effectCols = head!.slice(CAUSE_COLUMNS.length);
      expect(rows).toHaveLength(d.control.interlocks.length);
      const distinct = new Set(d.control.interlocks.flatMap((il) => il.effects.map((e) => `${e.target} ${e.action}`)));
      expect(new Set(effectCols)).toEqual(distinct);
      for (const [i, il] of d.control.interlocks.entries()) {
        const row = rows[i]!;
        expect(row).toHaveLength(head!.length);
        expect(row.slice(0, 3)).toEqual([il.tag, il.cause.instrument, il.cause.trip]);
        const marked = effectCols.filter((_, j) => row[CAUSE_COLUMNS.length + j] === "X");
        expect(marked.sort()).toEqual(il.effects.map((e) => `${e.target} ${e.action}`).sort());
      }
    },
  );

  it("quotes a cause text holding commas and quotes", () => {
    const d = example("pump-station.json");
    const tag = d.control.interlocks[0]!.cause.instrument;
    const named = {
      ...d,
      instruments: d.instruments.map((i) => (i.tag === tag ? { ...i, name: 'suction drum, "V-101" level' } : i)),
    };
    const text = writeCauseEffect(named);
    expect(text).toContain(`"${tag} low-low (suction drum, ""V-101"" level)"`);
    expect(parseCsv(text)[1]![3]).toBe(`${tag} low-low (suction drum, "V-101" level)`);
  });

  it("a design without interlocks gives the heading only", () => {
    const d = example("pump-station.json");
    expect(writeCauseEffect({ ...d, control: { loops: d.control.loops, interlocks: [] } })).toBe(
      `${CAUSE_COLUMNS.join(",")}\r\n`,
    );
  });
});
