/**
 * DEXPI 2.0 import (root `<Model>`, the class-library XML of DEXPI 2.0): one P&ID → a
 * topology-only design to the same contract and with the same report as the DEXPI 1.x importer.
 * Pure: text in, data out; never throws on what the file holds.
 */
import type { DocumentIssue, PlantDesignInput } from "../../design/index.js";
import { parseDesign } from "../../design/parse.js";
import { DEFAULT_FOOTPRINTS, guessProcessClass, siteSide, TYPE_HAZARDS } from "../dexpi/classes.js";
import type { DexpiReport } from "../dexpi/report.js";
import { Dexpi2Context } from "./context.js";
import { importEquipment } from "./equipment.js";
import { controlledValves, importInstrumentation } from "./instrumentation.js";
import { parseDexpi2 } from "./model.js";
import { importPiping } from "./piping.js";

export type Dexpi2ImportResult =
  | { readonly success: true; readonly design: PlantDesignInput; readonly report: DexpiReport }
  | { readonly success: false; readonly issues: readonly DocumentIssue[] };

export function importDexpi2(xml: string, options: { readonly id?: string } = {}): Dexpi2ImportResult {
  const parsed = parseDexpi2(xml);
  if (!parsed.ok) return { success: false, issues: [parsed.issue] };
  try {
    return build(new Dexpi2Context(parsed.model), options);
  } catch (e) {
    // A safety net: the steps are written not to throw; if one does, the caller still gets a result.
    const message = `the DEXPI 2.0 importer could not read this file: ${e instanceof Error ? e.message : String(e)}`;
    return { success: false, issues: [{ code: "invalid_xml", pointer: "", message }] };
  }
}

function build(ctx: Dexpi2Context, options: { readonly id?: string }): Dexpi2ImportResult {
  const equipment = importEquipment(ctx);
  const piping = importPiping(ctx, equipment, controlledValves(ctx));
  const { instruments, loops } = importInstrumentation(ctx, equipment, piping);
  const side = siteSide(equipment.items.map((e) => DEFAULT_FOOTPRINTS[e.type]));
  const design: PlantDesignInput = {
    schemaVersion: "1.0",
    id: designId(options.id ?? `dexpi2-${ctx.model.name}`),
    ...(ctx.model.name ? { name: ctx.model.name.slice(0, 200) } : {}),
    processClass: guessProcessClass(equipment.items.map((e) => e.type)),
    site: { width: side, depth: side },
    equipment: equipment.items.map((e) => {
      const hazard = TYPE_HAZARDS[e.type];
      return {
        ...e,
        footprint: { ...DEFAULT_FOOTPRINTS[e.type] },
        ...(hazard ? { hazard } : {}),
        nozzles: [...e.nozzles],
      };
    }),
    lines: [...piping.lines],
    instruments,
    control: { loops, interlocks: [] },
    metadata: {
      source: "dexpi2",
      format: "DEXPI 2.0 XML",
      ...(ctx.model.uri ? { modelUri: ctx.model.uri.slice(0, 1000) } : {}),
    },
  };
  const report = ctx.finish(
    {
      equipment: design.equipment.length,
      nozzles: equipment.items.reduce((n, e) => n + e.nozzles.length, 0),
      lines: design.lines.length,
      components: design.lines.reduce((n, l) => n + (l.components?.length ?? 0), 0),
      instruments: instruments.length,
      loops: loops.length,
      interlocks: 0,
    },
    emptinessWarnings(design),
  );
  const checked = parseDesign(design);
  if (!checked.success) {
    return {
      success: false,
      issues: checked.issues.map((i) => ({ ...i, message: `the imported design breaks the contract: ${i.message}` })),
    };
  }
  return { success: true, design, report };
}

/** Says plainly when a file gave an empty design, so that exit 0 is not read as success. */
function emptinessWarnings(design: PlantDesignInput): string[] {
  const warnings: string[] = [];
  if (design.equipment.length === 0) warnings.push("no equipment was imported");
  if (design.lines.length === 0) warnings.push("no line was imported");
  return warnings;
}

function designId(raw: string): string {
  return (
    raw
      .replace(/[^A-Za-z0-9._:-]+/g, "-")
      .replace(/^[^A-Za-z0-9]+/, "")
      .slice(0, 128) || "dexpi2-import"
  );
}
