/** The DEXPI 1.x (Proteus XML) entry of the format registry: one P&ID file → one design. */
import { designRecord, firstSignificantChar } from "../record.js";
import type { DesignFormat, DesignRecord } from "../types.js";
import { importDexpi } from "./index.js";

/**
 * Name of the first element of an XML text, past declarations, comments and DOCTYPE; undefined
 * when the text ends (or the head is cut) before one.
 */
export function xmlRootName(head: string): string | undefined {
  let rest = head;
  for (;;) {
    rest = rest.replace(/^[\s\uFEFF]+/, "");
    const skip = rest.startsWith("<?") ? "?>" : rest.startsWith("<!--") ? "-->" : rest.startsWith("<!") ? ">" : "";
    if (skip === "") return /^<([A-Za-z_][\w.:-]*)/.exec(rest)?.[1];
    const end = rest.indexOf(skip);
    if (end === -1) return undefined;
    rest = rest.slice(end + skip.length);
  }
}

export const DEXPI_FORMAT: DesignFormat = {
  id: "dexpi",
  title: "DEXPI 1.x XML (Proteus 4, root <PlantModel>)",
  mediaTypes: ["application/xml", "text/xml", "application/dexpi+xml"],
  extensions: [".xml"],
  sniff(head) {
    if (firstSignificantChar(head) !== "<") return false;
    // A head cut inside a long prologue still counts: the importer names the root if it is wrong.
    const root = xmlRootName(head);
    return root === undefined || root.replace(/^.*:/, "") === "PlantModel";
  },
  count: () => 1,
  read(text, { label, id, skip = 0 }) {
    const result = importDexpi(text, id !== undefined ? { id } : {});
    if (!result.success) {
      const refused: DesignRecord = { where: label, accepted: false, issues: result.issues };
      return { records: [refused].slice(skip), unmapped: [], renamedTags: [] };
    }
    return {
      records: [designRecord(label, result.design)].slice(skip),
      unmapped: result.report.unmapped,
      renamedTags: result.report.renamedTags,
      ...(result.report.warnings.length > 0 ? { warnings: result.report.warnings } : {}),
    };
  },
};
