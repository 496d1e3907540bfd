/**
 * Export formats: a design in, one file's text out. Pure; the server and the CLI pick a format by
 * id (`?format=` / `--format`), set the media type and name the file with the extension.
 */
import type { Design } from "../../design/index.js";
import { writeCauseEffect } from "./cause-effect.js";
import { writeDexpi2 } from "./dexpi2.js";
import { writeDexpi13 } from "./dexpi13.js";
import { writePcf } from "./pcf.js";
import { writePlcopen } from "./plcopen.js";

export interface ExportFormat {
  /** What `--format` and `?format=` take. */
  readonly id: string;
  readonly title: string;
  readonly mediaType: string;
  /** File name extension, with its dot. */
  readonly extension: string;
  readonly write: (design: Design) => string;
}

export const EXPORT_FORMATS: readonly ExportFormat[] = [
  {
    id: "json",
    title: "PlantGAN design (JSON)",
    mediaType: "application/json",
    extension: ".json",
    write: (d) => `${JSON.stringify(d, null, 2)}\n`,
  },
  {
    id: "dexpi",
    title: "DEXPI 1.3 P&ID (Proteus XML)",
    mediaType: "application/xml",
    extension: ".xml",
    write: writeDexpi13,
  },
  {
    id: "dexpi2",
    title: "DEXPI 2.0 P&ID (DEXPI XML, root <Model>)",
    mediaType: "application/xml",
    extension: ".xml",
    write: writeDexpi2,
  },
  {
    id: "pcf",
    title: "Piping Component File of the routed lines (PCF)",
    mediaType: "text/plain",
    extension: ".pcf",
    write: writePcf,
  },
  {
    id: "cause-effect",
    title: "Cause & Effect matrix of the interlocks (CSV)",
    mediaType: "text/csv",
    extension: ".csv",
    write: writeCauseEffect,
  },
  {
    id: "plcopen",
    title: "PLCopen TC6 XML (IEC 61131-10) of the loops and interlocks",
    mediaType: "application/xml",
    extension: ".xml",
    write: (d) => writePlcopen(d),
  },
];

export function exportFormatById(id: string): ExportFormat | undefined {
  return EXPORT_FORMATS.find((f) => f.id === id);
}
