#!/usr/bin/env node
import { run } from "./main.js";
import { printError } from "./output.js";

// A reader that stops early (`plantgan info … | head`) closes the pipe: that ends the output, not
// the command with a crash. Exit at once, as other Unix tools do on SIGPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

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
