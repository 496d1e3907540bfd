/** The generation requests the pipeline benches time: a split's designs' specs, taking the classes in turn. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseDesign } from "../src/design/parse.js";
import type { GenerationRequest } from "../src/design/types.js";
import { requestFromDesign } from "../src/gan/metrics.js";

/** The first `n` requests of a datasets/synthetic-v1 split (val by default) under `root`, one class after another. */
export function splitRequests(root: string, n: number, split: "val" | "test" = "val"): GenerationRequest[] {
  const text = gunzipSync(readFileSync(join(root, `datasets/synthetic-v1/${split}.ndjson.gz`))).toString("utf8");
  const byClass = new Map<string, GenerationRequest[]>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const parsed = parseDesign(JSON.parse(line));
    if (!parsed.success) throw new Error(`${split}: a design does not parse`);
    const list = byClass.get(parsed.data.processClass) ?? [];
    list.push(requestFromDesign(parsed.data, 1));
    byClass.set(parsed.data.processClass, list);
  }
  const lists = [...byClass.values()];
  const out: GenerationRequest[] = [];
  for (let i = 0; out.length < n && lists.some((l) => i < l.length); i++) {
    for (const l of lists) if (i < l.length && out.length < n) out.push(l[i]!);
  }
  return out;
}
