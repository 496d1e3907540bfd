/**
 * DEXPI 1.x (Proteus 4.x XML) import: a P&ID file → a topology-only PlantGAN design (equipment
 * without positions, lines between nozzles, instruments, control loops) plus a report of what was
 * renamed, assumed and left out. Pure: text in, data out; never throws on what the file holds.
 */
import type { DocumentIssue, PlantDesignInput } from "../../design/index.js";
import { parseDesign } from "../../design/parse.js";
import { DEFAULT_FOOTPRINTS, guessProcessClass, siteSide, TYPE_HAZARDS } from "./classes.js";
import {
  contractComponent,
  contractDesign,
  contractEquipment,
  contractLine,
  contractLoop,
  contractNozzle,
  contractPlacement,
  contractRoute,
} from "./contract-attributes.js";
import { importContractInterlocks } from "./contract-interlocks.js";
import { importEquipment } from "./equipment.js";
import { importInstrumentation } from "./instrumentation.js";
import { ancestor, DexpiDocument, firstChild, genericAttr } from "./model.js";
import { placeNozzles } from "./nozzle-geometry.js";
import { type ImportedLine, importPiping, type PipingResult } from "./piping.js";
import { type DexpiReport, ImportContext } from "./report.js";
import { DEFAULT_XML_LIMITS, parseXml, type XmlElement } from "./xml.js";

export { DEFAULT_FOOTPRINTS } from "./classes.js";
export { DEFAULT_LINE_SIZE } from "./piping.js";
export type { DexpiCounts, DexpiReport, ImportNote, RenamedTag, UnmappedElement } from "./report.js";
export { ACCOUNTED_ELEMENTS } from "./report.js";
export { normaliseTag } from "./tags.js";

export interface DexpiImportOptions {
  /** Largest accepted file, UTF-8 bytes. Default 20 MB. */
  readonly maxBytes?: number;
  /** Design id; default derived from the drawing name. Characters the contract refuses become "-". */
  readonly id?: string;
}

export type DexpiImportResult =
  | { readonly success: true; readonly design: PlantDesignInput; readonly report: DexpiReport }
  | { readonly success: false; readonly issues: readonly DocumentIssue[] };

/** Imports one DEXPI/Proteus XML document. */
export function importDexpi(xml: string, options: DexpiImportOptions = {}): DexpiImportResult {
  if (typeof xml !== "string") return refused("invalid_xml", "the input is not text");
  const maxBytes =
    typeof options.maxBytes === "number" && options.maxBytes > 0 ? options.maxBytes : DEFAULT_XML_LIMITS.maxBytes;
  const parsed = parseXml(xml, { ...DEFAULT_XML_LIMITS, maxBytes });
  if (!parsed.ok) return { success: false, issues: [parsed.issue] };
  if (parsed.root.name !== "PlantModel") {
    return refused(
      "invalid_xml",
      `not a DEXPI (Proteus) file: the root element is <${parsed.root.name}>, not <PlantModel>`,
    );
  }
  try {
    return build(parsed.root, options);
  } catch (e) {
    // A safety net: the steps above are written not to throw; if one does, the caller still gets a result.
    return refused(
      "invalid_xml",
      `the importer could not read this file: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

function build(root: XmlElement, options: DexpiImportOptions): DexpiImportResult {
  const ctx = new ImportContext(new DexpiDocument(root));
  const info = firstChild(root, "PlantInformation");
  const drawing = firstChild(root, "Drawing");

  // A PlantGAN export says what the design holds; a drawing from elsewhere is read and completed.
  const contract = contractDesign(drawing);

  const equipment = importEquipment(ctx);
  const piping = importPiping(ctx, equipment, connectionTolerance(info));
  const explicit = importContractInterlocks(ctx);
  const control = importInstrumentation(
    ctx,
    equipment,
    piping,
    explicit.handled,
    new Set(explicit.interlocks.map((il) => il.cause.instrument)),
  );
  const { instruments, loops, interlocks } = control;
  for (const [el, end] of equipment.nozzles) {
    const eq = equipment.items.find((e) => e.tag === end.tag);
    const i = eq ? eq.nozzles.findIndex((n) => n.id === end.nozzle) : -1;
    if (eq && i >= 0) eq.nozzles[i] = { ...eq.nozzles[i]!, ...contractNozzle(el) };
  }
  // Nozzle geometry from the sheet or by convention, except in an export, which says where each one is.
  if (!contract) placeNozzles(equipment.items, equipment.nozzles, piping.lines, (type) => DEFAULT_FOOTPRINTS[type]);

  const footprints = equipment.items.map((e) => DEFAULT_FOOTPRINTS[e.type]);
  const side = siteSide(footprints);
  const name = (
    contract ? drawing?.attrs.Title : drawing?.attrs.Title || drawing?.attrs.Name || info?.attrs.ProjectName
  )?.slice(0, 200);
  const design: PlantDesignInput = {
    schemaVersion: "1.0",
    id: designId(options.id ?? contract?.id, options.id || contract?.id ? undefined : drawing?.attrs.Name),
    ...(name ? { name } : {}),
    processClass: contract?.processClass ?? guessProcessClass(equipment.items.map((e) => e.type)),
    site: { width: side, depth: side, ...contract?.site },
    equipment: equipment.items.map((e) => {
      const hazard = TYPE_HAZARDS[e.type];
      return {
        tag: e.tag,
        type: e.type,
        ...(e.name !== undefined ? { name: e.name } : {}),
        ...(contract ? contractPlacement(e.el) : {}),
        footprint: { ...DEFAULT_FOOTPRINTS[e.type] },
        ...(hazard ? { hazard } : {}),
        ...(e.designPressure !== undefined ? { designPressure: e.designPressure } : {}),
        ...(e.designTemperature !== undefined ? { designTemperature: e.designTemperature } : {}),
        ...contractEquipment(e.el),
        nozzles: e.nozzles.map((n) => ({ ...n })),
      };
    }),
    lines: withContractLines(ctx, piping, contract !== undefined),
    instruments: instruments.map((i) => {
      const el = contract ? byTagName(ctx, i.tag) : undefined;
      const description = el && genericAttr(el, "InstrumentDescriptionAssignmentClass");
      return description ? { ...i, name: description.slice(0, 200) } : i;
    }),
    control: {
      loops: loops.map((l) => {
        const el = byTagName(ctx, l.tag);
        return el ? { ...l, ...contractLoop(el) } : l;
      }),
      interlocks: [...explicit.interlocks, ...interlocks],
    },
    // An export carries the design's own metadata (or none); a drawing from elsewhere says where it came from.
    ...(contract ? contract.metadata && { metadata: contract.metadata } : { metadata: metadata(root, info, drawing) }),
  };

  // The report names only renames the design holds (a tag claimed for an item later left out is not one).
  const held = new Set([
    ...design.equipment.map((e) => e.tag),
    ...design.lines.flatMap((l) => (l.components ?? []).map((c) => c.tag)),
    ...instruments.map((i) => i.tag),
    ...loops.map((l) => l.tag),
  ]);
  const warnings: string[] = [];
  if (design.equipment.length === 0 && design.lines.length === 0)
    warnings.push(
      `the drawing yields no equipment and no lines (${ctx.doc.items.length} model elements read, ` +
        "see unmapped): the design is empty and cannot be laid out",
    );
  // A P&ID states neither a process class nor a plot: say what was assumed, so nobody mistakes it for data.
  if (contract?.processClass === undefined)
    warnings.push(`the drawing states no process class: "${design.processClass}" was guessed from its equipment types`);
  if (contract?.site === undefined)
    warnings.push(`the drawing has no plot: a ${side} m × ${side} m site was assumed from the equipment footprints`);
  warnings.push(...control.warnings);
  const report = ctx.finish(
    {
      equipment: design.equipment.length,
      nozzles: design.equipment.reduce((n, e) => n + (e.nozzles?.length ?? 0), 0),
      lines: design.lines.length,
      components: design.lines.reduce((n, l) => n + (l.components?.length ?? 0), 0),
      instruments: instruments.length,
      loops: loops.length,
      interlocks: explicit.interlocks.length + interlocks.length,
    },
    warnings,
    (tag) => held.has(tag),
  );

  // The importer promises a contract-valid design; a failure here is an importer bug, said plainly.
  const checked = parseDesign(design);
  if (!checked.success) {
    return {
      success: false,
      issues: checked.issues.map((i) => ({ ...i, message: `the imported design breaks the contract: ${i.message}` })),
    };
  }
  return { success: true, design, report };
}

/**
 * Lines with what the PlantGAN set of their piping system and components adds; in an export
 * (`exported`) the centre line of a line's segment is its route, in plot metres.
 */
function withContractLines(ctx: ImportContext, piping: PipingResult, exported: boolean): PlantDesignInput["lines"] {
  const segmentOf = new Map<string, XmlElement>();
  for (const el of ctx.doc.items) {
    if (el.name !== "PipingNetworkSegment") continue;
    const line = piping.lineOf(el);
    if (line !== undefined && !segmentOf.has(line)) segmentOf.set(line, el);
  }
  const componentEls = new Map<object, XmlElement>();
  for (const el of ctx.doc.items) {
    const comp = piping.componentOf(el);
    if (comp) componentEls.set(comp, el);
  }
  return piping.lines.map((l: ImportedLine) => {
    const seg = segmentOf.get(l.id);
    const route = exported && seg ? contractRoute(seg) : undefined;
    return {
      ...l,
      ...(seg ? contractLine(ancestor(seg, "PipingNetworkSystem")) : {}),
      ...(route ? { route } : {}),
      components: l.components.map((c) => {
        const el = componentEls.get(c);
        return el ? { ...c, ...contractComponent(el) } : { ...c };
      }),
    };
  }) as PlantDesignInput["lines"];
}

/** The instrumentation function a PlantGAN export wrote for a tag (it writes tags as they are). */
function byTagName(ctx: ImportContext, tag: string): XmlElement | undefined {
  return ctx.doc.items.find((el) => el.name === "ProcessInstrumentationFunction" && el.attrs.TagName === tag);
}

/**
 * How far (drawing units) a centre line end may lie from a nozzle symbol and still count as
 * connected: 1 mm on the sheet, whatever unit the file uses.
 */
function connectionTolerance(info: XmlElement | undefined): number {
  const units = `${info ? (firstChild(info, "UnitsOfMeasure")?.attrs.Distance ?? "") : ""} ${info?.attrs.Units ?? ""}`;
  if (/milli|\bmm\b/i.test(units)) return 1;
  if (/centi|\bcm\b/i.test(units)) return 0.1;
  if (/inch|\bin\b/i.test(units)) return 0.04;
  if (/metre|meter|\bm\b/i.test(units)) return 0.001;
  return 1;
}

function designId(requested: string | undefined, drawingName: string | undefined): string {
  for (const raw of [requested, drawingName && `dexpi-${drawingName}`]) {
    if (!raw) continue;
    const id = raw
      .replace(/[^A-Za-z0-9._:-]+/g, "-")
      .replace(/^[^A-Za-z0-9]+/, "")
      .slice(0, 128);
    if (id) return id;
  }
  return "dexpi-import";
}

/** Where the design came from: the exporting tool, Proteus schema version, drawing. Strings only, each ≤ 1000 chars. */
function metadata(
  root: XmlElement,
  info: XmlElement | undefined,
  drawing: XmlElement | undefined,
): Record<string, string> {
  const out: Record<string, string> = { source: "dexpi", format: "DEXPI 1.x (Proteus XML)" };
  const put = (key: string, value: string | undefined) => {
    const v = value?.trim();
    if (v) out[key] = v.slice(0, 1000);
  };
  put("proteusSchemaVersion", info?.attrs.SchemaVersion);
  put("tool", info?.attrs.OriginatingSystem);
  put("toolVendor", info?.attrs.OriginatingSystemVendor);
  put("toolVersion", info?.attrs.OriginatingSystemVersion ?? info?.attrs.ApplicationVersion);
  put("dexpiVersion", info?.attrs.DexpiVersion ?? info?.attrs.DEXPIVersion);
  put("projectName", info?.attrs.ProjectName);
  put("companyName", info?.attrs.CompanyName);
  put("exportDate", [info?.attrs.Date, info?.attrs.Time].filter(Boolean).join("T") || undefined);
  put("drawingUnits", (info && firstChild(info, "UnitsOfMeasure")?.attrs.Distance) ?? info?.attrs.Units);
  put("drawingName", drawing?.attrs.Name);
  put("drawingTitle", drawing?.attrs.Title);
  put("xsd", root.attrs.noNamespaceSchemaLocation);
  return out;
}

function refused(code: DocumentIssue["code"], message: string): DexpiImportResult {
  return { success: false, issues: [{ code, pointer: "", message }] };
}
