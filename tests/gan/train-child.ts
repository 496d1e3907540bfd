// Runs `plantgan train` in a child process for the kill -9 test (commander from the server package).
import { createRequire } from "node:module";
import { registerTrain } from "../../packages/server/src/cli/commands/train.js";

type Program = Parameters<typeof registerTrain>[0];
const { Command } = createRequire(new URL("../../packages/server/package.json", import.meta.url))("commander") as {
  Command: new (name?: string) => Program;
};
const program = new Command("plantgan");
registerTrain(program);
program.parseAsync(process.argv.slice(2), { from: "user" }).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
