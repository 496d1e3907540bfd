import { readFileSync } from "node:fs";

/** docs/DESIGN.md, the project's contract document: its examples must parse and validate. */
export const DESIGN_MD_URL = new URL("../../docs/DESIGN.md", import.meta.url);

/** The jsonc example blocks of DESIGN.md, comments stripped, parsed. */
export function designMdExamples(): unknown[] {
  const text = readFileSync(DESIGN_MD_URL, "utf8");
  const blocks = [...text.matchAll(/```jsonc?\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  // Strip `// ...` comments that are outside strings (the examples have no "//" inside strings).
  return blocks.map((b) => JSON.parse(b.replace(/\/\/[^\n]*/g, "")));
}
