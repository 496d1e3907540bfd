#!/usr/bin/env node
import { run } from "./main.js";
import { printError } from "./output.js";

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Only a bug in PlantGAN gets here: user mistakes are CliErrors with a message.
    printError(`plantgan: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 70;
  },
);
