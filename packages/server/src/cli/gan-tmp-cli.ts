import { Command } from "commander";
import { registerTrain } from "./commands/train.js";
import { CliError } from "./exit.js";
const program = new Command("plantgan").exitOverride();
registerTrain(program);
program.parseAsync(process.argv.slice(2), { from: "user" }).catch((e) => { console.error(e instanceof CliError ? e.message : e); process.exitCode = e instanceof CliError ? e.exitCode : 70; });
