import { extname } from "node:path";
import { EXPORT_FORMATS, exportDesign, isExportFormat, NotPlacedError, readDesignFile } from "@plantgan/server";
import type { Command } from "commander";
import { CliError } from "../exit.js";
import { issueLines, printError, writeFileAtomic } from "../output.js";

interface ExportOptions {
  out?: string;
  format?: string;
  id?: string;
  instancing?: boolean;
}

const FORMAT_LIST = Object.keys(EXPORT_FORMATS).join(", ");

/**
 * The format: --format when given, else the one format whose extension the output file has. Several
 * formats write .xml (DEXPI 1.3, DEXPI 2.0, PLCopen): that extension alone decides nothing.
 */
export function chooseFormat(options: ExportOptions): string {
  if (options.format !== undefined) {
    if (!isExportFormat(options.format)) {
      throw new CliError(`--format: ${options.format || "(none)"} is not one of ${FORMAT_LIST}`);
    }
    return options.format;
  }
  if (options.out === undefined) throw new CliError(`--format is needed without --out: one of ${FORMAT_LIST}`);
  const extension = extname(options.out).toLowerCase();
  const matching = Object.entries(EXPORT_FORMATS).filter(([, f]) => f.extension === extension);
  if (matching.length === 1) return matching[0]![0];
  if (matching.length > 1) {
    throw new CliError(
      `--format: ${extension} is the extension of ${matching.map(([id]) => id).join(", ")}; choose one with --format`,
    );
  }
  throw new CliError(
    `--format: ${extension.slice(1) || "(none)"} is not one of ${FORMAT_LIST} (taken from the --out extension)`,
  );
}

export function registerExport(program: Command): void {
  const formatHelp = Object.entries(EXPORT_FORMATS)
    .map(([id, f]) => `  ${id.padEnd(13)} ${f.title} (${f.extension})`)
    .join("\n");
  program
    .command("export")
    .description(
      "Write a design as JSON, DEXPI 1.3 or 2.0, PCF, a Cause & Effect CSV, PLCopen XML, or the viewer's 3D scene (glTF, GLB)",
    )
    .argument("<file>", "design file (JSON, NDJSON or DEXPI XML)")
    .option(
      "-o, --out <file>",
      "output file (default: standard output); its extension gives the format when only one has it",
    )
    .option("--format <name>", `one of ${FORMAT_LIST} (default: from the --out extension)`)
    .option("--id <id>", "which design (or candidate of `plantgan generate -o`) of a file that holds several")
    .option("--instancing", "gltf, glb: equipment as EXT_mesh_gpu_instancing (default: plain nodes, one per tag)")
    .addHelpText(
      "after",
      `\nFormats:\n${formatHelp}\n\nThe glTF scene is y-up, in metres; one node per equipment tag, named by it (extras.tags). A topology-only\n` +
        "design (e.g. a DEXPI P&ID) has no layout to draw: place it first with `plantgan generate`.",
    )
    .action(async (file: string, options: ExportOptions) => {
      const out = options.out;
      const format = chooseFormat(options);
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
        const bytes = await exportDesign(design, format, { instancing: options.instancing ?? false });
        if (out === undefined) {
          process.stdout.write(bytes);
          return;
        }
        await writeFileAtomic(out, bytes);
        printError(`wrote ${out} (${format}, ${bytes.length} bytes) from design ${design.id}`);
      } catch (error) {
        if (error instanceof NotPlacedError) throw new CliError(`${file}: ${error.message}`);
        throw error;
      }
    });
}
