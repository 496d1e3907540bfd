// Runs the `plantgan` CLI from TypeScript sources in a child process for the kill -9 test: the
// same entry as the built bin (run), so exit codes and messages are the user's.
import { run } from "@plantgan/cli";

process.exitCode = await run(process.argv.slice(2));
