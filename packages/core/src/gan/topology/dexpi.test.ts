// The public DEXPI 1.x files (shared/fixtures/dexpi, see SOURCES.md) as the topology generator sees
// uploads: imported without positions, encoded as slot graphs, expanded back into a design.
import { readdirSync, readFileSync } from "node:fs";
import { describeWithFixtures, fixturePath } from "@plantgan/testing/fixtures";
import { expect, it } from "vitest";
import { type PlantDesignInput, parseDesign } from "../../design/index.js";
import { importDexpi } from "../../formats/dexpi/index.js";
import { decodeSlotGraph } from "./decode.js";
import { encodeSlotGraphWithLosses, SlotGraphError } from "./encode.js";
import { defaultSlotGraphSpec } from "./spec.js";

describeWithFixtures("DEXPI 1.x fixtures as topology-only slot graphs", () => {
  const spec = defaultSlotGraphSpec();
  const files = readdirSync(fixturePath("dexpi"))
    .filter((f) => f.endsWith(".xml"))
    .sort();

  it("encodes every importable file, positions removed, and expands it into a design that parses", () => {
    expect(files.length).toBeGreaterThan(0);
    const outcome: Record<string, string> = {};
    let encoded = 0;
    for (const file of files) {
      const imported = importDexpi(readFileSync(fixturePath("dexpi", file), "utf8"));
      if (!imported.success) {
        outcome[file] = `not importable: ${imported.issues[0]?.message}`;
        continue;
      }
      // Uploads teach topology only: whatever the sheet placed, the encoder is given no positions.
      const design: PlantDesignInput = {
        ...imported.design,
        equipment: imported.design.equipment.map(({ x: _x, y: _y, rotation: _r, ...e }) => e),
      };
      try {
        const { graph, losses } = encodeSlotGraphWithLosses(design, spec);
        encoded++;
        const back = decodeSlotGraph(graph, spec, {
          processClass: design.processClass,
          site: design.site,
          id: design.id,
        });
        const parsed = parseDesign(back);
        expect(parsed.success ? [] : parsed.issues).toEqual([]);
        expect(back.equipment.map((e) => e.type).sort()).toEqual(design.equipment.map((e) => e.type).sort());
        outcome[file] =
          `${design.equipment.length} items, ${design.lines.length} lines, ${(design.instruments ?? []).length} instruments; ` +
          `lost ${JSON.stringify(losses)}; back: ${back.lines.length} lines, ${(back.instruments ?? []).length} instruments`;
      } catch (e) {
        if (!(e instanceof SlotGraphError)) throw e;
        outcome[file] = `not encoded: ${e.code}`;
      }
    }
    console.info(`DEXPI fixtures: ${encoded}/${files.length} encode\n${JSON.stringify(outcome, null, 2)}`);
    expect(encoded).toBeGreaterThan(0);
  });
});
