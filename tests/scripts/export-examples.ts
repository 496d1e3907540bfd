// Writes datasets/examples/<process class>.json: the validator's hand-built clean design of each
// process class, as files a person can open, `plantgan info`, `validate` or upload.
// Run: npx tsx --conditions=@plantgan/source tests/scripts/export-examples.ts
import { writeFileSync } from "node:fs";
import { PROCESS_CLASSES } from "@plantgan/core/design";
import { cleanDesignInput } from "@plantgan/testing";

for (const processClass of PROCESS_CLASSES) {
  const file = new URL(`../../datasets/examples/${processClass.replace(/_/g, "-")}.json`, import.meta.url);
  writeFileSync(file, `${JSON.stringify(cleanDesignInput(processClass), null, 2)}\n`);
  console.log(`wrote ${file.pathname}`);
}
