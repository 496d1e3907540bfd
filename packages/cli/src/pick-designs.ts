import type { Design } from "@plantgan/core/design";
import type { FileResult } from "@plantgan/server";
import { CliError } from "./exit.js";
import { issueLines } from "./output.js";

/** One design of a file, where the file says it was. */
export interface PickedDesign {
  readonly where: string;
  readonly design: Design;
}

/**
 * The designs a command works on: every design of the file, or with `id` the one of that id (a
 * candidate of `plantgan generate -o` output, a design of an NDJSON file). Refused records and an
 * unknown id are usage errors (exit 2) that name what the file holds.
 */
export function pickDesigns(result: FileResult, file: string, id?: string): PickedDesign[] {
  const refused = result.records.filter((r) => !r.accepted);
  if (refused.length > 0) {
    throw new CliError(refused.flatMap((r) => (r.accepted ? [] : issueLines(r.where, r.issues))).join("\n"));
  }
  const designs = result.records.flatMap((r) => (r.accepted ? [{ where: r.where, design: r.design }] : []));
  if (id === undefined) return designs;
  const found = designs.filter((d) => d.design.id === id);
  if (found.length === 0) {
    const ids = designs.map((d) => d.design.id);
    throw new CliError(
      `--id: no design ${id} in ${file}; it holds ${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", …" : ""}`,
    );
  }
  return found;
}
