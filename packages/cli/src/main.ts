import { Command, CommanderError } from "commander";
import { registerDataset } from "./commands/dataset/index.js";
import { registerEval } from "./commands/eval.js";
import { registerExport } from "./commands/export.js";
import { registerGenerate } from "./commands/generate.js";
import { registerImport } from "./commands/import.js";
import { registerInfo } from "./commands/info.js";
import { registerKeys } from "./commands/keys.js";
import { registerServe } from "./commands/serve.js";
import { registerStore } from "./commands/store.js";
import { registerTrain } from "./commands/train.js";
import { registerValidate } from "./commands/validate.js";
import { CliError, EXIT } from "./exit.js";
import { printError } from "./output.js";

/** Builds the `plantgan` program; exported so tests can run commands in-process. */
export function buildProgram(): Command {
  const program = new Command("plantgan")
    .description("PlantGAN: learn plant designs, generate candidates, validate them")
    .showHelpAfterError()
    .exitOverride();
  registerImport(program);
  registerInfo(program);
  registerValidate(program);
  registerDataset(program);
  registerTrain(program);
  registerGenerate(program);
  registerEval(program);
  registerExport(program);
  registerServe(program);
  registerKeys(program);
  registerStore(program);
  // Usage mistakes in subcommands must end as exit 2 too, not as commander's process.exit(1).
  const override = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  return program;
}

export async function run(argv: readonly string[]): Promise<number> {
  process.exitCode = EXIT.ok;
  try {
    await buildProgram().parseAsync([...argv], { from: "user" });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with code 0; usage mistakes with 1: those are exit 2 for us.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      printError(`plantgan: ${error.message}`);
      return error.exitCode;
    }
    throw error;
  }
}
