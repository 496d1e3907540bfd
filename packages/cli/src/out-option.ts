import { type Command, Option } from "commander";

/**
 * `-o, --out <path>`: the one name every command uses for where it writes. `--output`, which
 * `import` and `generate` took before, still works for old scripts but is left out of --help.
 */
export function addOutOption(command: Command, description: string, placeholder = "<file>"): Command {
  command.option(`-o, --out ${placeholder}`, description);
  command.addOption(new Option(`--output ${placeholder}`, "old name of --out").hideHelp());
  // Commander emits option:<name> as it parses each flag: the later of --out/--output wins.
  command.on("option:output", (value: string) => command.setOptionValue("out", value));
  return command;
}
