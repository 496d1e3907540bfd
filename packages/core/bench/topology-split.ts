/** A dataset split's designs, parsed (the topology benches read whole splits of a few MB). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseDesign } from "../src/design/parse.js";
import type { Design } from "../src/design/types.js";

/** `<dataset>/<name>.ndjson.gz`; throws naming the split when a design does not parse. */
export function readSplit(dataset: string, name: string): Design[] {
  return gunzipSync(readFileSync(join(dataset, `${name}.ndjson.gz`)))
    .toString("utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const parsed = parseDesign(JSON.parse(l));
      if (!parsed.success) throw new Error(`${name}: a design does not parse`);
      return parsed.data;
    });
}
