import { extname } from "node:path";
import { EXPORT_FORMATS, exportDesign, isExportFormat, NotPlacedError, readDesignFile } from "@plantgan/server";
import type { Command } from "commander";
import { CliError } from "../exit.js";
import { issueLines, printError, writeFileAtomic } from "../output.js";

interface ExportOptions {
  out?: string;
  format?: string;
  id?: string;
}

export function registerExport(program: Command): void {
  program
    .command("export")
    .description("Write a design as JSON, or as the viewer's 3D scene in glTF (.gltf) or binary glTF (.glb)")
    .argument("<file>", "design file (JSON, NDJSON or DEXPI XML)")
    .requiredOption("-o, --out <file>", "output file; its extension (.json, .gltf, .glb) gives the format")
    .option("--format <name>", "json, gltf or glb (default: from the --out extension)")
    .option("--id <id>", "which design of a file that holds several")
    .addHelpText(
      "after",
      "\nThe glTF scene is y-up, in metres; equipment nodes carry their tags in extras.tags. A topology-only\n" +
        "design (e.g. a DEXPI P&ID) has no layout to draw: place it first with `plantgan generate`.",
    )
    .action(async (file: string, options: ExportOptions) => {
      const out = options.out!;
      const format = options.format ?? extname(out).slice(1).toLowerCase();
      if (!isExportFormat(format)) {
        throw new CliError(
          `--format: ${format || "(none)"} is not one of ${Object.keys(EXPORT_FORMATS).join(", ")}` +
            (options.format ? "" : " (taken from the --out extension)"),
        );
      }
      const result = await readDesignFile(file).catch((error: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read ${file}: ${error.code ?? error.message}`);
      });
      const refused = result.records.filter((r) => !r.accepted);
      if (refused.length > 0) {
        throw new CliError(refused.flatMap((r) => (r.accepted ? [] : issueLines(r.where, r.issues))).join("\n"));
      }
      const designs = result.records.flatMap((r) => (r.accepted ? [r.design] : []));
      const design = options.id ? designs.find((d) => d.id === options.id) : designs[0];
      if (!design) throw new CliError(options.id ? `--id: no design ${options.id} in ${file}` : `${file}: no design`);
      if (!options.id && designs.length > 1) {
        throw new CliError(
          `${file} holds ${designs.length} designs: choose one with --id (e.g. --id ${designs[0]!.id})`,
        );
      }
      try {
        const bytes = await exportDesign(design, format);
        await writeFileAtomic(out, bytes);
        printError(`wrote ${out} (${format}, ${bytes.length} bytes) from design ${design.id}`);
      } catch (error) {
        if (error instanceof NotPlacedError) throw new CliError(`${file}: ${error.message}`);
        throw error;
      }
    });
}
