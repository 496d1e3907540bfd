import { useState } from "react";
import type { DesignExportQuery } from "../api/client.js";
import { useApi } from "../app/api-context.js";
import { download, ErrorBox } from "./Misc.js";

type ExportFormatId = NonNullable<DesignExportQuery["format"]>;

/**
 * Every format of GET /designs/:id/export, labelled for people. A Record over the generated enum: a
 * format added to the API schema fails the typecheck here until it is offered.
 */
export const EXPORT_MENU: Readonly<Record<ExportFormatId, string>> = {
  json: "PlantGAN design (JSON)",
  dexpi: "DEXPI 1.3 P&ID (XML)",
  dexpi2: "DEXPI 2.0 P&ID (XML)",
  pcf: "Piping Component File (PCF)",
  "cause-effect": "Cause & Effect matrix (CSV)",
  plcopen: "PLCopen TC6 control programs (XML)",
  gltf: "3D scene (glTF)",
  glb: "3D scene (GLB)",
};

/** The server's export of a stored design, in any format, as a download. */
export function ExportMenu({ designId }: { designId: string }) {
  const { api } = useApi();
  const [format, setFormat] = useState<ExportFormatId>("dexpi");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const { blob, fileName } = await api.exportDesign(designId, format);
      download(blob, fileName);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="pg-export-menu">
      <label>
        Export as{" "}
        <select
          data-testid="export-format"
          value={format}
          onChange={(e) => setFormat(e.target.value as ExportFormatId)}
        >
          {Object.entries(EXPORT_MENU).map(([id, label]) => (
            <option key={id} value={id}>
              {label}
            </option>
          ))}
        </select>
      </label>{" "}
      <button type="button" data-testid="export-download" disabled={busy} onClick={run}>
        {busy ? "Exporting…" : "Download"}
      </button>
      <ErrorBox error={error} />
    </span>
  );
}
