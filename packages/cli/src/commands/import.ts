import { expandInputs, type FileResult, readDesignFile } from "@plantgan/server";
import type { Command } from "commander";
import { CliError, EXIT } from "../exit.js";
import { addOutOption } from "../out-option.js";
import { issueLines, printError, printJson, printLine, writeFileAtomic } from "../output.js";
import { ProgressReporter } from "../progress.js";

interface ImportOptions {
  out?: string;
  json?: boolean;
}

/** What `import --json` prints: per file, what was accepted and what was refused, and why. */
function fileReport(f: FileResult) {
  return {
    file: f.file,
    format: f.format ?? "unknown",
    accepted: f.records.filter((r) => r.accepted).map((r) => ({ where: r.where, id: r.design.id })),
    refused: f.records.filter((r) => !r.accepted).map((r) => ({ where: r.where, issues: r.issues })),
    unmapped: f.unmapped,
    renamedTags: f.renamedTags,
    warnings: f.warnings ?? [],
  };
}

export function registerImport(program: Command): void {
  const command = program
    .command("import")
    .description("Read designs from DEXPI XML, JSON or NDJSON files or folders; check them against the contract")
    .argument("<paths...>", "files or folders (folders are read recursively: .xml, .json, .ndjson, .jsonl)");
  addOutOption(command, "write accepted designs here: one design as .json, several as .ndjson");
  command
    .option("--json", "print the per-file report as JSON on stdout")
    .addHelpText(
      "after",
      "\nExit codes: 0 every design accepted, 1 some refused, 2 nothing readable or bad usage.\n" +
        "Without -o and --json, a single accepted design is printed as JSON (several as NDJSON).",
    )
    .action(async (paths: string[], options: ImportOptions) => {
      const files = await expandInputs(paths).catch((error: NodeJS.ErrnoException) => {
        throw new CliError(`cannot read ${error.path ?? paths.join(", ")}: ${error.code ?? error.message}`);
      });
      if (files.length === 0) throw new CliError(`no .xml, .json or .ndjson files under ${paths.join(", ")}`);
      const progress = new ProgressReporter("import", files.length);
      const results: FileResult[] = [];
      for (const file of files) {
        results.push(await readDesignFile(file));
        progress.tick(file);
      }
      progress.stop();

      const accepted = results.flatMap((f) => f.records.flatMap((r) => (r.accepted ? [r.design] : [])));
      const refusedCount = results.reduce((n, f) => n + f.records.filter((r) => !r.accepted).length, 0);

      if (options.out) {
        const several = accepted.length !== 1;
        if (several && options.out.endsWith(".json")) {
          throw new CliError(
            `${options.out}: ${accepted.length} designs accepted; write several designs to a .ndjson file`,
          );
        }
        const content = several
          ? accepted.map((d) => JSON.stringify(d)).join("\n") + (accepted.length ? "\n" : "")
          : `${JSON.stringify(accepted[0], null, 2)}\n`;
        await writeFileAtomic(options.out, content);
      }

      if (options.json) {
        printJson({ files: results.map(fileReport), accepted: accepted.length, refused: refusedCount });
      } else {
        for (const f of results) {
          const ok = f.records.filter((r) => r.accepted).length;
          const bad = f.records.length - ok;
          printError(
            `${bad === 0 ? "ok     " : "REFUSED"} ${f.file} (${f.format ?? "unknown"}): ${ok} accepted, ${bad} refused`,
          );
          for (const r of f.records)
            if (!r.accepted) for (const line of issueLines(r.where, r.issues)) printError(`  ${line}`);
          for (const w of f.warnings ?? []) printError(`  warning: ${w}`);
          for (const u of f.unmapped) printError(`  not mapped: ${u.element}${u.id ? ` ${u.id}` : ""}: ${u.reason}`);
          for (const t of f.renamedTags) printError(`  tag renamed: ${t.from} -> ${t.to}`);
        }
        if (options.out) printError(`wrote ${accepted.length} design(s) to ${options.out}`);
        else if (accepted.length === 1) printLine(JSON.stringify(accepted[0], null, 2));
        else for (const d of accepted) printLine(JSON.stringify(d));
      }
      if (accepted.length === 0) process.exitCode = EXIT.usage;
      else if (refusedCount > 0) process.exitCode = EXIT.findings;
    });
}
