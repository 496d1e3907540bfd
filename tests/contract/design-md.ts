import { readFileSync } from "node:fs";

/** ../shared/DESIGN.md, read beside the repository as CI lays it out. */
export const DESIGN_MD_URL = new URL("../../../shared/DESIGN.md", import.meta.url);

/** The jsonc example blocks of DESIGN.md, comments stripped, parsed. */
export function designMdExamples(): unknown[] {
  const text = readFileSync(DESIGN_MD_URL, "utf8");
  const blocks = [...text.matchAll(/```jsonc?\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  // Strip `// ...` comments that are outside strings (the examples have no "//" inside strings).
  return blocks.map((b) => JSON.parse(b.replace(/\/\/[^\n]*/g, "")));
}
