/** The DEXPI 2.0 entry of the format registry: root `<Model>`, one P&ID file → one design. */
import { xmlRootName } from "../dexpi/format.js";
import { designRecord, firstSignificantChar } from "../record.js";
import type { DesignFormat, DesignRecord } from "../types.js";
import { importDexpi2 } from "./index.js";

export const DEXPI2_FORMAT: DesignFormat = {
  id: "dexpi2",
  title: "DEXPI 2.0 XML (root <Model>)",
  mediaTypes: ["application/xml", "text/xml"],
  extensions: [".xml"],
  sniff(head) {
    return firstSignificantChar(head) === "<" && xmlRootName(head)?.replace(/^.*:/, "") === "Model";
  },
  count: () => 1,
  read(text, { label, id, skip = 0 }) {
    const result = importDexpi2(text, id !== undefined ? { id } : {});
    if (!result.success) {
      const refused: DesignRecord = { where: label, accepted: false, issues: result.issues };
      return { records: [refused].slice(skip), unmapped: [], renamedTags: [] };
    }
    return {
      records: [designRecord(label, result.design)].slice(skip),
      unmapped: result.report.unmapped,
      renamedTags: result.report.renamedTags,
    };
  },
};
